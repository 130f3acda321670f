//! `fettle plan create|show|forecast|adherence|replan|pause|accept-swap|export`: tables and JSON over the planning
//! use cases ([`fettle_app::planning`]).
//!
//! The plan's warnings (race too close, goal out of reach, race-morning form out of range) are
//! printed plainly on stderr whenever a plan is made, so they are seen even with `--json`.

use std::process::ExitCode;

use anyhow::Context as _;
use fettle_app::planning::{self, AdherenceView, ForecastView, PlanInput, PlanView};
use fettle_core::plan::{SessionKind, Week, WeekKind};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::cli::{
    PlanAction, PlanArgs, PlanCreateArgs, PlanExportArgs, PlanExportWorkoutsArgs, PlanPauseArgs,
    PlanShowArgs,
};
use crate::dates::{format_hms, parse_date};
use crate::output::{Table, opt, print_json};
use crate::settings::Context;

/// Runs one `fettle plan` subcommand.
pub(crate) fn run(ctx: &Context, args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let today = match args.today.as_deref() {
        Some(text) => parse_date(text)?,
        None => {
            let tz = fettle_app::athlete_time_zone(ctx.store.as_ref(), ctx.athlete)?;
            tz.to_datetime(Timestamp::now()).date()
        }
    };
    match &args.action {
        PlanAction::Create(create) => create_plan(ctx, create, today),
        PlanAction::Show(show) => show_plan(ctx, show, today),
        PlanAction::Forecast => forecast(ctx, today),
        PlanAction::Adherence => adherence(ctx, today),
        PlanAction::Replan => replan(ctx, today),
        PlanAction::Pause(args) => pause(ctx, args, today),
        PlanAction::AcceptSwap => accept_swap(ctx, args.today.is_some().then_some(today)),
        PlanAction::Export(args) => export(ctx, args),
        PlanAction::ExportWorkouts(args) => export_workouts(ctx, args, today),
    }
}

fn create_plan(ctx: &Context, args: &PlanCreateArgs, today: Date) -> anyhow::Result<ExitCode> {
    let params = PlanInput {
        race: args.race.clone(),
        distance: args.distance.clone(),
        goal_time: args.goal_time.clone(),
        days: args.days.clone(),
        long_run_day: args.long_run_day.clone(),
        rest_days: args.rest_days.clone(),
        week_start: args.week_start.clone(),
        cycle: args.cycle.clone(),
        max_ramp: args.max_ramp,
    }
    .parse()?;
    let view = planning::create_plan(
        ctx.store.as_ref(),
        ctx.athlete,
        &params,
        today,
        Timestamp::now(),
    )?;
    print_made(ctx, &view, "Plan saved")
}

fn replan(ctx: &Context, today: Date) -> anyhow::Result<ExitCode> {
    let view = planning::replan(ctx.store.as_ref(), ctx.athlete, today, Timestamp::now())?;
    print_made(ctx, &view, "Plan rebuilt from what you actually did")
}

fn pause(ctx: &Context, args: &PlanPauseArgs, today: Date) -> anyhow::Result<ExitCode> {
    let from = parse_date(&args.from)?;
    let to = parse_date(&args.to)?;
    let view = planning::pause(
        ctx.store.as_ref(),
        ctx.athlete,
        from,
        to,
        today,
        Timestamp::now(),
    )?;
    print_made(ctx, &view, "Plan paused and the weeks after it rebuilt")
}

/// `fettle plan accept-swap`: the day's proposed move, made in the plan, and what changed.
fn accept_swap(ctx: &Context, day: Option<Date>) -> anyhow::Result<ExitCode> {
    let accepted =
        fettle_app::today::accept_swap(ctx.store.as_ref(), ctx.athlete, day, Timestamp::now())?;
    if ctx.json {
        print_json(&accepted)?;
    } else {
        println!("Plan changed: {}.", accepted.message);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints a plan just made: its warnings on stderr, then the plan (JSON or overview).
fn print_made(ctx: &Context, view: &PlanView, what: &str) -> anyhow::Result<ExitCode> {
    for warning in &view.plan.warnings {
        eprintln!("warning: {warning}");
    }
    if ctx.json {
        print_json(view)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{what}.");
    for change in &view.plan.changes {
        println!("changed: {change}");
    }
    print_overview(view);
    Ok(ExitCode::SUCCESS)
}

fn show_plan(ctx: &Context, args: &PlanShowArgs, today: Date) -> anyhow::Result<ExitCode> {
    let view = planning::show_plan(ctx.store.as_ref(), ctx.athlete, today)?;
    let count = view.plan.weeks.len();
    let week = match args.week {
        Some(n) if n == 0 || n > count => {
            bail_usage!("the plan has weeks 1 to {count}; --week {n} is not one of them")
        }
        Some(n) => view.plan.weeks.get(n - 1),
        None => None,
    };
    if ctx.json {
        match week {
            Some(w) => print_json(w)?,
            None => print_json(&view)?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    match (week, args.week) {
        (Some(w), Some(n)) => print_week(n, count, w),
        _ => {
            for warning in &view.plan.warnings {
                println!("warning: {warning}");
            }
            print_overview(&view);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn kind_name(kind: WeekKind) -> &'static str {
    match kind {
        WeekKind::Build => "build",
        WeekKind::Recovery => "recovery",
        WeekKind::Taper => "taper",
        WeekKind::Race => "race",
    }
}

fn print_overview(view: &PlanView) {
    let plan = &view.plan;
    let goal = plan
        .race
        .goal_time_s
        .map_or(String::new(), |t| format!(", goal {}", format_hms(t)));
    println!(
        "Race: {:.1} km on {}{goal}. Race pace aims at {}; race-morning form {:.1} (aim {:.0} to {:.0}).",
        plan.race.distance_m / 1000.0,
        plan.race.date,
        format_hms(plan.predictions.target_time_s),
        plan.race_day_form,
        fettle_core::plan::RACE_FORM_MIN,
        fettle_core::plan::RACE_FORM_MAX,
    );
    if !plan.predictions.explanation.is_empty() {
        println!("{}", plan.predictions.explanation);
    }
    let mut table = Table::new(&["week", "start", "kind", "km", "load", "runs", ""]);
    for (i, w) in plan.weeks.iter().enumerate() {
        let runs = w
            .days
            .iter()
            .filter(|d| d.session.kind != SessionKind::Rest)
            .count();
        let here = if view.current_week == Some(i + 1) {
            "<- today"
        } else {
            ""
        };
        table.row(vec![
            (i + 1).to_string(),
            w.start.to_string(),
            if w.partial {
                format!("{} (partial week)", kind_name(w.kind))
            } else {
                kind_name(w.kind).to_string()
            },
            format!("{:.1}", w.distance_target_m / 1000.0),
            format!("{:.0}", w.load_target),
            runs.to_string(),
            here.to_string(),
        ]);
    }
    print!("{}", table.render());
    println!("Show a week's sessions with `fettle plan show --week N`.");
}

fn print_week(number: usize, count: usize, week: &Week) {
    println!(
        "Week {number} of {count} ({}{}), from {}: {:.1} km, load {:.0}",
        kind_name(week.kind),
        if week.partial { ", partial week" } else { "" },
        week.start,
        week.distance_target_m / 1000.0,
        week.load_target
    );
    for day in &week.days {
        println!();
        println!(
            "{} {}  {}  (load {:.0})",
            day.date.strftime("%a"),
            day.date,
            day.session.title,
            day.load
        );
        if !day.session.description.is_empty() {
            println!("  {}", day.session.description);
        }
        for item in &day.recovery {
            println!(
                "  + {}: {} ({})",
                item.method.as_str().replace('_', " "),
                item.dose,
                item.when
            );
        }
    }
}

fn forecast(ctx: &Context, today: Date) -> anyhow::Result<ExitCode> {
    let view = planning::forecast(ctx.store.as_ref(), ctx.athlete, today, Timestamp::now())?;
    if ctx.json {
        print_json(&view)?;
        return Ok(ExitCode::SUCCESS);
    }
    print_forecast(&view);
    Ok(ExitCode::SUCCESS)
}

fn print_forecast(view: &ForecastView) {
    println!(
        "Forecast to the {:.1} km race on {}: your history to yesterday, then the plan's loads.",
        view.race.distance_m / 1000.0,
        view.race.date
    );
    // One row a week counted back from race day, so race day is always the last row.
    let last = view.points.len().saturating_sub(1);
    let mut table = Table::new(&["date", "fitness", "fatigue", "form"]);
    for (i, p) in view.points.iter().enumerate() {
        if (last - i).is_multiple_of(7) {
            table.row(vec![
                p.date.to_string(),
                format!("{:.1}", p.fitness),
                format!("{:.1}", p.fatigue),
                format!("{:+.1}", p.form),
            ]);
        }
    }
    print!("{}", table.render());
    match view.race_day_form {
        Some(form) => println!(
            "Race-morning form {form:+.1} ({} the aimed {:.0} to {:.0}).",
            if view.race_day_form_in_target {
                "within"
            } else {
                "outside"
            },
            view.target_form[0],
            view.target_form[1]
        ),
        None => println!("No forecast for race morning."),
    }
    let p = &view.predictions;
    if let Some(lead) = p.lead_time_s {
        println!("Predicted race time: {}.", format_hms(lead));
    }
    println!("{}", p.explanation);
    println!("All predictions, for context:");
    let time = |t: Option<f64>| t.map_or("-".to_string(), format_hms);
    let mut table = Table::new(&["  from", "vdot", "time"]);
    let rows = [
        (
            "  your VDOT now (Daniels & Gilbert)",
            p.current_vdot,
            p.vdot_time_s,
        ),
        (
            "  the VDOT reachable by race day",
            p.reachable_vdot,
            p.reachable_time_s,
        ),
        ("  Riegel from the threshold pace", None, p.riegel_time_s),
        (
            "  the personal model on race day",
            view.model_race_day_vdot,
            view.model_race_time_s,
        ),
    ];
    for (name, vdot, t) in rows {
        table.row(vec![name.to_string(), opt(vdot, 1), time(t)]);
    }
    table.row(vec![
        "  race pace the plan trains for".to_string(),
        "-".to_string(),
        format_hms(p.target_time_s),
    ]);
    print!("{}", table.render());
    if view.model_race_day_vdot.is_none() {
        println!("  (the personal model has no fit yet: see `fettle model`)");
    }
    for warning in &view.warnings {
        println!("warning: {warning}");
    }
}

fn adherence(ctx: &Context, today: Date) -> anyhow::Result<ExitCode> {
    let view = planning::adherence(ctx.store.as_ref(), ctx.athlete, today)?;
    if ctx.json {
        print_json(&view)?;
        return Ok(ExitCode::SUCCESS);
    }
    print_adherence(&view);
    Ok(ExitCode::SUCCESS)
}

fn print_adherence(view: &AdherenceView) {
    let a = &view.adherence;
    if a.weeks.is_empty() {
        println!(
            "The plan starts after {}: nothing to compare yet.",
            view.today
        );
        return;
    }
    println!("Planned against done, up to {}:", view.today);
    let mut table = Table::new(&[
        "start",
        "kind",
        "plan km",
        "done km",
        "km %",
        "plan load",
        "done load",
        "load %",
        "runs",
    ]);
    for w in &a.weeks {
        let kind = if w.complete {
            kind_name(w.kind).to_string()
        } else {
            format!("{} (so far)", kind_name(w.kind))
        };
        table.row(vec![
            w.start.to_string(),
            kind,
            format!("{:.1}", w.planned_distance_m / 1000.0),
            format!("{:.1}", w.done_distance_m / 1000.0),
            opt(w.distance_pct, 0),
            format!("{:.0}", w.planned_load),
            format!("{:.0}", w.done_load),
            opt(w.load_pct, 0),
            format!("{}/{}", w.done_sessions, w.planned_sessions),
        ]);
    }
    print!("{}", table.render());
    let s = &a.summary;
    println!(
        "Total: {:.1} of {:.1} km ({}%), load {:.0} of {:.0} ({}%), {} of {} runs.",
        s.done_distance_m / 1000.0,
        s.planned_distance_m / 1000.0,
        opt(s.distance_pct, 0),
        s.done_load,
        s.planned_load,
        opt(s.load_pct, 0),
        s.done_sessions,
        s.planned_sessions
    );
}

fn export(ctx: &Context, args: &PlanExportArgs) -> anyhow::Result<ExitCode> {
    let start = args
        .start
        .as_deref()
        .map(|t| {
            t.parse::<jiff::civil::Time>()
                .map_err(|_| usage!("bad start time {t:?}: write it as HH:MM, e.g. 07:30"))
        })
        .transpose()?;
    let ics = planning::export_ical(
        ctx.store.as_ref(),
        ctx.athlete,
        start,
        args.with_recovery,
        Timestamp::now(),
    )?;
    std::fs::write(&args.path, &ics)
        .with_context(|| format!("cannot write {}", args.path.display()))?;
    let events = ics.matches("BEGIN:VEVENT").count();
    if ctx.json {
        print_json(&serde_json::json!({
            "path": args.path,
            "events": events,
        }))?;
    } else {
        println!(
            "Wrote {events} calendar events to {}. Import it again after a re-plan: the events update in place.",
            args.path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn export_workouts(
    ctx: &Context,
    args: &PlanExportWorkoutsArgs,
    today: Date,
) -> anyhow::Result<ExitCode> {
    let files = planning::export_workouts(ctx.store.as_ref(), ctx.athlete, &args.dir, today)?;
    if ctx.json {
        print_json(&files)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Wrote {} workout file(s) to {}; copy them to your watch's NewFiles folder.",
        files.len(),
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
