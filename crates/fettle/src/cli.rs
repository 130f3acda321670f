//! The command line as parsed by clap: raw arguments only.
//!
//! Turning these into validated values (dates, durations, paces, the database location) happens
//! in the command modules, so that every error can say what was wrong and what to write instead.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Fettle: a local-first training-load and recovery coach for runners.
#[derive(Debug, Parser)]
#[command(name = "fettle", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    /// The SQLite database file (default: fettle.sqlite in the platform's data directory).
    #[arg(long, global = true, env = "FETTLE_DB", value_name = "PATH")]
    pub(crate) db: Option<PathBuf>,

    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    pub(crate) json: bool,

    /// Say more: name every skipped file and why.
    #[arg(long, short = 'v', global = true)]
    pub(crate) verbose: bool,

    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Import activity files, folders, .gz files and Strava or Garmin Connect export zips.
    Import(ImportArgs),
    /// List activities, newest first.
    Activities(ActivitiesArgs),
    /// Show one activity: summary, laps and stream statistics.
    Activity(ActivityArgs),
    /// Show or set the athlete's profile (thresholds, body mass, time zone).
    Profile(ProfileArgs),
    /// Add a session without a file (from its duration, distance and RPE).
    Add(AddArgs),
    /// Set the perceived exertion (CR-10, 0–10) of an activity.
    Rpe(RpeArgs),
    /// Fitness, fatigue, form, ramp, ACWR, monotony, strain and flags on a day.
    Status(StatusArgs),
    /// The daily series: load, distance, fitness, fatigue, form and risk indicators.
    Load(LoadArgs),
    /// Race results (performance markers for the personal model).
    Race(RaceArgs),
    /// The personal impulse-response model fitted to your races and best efforts.
    Model(ModelArgs),
    /// Simulate a runner's season end to end (FIT files → import → status).
    Demo(DemoArgs),
    /// Serve the dashboard and the JSON API on this computer (http://127.0.0.1:8080 by default).
    Serve(ServeArgs),
}

/// `fettle serve`
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Where to listen: a loopback address and port (127.0.0.1 or [::1]; port 0 picks a free
    /// one). Other addresses are refused: the dashboard shows health data.
    #[arg(long, value_name = "ADDR", default_value = fettle_web::DEFAULT_ADDR)]
    pub(crate) addr: String,
    /// Open the dashboard in the default browser once listening.
    #[arg(long)]
    pub(crate) open: bool,
}

/// `fettle profile`
#[derive(Debug, Args)]
pub(crate) struct ProfileArgs {
    /// Show the profile as it applies on this local date (default today).
    #[arg(long, value_name = "DATE")]
    pub(crate) date: Option<String>,
    /// What to do (default: show).
    #[command(subcommand)]
    pub(crate) action: Option<ProfileAction>,
}

/// `fettle profile set|show`
#[derive(Debug, Subcommand)]
pub(crate) enum ProfileAction {
    /// Set one or more values; they apply from --from (default today), older sessions keep
    /// the values that applied then.
    Set(ProfileSetArgs),
    /// Show every value, given or estimated, and how.
    Show,
}

/// `fettle profile set`
#[derive(Debug, Args)]
pub(crate) struct ProfileSetArgs {
    /// male or female (selects Banister's TRIMP constants).
    #[arg(long)]
    pub(crate) sex: Option<String>,
    /// Body mass in kg.
    #[arg(long, value_name = "KG")]
    pub(crate) mass: Option<f64>,
    /// Maximum heart rate, bpm.
    #[arg(long, value_name = "BPM")]
    pub(crate) max_hr: Option<f64>,
    /// Resting heart rate, bpm.
    #[arg(long, value_name = "BPM")]
    pub(crate) rest_hr: Option<f64>,
    /// Lactate-threshold heart rate, bpm.
    #[arg(long, value_name = "BPM")]
    pub(crate) lthr: Option<f64>,
    /// Threshold pace, e.g. 4:05/km (the pace you can hold for about an hour).
    #[arg(long, value_name = "PACE")]
    pub(crate) threshold_pace: Option<String>,
    /// Time zone (IANA name, e.g. Europe/London); days belong to it.
    #[arg(long, value_name = "ZONE")]
    pub(crate) tz: Option<String>,
    /// The first local day the values apply to (default today).
    #[arg(long, value_name = "DATE")]
    pub(crate) from: Option<String>,
}

/// `fettle add`
#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// Local date, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub(crate) date: String,
    /// Local start time, HH:MM (default 12:00).
    #[arg(long, value_name = "TIME")]
    pub(crate) start: Option<String>,
    /// Duration: 45m, 1h30m, 1:15:00.
    #[arg(long)]
    pub(crate) duration: String,
    /// Distance: 9km, 800m, 13.1mi.
    #[arg(long)]
    pub(crate) distance: Option<String>,
    /// Session RPE on the CR-10 scale (0–10).
    #[arg(long)]
    pub(crate) rpe: Option<f64>,
    /// Sport (default running).
    #[arg(long)]
    pub(crate) sport: Option<String>,
    /// A name for the session.
    #[arg(long)]
    pub(crate) name: Option<String>,
}

/// `fettle rpe ID VALUE`
#[derive(Debug, Args)]
pub(crate) struct RpeArgs {
    /// The activity's id.
    pub(crate) id: i64,
    /// Perceived exertion, CR-10 (0 rest … 10 maximal), rated about 30 min after.
    pub(crate) rpe: f64,
}

/// `fettle status`
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// The local date to describe (default today).
    #[arg(long, value_name = "DATE")]
    pub(crate) date: Option<String>,
}

/// `fettle load`
#[derive(Debug, Args)]
pub(crate) struct LoadArgs {
    /// First local date (default: the first activity).
    #[arg(long, value_name = "DATE")]
    pub(crate) from: Option<String>,
    /// Last local date (default today).
    #[arg(long, value_name = "DATE")]
    pub(crate) to: Option<String>,
    /// Print CSV instead of a table.
    #[arg(long, conflicts_with = "json")]
    pub(crate) csv: bool,
}

/// `fettle race`
#[derive(Debug, Args)]
pub(crate) struct RaceArgs {
    /// What to do (default: list).
    #[command(subcommand)]
    pub(crate) action: Option<RaceAction>,
}

/// `fettle race add|list`
#[derive(Debug, Subcommand)]
pub(crate) enum RaceAction {
    /// Add a race result.
    Add(RaceAddArgs),
    /// List race results with their VDOT.
    List,
}

/// `fettle race add`
#[derive(Debug, Args)]
pub(crate) struct RaceAddArgs {
    /// Local date, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub(crate) date: String,
    /// Distance: 10km, half, marathon, 5000.
    #[arg(long)]
    pub(crate) distance: String,
    /// Finishing time: 41:30 or 1:32:10.
    #[arg(long)]
    pub(crate) time: String,
}

/// `fettle model`
#[derive(Debug, Args)]
pub(crate) struct ModelArgs {
    /// Predict performance on this local date (default today).
    #[arg(long, value_name = "DATE")]
    pub(crate) date: Option<String>,
}

/// `fettle demo`
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Days to simulate, ending today (default 182, about six months).
    #[arg(long, default_value_t = 182)]
    pub(crate) days: u32,
    /// Random seed: the same seed gives the same athlete.
    #[arg(long, default_value_t = 7)]
    pub(crate) seed: u64,
}

/// `fettle import`
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// Files, folders (searched recursively), .gz files or export zips.
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    /// Number of decoding threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,
}

/// `fettle activities`
#[derive(Debug, Args)]
pub(crate) struct ActivitiesArgs {
    /// Only activities on or after this local date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub(crate) from: Option<String>,
    /// Only activities on or before this local date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub(crate) to: Option<String>,
    /// Only this sport (running, cycling, swimming …).
    #[arg(long)]
    pub(crate) sport: Option<String>,
    /// At most this many activities (default: all).
    #[arg(long, short = 'n', value_name = "N")]
    pub(crate) limit: Option<u32>,
}

/// `fettle activity ID`
#[derive(Debug, Args)]
pub(crate) struct ActivityArgs {
    /// The activity's id, as listed by `fettle activities`.
    pub(crate) id: i64,
}
