//! `fettle today`: the day's one answer ([`fettle_app::today`]) as text or JSON.

use std::process::ExitCode;

use fettle_app::today::TodayView;
use fettle_core::today::Verdict;
use jiff::Timestamp;

use crate::cli::TodayArgs;
use crate::dates::parse_date;
use crate::output::print_json;
use crate::settings::Context;

/// `fettle today [--date D]`
pub(crate) fn run(ctx: &Context, args: &TodayArgs) -> anyhow::Result<ExitCode> {
    let date = args.date.as_deref().map(parse_date).transpose()?;
    let view = fettle_app::today::today(ctx.store.as_ref(), ctx.athlete, date, Timestamp::now())?;
    if ctx.json {
        print_json(&view)?;
    } else {
        print_today(&view);
    }
    Ok(ExitCode::SUCCESS)
}

fn verdict_words(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Rest => "REST",
        Verdict::Easy => "EASY",
        Verdict::AsPlanned => "AS PLANNED",
        Verdict::HardOk => "READY FOR QUALITY",
    }
}

/// `2026-03-02T09:00:00+00:00` → `09:00` (same day) or `2026-03-03 09:00`.
fn short_time(rfc3339: &str, date: jiff::civil::Date) -> String {
    let day = date.to_string();
    match rfc3339.split_once('T') {
        Some((d, rest)) if d == day => rest.get(..5).unwrap_or(rest).to_owned(),
        Some((d, rest)) => format!("{d} {}", rest.get(..5).unwrap_or(rest)),
        None => rfc3339.to_owned(),
    }
}

fn print_today(view: &TodayView) {
    println!(
        "{} — {}: {}",
        view.date,
        verdict_words(view.verdict),
        view.headline
    );
    if let Some(s) = &view.suggested {
        let minutes = s
            .duration_min
            .filter(|_| !s.title.ends_with("min"))
            .map(|m| format!(" ({m:.0} min)"))
            .unwrap_or_default();
        println!("Do: {}{minutes} — {}", s.title, s.description);
    }
    if let Some(p) = &view.planned {
        println!("Planned: {}", p.title);
    }
    for reason in &view.reasons {
        println!("Why: {reason}");
    }
    if view.swap.as_ref().is_some_and(|s| s.to.is_some()) {
        println!("To make the move in your plan: fettle plan accept-swap");
    }
    match &view.readiness {
        Some(r) => {
            // The band is this morning's signals alone; when the verdict is gentler, say so,
            // or "train hard" under "EASY" reads as a contradiction.
            let gentler = matches!(view.verdict, Verdict::Easy | Verdict::Rest)
                && r.band.as_str() == "train_hard";
            println!(
                "Readiness: {:.0}/100 → {}{}",
                r.score,
                r.band.as_str().replace('_', " "),
                if gentler {
                    " by this morning's signals alone; the verdict above also weighs your \
                     recent sessions"
                } else {
                    ""
                }
            );
        }
        None => println!("Readiness: no score this morning."),
    }
    for missing in &view.readiness_missing {
        println!("  missing: {missing}");
    }
    if let Some(next) = &view.next_hard {
        println!("Hard work from: {}", short_time(next, view.date));
    }
    if !view.recovery.is_empty() {
        println!("Recovery today:");
        for item in &view.recovery {
            let state = if item.done {
                "done"
            } else if item.open {
                "open"
            } else {
                "past"
            };
            println!(
                "  [{state}] {} {}–{}: {}",
                item.method.label(),
                short_time(&item.start, view.date),
                short_time(&item.end, view.date),
                item.dose
            );
        }
    }
}
