//! Scale benchmark for the coach's server (issue 7, requirement 7): many athletes with years of
//! simulated history in PostgreSQL, then the latency of the status use case per athlete and of
//! the squad overview per coach, from several client threads at once.
//!
//! ```text
//! cargo run --release -p fettle-app --example squad_bench -- \
//!     --postgres postgres://postgres@127.0.0.1:5432/test --schema fettle_bench \
//!     --athletes 1000 --days 730 --squad-size 50 [--load-only] [--threads 1,8,32] \
//!     [--accounts FOLDER]
//! ```
//!
//! **Loading** (skipped for athletes already loaded, so the command is re-runnable and
//! resumable): each athlete `bench-NNNN` gets `--days` days simulated by `fettle-sim` (seed
//! 1000 + N, a base volume and time zone that vary with N), stored summary-only — no sample
//! streams, laps or R-R intervals, but each activity's metrics computed from its streams as the
//! importer does — through `Store::import_file`, one file and one transaction per athlete. Then
//! its profile (sex, mass, heart rates, threshold speed, time zone), races, every wellness
//! entry, the recovery log of the last [`RECOVERY_LOG_DAYS`] days, and `recompute_loads`. A
//! setting `bench_loaded` marks a finished athlete.
//!
//! **Timing** at a fixed instant (the simulated history's last day, 20:00 UTC, kept in the
//! setting `bench_end`), so the figures do not drift with the calendar:
//! - `status`: `training::status` of every athlete, spread over T client threads;
//! - `squad`: `squad::squad` over disjoint squads of `--squad-size` athletes (cycled so that
//!   every thread has work), spread over T client threads;
//! - `squad (all)`: one squad of every athlete.
//!
//! Each line gives the median and 99th percentile latency and the throughput. Client threads
//! share one `PgStore` (its pool of `fettle_store::postgres::POOL_SIZE` connections), as the web
//! server's blocking workers do.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use fettle_app::recovery::{readiness, recovery_compliance};
use fettle_app::squad::{SquadMember, squad};
use fettle_app::training::{activity_metrics, local_date, recompute_loads, status};
use fettle_formats::Streams;
use fettle_sim::{SimConfig, simulate_each};
use fettle_store::{
    ActivityOutcome, AthleteId, ContentHash, FileOutcome, NewActivity, NewFile, PgStore, Store,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// Days of recovery log kept per athlete (the simulator logs one to three entries a day): the
/// squad's compliance window is 14 days, the insights want more; 60 days keep the load short.
const RECOVERY_LOG_DAYS: i64 = 60;
/// Setting that marks a loaded athlete (its value: the days loaded).
const LOADED_KEY: &str = "bench_loaded";
/// Setting (on the first athlete) holding the last simulated day, `YYYY-MM-DD`.
const END_KEY: &str = "bench_end";
/// Time zones given to the athletes in turn (days are bucketed in each one's own zone).
const ZONES: [&str; 4] = [
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "Australia/Sydney",
];

struct Args {
    postgres: String,
    schema: String,
    athletes: usize,
    days: u32,
    squad_size: usize,
    load_only: bool,
    accounts: Option<std::path::PathBuf>,
    threads: Vec<usize>,
    load_threads: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        postgres: "postgres://postgres@127.0.0.1:5432/test".to_string(),
        schema: "fettle_bench".to_string(),
        athletes: 1000,
        days: 730,
        squad_size: 50,
        load_only: false,
        accounts: None,
        threads: vec![1, 8, 32],
        load_threads: 4,
    };
    let mut it = std::env::args().skip(1);
    let number = |flag: &str, v: Option<String>| -> Result<usize, String> {
        v.as_deref()
            .and_then(|s| s.parse().ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{flag} needs a positive whole number"))
    };
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--postgres" => args.postgres = it.next().ok_or("--postgres needs a URL")?,
            "--schema" => args.schema = it.next().ok_or("--schema needs a name")?,
            "--athletes" => args.athletes = number(&flag, it.next())?,
            "--days" => {
                args.days = u32::try_from(number(&flag, it.next())?)
                    .map_err(|_| "--days is too large".to_string())?;
            }
            "--squad-size" => args.squad_size = number(&flag, it.next())?,
            "--load-threads" => args.load_threads = number(&flag, it.next())?,
            "--threads" => {
                let list = it.next().ok_or("--threads needs a list such as 1,8,32")?;
                args.threads = list
                    .split(',')
                    .map(|t| number("--threads", Some(t.trim().to_string())))
                    .collect::<Result<_, _>>()?;
            }
            "--load-only" => args.load_only = true,
            "--accounts" => {
                args.accounts = Some(it.next().ok_or("--accounts needs a folder")?.into());
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if !args
        .schema
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err("--schema takes lower-case letters, digits and _ only".to_string());
    }
    Ok(args)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("squad_bench: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let mut admin = postgres::Client::connect(&args.postgres, postgres::NoTls)
        .map_err(|e| format!("cannot connect to {}: {e}", args.postgres))?;
    admin
        .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", args.schema))
        .map_err(|e| format!("cannot create schema {}: {e}", args.schema))?;
    let separator = if args.postgres.contains('?') {
        '&'
    } else {
        '?'
    };
    let url = format!(
        "{}{separator}options=-csearch_path%3D{}",
        args.postgres, args.schema
    );
    let store = PgStore::connect(&url).map_err(|e| e.to_string())?;
    println!("database: {url}");
    // The loader commits thousands of small transactions per athlete (one per wellness day);
    // without waiting for each commit's flush to disk it is several times faster. A crash
    // could lose the last commits of the load, never the timing runs: they only read, and an
    // athlete is marked loaded only after its data.
    let loader = PgStore::connect(&format!("{url}%20-csynchronous_commit%3Doff"))
        .map_err(|e| e.to_string())?;

    let ids: Vec<AthleteId> = (0..args.athletes)
        .map(|i| store.create_athlete(&format!("bench-{i:04}")))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let end = match store.setting(ids[0], END_KEY).map_err(|e| e.to_string())? {
        Some(text) => text
            .parse::<Date>()
            .map_err(|e| format!("setting {END_KEY} = {text:?}: {e}"))?,
        None => {
            let today = Timestamp::now().to_zoned_datetime(TimeZone::UTC).date();
            store
                .set_setting(ids[0], END_KEY, Some(&today.to_string()))
                .map_err(|e| e.to_string())?;
            today
        }
    };
    load(&loader, &ids, end, &args)?;
    drop(loader);
    if let Some(folder) = &args.accounts {
        accounts(&store, &ids, &args, folder)?;
    }
    if args.load_only {
        return Ok(());
    }
    let now = end
        .at(20, 0, 0, 0)
        .to_zoned_datetime(TimeZone::UTC)
        .map_err(|e| e.to_string())?
        .timestamp();
    time(&store, &ids, now, &args);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Accounts for the HTTP benchmark (`scripts/bench-club.sh`)

/// Gives every athlete `bench-NNNN` an account `bench-NNNN@bench.example` owning that
/// partition, makes one coach `coach-NN@bench.example` per `--squad-size` athletes whose squad
/// they are (invited and accepted), and writes one fresh API token per line to
/// `FOLDER/athletes.txt` and `FOLDER/coaches.txt`. Existing accounts are kept (re-runnable).
/// Every account gets the same password hash, computed once: the benchmark measures serving,
/// not argon2.
fn accounts(
    store: &PgStore,
    ids: &[AthleteId],
    args: &Args,
    folder: &std::path::Path,
) -> Result<(), String> {
    use fettle_app::accounts::{create_token, hash_password};
    use fettle_store::{Accounts, NewUser, Role};

    let started = Instant::now();
    let now = Timestamp::now();
    let hash = hash_password("bench password, not secret").map_err(|e| e.to_string())?;
    let user = |email: &str, role: Role, partition: Option<&str>| -> Result<_, String> {
        if let Some(existing) = store.user_by_email(email).map_err(|e| e.to_string())? {
            return Ok(existing);
        }
        let new = NewUser {
            email,
            role,
            password_hash: &hash,
        };
        match partition {
            Some(name) => store.create_user_owning(&new, name, now),
            None => store.create_user(&new, now),
        }
        .map_err(|e| format!("creating {email}: {e}"))
    };
    let mut athlete_tokens = String::new();
    let mut coach_tokens = String::new();
    let mut athletes = Vec::with_capacity(ids.len());
    for i in 0..ids.len() {
        let athlete = user(
            &format!("bench-{i:04}@bench.example"),
            Role::Athlete,
            Some(&format!("bench-{i:04}")),
        )?;
        let (_, secret) =
            create_token(store, athlete.id, "bench", now).map_err(|e| e.to_string())?;
        athlete_tokens.push_str(secret.expose());
        athlete_tokens.push('\n');
        athletes.push(athlete);
    }
    for (n, squad) in athletes.chunks(args.squad_size).enumerate() {
        let coach = user(&format!("coach-{n:02}@bench.example"), Role::Coach, None)?;
        for athlete in squad {
            store
                .invite(coach.id, &athlete.email, now)
                .map_err(|e| e.to_string())?;
            store
                .accept_invitation(athlete.id, coach.id, now)
                .map_err(|e| e.to_string())?;
        }
        let (_, secret) = create_token(store, coach.id, "bench", now).map_err(|e| e.to_string())?;
        coach_tokens.push_str(secret.expose());
        coach_tokens.push('\n');
    }
    std::fs::create_dir_all(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    for (name, tokens) in [
        ("athletes.txt", &athlete_tokens),
        ("coaches.txt", &coach_tokens),
    ] {
        let path = folder.join(name);
        std::fs::write(&path, tokens).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    println!(
        "accounts: {} athletes, {} coaches, tokens in {} ({:.1} s)",
        athletes.len(),
        athletes.len().div_ceil(args.squad_size),
        folder.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Loading

fn load(store: &PgStore, ids: &[AthleteId], end: Date, args: &Args) -> Result<(), String> {
    let marker = args.days.to_string();
    let mut todo = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        match store.setting(*id, LOADED_KEY).map_err(|e| e.to_string())? {
            Some(days) if days == marker => {}
            Some(days) => {
                return Err(format!(
                    "athlete bench-{i:04} was loaded with {days} days, not {}: use another \
                     --schema or drop schema {}",
                    args.days, args.schema
                ));
            }
            None => todo.push(i),
        }
    }
    if todo.is_empty() {
        println!(
            "load: all {} athletes already loaded ({} days each, ending {end})",
            ids.len(),
            args.days
        );
        return Ok(());
    }
    println!(
        "load: {} of {} athletes to load ({} days each, ending {end}) on {} threads",
        todo.len(),
        ids.len(),
        args.days,
        args.load_threads
    );
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let totals = Mutex::new((0usize, 0usize, Ok::<(), String>(())));
    std::thread::scope(|scope| {
        for _ in 0..args.load_threads {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&i) = todo.get(k) else { break };
                    let result = load_athlete(store, ids[i], i, end, args.days);
                    let mut t = totals.lock().unwrap_or_else(PoisonError::into_inner);
                    match result {
                        Ok(n) => {
                            t.0 += 1;
                            t.1 += n;
                            if t.0.is_multiple_of(50) || t.0 == todo.len() {
                                println!(
                                    "  {} athletes, {} activities, {:.0} s",
                                    t.0,
                                    t.1,
                                    started.elapsed().as_secs_f64()
                                );
                            }
                        }
                        Err(e) => {
                            t.2 = Err(format!("athlete bench-{i:04}: {e}"));
                            next.store(todo.len(), Ordering::Relaxed);
                        }
                    }
                }
            });
        }
    });
    let (athletes, activities, result) =
        totals.into_inner().unwrap_or_else(PoisonError::into_inner);
    result?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "load: {athletes} athletes, {activities} activities in {secs:.0} s ({:.1} s per athlete per thread)",
        secs * args.load_threads as f64 / athletes.max(1) as f64
    );
    Ok(())
}

/// Simulates and stores one athlete; returns the activities stored.
fn load_athlete(
    store: &PgStore,
    athlete: AthleteId,
    index: usize,
    end: Date,
    days: u32,
) -> Result<usize, String> {
    let mut config = SimConfig::season(1000 + index as u64, end);
    config.days = days;
    config.start = end
        .checked_sub(SignedDuration::from_hours(24 * i64::from(days - 1)))
        .map_err(|e| e.to_string())?;
    config.athlete.time_zone = ZONES[index % ZONES.len()].to_string();
    config.base_weekly_km = 30.0 + 5.0 * (index % 5) as f64;
    config.peak_weekly_km = config.base_weekly_km + 30.0;
    let tz = TimeZone::get(&config.athlete.time_zone).map_err(|e| e.to_string())?;

    let mut activities = Vec::new();
    let mut metrics = Vec::new();
    let history = simulate_each(&config, |mut a| {
        let day = local_date(a.start, a.utc_offset_s, &tz);
        metrics.push(serde_json::to_string(&activity_metrics(&a, day)).unwrap_or_default());
        // Summary only: the squad and status read summaries, loads and metrics, never samples.
        a.streams = Streams::default();
        a.laps.clear();
        a.rr_intervals_ms.clear();
        activities.push(a);
    })
    .map_err(|e| e.to_string())?;

    let e = |e: fettle_store::StoreError| e.to_string();
    let a = &history.athlete;
    let from = config.start;
    let sex = match a.sex {
        fettle_sim::Sex::Male => "male",
        fettle_sim::Sex::Female => "female",
    };
    store
        .set_profile_value(athlete, "tz", Date::constant(1970, 1, 1), &a.time_zone)
        .map_err(e)?;
    store
        .set_profile_value(athlete, "sex", from, sex)
        .map_err(e)?;
    for (key, value) in [
        ("mass_kg", a.mass_kg),
        ("hr_max", a.hr_max),
        ("hr_rest", a.hr_rest),
        ("lthr", a.lthr),
        ("threshold_speed_mps", a.threshold_speed_mps),
    ] {
        store
            .set_profile_value(athlete, key, from, &value.to_string())
            .map_err(e)?;
    }

    let source = format!("bench://bench-{index:04}/history");
    let new: Vec<NewActivity<'_>> = activities
        .iter()
        .map(|activity| NewActivity {
            activity,
            source: &source,
        })
        .collect();
    let file = NewFile {
        content_hash: ContentHash(xxhash_rust::xxh3::xxh3_128(source.as_bytes())),
        source: source.clone(),
        size_bytes: 0,
    };
    let outcomes = match store.import_file(athlete, &file, &new).map_err(e)? {
        FileOutcome::Imported { activities, .. } => activities,
        // A run killed after the import but before the marker: the activities are there.
        FileOutcome::AlreadyImported { .. } => Vec::new(),
    };
    let rows: Vec<_> = outcomes
        .iter()
        .zip(metrics)
        .filter_map(|(o, m)| match o {
            ActivityOutcome::Inserted(id) => Some((*id, Some(m))),
            ActivityOutcome::Duplicate { .. } => None,
        })
        .collect();
    store.set_activity_metrics(athlete, &rows).map_err(e)?;

    for race in &history.races {
        store.add_race(athlete, race).map_err(e)?;
    }
    for entry in &history.wellness {
        store.upsert_wellness(athlete, entry).map_err(e)?;
    }
    let recent = end
        .checked_sub(SignedDuration::from_hours(24 * RECOVERY_LOG_DAYS))
        .map_err(|e| e.to_string())?
        .to_zoned_datetime(tz.clone())
        .map_err(|e| e.to_string())?
        .timestamp();
    for entry in history.recovery.iter().filter(|r| r.at >= recent) {
        store.add_recovery(athlete, entry).map_err(e)?;
    }
    recompute_loads(store, athlete).map_err(|e| e.to_string())?;
    store
        .set_setting(athlete, LOADED_KEY, Some(&days.to_string()))
        .map_err(e)?;
    Ok(rows.len())
}

// ---------------------------------------------------------------------------------------------
// Timing

struct Line {
    what: String,
    threads: usize,
    latencies: Vec<Duration>,
    wall: Duration,
}

impl Line {
    fn print(&mut self) {
        self.latencies.sort_unstable();
        let n = self.latencies.len();
        let at = |q: f64| {
            let i = ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
            self.latencies[i].as_secs_f64() * 1000.0
        };
        println!(
            "| {:<22} | {:>7} | {:>5} | {:>9.1} | {:>9.1} | {:>10.1} |",
            self.what,
            self.threads,
            n,
            at(0.5),
            at(0.99),
            n as f64 / self.wall.as_secs_f64()
        );
    }
}

/// Runs `jobs` calls of `call(job)` over `threads` threads; every call's latency.
fn measure(
    threads: usize,
    jobs: usize,
    call: &(dyn Fn(usize) + Sync),
) -> (Vec<Duration>, Duration) {
    let next = AtomicUsize::new(0);
    let latencies = Mutex::new(Vec::with_capacity(jobs));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut mine = Vec::new();
                loop {
                    let job = next.fetch_add(1, Ordering::Relaxed);
                    if job >= jobs {
                        break;
                    }
                    let t = Instant::now();
                    call(job);
                    mine.push(t.elapsed());
                }
                latencies
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend(mine);
            });
        }
    });
    let wall = started.elapsed();
    (
        latencies
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner),
        wall,
    )
}

fn time(store: &PgStore, ids: &[AthleteId], now: Timestamp, args: &Args) {
    let members: Vec<SquadMember> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| SquadMember {
            athlete: *id,
            name: format!("bench-{i:04}"),
        })
        .collect();
    let squads: Vec<&[SquadMember]> = members.chunks(args.squad_size).collect();
    println!(
        "timing at {now}: {} athletes, squads of {} ({} squads), rayon threads {}",
        ids.len(),
        args.squad_size,
        squads.len(),
        rayon::current_num_threads()
    );
    // Warm the pool's connections and prepared statements, and PostgreSQL's cache.
    let _ = measure(8, ids.len().min(64), &|i| {
        let _ = status(store, ids[i], None, now);
    });

    println!("| operation              | threads | calls | median ms |    p99 ms | calls/s    |");
    println!("|------------------------|---------|-------|-----------|-----------|------------|");
    for &threads in &args.threads {
        let (latencies, wall) = measure(threads, ids.len(), &|i| {
            status(store, ids[i], None, now).expect("status");
        });
        Line {
            what: "status".into(),
            threads,
            latencies,
            wall,
        }
        .print();
    }
    // What a squad row costs beyond the status: readiness and recovery compliance, one
    // client thread.
    let (latencies, wall) = measure(1, ids.len(), &|i| {
        readiness(store, ids[i], None, now).expect("readiness");
    });
    Line {
        what: "readiness".into(),
        threads: 1,
        latencies,
        wall,
    }
    .print();
    let (latencies, wall) = measure(1, ids.len(), &|i| {
        recovery_compliance(store, ids[i], now).expect("recovery compliance");
    });
    Line {
        what: "recovery compliance".into(),
        threads: 1,
        latencies,
        wall,
    }
    .print();
    for &threads in &args.threads {
        // Cycle the squads so that every thread has at least two calls.
        let jobs = squads.len().max(2 * threads);
        let (latencies, wall) = measure(threads, jobs, &|j| {
            let report = squad(store, squads[j % squads.len()], now).expect("squad");
            assert!(report.athletes.iter().all(|r| r.error.is_none()));
        });
        Line {
            what: format!("squad of {}", args.squad_size),
            threads,
            latencies,
            wall,
        }
        .print();
    }
    let (latencies, wall) = measure(1, 1, &|_| {
        squad(store, &members, now).expect("squad");
    });
    Line {
        what: format!("squad of all {}", members.len()),
        threads: 1,
        latencies,
        wall,
    }
    .print();
}
