//! `fettle serve`: the dashboard and the JSON API over the same database as the other commands.
//!
//! Two modes. Single-user (the default): no login, every request acts for the local athlete,
//! so only a loopback address is allowed. Multi-user (`--multi-user`): every request needs a
//! login or an API token of an account made with `fettle user add`, so any address is allowed;
//! `--secure-cookies` marks the login cookie HTTPS-only for a server behind a TLS proxy.
//!
//! The web crate does the serving; this module opens nothing itself (the database comes from
//! the shared [`Context`]), checks the address, prints where to look, optionally opens a
//! browser, and runs until Ctrl-C or SIGTERM, finishing requests in flight (graceful shutdown).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use fettle_store::{Accounts, Database, Store};
use fettle_web::{AppState, StoreBackend};

use crate::cli::ServeArgs;
use crate::settings::Context;

/// Runs `fettle serve` until the process is asked to stop.
pub(crate) fn run(ctx: Context, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let addr = parse_addr(&args.addr)?;
    check_reach(addr, args.multi_user)?;
    let database: Arc<dyn Database> = Arc::from(ctx.store);
    let store: Arc<dyn Store> = Arc::clone(&database) as Arc<dyn Store>;
    let backend = Arc::new(StoreBackend::new(store));
    let state = if args.multi_user {
        let accounts: Arc<dyn Accounts> = Arc::clone(&database) as Arc<dyn Accounts>;
        if accounts.users()?.is_empty() {
            eprintln!(
                "warning: the database has no accounts yet, so nobody can log in: add one with \
                 `fettle user add EMAIL --role athlete`"
            );
        }
        AppState::multi_user(backend, accounts).with_secure_cookies(args.secure_cookies)
    } else {
        AppState::single_user(backend, ctx.athlete)
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
        fettle_web::serve(listener, state, std::future::pending())
            .await
            .context("the web server stopped with an error")?;
        eprintln!("Stopped.");
        anyhow::Ok(ExitCode::SUCCESS)
    })
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
