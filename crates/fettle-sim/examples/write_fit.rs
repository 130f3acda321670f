//! Writes a simulated history as FIT files, for the import benchmark.
//!
//! `cargo run --release -p fettle-sim --example write_fit -- DIR [YEARS] [SEED]` writes one FIT
//! file per session (encoded by Fettle's own encoder) into DIR and prints how many and how big.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: write_fit DIR [YEARS] [SEED]")?);
    let years: u32 = args.next().map_or(Ok(10), |y| y.parse())?;
    let seed: u64 = args.next().map_or(Ok(1), |s| s.parse())?;
    std::fs::create_dir_all(&dir)?;
    let end = jiff::civil::date(2026, 11, 1);
    let config = fettle_sim::SimConfig::years(seed, end, years);
    let (mut files, mut bytes) = (0usize, 0u64);
    let mut error = None;
    fettle_sim::simulate_each(&config, |activity| {
        let fit = fettle_formats::fit::encode_activity(&activity);
        bytes += fit.len() as u64;
        files += 1;
        if let Err(e) = std::fs::write(dir.join(format!("{files:05}.fit")), fit) {
            error = Some(e);
        }
    })?;
    if let Some(e) = error {
        return Err(e.into());
    }
    println!(
        "{files} FIT files, {:.1} MB, in {}",
        bytes as f64 / 1e6,
        dir.display()
    );
    Ok(())
}
