//! The `fettle` command: parses the command line, opens the database and runs one command.
//!
//! The binary is thin on purpose: decoding lives in `fettle-formats`, the science in
//! `fettle-core`, persistence in `fettle-store`, the web face in `fettle-web`. This crate only wires them together and owns
//! the terminal (tables, progress bars, exit codes). Errors go to stderr with a non-zero exit.

/// `usage!("…")`: an error for something typed wrongly (exit 2, `invalid_input` with
/// `--json`), written like `anyhow!`.
macro_rules! usage {
    ($($arg:tt)*) => {
        $crate::output::usage_error(format!($($arg)*))
    };
}

/// `bail_usage!("…")`: returns [`usage!`] from the function, like `bail!`.
macro_rules! bail_usage {
    ($($arg:tt)*) => {
        return Err(usage!($($arg)*))
    };
}

mod accounts;
mod activities;
mod backup;
mod cli;
mod dates;
mod demo;
mod export;
mod import;
mod output;
mod plan;
mod recovery;
mod serve;
mod settings;
mod today;
mod training;
mod watch;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command, DatabaseSources};

// mimalloc: decoding allocates output columns in bursts on several threads; the system
// allocator's contention showed up in profiles of the import (BENCHMARKS.md, FIT decoding).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = parse();
    match run(&cli) {
        Ok(code) => code,
        Err(err) => {
            output::print_error(&err, cli.json);
            ExitCode::from(output::exit_status(&err))
        }
    }
}

/// Runs one command. `Ok` carries the exit status for commands that can partly succeed
/// (an import with some failed files exits 1).
fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    // The database is opened only by the commands that use it: the demo opens its own
    // (temporary) one and must never touch the user's default database.
    let ctx = || settings::Context::from_cli(cli);
    match &cli.command {
        Command::Demo(args) => demo::run(cli, args),
        Command::Today(args) => today::run(&ctx()?, args),
        Command::Import(args) => import::run(&ctx()?, args),
        Command::Watch(args) => watch::run(&ctx()?, args),
        Command::Activities(args) => activities::list(&ctx()?, args),
        Command::Activity(args) => activities::show(&ctx()?, args),
        Command::Profile(args) => training::profile(&ctx()?, args),
        Command::Add(args) => training::add(&ctx()?, args),
        Command::Rpe(args) => training::rpe(&ctx()?, args),
        Command::Status(args) => training::status(&ctx()?, args),
        Command::Load(args) => training::load(&ctx()?, args),
        Command::Race(args) => training::race(&ctx()?, args),
        Command::Model(args) => training::model(&ctx()?, args),
        Command::Wellness(args) => recovery::wellness(&ctx()?, args),
        Command::Readiness(args) => recovery::readiness(&ctx()?, args),
        Command::Recover(args) => recovery::recover(&ctx()?, args),
        Command::Recovery(args) => recovery::recovery(&ctx()?, args),
        Command::Insights => recovery::insights(&ctx()?),
        Command::Plan(args) => plan::run(&ctx()?, args),
        Command::Serve(args) => serve::run(ctx()?, args),
        Command::User(args) => accounts::user(&ctx()?, args),
        Command::Token(args) => accounts::token(&ctx()?, args),
        Command::Backup(args) => backup::run(cli, args),
        Command::Export(args) => export::export(&ctx()?, args),
    }
}

/// Parses the command line (exiting with clap's message on an error), noting whether the
/// database options were typed or came from the environment: the command line wins.
fn parse() -> Cli {
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => usage_exit(&error),
    };
    let mut cli = Cli::from_arg_matches(&matches)
        .map_err(|e| e.format(&mut Cli::command()))
        .unwrap_or_else(|e| e.exit());
    let typed = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    cli.database_sources = DatabaseSources {
        db_on_command_line: typed("db"),
        database_on_command_line: typed("database"),
    };
    cli
}

/// Ends the process for a command line clap refused: its own message (and exit 2) for people,
/// with `--json` the same error document as every other failure (code `usage`). `--help` and
/// `--version` are "errors" too in clap's terms and print as usual (exit 0).
fn usage_exit(error: &clap::Error) -> ! {
    let wants_json = std::env::args_os().any(|arg| arg == "--json");
    if wants_json && error.use_stderr() {
        // clap's message without its "error: " prefix and the usage block that follows it.
        let rendered = error.render().to_string();
        let message = rendered
            .lines()
            .take_while(|line| !line.trim().is_empty() && !line.starts_with("Usage:"))
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ");
        let message = message.trim_start_matches("error: ");
        output::print_usage_error(message);
        std::process::exit(2);
    }
    error.exit()
}

/// `fettle activities | head` closes the pipe early. Rust then fails the next `println!`
/// with a panic; a command-line tool should instead stop quietly, like `cat` does. The exit
/// status 141 is what a shell reports for a process ended by SIGPIPE.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}
