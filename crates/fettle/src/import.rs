//! `fettle import`: runs the import use case with a progress bar and prints the summary.
//!
//! The bar is drawn on stderr only when stderr is a terminal; piped or in CI it stays quiet.
//! Failed files are always named with their reason (on stderr); `--verbose` also names every
//! skipped file, every decoder warning and every duplicate with the stored activity it
//! duplicates (id and source file); `--json` always lists the duplicates. A folder written by
//! `fettle export` (one path, with its manifest) is restored whole instead ([`crate::export`]). Exit status: 0 when nothing failed, 1 otherwise.

use std::process::ExitCode;
use std::sync::Mutex;

use fettle_app::import::{ImportProgress, ImportSummary, import_paths_with};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::ImportArgs;
use crate::output::print_json;
use crate::settings::Context;

/// A terminal spinner with running counts.
struct TerminalProgress {
    bar: ProgressBar,
    verbose: bool,
    // indicatif's bar is Sync, but notes must not interleave with redraws.
    lock: Mutex<()>,
}

impl ImportProgress for TerminalProgress {
    fn file_done(&self, s: &ImportSummary) {
        self.bar.set_position(s.files as u64);
        self.bar.set_message(format!(
            "{} imported, {} duplicates, {} skipped, {} failed",
            s.imported, s.duplicates, s.skipped, s.failed
        ));
    }

    fn note(&self, line: &str) {
        if self.verbose {
            let _guard = self.lock.lock();
            self.bar.suspend(|| eprintln!("{line}"));
        }
    }
}

/// Runs `fettle import`.
pub(crate) fn run(ctx: &Context, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    if let [folder] = args.paths.as_slice()
        && fettle_app::portable::is_export(folder)
    {
        return crate::export::restore(ctx, folder);
    }
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} files  {msg}  [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    if !bar.is_hidden() {
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
    }
    let progress = TerminalProgress {
        bar,
        verbose: ctx.verbose,
        lock: Mutex::new(()),
    };
    let summary = import_paths_with(
        ctx.store.as_ref(),
        ctx.athlete,
        &args.paths,
        threads,
        &progress,
        args.include_deleted,
    )?;
    progress.bar.finish_and_clear();
    print_summary(ctx, &summary)?;
    Ok(if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints the summary as text (failures on stderr) or JSON.
fn print_summary(ctx: &Context, summary: &ImportSummary) -> anyhow::Result<()> {
    if !summary.failures.is_empty() {
        eprintln!("failed files:");
        for p in &summary.failures {
            eprintln!("  {}: {}", p.source, p.reason);
        }
    }
    if ctx.json {
        return print_json(summary);
    }
    println!(
        "{} files: {} activities imported, {} duplicates, {} skipped (not an activity), {} failed",
        summary.files, summary.imported, summary.duplicates, summary.skipped, summary.failed
    );
    if summary.hrv_mornings > 0 {
        println!(
            "{} morning HRV recording(s) stored as wellness (see `fettle wellness list`)",
            summary.hrv_mornings
        );
    }
    if (!summary.skips.is_empty() || !summary.duplicate_activities.is_empty()) && !ctx.verbose {
        println!("(run with --verbose to name the skipped and duplicate files and why)");
    }
    Ok(())
}
