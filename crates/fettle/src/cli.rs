//! The command line as parsed by clap: raw arguments only.
//!
//! Turning these into validated values (dates, durations, paces, the database location) happens
//! in the command modules, so that every error can say what was wrong and what to write instead.

use std::path::PathBuf;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand};
use fettle_core::log::RecoveryMethod;

/// Fettle: a local-first training-load and recovery coach for runners.
#[derive(Debug, Parser)]
#[command(name = "fettle", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    /// The SQLite database file (default: fettle.sqlite in the platform's data directory).
    #[arg(long, global = true, env = "FETTLE_DB", value_name = "PATH")]
    pub(crate) db: Option<PathBuf>,

    /// The database: a PostgreSQL URL (postgres://user@host/dbname) or connection string
    /// ("host=… dbname=… user=…"), or a SQLite file path.
    /// Given on the command line it wins over FETTLE_DB; don't give both --db and --database.
    #[arg(
        long,
        global = true,
        env = "FETTLE_DATABASE",
        value_name = "URL_OR_PATH"
    )]
    pub(crate) database: Option<String>,

    /// Where --db and --database came from (filled in after parsing; not an option).
    #[arg(skip)]
    pub(crate) database_sources: DatabaseSources,

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
    /// What to do today: one verdict (rest, easy, as planned, ready for quality) with its
    /// reasons, the session, readiness and the recovery still due.
    Today(TodayArgs),
    /// Import activity files, folders, .gz files and Strava or Garmin Connect export zips.
    Import(ImportArgs),
    /// Watch folders (and mounted Garmin devices) and import new and changed files as they
    /// appear, until Ctrl-C.
    Watch(WatchArgs),
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
    /// A training plan to a goal race: create, show, forecast, adherence, re-plan, export.
    Plan(PlanArgs),
    /// Simulate a runner's season end to end (FIT files → import → status).
    Demo(DemoArgs),
    /// Morning wellness: sleep, soreness, mood, HRV, resting HR, body mass, sick or injured.
    Wellness(WellnessArgs),
    /// Today's readiness score and recommendation (train hard, easy, rest), with its components.
    Readiness(ReadinessArgs),
    /// What to do now to recover from the latest (or a given) activity, and when to go hard again.
    Recover(RecoverArgs),
    /// Log recovery sessions and meals, and list them with compliance.
    Recovery(RecoveryArgs),
    /// Which recovery methods work for you (effects adjusted for load and fatigue).
    Insights,
    /// Serve the dashboard and the JSON API on this computer (http://127.0.0.1:8080 by default),
    /// or with --multi-user to a club or squad, with accounts.
    Serve(ServeArgs),
    /// Accounts of a multi-user server: add, list, set a password.
    User(UserArgs),
    /// API tokens of a multi-user server's accounts, for scripts and sync tools.
    Token(TokenArgs),
    /// Copy the database to a file, safely while the dashboard runs (a PostgreSQL database:
    /// says how to use pg_dump).
    Backup(BackupArgs),
    /// Write everything you own to a folder in open formats (FIT, CSV, JSON) with a manifest;
    /// `fettle import DIR` of that folder into an empty database restores it.
    Export(ExportArgs),
}

/// `fettle backup FILE`
#[derive(Debug, Args)]
pub(crate) struct BackupArgs {
    /// The backup file to write (a SQLite database; open it with --db FILE).
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub(crate) force: bool,
}

/// `fettle export DIR`
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The folder to write (created if missing; it must be empty).
    #[arg(value_name = "DIR")]
    pub(crate) folder: PathBuf,
}

/// Whether `--db` and `--database` were given on the command line or came from the environment
/// (`FETTLE_DB`, `FETTLE_DATABASE`): the command line wins over the environment.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DatabaseSources {
    /// `--db` was typed on the command line.
    pub(crate) db_on_command_line: bool,
    /// `--database` was typed on the command line.
    pub(crate) database_on_command_line: bool,
}

/// `fettle user`
#[derive(Debug, Args)]
pub(crate) struct UserArgs {
    /// What to do.
    #[command(subcommand)]
    pub(crate) action: UserAction,
}

/// `fettle user add|list|passwd`
#[derive(Debug, Subcommand)]
pub(crate) enum UserAction {
    /// Create an account (asks for the password twice, or reads it from --password-stdin).
    Add(UserAddArgs),
    /// List the accounts: e-mail address, role, creation time.
    List,
    /// Set an account's password (a forgotten one); ends all of the account's logins.
    Passwd(UserPasswdArgs),
}

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum RoleArg {
    /// Their own data only.
    Athlete,
    /// Also invites athletes and reads the data of those who accept.
    Coach,
}

/// `fettle user add EMAIL`
#[derive(Debug, Args)]
pub(crate) struct UserAddArgs {
    /// The login: an e-mail address (stored lower-case).
    #[arg(value_name = "EMAIL")]
    pub(crate) email: String,
    /// athlete or coach.
    #[arg(long, value_enum)]
    pub(crate) role: RoleArg,
    /// Read the password from standard input (one line; the trailing newline is dropped)
    /// instead of asking for it on the terminal.
    #[arg(long)]
    pub(crate) password_stdin: bool,
    /// Give the account the existing athlete of this name instead of a new, empty one: `default`
    /// is the data of single-user mode (what `fettle import` stored before accounts existed).
    #[arg(long, value_name = "NAME")]
    pub(crate) athlete: Option<String>,
}

/// `fettle user passwd EMAIL`
#[derive(Debug, Args)]
pub(crate) struct UserPasswdArgs {
    /// The account's e-mail address.
    #[arg(value_name = "EMAIL")]
    pub(crate) email: String,
    /// Read the new password from standard input (one line; the trailing newline is dropped)
    /// instead of asking for it on the terminal.
    #[arg(long)]
    pub(crate) password_stdin: bool,
}

/// `fettle token`
#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    /// What to do.
    #[command(subcommand)]
    pub(crate) action: TokenAction,
}

/// `fettle token create|list|revoke`
#[derive(Debug, Subcommand)]
pub(crate) enum TokenAction {
    /// Create an API token for an account and print it (only it, on standard output). It is
    /// shown this once: the database keeps only its hash.
    Create(TokenCreateArgs),
    /// List an account's tokens (never their secrets): id, name, created, last used.
    List(TokenListArgs),
    /// Revoke one of an account's tokens by id: it stops working at once.
    Revoke(TokenRevokeArgs),
}

/// `fettle token create EMAIL`
#[derive(Debug, Args)]
pub(crate) struct TokenCreateArgs {
    /// The account's e-mail address.
    #[arg(value_name = "EMAIL")]
    pub(crate) email: String,
    /// What the token is for, to recognise it in the list (e.g. "laptop sync").
    #[arg(long, default_value = "command line")]
    pub(crate) name: String,
}

/// `fettle token list EMAIL`
#[derive(Debug, Args)]
pub(crate) struct TokenListArgs {
    /// The account's e-mail address.
    #[arg(value_name = "EMAIL")]
    pub(crate) email: String,
}

/// `fettle token revoke EMAIL ID`
#[derive(Debug, Args)]
pub(crate) struct TokenRevokeArgs {
    /// The account's e-mail address.
    #[arg(value_name = "EMAIL")]
    pub(crate) email: String,
    /// The token's id, as listed by `fettle token list`.
    #[arg(value_name = "ID")]
    pub(crate) id: i64,
}

/// `fettle wellness`
#[derive(Debug, Args)]
pub(crate) struct WellnessArgs {
    /// What to do.
    #[command(subcommand)]
    pub(crate) action: WellnessAction,
}

/// `fettle wellness add|import|list|delete`
#[derive(Debug, Subcommand)]
pub(crate) enum WellnessAction {
    /// Log this morning's wellness (merged into the day's entry).
    Add(WellnessAddArgs),
    /// Import wellness exports: HRV4Training or Oura CSV, an Elite HRV R-R text file, Fettle's
    /// CSV, or a Garmin Connect export (zip or folder: sleep, resting HR, HRV).
    Import(WellnessImportArgs),
    /// List stored wellness entries (default: the last 30 days).
    List(DateRangeArgs),
    /// Delete a day's entry (e.g. to clear --sick).
    Delete(WellnessDeleteArgs),
}

/// `fettle wellness add`
#[derive(Debug, Args)]
// Negative numbers reach the science's range checks, which say what the scale is.
#[command(allow_negative_numbers = true)]
pub(crate) struct WellnessAddArgs {
    /// The morning described, YYYY-MM-DD (default today).
    #[arg(long, value_name = "DATE")]
    pub(crate) date: Option<String>,
    /// Hours slept last night.
    #[arg(long, value_name = "HOURS")]
    pub(crate) sleep: Option<f64>,
    /// Sleep quality, 1 very poor … 5 very good.
    #[arg(long, value_name = "1-5")]
    pub(crate) sleep_quality: Option<f64>,
    /// Muscle soreness, 1 none … 5 very sore.
    #[arg(long, value_name = "1-5")]
    pub(crate) soreness: Option<f64>,
    /// Fatigue, 1 none … 5 very tired.
    #[arg(long, value_name = "1-5")]
    pub(crate) fatigue: Option<f64>,
    /// Stress, 1 none … 5 very stressed.
    #[arg(long, value_name = "1-5")]
    pub(crate) stress: Option<f64>,
    /// Mood, 1 very low … 5 very good.
    #[arg(long, value_name = "1-5")]
    pub(crate) mood: Option<f64>,
    /// Morning rMSSD, ms.
    #[arg(long, value_name = "MS")]
    pub(crate) rmssd: Option<f64>,
    /// Morning resting heart rate, bpm.
    #[arg(long, value_name = "BPM")]
    pub(crate) rest_hr: Option<f64>,
    /// Body mass, kg.
    #[arg(long, value_name = "KG")]
    pub(crate) mass: Option<f64>,
    /// Ill today (readiness says rest).
    #[arg(long)]
    pub(crate) sick: bool,
    /// Injured today (readiness says rest).
    #[arg(long)]
    pub(crate) injured: bool,
}

/// `fettle wellness import`
#[derive(Debug, Args)]
pub(crate) struct WellnessImportArgs {
    /// The exported file (HRV4Training or Oura CSV, Elite HRV R-R text, Fettle CSV), or a
    /// Garmin Connect export's zip or folder.
    #[arg(value_name = "PATH")]
    pub(crate) path: PathBuf,
}

/// `fettle wellness delete`
#[derive(Debug, Args)]
pub(crate) struct WellnessDeleteArgs {
    /// The day, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub(crate) date: String,
}

/// A range of local days.
#[derive(Debug, Args)]
pub(crate) struct DateRangeArgs {
    /// First local date (default: 30 days before --to).
    #[arg(long, value_name = "DATE")]
    pub(crate) from: Option<String>,
    /// Last local date (default today).
    #[arg(long, value_name = "DATE")]
    pub(crate) to: Option<String>,
}

/// `fettle today`
#[derive(Debug, Args)]
pub(crate) struct TodayArgs {
    /// The local date (default today; a past day is decided as of its end).
    #[arg(long, value_name = "DATE")]
    pub(crate) date: Option<String>,
}

/// `fettle readiness`
#[derive(Debug, Args)]
pub(crate) struct ReadinessArgs {
    /// The local date (default today).
    #[arg(long, value_name = "DATE")]
    pub(crate) date: Option<String>,
}

/// `fettle recover`
#[derive(Debug, Args)]
pub(crate) struct RecoverArgs {
    /// The activity's id (default: the latest that has ended).
    #[arg(long, value_name = "ID")]
    pub(crate) activity: Option<i64>,
}

/// `fettle recovery`
#[derive(Debug, Args)]
pub(crate) struct RecoveryArgs {
    /// What to do.
    #[command(subcommand)]
    pub(crate) action: RecoveryAction,
}

/// `fettle recovery log|list|delete`
#[derive(Debug, Subcommand)]
pub(crate) enum RecoveryAction {
    /// Log a session or meal (a method of the recovery catalogue: see `recovery log --help`).
    Log(RecoveryLogArgs),
    /// List what was logged, with compliance against each activity's prescription.
    List(DateRangeArgs),
    /// Delete a logged entry by id.
    Delete(RecoveryDeleteArgs),
}

/// `fettle recovery log METHOD`
#[derive(Debug, Args)]
pub(crate) struct RecoveryLogArgs {
    /// The method: one of the recovery catalogue's words (boots, garments, ice-bath, cryo,
    /// massage, foam-roll, meal, sleep or rest; their aliases work too).
    #[arg(value_name = "METHOD", value_parser = MethodParser)]
    pub(crate) method: RecoveryMethod,
    /// Duration, minutes (not for meals).
    #[arg(long, value_name = "MIN", conflicts_with = "hours")]
    pub(crate) minutes: Option<f64>,
    /// Duration in hours (e.g. compression garments: the time worn, --hours 3).
    #[arg(long, value_name = "H")]
    pub(crate) hours: Option<f64>,
    /// Temperature, °C (ice-bath water, cryotherapy chamber, e.g. -110).
    #[arg(long, value_name = "CELSIUS", allow_negative_numbers = true)]
    pub(crate) temp: Option<f64>,
    /// Zones treated, comma-separated (boots: feet, calves, quads, hips).
    #[arg(long, value_delimiter = ',', value_name = "ZONES")]
    pub(crate) zones: Vec<String>,
    /// Carbohydrate eaten, g (meals).
    #[arg(long, value_name = "G", allow_negative_numbers = true)]
    pub(crate) carbs: Option<f64>,
    /// Protein eaten, g (meals).
    #[arg(long, value_name = "G", allow_negative_numbers = true)]
    pub(crate) protein: Option<f64>,
    /// When it started, local time: "YYYY-MM-DD HH:MM", or HH:MM for the latest such time
    /// (today, or last night when it is not yet that time today). Default: now.
    #[arg(long, value_name = "TIME")]
    pub(crate) at: Option<String>,
    /// A free-text note.
    #[arg(long)]
    pub(crate) note: Option<String>,
}

/// `fettle recovery delete ID`
#[derive(Debug, Args)]
pub(crate) struct RecoveryDeleteArgs {
    /// The entry's id, as listed by `fettle recovery list`.
    pub(crate) id: i64,
}

/// `fettle profile access|health add|remove|list`
#[derive(Debug, Subcommand)]
pub(crate) enum ListAction {
    /// Add items.
    Add {
        /// The items.
        #[arg(required = true, value_name = "ITEM")]
        items: Vec<String>,
    },
    /// Remove items.
    Remove {
        /// The items.
        #[arg(required = true, value_name = "ITEM")]
        items: Vec<String>,
    },
    /// List the items.
    List,
}

/// `fettle plan`
#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    /// Act as if today were this local date, YYYY-MM-DD (default: today in your time zone).
    #[arg(long, global = true, value_name = "DATE")]
    pub(crate) today: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub(crate) action: PlanAction,
}

/// `fettle plan create|show|forecast|adherence|replan|pause|accept-swap|export|export-workouts`
#[derive(Debug, Subcommand)]
pub(crate) enum PlanAction {
    /// Build a plan to a race from your history and save it (replacing the previous one).
    Create(PlanCreateArgs),
    /// Show the saved plan: the weeks, or one week's days with --week.
    Show(PlanShowArgs),
    /// Fitness, fatigue and form to race day, and the predicted race time.
    Forecast,
    /// Planned against done, week by week.
    Adherence,
    /// Rebuild the rest of the plan from what was actually done, keeping the race (its goal
    /// moves to a realistic time when the gap cannot be closed safely).
    Replan,
    /// Pause the plan (illness, injury, a trip): rest from --from to --to, then rebuild the
    /// weeks after it.
    Pause(PlanPauseArgs),
    /// Accept the move `fettle today` proposes: the session it displaced and the easy day it
    /// offered trade places in the plan.
    AcceptSwap,
    /// Write the plan's sessions (and with --with-recovery the recovery items) as an iCalendar
    /// (.ics) file.
    Export(PlanExportArgs),
    /// Write each planned session from today on as a FIT workout file for a watch (copy them to
    /// its NewFiles folder).
    ExportWorkouts(PlanExportWorkoutsArgs),
}

/// `fettle plan pause`
#[derive(Debug, Args)]
pub(crate) struct PlanPauseArgs {
    /// First day of the pause, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub(crate) from: String,
    /// Last day of the pause, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub(crate) to: String,
}

/// `fettle plan export-workouts`
#[derive(Debug, Args)]
pub(crate) struct PlanExportWorkoutsArgs {
    /// The folder to write the .fit files into (created when missing).
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,
}

/// `fettle plan create`
#[derive(Debug, Args)]
pub(crate) struct PlanCreateArgs {
    /// Race day, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub(crate) race: String,
    /// Race distance: marathon, half, 10k, 5km or metres.
    #[arg(long)]
    pub(crate) distance: String,
    /// Goal time, h:mm:ss or mm:ss.
    #[arg(long, value_name = "TIME")]
    pub(crate) goal_time: Option<String>,
    /// Training days (default mon,tue,thu,sat,sun).
    #[arg(long, value_name = "DAYS")]
    pub(crate) days: Option<String>,
    /// Long-run day (default: the last training day of the week).
    #[arg(long, value_name = "DAY")]
    pub(crate) long_run_day: Option<String>,
    /// Rest days, e.g. wed,fri: every other day is a training day (instead of --days).
    #[arg(long, value_name = "DAYS", conflicts_with = "days")]
    pub(crate) rest_days: Option<String>,
    /// First day of the plan's weeks (default mon).
    #[arg(long, value_name = "DAY")]
    pub(crate) week_start: Option<String>,
    /// Loading:recovery cycle, 3:1 (default) or 2:1.
    #[arg(long)]
    pub(crate) cycle: Option<String>,
    /// Largest fitness (CTL) rise per week, points (default 6).
    #[arg(long, value_name = "POINTS")]
    pub(crate) max_ramp: Option<f64>,
}

/// `fettle plan show`
#[derive(Debug, Args)]
pub(crate) struct PlanShowArgs {
    /// Show this week's days (1 = the first week of the plan).
    #[arg(long, value_name = "N")]
    pub(crate) week: Option<usize>,
}

/// `fettle plan export`
#[derive(Debug, Args)]
pub(crate) struct PlanExportArgs {
    /// The .ics file to write.
    #[arg(value_name = "FILE")]
    pub(crate) path: PathBuf,
    /// Local start time of the sessions, HH:MM (default 07:00).
    #[arg(long, value_name = "TIME")]
    pub(crate) start: Option<String>,
    /// Also add the recovery items (sleep, refuelling, foam rolling …) as events.
    #[arg(long)]
    pub(crate) with_recovery: bool,
}

/// `fettle serve`
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Where to listen: an address and port (port 0 picks a free one). Without --multi-user
    /// only loopback (127.0.0.1 or [::1]) is allowed: the dashboard shows health data and has
    /// no login.
    #[arg(long, value_name = "ADDR", default_value = fettle_web::DEFAULT_ADDR)]
    pub(crate) addr: String,
    /// Open the dashboard in the default browser once listening.
    #[arg(long)]
    pub(crate) open: bool,
    /// Serve several people, each logging in to their own data (accounts made with
    /// `fettle user add`); coaches see their squad. Allows a non-loopback --addr.
    #[arg(long)]
    pub(crate) multi_user: bool,
    /// Mark the login cookie Secure (sent over HTTPS only): use it behind a TLS-terminating
    /// proxy. Only with --multi-user.
    #[arg(long, requires = "multi_user")]
    pub(crate) secure_cookies: bool,
    /// A reverse proxy in front of the server (an IP address, repeatable): requests from it are
    /// counted, for the login limit, against the client address it appends to
    /// X-Forwarded-For. Nobody is trusted by default, since any client can write that header.
    #[arg(long, value_name = "ADDR")]
    pub(crate) trusted_proxy: Vec<std::net::IpAddr>,
    /// Connections served at once; more wait in the system's queue until one closes. Lowered
    /// (with a note) to leave 64 open files under the open-file limit (`ulimit -n`) for the
    /// database and the uploads.
    #[arg(long, value_name = "N", default_value_t = fettle_web::DEFAULT_MAX_CONNECTIONS)]
    pub(crate) max_connections: usize,
    /// Seconds a client has to send a request's headers (and the longest a kept-alive
    /// connection stays idle) before it is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = fettle_web::DEFAULT_HEADER_READ_TIMEOUT.as_secs())]
    pub(crate) header_timeout: u64,
    /// Seconds an upload may send nothing before it is refused (408); also the most a JSON
    /// or form body may take to arrive whole.
    #[arg(long, value_name = "SECONDS", default_value_t = fettle_web::DEFAULT_BODY_READ_TIMEOUT.as_secs())]
    pub(crate) body_timeout: u64,
    /// Largest upload, MiB (default 2048; 512 with --multi-user).
    #[arg(long, value_name = "MIB")]
    pub(crate) upload_limit_mib: Option<u64>,
    /// Temporary disk one athlete's uploads may hold at once, MiB (default 4096; 1024 with
    /// --multi-user). Past it, uploads get 429 until the earlier ones are imported.
    #[arg(long, value_name = "MIB")]
    pub(crate) upload_temp_per_athlete_mib: Option<u64>,
    /// Temporary disk all uploads together may hold at once, MiB (default 4096).
    #[arg(long, value_name = "MIB")]
    pub(crate) upload_temp_total_mib: Option<u64>,
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
    /// Recovery equipment and services you can use: compression-boots, compression-garments,
    /// ice-bath, cryo-centre, massage, foam-roller (food, foam rolling, sleep and rest are
    /// always prescribed).
    Access {
        /// add, remove or list.
        #[command(subcommand)]
        action: ListAction,
    },
    /// Health conditions that exclude methods: raynauds, cold-urticaria, heart-disease,
    /// uncontrolled-hypertension, cryoglobulinaemia, pregnancy, open-wounds, dvt-risk,
    /// acute-injury, inflammation, peripheral-arterial-disease, skin-lesions.
    Health {
        /// add, remove or list.
        #[command(subcommand)]
        action: ListAction,
    },
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
    /// Your usual weekly running distance, e.g. 50km or 30mi: until your history is six weeks
    /// long, fitness and fatigue start from it instead of from zero.
    #[arg(long, value_name = "DISTANCE")]
    pub(crate) usual_week: Option<String>,
    /// A strength-focused block starts (on) or ends (off) from --from: no ice bath or
    /// cryotherapy is suggested while it lasts (cold blunts strength gains).
    #[arg(long, value_name = "on|off")]
    pub(crate) strength_block: Option<OnOff>,
    /// The first local day the values apply to (default today).
    #[arg(long, value_name = "DATE")]
    pub(crate) from: Option<String>,
}

/// `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum OnOff {
    /// On.
    On,
    /// Off.
    Off,
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
    /// Delete a race result.
    Delete(RaceDeleteArgs),
}

/// `fettle race delete ID`
#[derive(Debug, Args)]
pub(crate) struct RaceDeleteArgs {
    /// The race's id, as `fettle race list` shows it.
    pub(crate) id: i64,
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
    /// Files, folders (searched recursively), .gz files or export zips. A folder written by
    /// `fettle export` (it has a manifest.json) is restored whole into an empty database.
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    /// Number of decoding threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,
    /// Also bring back activities you deleted from these files (a plain import skips them).
    #[arg(long)]
    pub(crate) include_deleted: bool,
}

/// `fettle watch`
#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    /// Folders to watch (recursively). A Garmin device's folder is read in GARMIN/Activity.
    #[arg(value_name = "DIR")]
    pub(crate) folders: Vec<PathBuf>,
    /// Do not look for mounted Garmin devices.
    #[arg(long)]
    pub(crate) no_devices: bool,
    /// Where devices are mounted (repeatable; default: /media/$USER, /run/media/$USER and
    /// /media on Linux, /Volumes on macOS).
    #[arg(long, value_name = "DIR", conflicts_with = "no_devices")]
    pub(crate) mount_root: Vec<PathBuf>,
    /// Number of decoding threads for a folder or device read whole (default: all cores).
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
    /// At most this many activities (default: all). With `--limit` or `--before`, `--json`
    /// answers `{"activities": […], "next": CURSOR|null}`; without them, the plain list.
    #[arg(long, short = 'n', value_name = "N")]
    pub(crate) limit: Option<u32>,
    /// The page after this cursor (the `next` of the previous page).
    #[arg(long, value_name = "CURSOR")]
    pub(crate) before: Option<String>,
}

/// `fettle activity ID`, `fettle activity edit|delete`
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct ActivityArgs {
    /// The activity's id, as listed by `fettle activities`.
    #[arg(required = true)]
    pub(crate) id: Option<i64>,
    /// Correct or delete an activity.
    #[command(subcommand)]
    pub(crate) action: Option<ActivityAction>,
}

/// `fettle activity edit|delete`
#[derive(Debug, Subcommand)]
pub(crate) enum ActivityAction {
    /// Correct an activity: name, sport, RPE, notes, whether it counts in the training load.
    /// Loads, the daily series and status update at once.
    Edit(ActivityEditArgs),
    /// Delete activities (all of them, or none when an id does not exist). Importing their
    /// files again does not bring them back; `fettle import --include-deleted` does.
    Delete(ActivityDeleteArgs),
}

/// `fettle activity edit ID`
#[derive(Debug, Args)]
pub(crate) struct ActivityEditArgs {
    /// The activity's id, as listed by `fettle activities`.
    pub(crate) id: i64,
    /// A new name (an empty one clears it).
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// The right sport: running, cycling, swimming, walking, hiking, training …
    #[arg(long)]
    pub(crate) sport: Option<String>,
    /// Perceived exertion, CR-10 (0 rest … 10 maximal).
    #[arg(long)]
    pub(crate) rpe: Option<f64>,
    /// Leave it out of the training load (a stray recording, someone else's session): it stays
    /// listed, but fitness, fatigue, form and the estimates ignore it.
    #[arg(long, conflicts_with = "include_in_load")]
    pub(crate) exclude_from_load: bool,
    /// Count it in the training load again.
    #[arg(long)]
    pub(crate) include_in_load: bool,
    /// Your notes about the session (an empty value clears them).
    #[arg(long)]
    pub(crate) notes: Option<String>,
}

/// `fettle activity delete ID…`
#[derive(Debug, Args)]
pub(crate) struct ActivityDeleteArgs {
    /// The ids of the activities to delete.
    #[arg(required = true, value_name = "ID")]
    pub(crate) ids: Vec<i64>,
}

/// Reads a recovery method through the catalogue (`RecoveryMethod::parse`: its CLI word, its
/// stable name or any alias) and offers the catalogue's CLI words as clap's possible values, so
/// help and completions list exactly what the catalogue holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MethodParser;

impl TypedValueParser for MethodParser {
    type Value = RecoveryMethod;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<RecoveryMethod, clap::Error> {
        let text = value.to_string_lossy();
        RecoveryMethod::parse(&text).ok_or_else(|| {
            clap::Error::raw(
                ErrorKind::InvalidValue,
                format!(
                    "unknown recovery method {text:?}: use {}\n",
                    RecoveryMethod::cli_words()
                ),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(RecoveryMethod::ALL.into_iter().map(|method| {
            let spec = method.spec();
            PossibleValue::new(spec.cli_word)
                .help(spec.title)
                .aliases(method.words().filter(|w| *w != spec.cli_word))
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn logged_method(word: &str) -> Result<RecoveryMethod, clap::Error> {
        let cli = Cli::try_parse_from(["fettle", "recovery", "log", word])?;
        match cli.command {
            Command::Recovery(RecoveryArgs {
                action: RecoveryAction::Log(args),
            }) => Ok(args.method),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn recovery_log_offers_and_accepts_exactly_the_catalogues_words() {
        let cli = Cli::command();
        let log = cli
            .find_subcommand("recovery")
            .and_then(|c| c.find_subcommand("log"))
            .expect("recovery log");
        let method = log
            .get_arguments()
            .find(|a| a.get_id() == "method")
            .expect("the METHOD argument");
        let offered: Vec<String> = method
            .get_possible_values()
            .iter()
            .map(|v| v.get_name().to_owned())
            .collect();
        // The words the CLI has always shown, in the catalogue's order.
        assert_eq!(
            offered,
            [
                "meal",
                "boots",
                "garments",
                "ice-bath",
                "cryo",
                "massage",
                "foam-roll",
                "sleep",
                "rest"
            ]
        );
        let from_catalogue: Vec<&str> = RecoveryMethod::ALL
            .iter()
            .map(|m| m.spec().cli_word)
            .collect();
        assert_eq!(offered, from_catalogue);
        // Every word of every method (stable name, CLI word, aliases, access word) is taken.
        for m in RecoveryMethod::ALL {
            for word in m.words() {
                assert_eq!(logged_method(word).ok(), Some(m), "{word}");
            }
        }
        let refused = logged_method("sauna")
            .expect_err("not a method")
            .to_string();
        assert!(
            refused.contains("unknown recovery method \"sauna\": use meal, boots"),
            "{refused}"
        );
    }
}
