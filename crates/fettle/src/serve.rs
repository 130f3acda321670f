//! `fettle serve`: the dashboard and the JSON API over the same database as the other commands.
//!
//! The web crate does the serving; this module opens nothing itself (the store comes from the
//! shared [`Context`]), checks the address, prints where to look, optionally opens a browser,
//! and runs until Ctrl-C or SIGTERM, finishing requests in flight (graceful shutdown).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use fettle_store::{Database, Store};
use fettle_web::{AppState, StoreBackend};

use crate::cli::ServeArgs;
use crate::settings::Context;

/// Runs `fettle serve` until the process is asked to stop.
pub(crate) fn run(ctx: Context, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let addr = parse_addr(&args.addr)?;
    let database: Arc<dyn Database> = Arc::from(ctx.store);
    let store: Arc<dyn Store> = database;
    let state = AppState::single_user(Arc::new(StoreBackend::new(store)), ctx.athlete);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the web server's runtime")?;
    runtime.block_on(async move {
        // Loopback only: remote access is multi-user mode's (issue 7), with accounts.
        let listener = fettle_web::bind(addr, false).await?;
        let bound = listener
            .local_addr()
            .context("cannot read the address the server listens on")?;
        let url = format!("http://{bound}/");
        println!("Fettle dashboard: {url}  (Ctrl-C to stop)");
        if args.open {
            open_browser(&url);
        }
        fettle_web::serve(listener, state, std::future::pending())
            .await
            .context("the web server stopped with an error")?;
        eprintln!("Stopped.");
        anyhow::Ok(ExitCode::SUCCESS)
    })
}

/// Parses `--addr`, saying what to write when it is not an address with a port.
fn parse_addr(text: &str) -> anyhow::Result<SocketAddr> {
    text.parse().with_context(|| {
        format!(
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
}
