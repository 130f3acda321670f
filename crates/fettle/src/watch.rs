//! `fettle watch`: runs [`fettle_app::watch`] until Ctrl-C, printing one line per event — plain
//! words, or with `--json` one JSON object per line (`{"event": "imported", …}`), flushed as it
//! happens so another program can follow it.
//!
//! The first Ctrl-C (or SIGTERM) lets the file being imported finish its transaction and
//! stops (exit 0); a second one ends the process at once, which is safe too: every file is
//! stored in one transaction, and the next run completes what was left.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use fettle_app::watch::{WatchEvent, WatchOptions, WatchSink, WatchTiming, usual_mount_roots};

use crate::cli::WatchArgs;
use crate::settings::Context;

/// Exit status of a process ended by a second interrupt (128 + SIGINT), as shells report it.
const INTERRUPTED_TWICE: i32 = 130;

/// Prints each event as one line.
struct Lines {
    json: bool,
    verbose: bool,
}

impl WatchSink for Lines {
    fn event(&self, event: &WatchEvent) {
        let line = if self.json {
            serde_json::to_string(event).unwrap_or_else(|e| {
                serde_json::json!({"event": "error", "message": e.to_string()}).to_string()
            })
        } else {
            match words(event, self.verbose) {
                Some(line) => line,
                None => return,
            }
        };
        let mut out = std::io::stdout().lock();
        // A closed pipe ends the watcher's output, not the watcher.
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

/// The event in words (`None`: nothing worth a line without `--verbose`).
fn words(event: &WatchEvent, verbose: bool) -> Option<String> {
    Some(match event {
        WatchEvent::Watching {
            folders,
            mount_roots,
        } => {
            let mut what = Vec::new();
            if !folders.is_empty() {
                what.push(folders.join(", "));
            }
            if !mount_roots.is_empty() {
                what.push(format!(
                    "Garmin devices mounted under {}",
                    mount_roots.join(", ")
                ));
            }
            format!("watching {} (Ctrl-C to stop)", what.join(" and "))
        }
        WatchEvent::Scanned {
            folder,
            files,
            imported,
            duplicates,
            skipped,
            failures,
            waiting,
            ..
        } => {
            let mut line = format!(
                "{folder}: {}, {imported} activities imported, {duplicates} already there, \
                 {skipped} skipped (not an activity), {} failed",
                if *files == 1 {
                    "1 file".to_string()
                } else {
                    format!("{files} files")
                },
                failures.len()
            );
            if *waiting > 0 {
                line.push_str(&format!(", {waiting} still being written"));
            }
            for failure in failures {
                line.push_str(&format!(
                    "\n  failed {}: {}",
                    failure.source, failure.reason
                ));
            }
            line
        }
        WatchEvent::DeviceFound { device } => {
            format!("Garmin device mounted at {device}: importing its activities")
        }
        WatchEvent::DeviceRemoved { device } => format!("Garmin device at {device} removed"),
        WatchEvent::Imported {
            file,
            activity_ids,
            hrv_mornings,
            warnings,
        } => {
            let mut line = match activity_ids.as_slice() {
                [] => format!("imported {file}"),
                [one] => format!("imported {file}: activity {one}"),
                many => format!(
                    "imported {file}: activities {}",
                    many.iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            if *hrv_mornings > 0 {
                line.push_str(" (a morning HRV recording, stored as wellness)");
            }
            if verbose {
                for warning in warnings {
                    line.push_str(&format!("\n  warning: {warning}"));
                }
            }
            line
        }
        WatchEvent::Duplicate { file, duplicate_of } => match duplicate_of.as_slice() {
            [] => format!("{file}: already imported"),
            matches => format!(
                "{file}: the same session as {}; not stored again",
                matches
                    .iter()
                    .map(|m| format!("activity {} ({})", m.activity_id, m.source))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
        WatchEvent::Skipped { file, reason } => format!("skipped {file}: {reason}"),
        WatchEvent::Failed { file, reason } => format!("failed {file}: {reason}"),
        WatchEvent::Waiting { file, reason } => format!("waiting for {file}: {reason}"),
        WatchEvent::Error { message } => format!("problem: {message} (still watching)"),
        WatchEvent::Stopped => "stopped watching".to_string(),
    })
}

/// Runs `fettle watch`.
pub(crate) fn run(ctx: &Context, args: &WatchArgs) -> anyhow::Result<ExitCode> {
    let mount_roots = if args.no_devices {
        Vec::new()
    } else if args.mount_root.is_empty() {
        usual_mount_roots(std::env::var("USER").ok().as_deref())
    } else {
        args.mount_root.clone()
    };
    if args.folders.is_empty() && args.no_devices {
        bail_usage!("nothing to watch: give folders to watch, or leave out --no-devices");
    }
    if args.threads == Some(0) {
        bail_usage!("--threads must be at least 1");
    }
    let stop = Arc::new(AtomicBool::new(false));
    let handler_stop = Arc::clone(&stop);
    ctrlc::set_handler(move || {
        if handler_stop.swap(true, Ordering::SeqCst) {
            std::process::exit(INTERRUPTED_TWICE);
        }
    })
    .map_err(|e| anyhow::anyhow!("cannot catch Ctrl-C: {e}"))?;
    let options = WatchOptions {
        folders: args.folders.clone(),
        mount_roots,
        threads: args
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)),
        timing: WatchTiming::default(),
    };
    let sink = Lines {
        json: ctx.json,
        verbose: ctx.verbose,
    };
    fettle_app::watch::watch(ctx.store.as_ref(), ctx.athlete, &options, &sink, &stop)?;
    Ok(ExitCode::SUCCESS)
}
