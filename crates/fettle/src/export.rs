//! `fettle export DIR` and the restore behind `fettle import DIR` of such a folder: the layout
//! and the work are [`fettle_app::portable`]'s; this prints what was done.

use std::path::Path;
use std::process::ExitCode;

use fettle_app::portable::ExportCounts;

use crate::cli::ExportArgs;
use crate::output::print_json;
use crate::settings::Context;

/// Runs `fettle export`.
pub(crate) fn export(ctx: &Context, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let manifest = fettle_app::portable::export(
        ctx.store.as_ref(),
        ctx.athlete,
        &args.folder,
        jiff::Timestamp::now(),
    )?;
    if ctx.json {
        print_json(&manifest)?;
    } else {
        println!("Exported to {}:", args.folder.display());
        print_counts(&manifest.counts);
        println!(
            "Restore it with: fettle --db NEW.sqlite import {}",
            args.folder.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Restores an export folder (called by `fettle import`).
pub(crate) fn restore(ctx: &Context, folder: &Path) -> anyhow::Result<ExitCode> {
    let counts = fettle_app::portable::restore(ctx.store.as_ref(), ctx.athlete, folder)?;
    if ctx.json {
        print_json(&serde_json::json!({ "restored": counts }))?;
    } else {
        println!("Restored the export {}:", folder.display());
        print_counts(&counts);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_counts(counts: &ExportCounts) {
    println!(
        "  {} activities (in {} FIT files), {} profile values, {} days of wellness, \
         {} recovery entries, {} races, {}",
        counts.activities,
        counts.activity_files,
        counts.profile_values,
        counts.wellness_days,
        counts.recovery_entries,
        counts.races,
        if counts.plan { "the plan" } else { "no plan" }
    );
}
