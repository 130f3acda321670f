//! End-to-end tests of the recovery commands (issue #4): `wellness`, `readiness`, `recover`,
//! `recovery log|list`, `insights`, `profile access|health`, and morning HRV from FIT R-R files.
//!
//! Each test gets its own temporary database. The athlete lives in Asia/Tokyo (UTC+9 all year,
//! no daylight saving) so local times in the expected values are written by hand. Activity days
//! are a few days before the real "today", so every time given is in the past whenever the tests
//! run. Expected numbers come from hand calculation, written out beside each assertion.

use std::path::PathBuf;

use assert_cmd::Command;
use fettle_formats::{Activity, Sport};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde_json::Value;

const TZ: &str = "Asia/Tokyo";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    /// A fresh database with the athlete's zone set, valid from long before the test days.
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        let from = day(-60).to_string();
        env.ok(&["profile", "set", "--tz", TZ, "--from", &from]);
        env
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn fettle(&self) -> Command {
        let mut cmd = Command::cargo_bin("fettle").unwrap();
        cmd.arg("--db")
            .arg(self.path("test.sqlite"))
            .env("TZ", "UTC");
        cmd
    }

    /// Runs a command that must succeed; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.fettle().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "fettle {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command refused as a usage error (exit status 2); returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        self.fails_with(2, args)
    }

    /// Runs a command that must fail with exit status `code` (1: a runtime failure such as a
    /// missing activity); returns stderr.
    fn fails_with(&self, code: i32, args: &[&str]) -> String {
        let out = self.fettle().args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "fettle {args:?} should fail; stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    /// Adds a manual session; returns its id.
    fn add(&self, date: Date, start: &str, duration: &str, rpe: &str, name: &str) -> i64 {
        let v = self.json(&[
            "add",
            "--date",
            &date.to_string(),
            "--start",
            start,
            "--duration",
            duration,
            "--rpe",
            rpe,
            "--name",
            name,
        ]);
        v["id"].as_i64().unwrap()
    }
}

/// The athlete's local day `offset` days from today.
fn day(offset: i64) -> Date {
    let today = Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::get(TZ).unwrap())
        .date();
    today.checked_add(offset.days()).unwrap()
}

fn item<'a>(view: &'a Value, method: &str) -> Option<&'a Value> {
    view["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["method"] == method)
}

fn methods(view: &Value) -> Vec<String> {
    view["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["method"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn golden_70_kg_after_a_long_run_first_serving_and_deadline_in_local_time() {
    let env = Env::new();
    env.ok(&[
        "profile",
        "set",
        "--mass",
        "70",
        "--from",
        &day(-30).to_string(),
    ]);
    let d = day(-3);
    let id = env.add(d, "08:00", "2h", "5", "Sunday long run");
    let v = env.json(&["recover"]);
    assert_eq!(v["activity_id"], id);
    assert_eq!(v["activity"]["kind"], "long");
    // ISSN: 1.0–1.2 g/kg carbohydrate and 0.25–0.3 g/kg protein after a long run: for 70 kg,
    // 70–84 g and 17.5–21 g (4:1 at both ends); the single target is the middle, 77 and 19.25.
    let n = item(&v, "nutrition").expect("nutrition is always prescribed");
    let serving = &n["serving"];
    for (key, grams) in [
        ("carbs_g_low", 70.0),
        ("carbs_g_high", 84.0),
        ("protein_g_low", 17.5),
        ("protein_g_high", 21.0),
        ("ratio", 4.0),
    ] {
        assert!(
            (serving[key].as_f64().unwrap() - grams).abs() < 1e-9,
            "{key}: {n}"
        );
    }
    assert!((n["carbs_g"].as_f64().unwrap() - 77.0).abs() < 1e-9);
    assert!((n["protein_g"].as_f64().unwrap() - 19.25).abs() < 1e-9);
    // No plan, so no hard session known within 24 h: one serving, no hourly repeats.
    assert!(n.get("repeat_hourly_for_h").is_none(), "{n}");
    // Start 08:00 + 2 h = end 10:00 Tokyo time; deadline = end + 30 min = 10:30 (+09:00).
    assert_eq!(n["deadline"], format!("{d}T10:30:00+09:00"));
    assert_eq!(n["start"], format!("{d}T10:00:00+09:00"));
    // The contract: every item has these fields, method names from the fixed list.
    let allowed = [
        "nutrition",
        "compression_boots",
        "compression_garments",
        "cold_water_immersion",
        "cryotherapy",
        "massage",
        "foam_rolling",
        "sleep",
        "rest",
    ];
    for i in v["items"].as_array().unwrap() {
        for key in ["method", "dose", "start", "end", "reason", "evidence"] {
            assert!(i.get(key).is_some(), "item without {key}: {i}");
        }
        assert!(allowed.contains(&i["method"].as_str().unwrap()), "{i}");
    }
    // Recovery time with its definition and a local "next hard session from".
    let rt = &v["recovery_time"];
    assert!(rt["hours"].as_f64().unwrap() >= 0.0);
    assert!(rt["hours"].as_f64().unwrap() <= 96.0);
    assert!(
        rt["next_hard_session_from"]
            .as_str()
            .unwrap()
            .ends_with("+09:00")
    );
    assert!(rt["definition"].as_str().unwrap().contains("form"));
    // The table says the same in words.
    let text = env.ok(&["recover"]);
    assert!(
        text.contains("70–84 g carbohydrate + 17.5–21 g protein, 4:1"),
        "{text}"
    );
    assert!(text.contains("carbohydrate : protein = 4 : 1"), "{text}");
    assert!(
        text.contains(&format!("start refuelling by {d} 10:30")),
        "{text}"
    );
    assert!(text.contains("next hard session from"), "{text}");
}

#[test]
fn no_access_means_no_boots_or_cold_but_foam_rolling_always() {
    let env = Env::new();
    // RPE 8 ≥ 7 makes the session hard: cold water would fire with access.
    env.add(day(-2), "17:00", "50m", "8", "Intervals");
    let v = env.json(&["recover"]);
    assert_eq!(v["activity"]["kind"], "hard");
    let m = methods(&v);
    assert!(m.contains(&"foam_rolling".to_string()), "{m:?}");
    for absent in [
        "compression_boots",
        "cold_water_immersion",
        "cryotherapy",
        "massage",
    ] {
        assert!(
            !m.contains(&absent.to_string()),
            "{absent} without access: {m:?}"
        );
    }
    // Nothing hard is planned within 48 h: no cold is even considered, so no note about it.
    let notes = v["notes"].to_string();
    assert!(!notes.contains("ice bath"), "{notes}");
}

#[test]
fn a_20_minute_easy_jog_gets_a_normal_meal_and_no_window() {
    let env = Env::new();
    env.ok(&[
        "profile",
        "set",
        "--mass",
        "70",
        "--from",
        &day(-30).to_string(),
    ]);
    env.add(day(-2), "07:00", "20m", "2", "Jog");
    let v = env.json(&["recover"]);
    assert_eq!(v["activity"]["kind"], "easy");
    let n = item(&v, "nutrition").unwrap();
    for absent in ["deadline", "carbs_g", "protein_g", "serving"] {
        assert!(n.get(absent).is_none(), "{absent} in {n}");
    }
    assert!(n["dose"].as_str().unwrap().contains("normal meal"), "{n}");
    let text = env.ok(&["recover"]);
    assert!(!text.contains("start refuelling by"), "{text}");
}

#[test]
fn raynauds_removes_cold_methods_and_says_so() {
    let env = Env::new();
    env.ok(&[
        "profile",
        "access",
        "add",
        "compression-boots",
        "ice-bath",
        "cryo-centre",
        "massage",
        "foam-roller",
    ]);
    let list = env.json(&["profile", "access", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 5);
    // A race: cold is indicated.
    env.add(day(-2), "09:00", "50m", "9", "City race 10k");
    // With access and no condition: the ice bath is prescribed (cryo is its alternative).
    let before = env.json(&["recover"]);
    assert!(methods(&before).contains(&"cold_water_immersion".to_string()));

    env.ok(&["profile", "health", "add", "raynauds"]);
    assert_eq!(
        env.json(&["profile", "health", "list"]),
        serde_json::json!(["raynauds"])
    );
    let v = env.json(&["recover"]);
    let m = methods(&v);
    assert!(!m.contains(&"cryotherapy".to_string()), "{m:?}");
    assert!(!m.contains(&"cold_water_immersion".to_string()), "{m:?}");
    let excluded: Vec<(String, String)> = v["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["method"].as_str().unwrap().to_string(),
                e["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        excluded
            .iter()
            .any(|(m, r)| m == "cryotherapy" && r == "no cryotherapy: Raynaud's in your profile"),
        "{excluded:?}"
    );
    let text = env.ok(&["recover"]);
    assert!(
        text.contains("Not suggested: no ice bath: Raynaud's in your profile."),
        "{text}"
    );
    // Logging an ice bath anyway is stored, with a warning that says why.
    let logged = env.json(&[
        "recovery",
        "log",
        "ice-bath",
        "--minutes",
        "12",
        "--temp",
        "12",
        "--at",
        &format!("{} 11:00", day(-2)),
    ]);
    assert_eq!(
        logged["warnings"],
        serde_json::json!(["Raynaud's is in your profile: an ice bath is not advised with it"])
    );

    // Removing the condition brings the ice bath back.
    env.ok(&["profile", "health", "remove", "raynauds"]);
    assert!(methods(&env.json(&["recover"])).contains(&"cold_water_immersion".to_string()));
    // An unknown word is refused with the list of known ones.
    let err = env.fails(&["profile", "health", "add", "sniffles"]);
    assert!(
        err.contains("unknown health condition") && err.contains("raynauds"),
        "{err}"
    );
}

#[test]
fn boots_after_a_long_run_only_with_access() {
    let env = Env::new();
    env.add(day(-2), "08:00", "2h", "5", "Long run");
    assert!(!methods(&env.json(&["recover"])).contains(&"compression_boots".to_string()));
    env.ok(&["profile", "access", "add", "boots"]);
    let v = env.json(&["recover"]);
    assert!(methods(&v).contains(&"compression_boots".to_string()));
    env.ok(&["profile", "access", "remove", "compression-boots"]);
    assert!(!methods(&env.json(&["recover"])).contains(&"compression_boots".to_string()));
}

#[test]
fn invalid_recovery_logs_exit_non_zero_with_clear_messages_and_store_nothing() {
    let env = Env::new();
    let at = format!("{} 19:00", day(-1));
    let err = env.fails(&[
        "recovery",
        "log",
        "ice-bath",
        "--minutes",
        "10",
        "--temp",
        "30",
        "--at",
        &at,
    ]);
    assert!(err.contains("ice-bath water temperature 30"), "{err}");
    // A "cryotherapy" at −20 °C is a cold room, not the method.
    let err = env.fails(&[
        "recovery",
        "log",
        "cryo",
        "--minutes",
        "3",
        "--temp",
        "-20",
        "--at",
        &at,
    ]);
    assert!(
        err.contains("-20 °C") && err.contains("not cryotherapy"),
        "{err}"
    );
    let err = env.fails(&[
        "recovery",
        "log",
        "meal",
        "--carbs",
        "-5",
        "--protein",
        "15",
        "--at",
        &at,
    ]);
    assert!(
        err.contains("carbohydrate -5 g") && err.contains("negative"),
        "{err}"
    );
    let future = format!("{} 10:00", day(2));
    let err = env.fails(&[
        "recovery",
        "log",
        "foam-roll",
        "--minutes",
        "10",
        "--at",
        &future,
    ]);
    assert!(err.contains("is in the future"), "{err}");
    let err = env.fails(&["recovery", "log", "yoga", "--minutes", "10"]);
    assert!(err.contains("unknown recovery method"), "{err}");
    let err = env.fails(&[
        "recovery",
        "log",
        "boots",
        "--minutes",
        "30",
        "--zones",
        "ears",
    ]);
    assert!(err.contains("unknown boots zone"), "{err}");
    let list = env.json(&["recovery", "list", "--from", &day(-5).to_string()]);
    assert_eq!(list["entries"].as_array().unwrap().len(), 0);
    // The valid examples of the issue are accepted.
    for args in [
        vec!["boots", "--minutes", "30", "--zones", "feet,calves,quads"],
        vec!["ice-bath", "--minutes", "10", "--temp", "12"],
        vec!["cryo", "--minutes", "3", "--temp", "-110"],
        vec!["massage", "--minutes", "45"],
        vec!["foam-roll", "--minutes", "10"],
        vec!["meal", "--carbs", "60", "--protein", "15"],
        vec!["garments", "--hours", "3"],
    ] {
        let mut full = vec!["recovery", "log"];
        full.extend(args);
        full.extend(["--at", &at]);
        env.ok(&full);
    }
    let list = env.json(&["recovery", "list", "--from", &day(-5).to_string()]);
    let entries = list["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 7);
    // Hours worn are stored as minutes: 3 h = 180 min.
    let garments = entries
        .iter()
        .find(|e| e["method"] == "compression_garments")
        .unwrap();
    assert_eq!(garments["minutes"], 180.0);
}

#[test]
fn cryotherapy_as_runners_do_it_is_logged_with_a_warning() {
    let env = Env::new();
    // The −90 °C cabin for 5–6 minutes that runners read about: stored, and the answer says it
    // is outside the studied dose (−110 °C or colder, 2–3 min).
    let at = format!("{} 19:00", day(-1));
    let v = env.json(&[
        "recovery",
        "log",
        "cryo",
        "--minutes",
        "6",
        "--temp",
        "-90",
        "--at",
        &at,
    ]);
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "{v}");
    assert!(warnings[0].as_str().unwrap().contains("−110 °C"), "{v}");
    assert!(warnings[1].as_str().unwrap().contains("2–3 min"), "{v}");
    let text = env.ok(&[
        "recovery",
        "log",
        "cryo",
        "--minutes",
        "5",
        "--temp",
        "-90",
        "--at",
        &at,
    ]);
    assert!(
        text.contains("Logged cryotherapy") && text.contains("Note: "),
        "{text}"
    );
    let list = env.json(&["recovery", "list", "--from", &day(-5).to_string()]);
    assert_eq!(list["entries"].as_array().unwrap().len(), 2);
}

#[test]
fn readiness_without_data_says_what_is_missing() {
    let env = Env::new();
    let v = env.json(&["readiness"]);
    assert!(v["score"].is_null(), "{v}");
    for key in ["score", "recommendation", "components", "missing"] {
        assert!(v.get(key).is_some(), "no {key}: {v}");
    }
    let missing = v["missing"].to_string();
    // Each named in a runner's words, not by its key (`resting_hr`, `hrv`…).
    for what in [
        "Heart-rate variability (HRV)",
        "Resting heart rate",
        "Sleep",
        "Soreness",
        "Form",
    ] {
        assert!(missing.contains(what), "{what} not in {missing}");
    }
    assert!(!missing.contains("resting_hr"), "{missing}");
    let text = env.ok(&["readiness"]);
    assert!(
        text.contains("no score (no data)") && text.contains("Missing:"),
        "{text}"
    );
    assert!(text.contains("fettle wellness add"), "{text}");
}

#[test]
fn readiness_components_carry_name_value_baseline_and_weight() {
    let env = Env::new();
    env.ok(&[
        "wellness",
        "add",
        "--sleep",
        "8",
        "--sleep-quality",
        "4",
        "--soreness",
        "2",
    ]);
    let v = env.json(&["readiness"]);
    let comps = v["components"].as_array().unwrap();
    let sleep = comps.iter().find(|c| c["name"] == "sleep").unwrap();
    // Sleep sub-score 100·(h − 4)/4 = 100 at 8 h, compared with the 8 h target.
    assert_eq!(sleep["value"], 8.0);
    assert_eq!(sleep["baseline"], 8.0);
    let total: f64 = comps.iter().map(|c| c["weight"].as_f64().unwrap()).sum();
    assert!(
        (total - 1.0).abs() < 1e-9,
        "weights renormalise to 1, got {total}"
    );
}

#[test]
fn sick_overrides_readiness_to_rest_and_recover_prescribes_a_rest_day() {
    let env = Env::new();
    let d = day(-1);
    env.add(d, "07:00", "40m", "3", "Easy run");
    env.ok(&[
        "wellness",
        "add",
        "--date",
        &d.to_string(),
        "--sleep",
        "9",
        "--sleep-quality",
        "5",
        "--soreness",
        "1",
        "--fatigue",
        "1",
        "--stress",
        "1",
        "--mood",
        "5",
        "--sick",
    ]);
    let v = env.json(&["readiness", "--date", &d.to_string()]);
    assert_eq!(v["recommendation"], "rest", "{v}");
    let r = env.json(&["recover"]);
    let rest = item(&r, "rest").expect("a rest day when readiness says rest");
    assert_eq!(rest["reason"], "today's readiness says rest", "{rest}");
    // The entry lists with its flag; deleting it clears the flag.
    let list = env.json(&["wellness", "list"]);
    assert_eq!(list[0]["sick"], true);
    env.ok(&["wellness", "delete", "--date", &d.to_string()]);
    assert_eq!(env.json(&["wellness", "list"]), serde_json::json!([]));
}

#[test]
fn wellness_add_refuses_out_of_scale_and_future_days() {
    let env = Env::new();
    let err = env.fails(&["wellness", "add", "--soreness", "7"]);
    assert!(err.contains("soreness"), "{err}");
    let err = env.fails(&[
        "wellness",
        "add",
        "--date",
        &day(3).to_string(),
        "--sleep",
        "8",
    ]);
    assert!(err.contains("after today"), "{err}");
    let err = env.fails(&["wellness", "add"]);
    assert!(err.contains("nothing to log"), "{err}");
}

#[test]
fn insights_say_not_enough_data_on_little_data() {
    let env = Env::new();
    assert_eq!(env.json(&["insights"]), serde_json::json!([]));
    let text = env.ok(&["insights"]);
    assert!(text.contains("No recovery logged yet"), "{text}");
    let d = day(-3);
    env.add(d, "08:00", "1h", "5", "Run");
    env.ok(&[
        "recovery",
        "log",
        "massage",
        "--minutes",
        "45",
        "--at",
        &format!("{d} 12:00"),
    ]);
    env.ok(&[
        "wellness",
        "add",
        "--date",
        &day(-2).to_string(),
        "--soreness",
        "2",
    ]);
    let v = env.json(&["insights"]);
    let list = v.as_array().unwrap();
    assert!(!list.is_empty());
    for i in list {
        for key in [
            "method",
            "outcome",
            "effect",
            "ci_low",
            "ci_high",
            "n_with",
            "n_without",
            "verdict",
        ] {
            assert!(i.get(key).is_some(), "no {key}: {i}");
        }
        assert_eq!(i["method"], "massage");
        assert_eq!(i["verdict"], "not_enough_data");
        assert!(i["effect"].is_null());
    }
}

#[test]
fn wellness_import_reads_an_hrv4training_csv() {
    let env = Env::new();
    let (d1, d2) = (day(-3), day(-2));
    let csv = format!(
        "date, HR, AVNN, SDNN, rMSSD, pNN50, LF, HF, HRV4T_Recovery_Points, sleep_quality, sleep_time, muscle_soreness, fatigue, sickness\n\
         {d1} 06:31:00 +0900, 52, 1150, 80, 68.5, 40, 900, 1200, 7.8, 4, 7.5, 2, 3, -\n\
         {d2} 06:40:00 +0900, 55, 1090, 70, 61.0, 35, 800, 1000, 7.1, -, -, -, -, -\n"
    );
    let path = env.path("MyMeasurements.csv");
    std::fs::write(&path, csv).unwrap();
    let v = env.json(&["wellness", "import", path.to_str().unwrap()]);
    assert_eq!(v["imported"], 2);
    assert_eq!(v["source"], "hrv4training");
    let list = env.json(&["wellness", "list", "--from", &d1.to_string()]);
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["date"], d1.to_string());
    assert_eq!(rows[0]["rmssd_ms"], 68.5);
    assert_eq!(rows[0]["rest_hr"], 52.0);
    assert_eq!(rows[0]["sleep_h"], 7.5);
    assert_eq!(rows[1]["rmssd_ms"], 61.0);
    // A file of another layout is refused with what is expected.
    let bad = env.path("other.csv");
    std::fs::write(&bad, "when,score\n2026-01-01,3\n").unwrap();
    let err = env.fails(&["wellness", "import", bad.to_str().unwrap()]);
    assert!(err.contains("unknown wellness file layout"), "{err}");
}

#[test]
fn recovery_list_shows_meals_inside_and_outside_the_window() {
    let env = Env::new();
    env.ok(&[
        "profile",
        "set",
        "--mass",
        "70",
        "--from",
        &day(-30).to_string(),
    ]);
    let (d1, d2) = (day(-4), day(-2));
    let first = env.add(d1, "08:00", "2h", "5", "Long run");
    let second = env.add(d2, "08:00", "2h", "5", "Long run");
    // First run ends 10:00: meal at 10:20 is inside the 30-min window; 60:15 = 4.0:1.
    env.ok(&[
        "recovery",
        "log",
        "meal",
        "--carbs",
        "60",
        "--protein",
        "15",
        "--at",
        &format!("{d1} 10:20"),
    ]);
    // Second run ends 10:00: meal at 11:30 (90 min) is outside; 40:20 = 2.0:1.
    env.ok(&[
        "recovery",
        "log",
        "meal",
        "--carbs",
        "40",
        "--protein",
        "20",
        "--at",
        &format!("{d2} 11:30"),
    ]);
    let v = env.json(&["recovery", "list"]);
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["after_activity"], first);
    assert_eq!(entries[0]["minutes_after"], 20.0);
    assert_eq!(entries[1]["after_activity"], second);
    let meal = |activity: i64| -> Value {
        v["compliance"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["activity"]["id"] == activity)
            .unwrap()["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["method"] == "nutrition")
            .unwrap()
            .clone()
    };
    let inside = meal(first);
    assert_eq!(inside["on_time"], true);
    assert_eq!(inside["carb_protein_ratio"], 4.0);
    // 60 g of the 77 g aimed at (1.1 g/kg × 70 kg, the middle of 70–84 g): 60/77.
    assert!((inside["carbs_fraction_of_target"].as_f64().unwrap() - 60.0 / 77.0).abs() < 1e-9);
    let outside = meal(second);
    assert_eq!(outside["on_time"], false);
    assert_eq!(outside["carb_protein_ratio"], 2.0);
    let text = env.ok(&["recovery", "list"]);
    assert!(text.contains("inside the 30-minute window"), "{text}");
    assert!(text.contains("outside the 30-minute window"), "{text}");
    assert!(text.contains("ratio 2.0:1"), "{text}");
    // `recover` for the first run shows the meal as done.
    let r = env.json(&["recover", "--activity", &first.to_string()]);
    let c = r["compliance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["method"] == "nutrition")
        .unwrap()
        .clone();
    assert_eq!(c["done"], true);
    let err = env.fails_with(1, &["recover", "--activity", "999"]);
    assert!(err.contains("no activity 999"), "{err}");
}

#[test]
fn recover_without_activities_says_what_to_do() {
    let env = Env::new();
    let err = env.fails_with(1, &["recover"]);
    assert!(
        err.contains("no activity yet") && err.contains("fettle import"),
        "{err}"
    );
}

/// A recording with R-R intervals alternating 1000 and 1050 ms: every successive difference is
/// 50 ms, so rMSSD = √(mean(50²)) = 50 ms and the resting HR is 60000 / 1025 = 58.54 bpm.
fn rr_recording(start: Timestamp, minutes: f64, sport: Sport) -> Activity {
    let mut a = Activity::new(start, sport);
    a.timer_s = minutes * 60.0;
    a.elapsed_s = minutes * 60.0;
    a.utc_offset_s = Some(9 * 3600);
    let beats = (minutes * 60.0 / 1.025) as usize;
    a.rr_intervals_ms = (0..beats)
        .map(|i| if i % 2 == 0 { 1000.0 } else { 1050.0 })
        .collect();
    a
}

#[test]
fn fit_rr_from_a_short_morning_recording_becomes_hrv_but_a_run_does_not() {
    let env = Env::new();
    let tz = jiff::tz::TimeZone::get(TZ).unwrap();
    let d = day(-2);
    let morning = d
        .at(6, 30, 0, 0)
        .to_zoned_datetime(tz.clone())
        .unwrap()
        .timestamp();
    let run = day(-3)
        .at(7, 0, 0, 0)
        .to_zoned_datetime(tz)
        .unwrap()
        .timestamp();
    let folder = env.path("fit");
    std::fs::create_dir(&folder).unwrap();
    for (name, a) in [
        ("hrv.fit", rr_recording(morning, 3.0, Sport::Generic)),
        ("run.fit", rr_recording(run, 45.0, Sport::Running)),
    ] {
        std::fs::write(folder.join(name), fettle_formats::fit::encode_activity(&a)).unwrap();
    }
    let summary = env.json(&["import", folder.to_str().unwrap()]);
    assert_eq!(summary["imported"], 2, "{summary}");
    assert_eq!(summary["hrv_mornings"], 1, "{summary}");
    let list = env.json(&["wellness", "list", "--from", &day(-5).to_string()]);
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 1, "only the morning recording: {list}");
    assert_eq!(rows[0]["date"], d.to_string());
    assert_eq!(rows[0]["source"], "fit-rr");
    // FIT stores R-R in 1/1000 s, so the values survive exactly: rMSSD 50 ms, HR 60000/1025.
    assert!(
        (rows[0]["rmssd_ms"].as_f64().unwrap() - 50.0).abs() < 0.01,
        "{list}"
    );
    assert!((rows[0]["rest_hr"].as_f64().unwrap() - 60_000.0 / 1025.0).abs() < 0.01);
}

#[test]
fn a_strength_block_set_in_the_profile_removes_cold_after_a_race() {
    let env = Env::new();
    env.ok(&["profile", "access", "add", "ice-bath"]);
    env.add(day(-2), "09:00", "45m", "9", "Parkrun race");
    assert!(methods(&env.json(&["recover"])).contains(&"cold_water_immersion".to_string()));
    env.ok(&[
        "profile",
        "set",
        "--strength-block",
        "on",
        "--from",
        &day(-10).to_string(),
    ]);
    assert_eq!(env.json(&["profile"])["strength_block"], true);
    assert!(env.ok(&["profile"]).contains("strength block   on"));
    let v = env.json(&["recover"]);
    assert!(!methods(&v).contains(&"cold_water_immersion".to_string()));
    let reason = v["excluded"][0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("no ice bath: you are in a strength block"),
        "{reason}"
    );
    // Off again from yesterday: the race (two days ago) was still in the block.
    env.ok(&[
        "profile",
        "set",
        "--strength-block",
        "off",
        "--from",
        &day(-1).to_string(),
    ]);
    assert_eq!(env.json(&["profile"])["strength_block"], false);
    assert!(!methods(&env.json(&["recover"])).contains(&"cold_water_immersion".to_string()));
    let err = env.fails(&["profile", "set", "--strength-block", "maybe"]);
    assert!(err.contains("on") && err.contains("off"), "{err}");
}

#[test]
fn a_long_run_with_a_hard_session_planned_within_a_day_repeats_the_serving_hourly() {
    let env = Env::new();
    env.ok(&[
        "profile",
        "set",
        "--mass",
        "70",
        "--from",
        &day(-30).to_string(),
    ]);
    // A plan whose long run is today: today is the next hard (long) session.
    let weekday = match day(0).weekday() {
        jiff::civil::Weekday::Monday => "mon",
        jiff::civil::Weekday::Tuesday => "tue",
        jiff::civil::Weekday::Wednesday => "wed",
        jiff::civil::Weekday::Thursday => "thu",
        jiff::civil::Weekday::Friday => "fri",
        jiff::civil::Weekday::Saturday => "sat",
        jiff::civil::Weekday::Sunday => "sun",
    };
    let plan = env.json(&[
        "plan",
        "create",
        "--race",
        &day(70).to_string(),
        "--distance",
        "10k",
        "--days",
        "mon,tue,wed,thu,fri,sat,sun",
        "--long-run-day",
        weekday,
    ]);
    assert_eq!(
        plan["weeks"][0]["days"][0]["session"]["kind"], "long",
        "{plan}"
    );
    // Yesterday 18:00–20:00 Tokyo: the next hard session starts at today's 00:00, 4 h later.
    env.add(day(-1), "18:00", "2h", "4", "Steady long run");
    let v = env.json(&["recover"]);
    assert_eq!(
        v["next_planned_hard_session"],
        format!("{}T00:00:00+09:00", day(0))
    );
    let n = item(&v, "nutrition").unwrap();
    assert_eq!(n["repeat_hourly_for_h"], 4, "{n}");
    assert_eq!(n["deadline"], format!("{}T20:30:00+09:00", day(-1)));
    assert!((n["serving"]["carbs_g_low"].as_f64().unwrap() - 70.0).abs() < 1e-9);
    assert!((n["serving"]["protein_g_high"].as_f64().unwrap() - 21.0).abs() < 1e-9);
    let dose = n["dose"].as_str().unwrap();
    assert!(
        dose.contains("then the same every hour for up to 4 h"),
        "{dose}"
    );
    assert!(n["reason"].as_str().unwrap().contains("within 24 h"), "{n}");
}

#[test]
fn on_a_simulated_year_the_joint_insights_credit_the_ice_bath_with_nothing() {
    // The simulator's true next-morning effects (fettle-sim `true_effects`): massage −0.5
    // soreness (latent scale, before rounding to 1–5), ice bath none — but ice baths follow
    // the hardest days and come with meals and boots. Adjusted for load, fatigue and the other
    // methods, with the false-discovery rate controlled, the ice bath is credited with nothing
    // on any outcome, and massage lowers soreness. (Seeds 1–5 and 7 all give a negative
    // massage estimate, −0.17 to −0.43; with ~21 massage days a year, "helps" after the
    // correction is reached on some seeds only, so the verdict is not pinned. On seed 1 the
    // ice bath's unadjusted interval for soreness excludes zero, −0.48 to −0.03, and the
    // correction keeps it from a false "helps".)
    let env = Env::new();
    env.ok(&["demo", "--days", "365", "--seed", "7", "--json"]);
    let all = env.json(&["insights"]);
    let find = |method: &str, outcome: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|i| i["method"] == method && i["outcome"] == outcome)
            .unwrap()
            .clone()
    };
    let massage = find("massage", "soreness");
    assert!(massage["effect"].as_f64().unwrap() < 0.0, "{massage}");
    assert!(massage["ci_low"].as_f64().unwrap() > -1.0, "{massage}");
    assert_eq!(massage["unit"], "soreness points (1–5 scale)");
    assert!(massage["q_value"].as_f64().is_some(), "{massage}");
    for outcome in ["soreness", "readiness", "hrv", "resting_hr"] {
        let ice = find("cold_water_immersion", outcome);
        assert_ne!(ice["verdict"], "helps", "{ice}");
        assert_ne!(ice["verdict"], "worse", "{ice}");
    }
}
