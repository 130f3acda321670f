//! `fettle serve`: the dashboard and the JSON API over the same database as the other commands.
//!
//! Two modes. Single-user (the default): no login, every request acts for the local athlete,
//! so only a loopback address is allowed. Multi-user (`--multi-user`): every request needs a
//! login or an API token of an account made with `fettle user add`, so any address is allowed;
//! `--secure-cookies` marks the login cookie HTTPS-only for a server behind a TLS proxy;
//! `--trusted-proxy ADDR` names the reverse proxy whose `X-Forwarded-For` the login limit
//! believes. Against slow or greedy clients: `--max-connections`, `--header-timeout`,
//! `--body-timeout`, and the upload size and temporary-disk budgets
//! (`--upload-limit-mib`, `--upload-temp-per-athlete-mib`, `--upload-temp-total-mib`), each
//! with a documented default.
//!
//! The web crate does the serving; this module opens nothing itself (the database comes from
//! the shared [`Context`]), checks the address, prints where to look, optionally opens a
//! browser, and runs until Ctrl-C or SIGTERM, finishing requests in flight (graceful shutdown).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use fettle_store::{Accounts, Database, Store};
use fettle_web::{AppState, Limits, ServeOptions};

use crate::cli::ServeArgs;
use crate::settings::Context;

/// Runs `fettle serve` until the process is asked to stop.
pub(crate) fn run(ctx: Context, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let addr = parse_addr(&args.addr)?;
    check_reach(addr, args.multi_user)?;
    let database: Arc<dyn Database> = Arc::from(ctx.store);
    let store: Arc<dyn Store> = Arc::clone(&database) as Arc<dyn Store>;
    let state = if args.multi_user {
        let accounts: Arc<dyn Accounts> = Arc::clone(&database) as Arc<dyn Accounts>;
        if accounts.users()?.is_empty() {
            eprintln!(
                "warning: the database has no accounts yet, so nobody can log in: add one with \
                 `fettle user add EMAIL --role athlete`"
            );
        }
        AppState::multi_user(store, accounts).with_secure_cookies(args.secure_cookies)
    } else {
        AppState::single_user(store, ctx.athlete)
    };
    let state = args
        .trusted_proxy
        .iter()
        .fold(state, |state, proxy| state.with_trusted_proxy(*proxy));
    let limits = limits(args)?;
    let state = state.with_limits(limits);
    let requested = positive(args.max_connections as u64, "--max-connections")? as usize;
    let max_connections = connection_cap(requested, open_file_limit());
    if max_connections < requested {
        eprintln!(
            "note: serving at most {max_connections} connections at once, not {requested}: the \
             open-file limit (`ulimit -n`) keeps {FILES_KEPT_FREE} descriptors free for the \
             database and the uploads"
        );
    }
    let options = ServeOptions {
        max_connections,
        header_read_timeout: Duration::from_secs(positive(
            args.header_timeout,
            "--header-timeout",
        )?),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the web server's runtime")?;
    runtime.block_on(async move {
        let listener = fettle_web::bind(addr, args.multi_user).await?;
        let bound = listener
            .local_addr()
            .context("cannot read the address the server listens on")?;
        let url = format!("http://{bound}/");
        if args.multi_user {
            println!("Fettle multi-user server: {url}  (Ctrl-C to stop)");
        } else {
            println!("Fettle dashboard: {url}  (Ctrl-C to stop)");
        }
        if args.open {
            open_browser(&url);
        }
        fettle_web::serve_with(listener, state, options, std::future::pending())
            .await
            .context("the web server stopped with an error")?;
        eprintln!("Stopped.");
        anyhow::Ok(ExitCode::SUCCESS)
    })
}

/// Open files kept free beside the connections: the database (SQLite's file and journal, or
/// PostgreSQL's pool), the uploads' temporary files, the runtime's own descriptors.
const FILES_KEPT_FREE: u64 = 64;

/// The process's open-file limit (the soft one), when the platform says.
fn open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        rustix::process::getrlimit(rustix::process::Resource::Nofile).current
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The connection cap: as asked, but leaving [`FILES_KEPT_FREE`] descriptors under the
/// open-file limit (at least 1): past it, accepting a connection would fail and so would
/// opening the database or an upload's file.
fn connection_cap(requested: usize, open_files: Option<u64>) -> usize {
    match open_files {
        Some(limit) => {
            let room = limit.saturating_sub(FILES_KEPT_FREE).max(1);
            requested.min(usize::try_from(room).unwrap_or(usize::MAX))
        }
        None => requested,
    }
}

/// A flag's value that must be at least 1.
fn positive(value: u64, flag: &str) -> anyhow::Result<u64> {
    if value == 0 {
        anyhow::bail!("{flag} must be at least 1");
    }
    Ok(value)
}

/// The size limits and upload budgets: the mode's defaults, with what the flags set.
fn limits(args: &ServeArgs) -> anyhow::Result<Limits> {
    const MIB: u64 = 1024 * 1024;
    let defaults = if args.multi_user {
        Limits::multi_user()
    } else {
        Limits::default()
    };
    let mib = |value: Option<u64>, flag: &str, default: u64| -> anyhow::Result<u64> {
        match value {
            None => Ok(default),
            Some(value) => positive(value, flag)?
                .checked_mul(MIB)
                .with_context(|| format!("{flag} {value} is more bytes than this machine counts")),
        }
    };
    let upload = mib(
        args.upload_limit_mib,
        "--upload-limit-mib",
        defaults.upload_bytes as u64,
    )?;
    let limits = Limits {
        upload_bytes: usize::try_from(upload).context("--upload-limit-mib is too large")?,
        temp_bytes_per_athlete: mib(
            args.upload_temp_per_athlete_mib,
            "--upload-temp-per-athlete-mib",
            defaults.temp_bytes_per_athlete,
        )?,
        temp_bytes_total: mib(
            args.upload_temp_total_mib,
            "--upload-temp-total-mib",
            defaults.temp_bytes_total,
        )?,
        body_read_timeout: Duration::from_secs(positive(args.body_timeout, "--body-timeout")?),
        ..defaults
    };
    if limits.temp_bytes_per_athlete < upload || limits.temp_bytes_total < upload {
        anyhow::bail!(
            "the upload temporary-disk budgets (--upload-temp-per-athlete-mib, \
             --upload-temp-total-mib) must each hold at least one upload of \
             --upload-limit-mib ({} MiB), or no upload that large could ever be received",
            upload / MIB
        );
    }
    Ok(limits)
}

/// Refuses an address other machines can reach unless the server has logins: without
/// `--multi-user` anyone who reaches the port would read and change the health data.
fn check_reach(addr: SocketAddr, multi_user: bool) -> anyhow::Result<()> {
    if multi_user || addr.ip().is_loopback() {
        return Ok(());
    }
    bail_usage!(
        "{addr} is reachable from other machines, and without --multi-user the dashboard has no \
         login while it shows health data: use 127.0.0.1 (the default), or serve accounts with \
         --multi-user (add them with `fettle user add`)"
    )
}

/// Parses `--addr`, saying what to write when it is not an address with a port.
fn parse_addr(text: &str) -> anyhow::Result<SocketAddr> {
    text.parse().map_err(|_| {
        usage!(
            "--addr {text:?} is not an address with a port: write e.g. 127.0.0.1:8080 or [::1]:8080"
        )
    })
}

/// The program that opens a URL in the default browser on this platform.
fn opener() -> &'static str {
    if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    }
}

/// Opens `url` in the default browser; a failure is a warning (the URL is printed anyway).
fn open_browser(url: &str) {
    let program = opener();
    let started = std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match started {
        // Reaped on its own thread so no zombie is left while the server runs.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => {
            eprintln!("warning: cannot open a browser with `{program}` ({e}): open {url} yourself");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_need_a_port_and_accept_ipv6_loopback() {
        assert_eq!(parse_addr("127.0.0.1:8080").expect("valid").port(), 8080);
        assert!(parse_addr("[::1]:0").expect("valid").ip().is_loopback());
        let error = parse_addr("localhost").expect_err("no port").to_string();
        assert!(error.contains("127.0.0.1:8080"), "{error}");
    }

    fn serve_args(flags: &[&str]) -> ServeArgs {
        use clap::Parser as _;
        let cli = crate::cli::Cli::try_parse_from(
            ["fettle", "serve"].iter().chain(flags.iter()).copied(),
        )
        .expect("valid flags");
        match cli.command {
            crate::cli::Command::Serve(args) => args,
            _ => unreachable!("parsed `serve`"),
        }
    }

    #[test]
    fn upload_limits_default_by_mode_and_follow_the_flags() {
        const MIB: u64 = 1024 * 1024;
        let single = limits(&serve_args(&[])).expect("valid");
        assert_eq!(single, Limits::default());
        assert_eq!(single.upload_bytes as u64, 2048 * MIB);
        let multi = limits(&serve_args(&["--multi-user"])).expect("valid");
        assert_eq!(multi.upload_bytes as u64, 512 * MIB);
        assert_eq!(multi.temp_bytes_per_athlete, 1024 * MIB);
        assert_eq!(multi.temp_bytes_total, 4096 * MIB);
        let set = limits(&serve_args(&[
            "--multi-user",
            "--upload-limit-mib",
            "100",
            "--upload-temp-per-athlete-mib",
            "200",
            "--upload-temp-total-mib",
            "300",
            "--body-timeout",
            "5",
        ]))
        .expect("valid");
        assert_eq!(set.upload_bytes as u64, 100 * MIB);
        assert_eq!(set.temp_bytes_per_athlete, 200 * MIB);
        assert_eq!(set.temp_bytes_total, 300 * MIB);
        assert_eq!(set.body_read_timeout, Duration::from_secs(5));
        // A budget smaller than one upload could never receive it.
        let error = limits(&serve_args(&[
            "--upload-limit-mib",
            "100",
            "--upload-temp-total-mib",
            "50",
        ]))
        .expect_err("refused")
        .to_string();
        assert!(error.contains("--upload-limit-mib (100 MiB)"), "{error}");
        let zero = limits(&serve_args(&["--body-timeout", "0"]))
            .expect_err("refused")
            .to_string();
        assert!(zero.contains("--body-timeout must be at least 1"), "{zero}");
    }

    #[test]
    fn the_connection_cap_leaves_descriptors_free_under_the_open_file_limit() {
        // `ulimit -n 256`: 256 − 64 kept free = 192.
        assert_eq!(connection_cap(256, Some(256)), 192);
        assert_eq!(connection_cap(100, Some(256)), 100);
        assert_eq!(connection_cap(256, Some(1_048_576)), 256);
        assert_eq!(connection_cap(256, Some(10)), 1);
        assert_eq!(connection_cap(256, None), 256);
    }

    #[test]
    fn trusted_proxies_repeat_and_must_be_addresses() {
        let args = serve_args(&["--trusted-proxy", "127.0.0.1", "--trusted-proxy", "::1"]);
        assert_eq!(args.trusted_proxy.len(), 2);
        use clap::Parser as _;
        assert!(
            crate::cli::Cli::try_parse_from(["fettle", "serve", "--trusted-proxy", "proxy.lan"])
                .is_err()
        );
    }

    #[test]
    fn only_a_multi_user_server_may_be_reached_from_other_machines() {
        let anywhere = parse_addr("0.0.0.0:8080").expect("valid");
        let error = check_reach(anywhere, false)
            .expect_err("no login")
            .to_string();
        assert!(error.contains("--multi-user"), "{error}");
        assert!(check_reach(anywhere, true).is_ok());
        assert!(check_reach(parse_addr("[::1]:8080").expect("valid"), false).is_ok());
    }
}
