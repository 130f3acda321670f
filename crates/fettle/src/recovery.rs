//! `fettle wellness`, `readiness`, `recover`, `recovery`, `insights` and `profile access|health`:
//! tables and JSON over the recovery use cases ([`fettle_app::recovery`]). Every figure printed
//! says what it is and why.

use std::process::ExitCode;

use fettle_app::recovery::{self as app, ReadinessView, RecoverView, RecoveryListView};
use fettle_core::log::{RecoveryEntry, WellnessEntry};
use fettle_core::recovery::time::RecoveryTime;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};

use crate::cli::{
    DateRangeArgs, ListAction, ReadinessArgs, RecoverArgs, RecoveryAction, RecoveryArgs,
    RecoveryLogArgs, WellnessAction, WellnessAddArgs, WellnessArgs,
};
use crate::dates::{ForFlag, parse_date};
use crate::output::{Table, opt, print_json};
use crate::settings::Context;

fn zone(ctx: &Context) -> anyhow::Result<TimeZone> {
    Ok(fettle_app::athlete_time_zone(
        ctx.store.as_ref(),
        ctx.athlete,
    )?)
}

fn local(z: &ZonedDateTime) -> String {
    z.strftime("%Y-%m-%d %H:%M").to_string()
}

fn parse_range(args: &DateRangeArgs) -> anyhow::Result<(Option<Date>, Option<Date>)> {
    Ok((
        args.from
            .as_deref()
            .map(parse_date)
            .transpose()
            .for_flag("from")?,
        args.to
            .as_deref()
            .map(parse_date)
            .transpose()
            .for_flag("to")?,
    ))
}

// ---------------------------------------------------------------------------------------------
// Wellness

/// `fettle wellness add|import|list|delete`
pub(crate) fn wellness(ctx: &Context, args: &WellnessArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        WellnessAction::Add(add) => wellness_add(ctx, add),
        WellnessAction::Import(import) => {
            let view = if fettle_app::wellness_export::is_export(&import.path) {
                fettle_app::wellness_export::import_garmin_export(
                    ctx.store.as_ref(),
                    ctx.athlete,
                    &import.path,
                    Timestamp::now(),
                )?
            } else {
                let text = std::fs::read_to_string(&import.path).map_err(|e| {
                    anyhow::anyhow!(
                        "cannot read {}: {e} (give the CSV or text file your HRV app \
                         exported, or a Garmin Connect export's zip or folder)",
                        import.path.display()
                    )
                })?;
                let name = import
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                app::import_wellness(
                    ctx.store.as_ref(),
                    ctx.athlete,
                    &name,
                    &text,
                    Timestamp::now(),
                )?
            };
            if ctx.json {
                print_json(&view)?;
            } else {
                println!(
                    "Imported {} wellness day(s) from {} ({} layout{}).",
                    view.imported,
                    import.path.display(),
                    view.source,
                    match (view.first, view.last) {
                        (Some(f), Some(l)) => format!(", {f} to {l}"),
                        _ => String::new(),
                    }
                );
                println!("  took: {}", view.fields.join(", "));
                for ignored in &view.ignored {
                    println!("  ignored: {ignored}");
                }
                for e in &view.skipped {
                    println!("  skipped line {}: {}", e.line, e.message);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        WellnessAction::List(range) => {
            let (from, to) = parse_range(range)?;
            let entries =
                app::list_wellness(ctx.store.as_ref(), ctx.athlete, from, to, Timestamp::now())?;
            if ctx.json {
                print_json(&entries)?;
            } else {
                print_wellness(&entries);
            }
            Ok(ExitCode::SUCCESS)
        }
        WellnessAction::Delete(del) => {
            let date = parse_date(&del.date)?;
            if !app::delete_wellness(ctx.store.as_ref(), ctx.athlete, date)? {
                return Err(fettle_app::AppError::NotFound(format!(
                    "no wellness entry on {date}: list them with `fettle wellness list`"
                ))
                .into());
            }
            if ctx.json {
                print_json(&serde_json::json!({ "deleted": date }))?;
            } else {
                println!("Deleted the wellness entry of {date}.");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn wellness_add(ctx: &Context, args: &WellnessAddArgs) -> anyhow::Result<ExitCode> {
    let entry = WellnessEntry {
        date: args.date.as_deref().map(parse_date).transpose()?,
        sleep_h: args.sleep,
        sleep_quality: args.sleep_quality,
        soreness: args.soreness,
        fatigue: args.fatigue,
        stress: args.stress,
        mood: args.mood,
        rmssd_ms: args.rmssd,
        rest_hr: args.rest_hr,
        mass_kg: args.mass,
        sick: args.sick,
        injured: args.injured,
        source: None,
    };
    let stored = app::add_wellness(ctx.store.as_ref(), ctx.athlete, &entry, Timestamp::now())?;
    if ctx.json {
        print_json(&stored)?;
    } else {
        println!(
            "Wellness saved for {}.",
            stored.date.map_or("today".to_string(), |d| d.to_string())
        );
        print_wellness(std::slice::from_ref(&stored));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_wellness(entries: &[WellnessEntry]) {
    if entries.is_empty() {
        println!(
            "No wellness entries in that range. Log one with `fettle wellness add --sleep 7.5 \
             --soreness 2 …` or import an HRV app's export with `fettle wellness import FILE`."
        );
        return;
    }
    let mut t = Table::new(&[
        "date", "sleep_h", "sleep_q", "sore", "fatigue", "stress", "mood", "rmssd", "rest_hr",
        "mass", "flags", "source",
    ]);
    for e in entries {
        let mut flags = Vec::new();
        if e.sick {
            flags.push("sick");
        }
        if e.injured {
            flags.push("injured");
        }
        t.row(vec![
            e.date.map_or("-".into(), |d| d.to_string()),
            opt(e.sleep_h, 1),
            opt(e.sleep_quality, 0),
            opt(e.soreness, 0),
            opt(e.fatigue, 0),
            opt(e.stress, 0),
            opt(e.mood, 0),
            opt(e.rmssd_ms, 0),
            opt(e.rest_hr, 0),
            opt(e.mass_kg, 1),
            flags.join(","),
            e.source.clone().unwrap_or_default(),
        ]);
    }
    print!("{}", t.render());
    println!(
        "Scales 1–5: sleep quality and mood higher = better; soreness, fatigue, stress higher = worse."
    );
}

// ---------------------------------------------------------------------------------------------
// Readiness

/// `fettle readiness`
pub(crate) fn readiness(ctx: &Context, args: &ReadinessArgs) -> anyhow::Result<ExitCode> {
    let date = args.date.as_deref().map(parse_date).transpose()?;
    let view = app::readiness(ctx.store.as_ref(), ctx.athlete, date, Timestamp::now())?;
    if ctx.json {
        print_json(&view)?;
    } else {
        print_readiness(&view);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_readiness(view: &ReadinessView) {
    let r = &view.readiness;
    match r.score {
        Some(score) => println!(
            "Readiness on {}: {score:.0}/100 → {}",
            r.date,
            r.recommendation.as_str().replace('_', " ")
        ),
        None => println!(
            "Readiness on {}: no score (no data) → {}",
            r.date,
            r.recommendation.as_str().replace('_', " ")
        ),
    }
    if !r.components.is_empty() {
        let mut t = Table::new(&["component", "value", "baseline", "unit", "score", "weight"]);
        for c in &r.components {
            t.row(vec![
                c.label.to_string(),
                format!("{:.2}", c.value),
                opt(c.baseline, 2),
                c.unit.to_string(),
                format!("{:.0}", c.score),
                format!("{:.3}", c.weight),
            ]);
        }
        print!("{}", t.render());
        println!(
            "Score = weighted mean of the sub-scores (75 = as usual); ≥ 70 train hard, ≥ 45 easy, else rest."
        );
    }
    if !r.missing.is_empty() {
        println!("Missing:");
        for m in &r.missing {
            println!("  - {m}");
        }
        println!(
            "Log a morning with `fettle wellness add --sleep 7.5 --soreness 2 --rmssd 62 …` or \
             import an HRV app's export with `fettle wellness import FILE`."
        );
    }
    for reason in &r.reasons {
        println!("Why: {reason}");
    }
    if let Some(rt) = &view.recovery_time {
        println!("After activity {}:", rt.activity_id);
        print_recovery_time(&rt.time);
    }
}

fn print_recovery_time(t: &RecoveryTime) {
    println!(
        "  Recovery time {:.1} h{} → next hard session from {} ({}).",
        t.hours,
        if t.capped { " (capped)" } else { "" },
        local(&t.next_hard_session_from),
        t.next_hard_session_from
            .time_zone()
            .iana_name()
            .unwrap_or("local time")
    );
    println!("  {}", t.definition);
}

// ---------------------------------------------------------------------------------------------
// Prescription

/// `fettle recover`
pub(crate) fn recover(ctx: &Context, args: &RecoverArgs) -> anyhow::Result<ExitCode> {
    let view = app::recover(
        ctx.store.as_ref(),
        ctx.athlete,
        args.activity,
        Timestamp::now(),
    )?;
    if ctx.json {
        print_json(&view)?;
    } else {
        print_recover(&view);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_recover(v: &RecoverView) {
    let a = &v.activity;
    println!(
        "After activity {}{} ({}, {} session, {:.0} min, load {:.0}), ended {}:",
        a.id,
        a.name
            .as_deref()
            .map_or(String::new(), |n| format!(" \"{n}\"")),
        a.sport,
        kind_name(a.kind),
        a.duration_min,
        a.load,
        a.end.get(..16).unwrap_or(&a.end).replace('T', " "),
    );
    if let Some(c) = &a.classification {
        let hard = if c.hard { "hard" } else { "not hard" };
        println!("   {} ({hard}): {}", c.kind.as_str(), c.reason);
    }
    for (i, item) in v.items.iter().enumerate() {
        let window = if item.start.date() == item.end.date() {
            format!("{}–{}", local(&item.start), item.end.strftime("%H:%M"))
        } else {
            format!("{} – {}", local(&item.start), local(&item.end))
        };
        println!("{}. {}  ({window})", i + 1, item.method.label());
        println!("   {}", item.dose);
        if let Some(deadline) = &item.deadline {
            println!("   start refuelling by {}", local(deadline));
        }
        if let Some(s) = &item.serving {
            println!(
                "   carbohydrate : protein = {:.0} : 1 (the ratio that restores glycogen and \
                 starts repair)",
                s.ratio
            );
        }
        for food in &item.foods {
            let portions: Vec<String> = food
                .portions
                .iter()
                .map(|(name, n)| format!("{n} × {name}"))
                .collect();
            println!(
                "   e.g. {} ({:.0} g carbohydrate, {:.0} g protein)",
                portions.join(" + "),
                food.carbs_g,
                food.protein_g
            );
        }
        if let Some(t) = &item.daily_target {
            println!(
                "   today in all: {:.0}–{:.0} g carbohydrate, {:.0}–{:.0} g protein",
                t.grams_low, t.grams_high, t.protein_g_low, t.protein_g_high
            );
        }
        println!("   why: {}", item.reason);
        println!("   evidence: {}", item.evidence);
    }
    for e in &v.excluded {
        println!("Not suggested: {}.", e.reason);
    }
    for n in &v.notes {
        println!("Note: {n}");
    }
    print_recovery_time(&v.recovery_time);
    let done: Vec<_> = v.compliance.iter().filter(|c| c.done).collect();
    if !done.is_empty() {
        println!("Logged so far:");
        for c in done {
            println!("  - {}", c.summary);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Recovery log

/// `fettle recovery log|list|delete`
pub(crate) fn recovery(ctx: &Context, args: &RecoveryArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        RecoveryAction::Log(log) => recovery_log(ctx, log),
        RecoveryAction::List(range) => {
            let (from, to) = parse_range(range)?;
            let view =
                app::list_recovery(ctx.store.as_ref(), ctx.athlete, from, to, Timestamp::now())?;
            if ctx.json {
                print_json(&view)?;
            } else {
                print_recovery_list(&view);
            }
            Ok(ExitCode::SUCCESS)
        }
        RecoveryAction::Delete(del) => {
            app::delete_recovery(ctx.store.as_ref(), ctx.athlete, del.id)?;
            if ctx.json {
                print_json(&serde_json::json!({ "deleted": del.id }))?;
            } else {
                println!("Deleted recovery entry {}.", del.id);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Parses `--at`: "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM" in local time, or "HH:MM" for the
/// latest such local time (today, or yesterday when today's is still to come: a meal logged
/// after midnight with `--at 23:30` was eaten last night).
fn parse_at(text: &str, tz: &TimeZone, now: Timestamp) -> anyhow::Result<Timestamp> {
    let t = text.trim();
    let bad = || {
        usage!("bad time {text:?}: write \"YYYY-MM-DD HH:MM\" (e.g. \"2026-11-20 19:00\") or HH:MM")
    };
    let to_instant = |datetime: DateTime| -> anyhow::Result<Timestamp> {
        Ok(datetime
            .to_zoned_datetime(tz.clone())
            .map_err(|e| usage!("{text:?} is not a valid local time: {e}"))?
            .timestamp())
    };
    // A date and time first: jiff's `Time` parser would also accept a full date-time and
    // silently drop its date.
    if t.len() > 8
        && let Ok(datetime) = t.replacen(' ', "T", 1).parse::<DateTime>()
    {
        return to_instant(datetime);
    }
    let time = t.parse::<Time>().map_err(|_| bad())?;
    let today = tz.to_datetime(now).date();
    let instant = to_instant(today.to_datetime(time))?;
    if instant <= now {
        return Ok(instant);
    }
    match today.yesterday() {
        Ok(yesterday) => to_instant(yesterday.to_datetime(time)),
        Err(_) => Ok(instant),
    }
}

fn recovery_log(ctx: &Context, args: &RecoveryLogArgs) -> anyhow::Result<ExitCode> {
    // Parsed by clap through the catalogue (`cli::MethodParser`).
    let method = args.method;
    // Hours are stored as minutes: one duration field for every method.
    let minutes = args.minutes.or(args.hours.map(|h| h * 60.0));
    let now = Timestamp::now();
    let tz = zone(ctx)?;
    let at = match &args.at {
        Some(text) => parse_at(text, &tz, now)?,
        None => now,
    };
    let entry = RecoveryEntry {
        method,
        at,
        minutes,
        temp_c: args.temp,
        zones: args
            .zones
            .iter()
            .map(|z| z.trim().to_string())
            .filter(|z| !z.is_empty())
            .collect(),
        carbs_g: args.carbs,
        protein_g: args.protein,
        note: args.note.clone(),
    };
    let logged = app::log_recovery_with_warnings(ctx.store.as_ref(), ctx.athlete, &entry, now)?;
    if ctx.json {
        print_json(&logged)?;
    } else {
        println!(
            "Logged {} at {} (entry {}).",
            method.label(),
            local(&at.to_zoned_datetime(tz)),
            logged.id
        );
        for w in &logged.warnings {
            println!("Note: {w}.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn describe_entry(e: &RecoveryEntry) -> String {
    let mut parts = Vec::new();
    if let Some(m) = e.minutes {
        parts.push(format!("{m:.0} min"));
    }
    if let Some(t) = e.temp_c {
        parts.push(format!("{t:.0} °C"));
    }
    if !e.zones.is_empty() {
        parts.push(e.zones.join(","));
    }
    if let Some(c) = e.carbs_g {
        parts.push(format!("{c:.0} g carbs"));
    }
    if let Some(p) = e.protein_g {
        parts.push(format!("{p:.0} g protein"));
    }
    if let Some(n) = &e.note {
        parts.push(n.clone());
    }
    parts.join(", ")
}

fn print_recovery_list(v: &RecoveryListView) {
    if v.entries.is_empty() {
        println!(
            "Nothing logged from {} to {}. Log with `fettle recovery log boots --minutes 30` or \
             `fettle recovery log meal --carbs 60 --protein 15`.",
            v.from, v.to
        );
        return;
    }
    let mut t = Table::new(&["id", "when", "method", "what", "after"]);
    for e in &v.entries {
        t.row(vec![
            e.id.to_string(),
            e.local_time
                .get(..16)
                .unwrap_or(&e.local_time)
                .replace('T', " "),
            e.entry.method.as_str().to_string(),
            describe_entry(&e.entry),
            match (e.after_activity, e.minutes_after) {
                (Some(a), Some(m)) => format!("activity {a} +{m:.0} min"),
                _ => String::new(),
            },
        ]);
    }
    print!("{}", t.render());
    for c in &v.compliance {
        println!(
            "Compliance after activity {} (ended {}):",
            c.activity.id,
            c.activity
                .end
                .get(..16)
                .unwrap_or(&c.activity.end)
                .replace('T', " ")
        );
        for item in &c.items {
            println!("  - {}", item.summary);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Insights

/// `fettle insights`
pub(crate) fn insights(ctx: &Context) -> anyhow::Result<ExitCode> {
    let list = app::insights(ctx.store.as_ref(), ctx.athlete, Timestamp::now())?;
    if ctx.json {
        print_json(&list)?;
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        println!(
            "No recovery logged yet. Log what you do (`fettle recovery log …`) and your mornings \
             (`fettle wellness add …`); each method needs at least {} days with it and {} \
             without before Fettle says whether it works for you.",
            fettle_core::insights::MIN_DAYS_WITH,
            fettle_core::insights::MIN_DAYS_WITHOUT
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(&[
        "method", "outcome", "effect", "95% CI", "unit", "q", "with", "without", "verdict",
    ]);
    for i in &list {
        t.row(vec![
            i.method.label().to_string(),
            i.outcome
                .label()
                .trim_start_matches("next-morning ")
                .to_string(),
            opt(i.effect, 2),
            match (i.ci_low, i.ci_high) {
                (Some(l), Some(h)) => format!("{l:.2}…{h:.2}"),
                _ => "-".into(),
            },
            i.unit.to_string(),
            opt(i.q_value, 3),
            i.n_with.to_string(),
            i.n_without.to_string(),
            i.verdict_words().to_string(),
        ]);
    }
    print!("{}", t.render());
    for i in list.iter().filter(|i| i.effect.is_some()) {
        println!("- {}", i.summary);
    }
    println!(
        "Effect = change in the next morning's outcome on days with the method, from one \
         regression per outcome adjusted for the day's load, fatigue and the other methods. \
         q = p-value adjusted for the number of comparisons (Benjamini–Hochberg); helps/worse \
         only when q ≤ {:.2}. Each method needs {} days with it and {} without, and each model \
         {} more mornings than terms. Observational: it cannot rule out other causes.",
        fettle_core::insights::FALSE_DISCOVERY_RATE,
        fettle_core::insights::MIN_DAYS_WITH,
        fettle_core::insights::MIN_DAYS_WITHOUT,
        fettle_core::insights::MIN_RESIDUAL_DF,
    );
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------------------------------------
// Access and health

/// `fettle profile access add|remove|list`
pub(crate) fn access(ctx: &Context, action: &ListAction) -> anyhow::Result<ExitCode> {
    let (store, athlete) = (ctx.store.as_ref(), ctx.athlete);
    let list = match action {
        ListAction::Add { items } => app::add_access(store, athlete, items)?,
        ListAction::Remove { items } => app::remove_access(store, athlete, items)?,
        ListAction::List => app::list_access(store, athlete)?,
    };
    print_list(
        ctx,
        "Access",
        &list,
        "no recovery equipment or services: food, foam rolling (a massage ball works), sleep and rest are still prescribed",
    )
}

/// `fettle profile health add|remove|list`
pub(crate) fn health(ctx: &Context, action: &ListAction) -> anyhow::Result<ExitCode> {
    let (store, athlete) = (ctx.store.as_ref(), ctx.athlete);
    let list = match action {
        ListAction::Add { items } => app::add_health(store, athlete, items)?,
        ListAction::Remove { items } => app::remove_health(store, athlete, items)?,
        ListAction::List => app::list_health(store, athlete)?,
    };
    print_list(ctx, "Health conditions", &list, "none declared")
}

fn print_list(
    ctx: &Context,
    title: &str,
    list: &[String],
    empty: &str,
) -> anyhow::Result<ExitCode> {
    if ctx.json {
        print_json(list)?;
    } else if list.is_empty() {
        println!("{title}: {empty}.");
    } else {
        println!("{title}: {}.", list.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

fn kind_name(kind: fettle_core::recovery::SessionKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn at_takes_a_local_date_time_or_the_latest_clock_time() {
        let tz = TimeZone::get("Asia/Tokyo").unwrap();
        // Now is 00:30 on 21 November in Tokyo (15:30 UTC on the 20th).
        let now = ts("2026-11-20T15:30:00Z");
        // 19:00 Tokyo = 10:00 UTC.
        assert_eq!(
            parse_at("2026-11-18 19:00", &tz, now).unwrap(),
            ts("2026-11-18T10:00:00Z")
        );
        assert_eq!(
            parse_at("2026-11-18T19:00", &tz, now).unwrap(),
            ts("2026-11-18T10:00:00Z")
        );
        // 00:10 today has passed: today, 00:10 Tokyo = 15:10 UTC the day before.
        assert_eq!(
            parse_at("00:10", &tz, now).unwrap(),
            ts("2026-11-20T15:10:00Z")
        );
        // 23:30 today is still to come: last night, 20 Nov 23:30 Tokyo = 14:30 UTC.
        assert_eq!(
            parse_at("23:30", &tz, now).unwrap(),
            ts("2026-11-20T14:30:00Z")
        );
        for bad in ["25:00", "yesterday", "2026-13-01 10:00"] {
            assert!(parse_at(bad, &tz, now).is_err(), "{bad}");
        }
    }
}
