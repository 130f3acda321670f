//! Serves the dashboard over the tests' in-memory fake backend, for looking at the pages and
//! for measuring the HTTP layer alone (routing, extraction, blocking-pool hop, JSON errors,
//! headers) with a load tool, apart from any database:
//!
//! ```text
//! cargo run --release -p fettle-web --example fake_server -- 127.0.0.1:8099
//! wrk -t2 -c50 -d10s --latency http://127.0.0.1:8099/api/v1/status
//! ```

#[allow(dead_code, reason = "the tests use the rest of the fake")]
#[path = "../tests/support/mod.rs"]
mod support;

use std::net::SocketAddr;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| fettle_web::DEFAULT_ADDR.to_owned())
        .parse()?;
    let listener = fettle_web::bind(addr, false).await?;
    println!("fake dashboard on http://{}", listener.local_addr()?);
    fettle_web::serve(
        listener,
        support::Fake::with_history().state(),
        std::future::pending(),
    )
    .await?;
    Ok(())
}
