//! `fettle profile`, `add`, `rpe`, `status`, `load`, `race` and `model`: tables and JSON over
//! the training use cases. Every figure printed names its formula or method.

use std::process::ExitCode;

use fettle_app::training::{self, ManualSession, ProfileUpdate, RecomputeSummary};
use fettle_core::profile::{Resolved, Source};
use fettle_core::series::Status;
use jiff::Timestamp;

use crate::cli::{
    AddArgs, LoadArgs, ModelArgs, ProfileAction, ProfileArgs, ProfileSetArgs, RaceAction, RaceArgs,
    RpeArgs, StatusArgs,
};
use crate::dates::{
    ForFlag, format_hms, format_pace, parse_date, parse_distance, parse_duration, parse_pace,
};
use crate::output::{Table, opt, print_json};
use crate::settings::Context;

fn today(ctx: &Context) -> anyhow::Result<jiff::civil::Date> {
    let tz = fettle_app::athlete_time_zone(ctx.store.as_ref(), ctx.athlete)?;
    Ok(tz.to_datetime(Timestamp::now()).date())
}

/// `fettle profile [set|show]`
pub(crate) fn profile(ctx: &Context, args: &ProfileArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        Some(ProfileAction::Set(set)) => profile_set(ctx, set),
        Some(ProfileAction::Show) | None => profile_show(ctx, args.date.as_deref()),
        Some(ProfileAction::Access { action }) => crate::recovery::access(ctx, action),
        Some(ProfileAction::Health { action }) => crate::recovery::health(ctx, action),
    }
}

fn profile_set(ctx: &Context, args: &ProfileSetArgs) -> anyhow::Result<ExitCode> {
    let update = ProfileUpdate {
        from: args
            .from
            .as_deref()
            .map(parse_date)
            .transpose()
            .for_flag("from")?,
        sex: args.sex.clone(),
        mass_kg: args.mass,
        max_hr: args.max_hr,
        rest_hr: args.rest_hr,
        lthr: args.lthr,
        threshold_speed_mps: args
            .threshold_pace
            .as_deref()
            .map(parse_pace)
            .transpose()
            .for_flag("threshold-pace")?,
        tz: args.tz.clone(),
        usual_week_km: args
            .usual_week
            .as_deref()
            .map(|d| crate::dates::parse_distance(d).map(|m| m / 1000.0))
            .transpose()?,
        strength_block: args.strength_block.map(|v| v == crate::cli::OnOff::On),
    };
    let nothing = update.sex.is_none()
        && update.mass_kg.is_none()
        && update.max_hr.is_none()
        && update.rest_hr.is_none()
        && update.lthr.is_none()
        && update.threshold_speed_mps.is_none()
        && update.tz.is_none()
        && update.usual_week_km.is_none()
        && update.strength_block.is_none();
    if nothing {
        bail_usage!(
            "nothing to set: give at least one of --sex, --mass, --max-hr, --rest-hr, --lthr, --threshold-pace, --tz, --usual-week, --strength-block"
        );
    }
    let summary = training::update_profile(ctx.store.as_ref(), ctx.athlete, &update, today(ctx)?)?;
    if ctx.json {
        print_json(&summary)?;
    } else {
        println!("Profile saved.");
        print_recompute(&summary);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_recompute(summary: &RecomputeSummary) {
    if summary.activities == 0 {
        return;
    }
    let methods: Vec<String> = summary
        .by_method
        .iter()
        .map(|(m, n)| format!("{n} by {m}"))
        .collect();
    println!(
        "Loads recomputed for {} activities ({}).",
        summary.activities,
        methods.join(", ")
    );
}

fn describe(resolved: Option<&Resolved>, unit: &str, format: fn(f64) -> String) -> String {
    match resolved {
        None => "not set and not estimable yet".to_string(),
        Some(r) => match &r.source {
            Source::Given { from } => format!("{}{unit}  (given, from {from})", format(r.value)),
            Source::Estimated { method, .. } => {
                format!("{}{unit}  (estimated: {method})", format(r.value))
            }
        },
    }
}

fn profile_show(ctx: &Context, date: Option<&str>) -> anyhow::Result<ExitCode> {
    let date = match date {
        Some(d) => parse_date(d)?,
        None => today(ctx)?,
    };
    let view = training::show_profile(ctx.store.as_ref(), ctx.athlete, date)?;
    if ctx.json {
        print_json(&view)?;
        return Ok(ExitCode::SUCCESS);
    }
    let r = &view.resolved;
    let whole = |v: f64| format!("{v:.0}");
    println!("Profile on {date}");
    println!(
        "  sex              {}",
        r.sex
            .map_or("not set (TRIMP and hrTSS need it)".to_string(), |s| {
                format!("{s:?}").to_lowercase()
            })
    );
    println!(
        "  body mass        {}",
        describe(r.body_mass_kg.as_ref(), " kg", |v| format!("{v:.1}"))
    );
    println!(
        "  max HR           {}",
        describe(r.hr_max.as_ref(), " bpm", whole)
    );
    println!(
        "  rest HR          {}",
        describe(r.hr_rest.as_ref(), " bpm", whole)
    );
    println!(
        "  threshold HR     {}",
        describe(r.lthr.as_ref(), " bpm", whole)
    );
    println!(
        "  threshold pace   {}",
        describe(r.threshold_speed_mps.as_ref(), "", format_pace)
    );
    println!(
        "  time zone        {}",
        r.time_zone
            .as_deref()
            .unwrap_or("not set (this machine's zone is used)")
    );
    if let Some(week) = fettle_core::profile::value_on(&view.history.usual_week_km, date) {
        println!(
            "  usual week       {:.0} km  (given, from {}; seeds fitness while your history is short)",
            week.value, week.from
        );
    }
    println!(
        "  strength block   {}",
        if view.strength_block {
            "on (no ice bath or cryotherapy is suggested)"
        } else {
            "off"
        }
    );
    print_zones(&view.zones);
    Ok(ExitCode::SUCCESS)
}

/// The athlete's heart-rate and pace zones with where they came from.
fn print_zones(zones: &fettle_core::zones::AthleteZones) {
    for (title, table, pace, missing) in [
        (
            "Heart-rate zones",
            &zones.hr,
            false,
            "set your threshold heart rate (`--lthr`), or max and rest HR",
        ),
        (
            "Pace zones",
            &zones.pace,
            true,
            "set your threshold pace (`--threshold-pace`)",
        ),
    ] {
        println!();
        let Some(table) = table else {
            println!("{title}: not known yet; {missing}");
            continue;
        };
        println!("{title}: {}", table.source);
        let mut rows = Table::new(&["zone", "", "range"]);
        for z in &table.zones {
            rows.row(vec![
                z.zone.clone(),
                z.name.clone(),
                crate::activities::zone_range(z.low, z.high, pace),
            ]);
        }
        print!("{}", rows.render());
    }
}

/// `fettle add`
pub(crate) fn add(ctx: &Context, args: &AddArgs) -> anyhow::Result<ExitCode> {
    let start = args
        .start
        .as_deref()
        .map(|t| {
            t.parse::<jiff::civil::Time>()
                .map_err(|_| usage!("bad start time {t:?}: write it as HH:MM, e.g. 07:30"))
        })
        .transpose()?;
    let session = ManualSession {
        date: parse_date(&args.date)?,
        start,
        duration_s: parse_duration(&args.duration)?,
        distance_m: args.distance.as_deref().map(parse_distance).transpose()?,
        rpe: args.rpe,
        sport: args.sport.clone(),
        name: args.name.clone(),
    };
    refuse_implausible_bare_numbers(args, &session)?;
    let id = training::add_manual(ctx.store.as_ref(), ctx.athlete, &session, Timestamp::now())?;
    // Stored either way (a brick session can touch another); the athlete is told, since an
    // overlap is usually the same session entered twice and both count in the load.
    let overlaps = fettle_app::overlap::overlapping(
        ctx.store.as_ref(),
        ctx.athlete,
        fettle_store::ActivityId(id),
    )?;
    if ctx.json {
        let warnings: Vec<&str> = overlaps.iter().map(|o| o.message.as_str()).collect();
        print_json(&serde_json::json!({ "id": id, "overlaps": overlaps, "warnings": warnings }))?;
    } else {
        println!("Added activity {id}.");
        for overlap in &overlaps {
            eprintln!("warning: {}", overlap.message);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses a bare `--distance` (read as metres) or `--duration` (read as minutes) that makes no
/// session a person does, naming the likely meaning ("did you mean 9km?"): the rule and its
/// bounds are `fettle_core::limits`'; only this face reads numbers without units.
fn refuse_implausible_bare_numbers(args: &AddArgs, session: &ManualSession) -> anyhow::Result<()> {
    use fettle_core::limits::{ActivityBounds, Unitless};
    let bare = |text: &str| crate::dates::bare_number(text).map(|typed| Unitless { typed });
    let sport = match session.sport.as_deref() {
        None => fettle_formats::Sport::Running,
        Some(text) => match fettle_app::validate::sport("sport", text) {
            Ok(sport) => sport,
            // The use case refuses the sport itself.
            Err(_) => return Ok(()),
        },
    };
    let refusal = ActivityBounds::for_sport(sport.as_str()).check_unitless(
        sport.as_str(),
        session.duration_s,
        bare(&args.duration),
        session.distance_m,
        args.distance.as_deref().and_then(bare),
    );
    match refusal {
        Some(violation) => Err(fettle_app::AppError::from(violation).into()),
        None => Ok(()),
    }
}

/// `fettle rpe ID VALUE`
pub(crate) fn rpe(ctx: &Context, args: &RpeArgs) -> anyhow::Result<ExitCode> {
    let summary = training::set_rpe(ctx.store.as_ref(), ctx.athlete, args.id, args.rpe)?;
    if ctx.json {
        print_json(&summary)?;
    } else {
        println!("RPE {} saved for activity {}.", args.rpe, args.id);
        print_recompute(&summary);
    }
    Ok(ExitCode::SUCCESS)
}

/// `fettle status`
pub(crate) fn status(ctx: &Context, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let date = args.date.as_deref().map(parse_date).transpose()?;
    let status = training::status(ctx.store.as_ref(), ctx.athlete, date, Timestamp::now())?;
    if ctx.json {
        print_json(&status)?;
    } else {
        print_status(&status);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints a status with the definition of each figure.
pub(crate) fn print_status(s: &Status) {
    if s.history_days == 0 {
        println!(
            "No training before {}. Import some activities with `fettle import PATH`.",
            s.date
        );
        return;
    }
    println!("Status on {}", s.date);
    if s.provisional {
        println!(
            "  (provisional: {} day(s) of history, fewer than {}; fitness and fatigue started \
             from {:.1} points/day, your usual load as far as Fettle can tell, not from zero)",
            s.history_days,
            fettle_core::series::WARM_UP_DAYS,
            s.seed_daily_load
        );
    }
    println!(
        "  fitness   {:6.1}   42-day exponentially weighted load (CTL), λ = 1 − e^(−1/42)",
        s.fitness
    );
    println!(
        "  fatigue   {:6.1}   7-day exponentially weighted load (ATL), λ = 1 − e^(−1/7)",
        s.fatigue
    );
    println!(
        "  form      {:+6.1}   this morning: yesterday's fitness − fatigue (tomorrow {:+.1})",
        s.form, s.form_tomorrow
    );
    println!(
        "  ramp      {:+6.1}   fitness change over 7 days, points/week",
        s.ramp
    );
    println!(
        "  ACWR      {:>6}   acute 7 d / chronic 28 d EWMA, uncoupled (context, not a verdict)",
        opt(s.acwr, 2)
    );
    println!(
        "  monotony  {:>6}   7-day mean daily load / its SD (Foster 1998)",
        opt(s.monotony, 2)
    );
    println!(
        "  strain    {:>6}   7-day load × monotony",
        opt(s.strain, 0)
    );
    println!(
        "  week      {:6.1} km, load {:.0}{}",
        s.week_distance_m / 1000.0,
        s.week_load,
        s.week_distance_change
            .map(|c| format!(
                ", distance {:+.0} % on the highest of the 3 weeks before",
                c * 100.0
            ))
            .unwrap_or_default()
    );
    match s.rest_days_to_fresh {
        Some(0) => println!("  fresh: form is already ≥ 0 tomorrow"),
        // A projection, not advice: what to do today is `fettle today`'s to say.
        Some(n) => println!(
            "  fresh    form would be back to ≥ 0 after {n} day(s) without training (see `fettle today` for what to do)"
        ),
        None => {}
    }
    if let Some(l) = s.max_load_today_for_fresh_tomorrow {
        println!("  up to {l:.0} load points today keeps form ≥ 0 tomorrow");
    }
    if s.flags.is_empty() {
        println!("  no flags");
    } else {
        println!("  flags (they inform, never block):");
        for f in &s.flags {
            println!("    - {}  [{}]", f.message, f.source);
        }
    }
}

/// `fettle load`
pub(crate) fn load(ctx: &Context, args: &LoadArgs) -> anyhow::Result<ExitCode> {
    let from = args
        .from
        .as_deref()
        .map(parse_date)
        .transpose()
        .for_flag("from")?;
    let to = args
        .to
        .as_deref()
        .map(parse_date)
        .transpose()
        .for_flag("to")?;
    let series = training::series(ctx.store.as_ref(), ctx.athlete, from, to, Timestamp::now())?;
    if ctx.json {
        print_json(&series)?;
        return Ok(ExitCode::SUCCESS);
    }
    let header = [
        "date", "load", "km", "time", "fitness", "fatigue", "form", "ramp", "acwr", "monotony",
        "strain",
    ];
    let rows = series.iter().map(|d| {
        vec![
            d.date.to_string(),
            format!("{:.1}", d.load),
            format!("{:.2}", d.distance_m / 1000.0),
            format_hms(d.duration_s),
            format!("{:.1}", d.fitness),
            format!("{:.1}", d.fatigue),
            format!("{:.1}", d.form),
            format!("{:.1}", d.ramp),
            opt(d.acwr, 2),
            opt(d.monotony, 2),
            opt(d.strain, 0),
        ]
    });
    if args.csv {
        // A CSV writer, not string joining: negative values (form) keep their sign, and a
        // missing value is an empty field rather than the table's "-".
        let mut out = csv::Writer::from_writer(std::io::stdout().lock());
        let write = || -> std::io::Result<()> {
            out.write_record(header)?;
            for row in rows {
                out.write_record(row.iter().map(|cell| if cell == "-" { "" } else { cell }))?;
            }
            out.flush()
        };
        if let Err(e) = write() {
            // `fettle load --csv | head`: stop quietly, as the tables do (see main.rs).
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(141);
            }
            return Err(e.into());
        }
    } else {
        let mut table = Table::new(&header);
        for row in rows {
            table.row(row);
        }
        print!("{}", table.render());
    }
    Ok(ExitCode::SUCCESS)
}

/// `fettle race [add|list]`
pub(crate) fn race(ctx: &Context, args: &RaceArgs) -> anyhow::Result<ExitCode> {
    if let Some(RaceAction::Add(add)) = &args.action {
        let id = training::add_race(
            ctx.store.as_ref(),
            ctx.athlete,
            parse_date(&add.date)?,
            parse_distance(&add.distance)?,
            parse_duration(&add.time).for_flag("time")?,
            Timestamp::now(),
        )?;
        if ctx.json {
            print_json(&serde_json::json!({ "id": id }))?;
        } else {
            println!("Race {id} saved.");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(RaceAction::Delete(delete)) = &args.action {
        let deleted =
            fettle_app::corrections::delete_race(ctx.store.as_ref(), ctx.athlete, delete.id)?;
        if ctx.json {
            print_json(&deleted)?;
        } else {
            println!("Race {} deleted.", deleted.deleted);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let races = training::races(ctx.store.as_ref(), ctx.athlete)?;
    if ctx.json {
        print_json(&races)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&["id", "date", "km", "time", "vdot"]);
    for r in &races {
        table.row(vec![
            r.id.to_string(),
            r.date.to_string(),
            format!("{:.2}", r.distance_m / 1000.0),
            format_hms(r.time_s),
            opt(r.vdot, 1),
        ]);
    }
    print!("{}", table.render());
    Ok(ExitCode::SUCCESS)
}

/// `fettle model`
pub(crate) fn model(ctx: &Context, args: &ModelArgs) -> anyhow::Result<ExitCode> {
    let date = args.date.as_deref().map(parse_date).transpose()?;
    let view = training::model(ctx.store.as_ref(), ctx.athlete, date, Timestamp::now())?;
    if ctx.json {
        print_json(&view)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Banister impulse-response model p(t) = p0 + k1·Σw·e^(−Δt/τ1) − k2·Σw·e^(−Δt/τ2), fitted to {} performance markers (VDOT).",
        view.markers
    );
    if let Some(refusal) = &view.refusal {
        println!("No fit presented: {}", refusal.reason);
        return Ok(ExitCode::SUCCESS);
    }
    if let (Some(fit), Some(p)) = (&view.fit, &view.prediction) {
        println!(
            "  τ1 = {:.0} d, τ2 = {:.0} d; leave-one-out error {:.2} VDOT (a constant: {:.2})",
            fit.params.tau_fitness_days,
            fit.params.tau_fatigue_days,
            fit.loo_rmse,
            fit.constant_loo_rmse
        );
        println!("  predicted VDOT on {}: {:.1}", p.date, p.vdot);
        for (name, t) in &view.race_times {
            println!("    {name:<14} {}", format_hms(*t));
        }
    }
    Ok(ExitCode::SUCCESS)
}
