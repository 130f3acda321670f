//! `fettle activities` and `fettle activity ID`: tables and JSON over the activity use cases.

use std::process::ExitCode;

use fettle_app::activities::{self, ListQuery};

use fettle_app::corrections::{self, ActivityChanges};

use crate::cli::{
    ActivitiesArgs, ActivityAction, ActivityArgs, ActivityDeleteArgs, ActivityEditArgs,
};
use crate::dates::{ForFlag, format_hms, format_pace, parse_date};
use crate::output::{Table, opt, print_json};
use crate::settings::Context;

/// `fettle activities`: a table, newest first.
pub(crate) fn list(ctx: &Context, args: &ActivitiesArgs) -> anyhow::Result<ExitCode> {
    let tz = fettle_app::athlete_time_zone(ctx.store.as_ref(), ctx.athlete)?;
    let query = ListQuery {
        from: args
            .from
            .as_deref()
            .map(parse_date)
            .transpose()
            .for_flag("from")?,
        to: args
            .to
            .as_deref()
            .map(parse_date)
            .transpose()
            .for_flag("to")?,
        sport: args.sport.clone(),
        limit: args.limit,
        offset: 0,
        before: args.before.clone(),
    };
    let page = activities::page(ctx.store.as_ref(), ctx.athlete, &tz, &query)?;
    if ctx.json {
        // Paging asked for: the page and its cursor. Otherwise the whole list, as before.
        if args.limit.is_some() || args.before.is_some() {
            print_json(&page)?;
        } else {
            print_json(&page.activities)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let items = &page.activities;
    if items.is_empty() {
        let filtered = args.from.is_some()
            || args.to.is_some()
            || args.sport.is_some()
            || args.limit.is_some()
            || args.before.is_some();
        if filtered {
            println!("No activities match these filters.");
        } else {
            println!(
                "No activities yet. Import some with `fettle import PATH` or try `fettle demo`."
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&[
        "id", "start", "sport", "time", "km", "pace", "ascent", "avg hr", "load", "method",
    ]);
    for a in items {
        let pace = match (a.distance_m, a.sport.as_str()) {
            (Some(d), "running" | "walking" | "hiking") if d > 0.0 => format_pace(d / a.timer_s),
            _ => "-".to_string(),
        };
        table.row(vec![
            a.id.to_string(),
            a.start
                .chars()
                .take(16)
                .collect::<String>()
                .replace('T', " "),
            a.sport.clone(),
            format_hms(a.timer_s),
            opt(a.distance_m.map(|d| d / 1000.0), 2),
            pace,
            opt(a.ascent_m, 0),
            opt(a.avg_hr, 0),
            opt(a.load, 0),
            if a.exclude_from_load {
                "not counted".into()
            } else {
                a.load_method.clone().unwrap_or_else(|| "-".into())
            },
        ]);
    }
    print!("{}", table.render());
    if let Some(next) = page.next {
        println!("Older activities: run the same command with --before {next}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `fettle activity ID`: summary, laps and stream statistics; `fettle activity edit|delete`.
pub(crate) fn show(ctx: &Context, args: &ActivityArgs) -> anyhow::Result<ExitCode> {
    let id = match (&args.action, args.id) {
        (Some(ActivityAction::Edit(edit)), _) => return self::edit(ctx, edit),
        (Some(ActivityAction::Delete(delete)), _) => return self::delete(ctx, delete),
        (None, Some(id)) => id,
        // clap requires the id when there is no action.
        (None, None) => {
            return Err(fettle_app::AppError::Invalid(
                "give an activity id (see `fettle activities`)".to_owned(),
            )
            .into());
        }
    };
    let tz = fettle_app::athlete_time_zone(ctx.store.as_ref(), ctx.athlete)?;
    let detail = activities::show(ctx.store.as_ref(), ctx.athlete, &tz, id, false)?;
    if ctx.json {
        print_json(&detail)?;
        return Ok(ExitCode::SUCCESS);
    }
    print_detail(&detail);
    Ok(ExitCode::SUCCESS)
}

/// `fettle activity edit ID …`: the corrections go through the one validation path; prints
/// the activity as it now is.
fn edit(ctx: &Context, args: &ActivityEditArgs) -> anyhow::Result<ExitCode> {
    let changes = ActivityChanges {
        name: args.name.clone().map(Some),
        sport: args.sport.clone(),
        rpe: args.rpe.map(Some),
        exclude_from_load: if args.exclude_from_load {
            Some(true)
        } else if args.include_in_load {
            Some(false)
        } else {
            None
        },
        notes: args.notes.clone().map(Some),
    };
    let tz = fettle_app::athlete_time_zone(ctx.store.as_ref(), ctx.athlete)?;
    let detail =
        corrections::edit_activity(ctx.store.as_ref(), ctx.athlete, &tz, args.id, &changes)?;
    if ctx.json {
        print_json(&detail)?;
    } else {
        println!("Activity {} updated; loads recomputed.", args.id);
        print_detail(&detail);
    }
    Ok(ExitCode::SUCCESS)
}

/// `fettle activity delete ID…`
fn delete(ctx: &Context, args: &ActivityDeleteArgs) -> anyhow::Result<ExitCode> {
    let deleted = corrections::delete_activities(ctx.store.as_ref(), ctx.athlete, &args.ids)?;
    if ctx.json {
        print_json(&deleted)?;
    } else {
        let ids: Vec<String> = deleted.deleted.iter().map(i64::to_string).collect();
        let noun = if ids.len() == 1 {
            "Activity"
        } else {
            "Activities"
        };
        println!(
            "{noun} {} deleted; loads of {} activities recomputed. Importing the same files \
             again will not bring them back (`fettle import --include-deleted` does).",
            ids.join(", "),
            deleted.loads_recomputed
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints one activity: summary, laps and stream statistics.
fn print_detail(detail: &activities::ActivityDetail) {
    let a = &detail.item;
    println!(
        "Activity {}  {}  {}",
        a.id,
        a.start,
        a.name.as_deref().unwrap_or("")
    );
    println!(
        "  sport       {}{}",
        a.sport,
        a.sub_sport
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default()
    );
    println!(
        "  time        {} moving, {} elapsed",
        format_hms(a.timer_s),
        format_hms(a.elapsed_s)
    );
    println!(
        "  distance    {} km",
        opt(a.distance_m.map(|d| d / 1000.0), 2)
    );
    println!(
        "  ascent      {} m up, {} m down",
        opt(a.ascent_m, 0),
        opt(a.descent_m, 0)
    );
    println!(
        "  heart rate  {} avg, {} max",
        opt(a.avg_hr, 0),
        opt(a.max_hr, 0)
    );
    match (a.avg_cadence, a.sport.as_str()) {
        // FIT records running cadence per leg (strides per minute); runners count steps.
        (Some(c), "running" | "walking" | "hiking") => println!(
            "  cadence     {:.0} steps/min ({c:.1} strides/min as recorded)",
            2.0 * c
        ),
        (Some(c), _) => println!("  cadence     {c:.0} rpm"),
        (None, _) => println!("  cadence     -"),
    }
    println!("  device      {}", a.device.as_deref().unwrap_or("-"));
    println!("  source      {}", a.source);
    if let Some(notes) = &a.notes {
        println!("  notes       {notes}");
    }
    if a.exclude_from_load {
        println!("  counts      not in the training load (count it with `--include-in-load`)");
    }
    if let Some(load) = a.load {
        let methods: String = a
            .loads
            .iter()
            .map(|(name, value)| format!("  {name} {}", opt(value, 0)))
            .collect();
        println!(
            "  load        {load:.0} ({}){methods}",
            a.load_method.as_deref().unwrap_or("-"),
        );
    }
    if let Some(c) = &detail.classification {
        let hard = if c.hard { "hard" } else { "not hard" };
        println!("  kind        {} ({hard}): {}", c.kind.as_str(), c.reason);
    }
    println!(
        "  samples     {}  R-R intervals {}",
        detail.samples, detail.rr_intervals
    );
    if !detail.laps.is_empty() {
        println!();
        let mut table = Table::new(&["lap", "time", "km", "pace", "avg hr", "max hr"]);
        for lap in &detail.laps {
            table.row(vec![
                lap.number.to_string(),
                format_hms(lap.timer_s),
                opt(lap.distance_m.map(|d| d / 1000.0), 2),
                lap.avg_speed_mps.map_or_else(|| "-".into(), format_pace),
                opt(lap.avg_hr, 0),
                opt(lap.max_hr, 0),
            ]);
        }
        print!("{}", table.render());
    }
    if let Some(zones) = &detail.zones {
        print_time_in_zones(zones);
    }
    if !detail.streams.is_empty() {
        println!();
        let mut table = Table::new(&["stream", "samples", "min", "mean", "max"]);
        for (name, s) in &detail.streams {
            table.row(vec![
                name.clone(),
                s.count.to_string(),
                format!("{:.1}", s.min),
                format!("{:.1}", s.mean),
                format!("{:.1}", s.max),
            ]);
        }
        print!("{}", table.render());
    }
}

/// A zone's range in words: bpm for heart rate, min/km for pace (bounds are speeds, `low` the
/// slower edge, so the pace range reads slow to fast).
pub(crate) fn zone_range(low: Option<f64>, high: Option<f64>, pace: bool) -> String {
    let show = |v: f64| {
        if pace {
            format_pace(v)
        } else {
            format!("{v:.0} bpm")
        }
    };
    match (low, high, pace) {
        (None, Some(h), false) => format!("under {}", show(h)),
        (Some(l), None, false) => format!("{} and over", show(l)),
        (None, Some(h), true) => format!("slower than {}", show(h)),
        (Some(l), None, true) => format!("{} and faster", show(l)),
        (Some(l), Some(h), _) => format!("{} to {}", show(l), show(h)),
        (None, None, _) => "-".to_string(),
    }
}

/// Time in each heart-rate and pace zone, with the zones' source and the moving time they
/// cover.
fn print_time_in_zones(zones: &fettle_core::zones::SessionZones) {
    println!();
    println!(
        "Time in zones over {} of moving time (pauses and standing still left out)",
        format_hms(zones.moving_s)
    );
    let share = |s: f64| {
        if zones.moving_s > 0.0 {
            format!("{:.0} %", 100.0 * s / zones.moving_s)
        } else {
            "-".to_string()
        }
    };
    let mut any = false;
    for (title, list, source, missing, missing_label, pace) in [
        (
            "heart rate",
            &zones.hr,
            &zones.hr_source,
            zones.no_heart_rate_s,
            "no heart rate",
            false,
        ),
        (
            "pace",
            &zones.pace,
            &zones.pace_source,
            zones.no_pace_s,
            "no pace",
            true,
        ),
    ] {
        if list.is_empty() {
            continue;
        }
        any = true;
        if let Some(source) = source {
            println!("  {title} zones: {source}");
        }
        let mut table = Table::new(&["zone", "", "range", "time", "share"]);
        for z in list {
            table.row(vec![
                z.zone.clone(),
                z.name.clone(),
                zone_range(z.low, z.high, pace),
                format_hms(z.seconds),
                share(z.seconds),
            ]);
        }
        if missing > 0.0 {
            table.row(vec![
                "-".into(),
                missing_label.into(),
                String::new(),
                format_hms(missing),
                share(missing),
            ]);
        }
        print!("{}", table.render());
    }
    if !any {
        println!(
            "  no zones yet: set your threshold heart rate and pace \
             (`fettle profile set --lthr 165 --threshold-pace 4:30`)"
        );
    }
}
