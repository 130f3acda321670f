//! Rule tests for [`prescribe`]: golden examples, every access case and every exclusion, the
//! JSON contract, validation limits and compliance.

use super::logging::{ValidationError, compliance, validate};
use super::*;
use crate::log::RecoveryEntry;

const ALL_ACCESS: [Access; Access::ALL.len()] = Access::ALL;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn ctx(kind: SessionKind, duration_min: f64, access: &[Access]) -> RecoveryContext {
    RecoveryContext {
        session: SessionInfo {
            activity_id: "a1".into(),
            end: ts("2026-03-01T09:30:00Z"),
            kind,
            load: 80.0,
            duration_min,
            distance_m: Some(20_000.0),
        },
        tz: TimeZone::get("Europe/Paris").unwrap(),
        fitness: 50.0,
        form: Some(-5.0),
        next_hard_session: None,
        body_mass_kg: Some(70.0),
        mass_before_kg: None,
        mass_after_kg: None,
        access: access.iter().copied().collect(),
        health: BTreeSet::new(),
        last_strength_session: None,
        strength_block: false,
        hot: false,
        readiness: None,
        training_hours_today: None,
    }
}

fn methods(p: &Prescription) -> Vec<RecoveryMethod> {
    p.items.iter().map(|i| i.method).collect()
}

fn has(p: &Prescription, m: RecoveryMethod) -> bool {
    p.items.iter().any(|i| i.method == m)
}

fn excluded_by(p: &Prescription, m: RecoveryMethod) -> Option<&'static str> {
    p.excluded.iter().find(|e| e.method == m).map(|e| e.rule)
}

#[test]
fn golden_long_run_70kg_serving_70_84_carbs_17_5_21_protein_due_end_plus_30() {
    // A 2-hour steady long run, 70 kg: by hand 1.0·70 = 70 to 1.2·70 = 84 g carbohydrate,
    // 0.25·70 = 17.5 to 0.3·70 = 21 g protein (4:1 at both ends); the run ended 09:30Z = 10:30
    // in Paris (+01:00 in March), so the deadline is 11:00+01:00.
    let p = prescribe(&ctx(SessionKind::Long, 120.0, &[]));
    let n = &p.items[0];
    assert_eq!(n.method, RecoveryMethod::Nutrition);
    let s = n.serving.unwrap();
    assert!((s.carbs_g_low - 70.0).abs() < 1e-9 && (s.carbs_g_high - 84.0).abs() < 1e-9);
    assert!((s.protein_g_low - 17.5).abs() < 1e-9 && (s.protein_g_high - 21.0).abs() < 1e-9);
    assert!((70.0..=84.0).contains(&n.carbs_g.unwrap()));
    assert!((17.5..=21.0).contains(&n.protein_g.unwrap()));
    assert!(n.dose.contains("70–84 g carbohydrate") && n.dose.contains("17.5–21 g protein"));
    assert!(n.dose.contains("4:1"), "{}", n.dose);
    let json = serde_json::to_value(n).unwrap();
    assert_eq!(json["deadline"], "2026-03-01T11:00:00+01:00");
    assert_eq!(json["start"], "2026-03-01T10:30:00+01:00");
    assert_eq!(json["serving"]["ratio"], 4.0);
    assert_eq!(n.rule, "nutrition.window");
    // No hard session within 24 h: one serving, no hourly repeats.
    assert_eq!(n.repeat_hourly_for_h, None);
    assert!(!n.dose.contains("every hour"));
    assert!(!n.foods.is_empty());
    // 2 h of training → Burke "high" band 6–10 g/kg → 420–700 g.
    let d = n.daily_target.unwrap();
    assert!((d.grams_low - 420.0).abs() < 1e-9);
}

#[test]
fn the_serving_repeats_hourly_when_the_next_hard_session_is_within_24_h() {
    let mut c = ctx(SessionKind::Long, 120.0, &[]);
    // 23 h after the end: within a day.
    c.next_hard_session = Some(ts("2026-03-02T08:30:00Z"));
    let n = &prescribe(&c).items[0];
    assert_eq!(n.repeat_hourly_for_h, Some(4));
    assert!(n.dose.contains("every hour for up to 4 h"), "{}", n.dose);
    assert!(n.reason.contains("within 24 h"), "{}", n.reason);
    // 25 h after: one serving.
    c.next_hard_session = Some(ts("2026-03-02T10:30:00Z"));
    assert_eq!(prescribe(&c).items[0].repeat_hourly_for_h, None);
}

#[test]
fn a_20_minute_easy_jog_gets_no_window_but_a_normal_meal() {
    let p = prescribe(&ctx(SessionKind::Easy, 20.0, &[]));
    let n = &p.items[0];
    assert_eq!(n.method, RecoveryMethod::Nutrition);
    assert_eq!(n.rule, "nutrition.normal_meal");
    assert_eq!(
        (n.deadline.as_ref(), n.carbs_g, n.protein_g),
        (None, None, None)
    );
    assert!(n.serving.is_none());
    assert!(n.dose.contains("normal meal"), "{}", n.dose);
    assert!(n.reason.contains("Aragon"));
    let json = serde_json::to_value(n).unwrap();
    assert!(json.get("deadline").is_none() && json.get("carbs_g").is_none());
}

#[test]
fn an_easy_run_with_a_hard_session_tomorrow_still_needs_no_window() {
    // Glycogen after 40 easy minutes is not depleted: a normal meal, whatever comes next.
    let mut c = ctx(SessionKind::Easy, 40.0, &[]);
    c.next_hard_session = Some(ts("2026-03-02T07:00:00Z"));
    let p = prescribe(&c);
    assert_eq!(p.items[0].rule, "nutrition.normal_meal");
    assert_eq!(p.items[0].deadline, None);
}

#[test]
fn fluids_appear_when_both_masses_are_known() {
    // 71.0 → 70.0 kg: 1 kg lost → 1.25–1.5 L.
    let mut c = ctx(SessionKind::Long, 120.0, &[]);
    c.mass_before_kg = Some(71.0);
    c.mass_after_kg = Some(70.0);
    let p = prescribe(&c);
    let f = p.items[0].fluids.unwrap();
    assert!((f.litres_low - 1.25).abs() < 1e-9 && (f.litres_high - 1.5).abs() < 1e-9);
    assert!(p.items[0].dose.contains("sodium"));
}

#[test]
fn unknown_body_mass_gives_no_grams_and_a_note() {
    let mut c = ctx(SessionKind::Long, 120.0, &[]);
    c.body_mass_kg = None;
    let p = prescribe(&c);
    assert_eq!(p.items[0].carbs_g, None);
    assert!(p.notes.iter().any(|n| n.contains("body mass")));
}

#[test]
fn no_access_prescribes_only_free_methods() {
    let p = prescribe(&ctx(SessionKind::Race, 200.0, &[]));
    assert_eq!(
        methods(&p),
        vec![
            RecoveryMethod::Nutrition,
            RecoveryMethod::FoamRolling,
            RecoveryMethod::Sleep,
            RecoveryMethod::Rest
        ]
    );
    assert!(p.notes.iter().any(|n| n.contains("no ice bath suggested")));
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("boots") && n.contains("not listed access"))
    );
    assert!(p.notes.iter().any(|n| n.contains("compression garments")));
    assert!(p.notes.iter().any(|n| n.contains("massage")));
}

#[test]
fn race_with_full_access_prescribes_each_method_once_and_one_cold_method() {
    let p = prescribe(&ctx(SessionKind::Race, 200.0, &ALL_ACCESS));
    for m in [
        RecoveryMethod::Nutrition,
        RecoveryMethod::ColdWaterImmersion,
        RecoveryMethod::CompressionBoots,
        RecoveryMethod::CompressionGarments,
        RecoveryMethod::Massage,
        RecoveryMethod::FoamRolling,
        RecoveryMethod::Sleep,
        RecoveryMethod::Rest,
    ] {
        assert_eq!(p.items.iter().filter(|i| i.method == m).count(), 1, "{m:?}");
    }
    assert!(
        !has(&p, RecoveryMethod::Cryotherapy),
        "one cold method only"
    );
    assert!(p.notes.iter().any(|n| n.contains("alternative")));
    let rest = p
        .items
        .iter()
        .find(|i| i.method == RecoveryMethod::Rest)
        .unwrap();
    assert!(rest.rule.starts_with("rest.after_race"));
    let cwi = p
        .items
        .iter()
        .find(|i| i.method == RecoveryMethod::ColdWaterImmersion)
        .unwrap();
    assert!(cwi.dose.contains("10–15 °C") && cwi.rule == "cold.ice_bath");
    assert!(cwi.reason.starts_with("After a race"), "{}", cwi.reason);
    // Within an hour of finishing (09:30Z = 10:30 Paris → 11:30), as the plan says.
    let j = serde_json::to_value(cwi).unwrap();
    assert_eq!(j["end"], "2026-03-01T11:30:00+01:00");
}

#[test]
fn cryo_is_prescribed_when_there_is_no_ice_bath() {
    let p = prescribe(&congested(ctx(
        SessionKind::Hard,
        60.0,
        &[Access::CryoCentre],
    )));
    let cryo = p
        .items
        .iter()
        .find(|i| i.method == RecoveryMethod::Cryotherapy)
        .unwrap();
    assert!(cryo.dose.contains("never over 3"));
    assert_eq!(cryo.rule, "cold.cryotherapy");
}

/// The context with the next hard session 30 h after the end: a congested schedule.
fn congested(mut c: RecoveryContext) -> RecoveryContext {
    c.next_hard_session = Some(ts("2026-03-02T15:30:00Z"));
    c
}

#[test]
fn cold_methods_only_after_hard_sessions_or_races() {
    let p = prescribe(&ctx(SessionKind::Easy, 40.0, &ALL_ACCESS));
    assert!(!has(&p, RecoveryMethod::ColdWaterImmersion));
    assert!(!has(&p, RecoveryMethod::Cryotherapy));
    assert!(!has(&p, RecoveryMethod::CompressionBoots));
    assert!(!has(&p, RecoveryMethod::CompressionGarments));
    assert!(!has(&p, RecoveryMethod::Massage));
    assert!(!has(&p, RecoveryMethod::Rest));
}

#[test]
fn a_big_load_does_not_make_an_easy_session_hard() {
    // Issue 13: load 120 against fitness 50 used to make an easy session "hard" (and prescribe
    // an ice bath). Hard comes from what the session contained; the load says how long it was.
    let mut c = ctx(SessionKind::Easy, 60.0, &[Access::IceBath]);
    c.session.load = 120.0;
    let p = prescribe(&c);
    assert!(!has(&p, RecoveryMethod::ColdWaterImmersion));
    assert!(!p.notes.iter().any(|n| n.contains("hard session")));
}

#[test]
fn no_cold_after_a_hard_session_unless_the_schedule_is_congested_or_hot() {
    let c = ctx(SessionKind::Hard, 60.0, &[Access::IceBath]);
    assert!(!has(&prescribe(&c), RecoveryMethod::ColdWaterImmersion));
    let p = prescribe(&congested(c.clone()));
    let cwi = p
        .items
        .iter()
        .find(|i| i.method == RecoveryMethod::ColdWaterImmersion)
        .unwrap();
    assert!(
        cwi.reason.contains("next hard one within 48 h"),
        "{}",
        cwi.reason
    );
    let mut hot = c;
    hot.hot = true;
    assert!(has(&prescribe(&hot), RecoveryMethod::ColdWaterImmersion));
    // A long easy run in a congested schedule: boots, garments, massage — no cold.
    let p = prescribe(&congested(ctx(SessionKind::Long, 100.0, &ALL_ACCESS)));
    assert!(!has(&p, RecoveryMethod::ColdWaterImmersion));
    assert!(!has(&p, RecoveryMethod::Cryotherapy));
}

#[test]
fn a_strength_block_removes_cold_and_says_why() {
    let mut c = ctx(
        SessionKind::Race,
        200.0,
        &[Access::IceBath, Access::CryoCentre],
    );
    c.strength_block = true;
    let p = prescribe(&c);
    assert!(!has(&p, RecoveryMethod::ColdWaterImmersion));
    assert!(!has(&p, RecoveryMethod::Cryotherapy));
    let e = p
        .excluded
        .iter()
        .find(|e| e.method == RecoveryMethod::ColdWaterImmersion)
        .unwrap();
    assert_eq!(e.rule, "cold.strength_block");
    assert!(
        e.reason
            .starts_with("no ice bath: you are in a strength block"),
        "{}",
        e.reason
    );
}

#[test]
fn every_cold_hard_exclusion_removes_cwi_and_cryo_and_says_so() {
    for condition in CRYO_EXCLUSIONS {
        // With only a cryo centre: cryo is removed.
        let mut c = congested(ctx(SessionKind::Hard, 60.0, &[Access::CryoCentre]));
        c.health.insert(condition);
        let p = prescribe(&c);
        assert!(!has(&p, RecoveryMethod::Cryotherapy), "{condition:?}");
        assert_eq!(
            excluded_by(&p, RecoveryMethod::Cryotherapy),
            Some("cold.health_exclusion")
        );
        assert_eq!(
            p.excluded[0].reason,
            format!("no cryotherapy: {} in your profile", condition.label())
        );
        // With only an ice bath: CWI is removed too.
        let mut c = congested(ctx(SessionKind::Hard, 60.0, &[Access::IceBath]));
        c.health.insert(condition);
        let p = prescribe(&c);
        assert!(
            !has(&p, RecoveryMethod::ColdWaterImmersion),
            "{condition:?}"
        );
        assert_eq!(
            excluded_by(&p, RecoveryMethod::ColdWaterImmersion),
            Some("cold.health_exclusion")
        );
    }
}

#[test]
fn raynauds_with_ice_bath_and_cryo_removes_both_and_keeps_the_rest() {
    let mut c = ctx(SessionKind::Race, 200.0, &ALL_ACCESS);
    c.health.insert(HealthCondition::parse("raynauds").unwrap());
    let p = prescribe(&c);
    assert!(!has(&p, RecoveryMethod::ColdWaterImmersion));
    assert!(!has(&p, RecoveryMethod::Cryotherapy));
    assert!(has(&p, RecoveryMethod::CompressionBoots) && has(&p, RecoveryMethod::Massage));
    assert_eq!(p.excluded.len(), 2);
    assert_eq!(
        p.excluded[0].reason,
        "no ice bath: Raynaud's in your profile"
    );
}

#[test]
fn cold_is_removed_within_24h_after_strength_work() {
    let mut c = congested(ctx(
        SessionKind::Hard,
        60.0,
        &[Access::IceBath, Access::CryoCentre],
    ));
    c.last_strength_session = Some(ts("2026-02-28T18:00:00Z")); // 15.5 h before the end
    let p = prescribe(&c);
    assert_eq!(
        excluded_by(&p, RecoveryMethod::ColdWaterImmersion),
        Some("cold.after_strength")
    );
    assert_eq!(
        excluded_by(&p, RecoveryMethod::Cryotherapy),
        Some("cold.after_strength")
    );
    // 25 h before: allowed again.
    c.last_strength_session = Some(ts("2026-02-28T08:30:00Z"));
    assert!(has(&prescribe(&c), RecoveryMethod::ColdWaterImmersion));
}

#[test]
fn every_boots_exclusion_removes_boots() {
    for condition in BOOTS_EXCLUSIONS {
        let mut c = ctx(SessionKind::Long, 120.0, &[Access::CompressionBoots]);
        c.health.insert(condition);
        let p = prescribe(&c);
        assert!(!has(&p, RecoveryMethod::CompressionBoots), "{condition:?}");
        assert_eq!(
            excluded_by(&p, RecoveryMethod::CompressionBoots),
            Some("boots.health_exclusion")
        );
    }
    let p = prescribe(&ctx(SessionKind::Long, 120.0, &[Access::CompressionBoots]));
    let boots = p
        .items
        .iter()
        .find(|i| i.method == RecoveryMethod::CompressionBoots)
        .unwrap();
    assert!(boots.dose.contains("how you feel") && boots.dose.contains("20–30 min"));
    // From 30 min after the end (10:30 Paris → 11:00), as the plan says.
    assert_eq!(
        serde_json::to_value(boots).unwrap()["start"],
        "2026-03-01T11:00:00+01:00"
    );
}

#[test]
fn compression_garments_after_long_or_hard_sessions_with_their_exclusions() {
    let p = prescribe(&ctx(
        SessionKind::Long,
        120.0,
        &[Access::CompressionGarments],
    ));
    let g = p
        .items
        .iter()
        .find(|i| i.method == RecoveryMethod::CompressionGarments)
        .unwrap();
    assert!(
        g.dose.contains("socks") && g.dose.contains("3 hours"),
        "{}",
        g.dose
    );
    assert!(g.evidence.contains("Brown et al. 2017") && g.evidence.contains("47:2245"));
    assert!(has(
        &prescribe(&ctx(
            SessionKind::Hard,
            50.0,
            &[Access::CompressionGarments]
        )),
        RecoveryMethod::CompressionGarments
    ));
    assert!(!has(
        &prescribe(&ctx(
            SessionKind::Easy,
            40.0,
            &[Access::CompressionGarments]
        )),
        RecoveryMethod::CompressionGarments
    ));
    for condition in GARMENTS_EXCLUSIONS {
        let mut c = ctx(SessionKind::Long, 120.0, &[Access::CompressionGarments]);
        c.health.insert(condition);
        let p = prescribe(&c);
        assert!(
            !has(&p, RecoveryMethod::CompressionGarments),
            "{condition:?}"
        );
        assert_eq!(
            p.excluded[0].reason,
            format!(
                "no compression garments: {} in your profile",
                condition.label()
            )
        );
    }
}

#[test]
fn boots_fire_in_a_congested_schedule_after_a_short_hard_session() {
    let mut c = ctx(SessionKind::Hard, 50.0, &[Access::CompressionBoots]);
    c.next_hard_session = Some(ts("2026-03-02T17:00:00Z"));
    assert!(has(&prescribe(&c), RecoveryMethod::CompressionBoots));
    c.next_hard_session = None;
    assert!(!has(&prescribe(&c), RecoveryMethod::CompressionBoots));
}

#[test]
fn every_massage_exclusion_removes_massage() {
    for condition in MASSAGE_EXCLUSIONS {
        let mut c = ctx(SessionKind::Long, 120.0, &[Access::Massage]);
        c.health.insert(condition);
        let p = prescribe(&c);
        assert!(!has(&p, RecoveryMethod::Massage));
        assert_eq!(
            excluded_by(&p, RecoveryMethod::Massage),
            Some("massage.health_exclusion")
        );
    }
    let p = prescribe(&ctx(SessionKind::Long, 120.0, &[Access::Massage]));
    let m = p
        .items
        .iter()
        .find(|i| i.method == RecoveryMethod::Massage)
        .unwrap();
    // Window: within 48 h of the end (09:30Z → 2026-03-03T09:30Z = 10:30+01:00).
    assert_eq!(
        serde_json::to_value(m).unwrap()["end"],
        "2026-03-03T10:30:00+01:00"
    );
}

#[test]
fn strength_session_gets_no_cold_and_no_boots() {
    let p = prescribe(&ctx(SessionKind::Strength, 60.0, &ALL_ACCESS));
    assert!(!has(&p, RecoveryMethod::ColdWaterImmersion));
    assert!(!has(&p, RecoveryMethod::Cryotherapy));
    assert!(!has(&p, RecoveryMethod::CompressionBoots));
    assert!(has(&p, RecoveryMethod::FoamRolling));
}

#[test]
fn rest_day_when_readiness_says_rest_or_form_is_deeply_negative() {
    let mut c = ctx(SessionKind::Easy, 40.0, &[]);
    c.readiness = Some(Recommendation::Rest);
    let p = prescribe(&c);
    let rest = p
        .items
        .iter()
        .find(|i| i.method == RecoveryMethod::Rest)
        .unwrap();
    assert!(rest.rule.starts_with("rest.readiness"));
    // The rest day is the next local day: 2026-03-02 00:00 to 2026-03-03 00:00, Paris time.
    let j = serde_json::to_value(rest).unwrap();
    assert_eq!(j["start"], "2026-03-02T00:00:00+01:00");
    assert_eq!(j["end"], "2026-03-03T00:00:00+01:00");

    let mut c = ctx(SessionKind::Easy, 40.0, &[]);
    c.form = Some(-35.0);
    let p = prescribe(&c);
    assert!(
        p.items
            .iter()
            .any(|i| i.rule.starts_with("rest.deep_negative_form"))
    );
    let sleep = p
        .items
        .iter()
        .find(|i| i.method == RecoveryMethod::Sleep)
        .unwrap();
    assert!(sleep.rule.starts_with("sleep.heavy_block"));
}

#[test]
fn sleep_window_starts_at_local_bedtime() {
    let p = prescribe(&ctx(SessionKind::Easy, 40.0, &[]));
    let sleep = p
        .items
        .iter()
        .find(|i| i.method == RecoveryMethod::Sleep)
        .unwrap();
    let j = serde_json::to_value(sleep).unwrap();
    assert_eq!(j["start"], "2026-03-01T22:00:00+01:00");
    assert_eq!(j["end"], "2026-03-02T06:00:00+01:00");
}

#[test]
fn late_finish_sleeps_after_refuelling() {
    // Ends 22:30Z = 23:30 Paris: bedtime is end + 30 min = 00:00+01:00 on 2 March.
    let mut c = ctx(SessionKind::Race, 200.0, &[]);
    c.session.end = ts("2026-03-01T22:30:00Z");
    let p = prescribe(&c);
    let sleep = p
        .items
        .iter()
        .find(|i| i.method == RecoveryMethod::Sleep)
        .unwrap();
    assert_eq!(
        serde_json::to_value(sleep).unwrap()["start"],
        "2026-03-02T00:00:00+01:00"
    );
    // An ultra finishing at 01:00 local (00:00Z) sleeps at 01:30, not at 22:00 that evening.
    c.session.end = ts("2026-03-02T00:00:00Z");
    let p = prescribe(&c);
    let sleep = p
        .items
        .iter()
        .find(|i| i.method == RecoveryMethod::Sleep)
        .unwrap();
    assert_eq!(
        serde_json::to_value(sleep).unwrap()["start"],
        "2026-03-02T01:30:00+01:00"
    );
}

#[test]
fn recover_json_contract_has_the_documented_fields() {
    let p = prescribe(&ctx(SessionKind::Race, 200.0, &ALL_ACCESS));
    let j = serde_json::to_value(&p).unwrap();
    assert_eq!(j["activity_id"], "a1");
    let items = j["items"].as_array().unwrap();
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
    for item in items {
        for key in ["method", "dose", "start", "end", "reason", "evidence"] {
            assert!(item.get(key).is_some(), "{key} missing in {item}");
        }
        assert!(allowed.contains(&item["method"].as_str().unwrap()));
        // RFC 3339 with a numeric offset, no bracketed zone.
        let start = item["start"].as_str().unwrap();
        assert!(
            start.parse::<Timestamp>().is_ok() && !start.contains('['),
            "{start}"
        );
    }
    let n = &items[0];
    assert!(n["carbs_g"].is_number() && n["protein_g"].is_number());
    assert!(n["deadline"].as_str().unwrap().parse::<Timestamp>().is_ok());
    // Rule ids are for code, never for the athlete.
    assert!(j.to_string().find("\"rule\"").is_none(), "{j}");
}

#[test]
fn cli_words_parse() {
    for w in [
        "compression-boots",
        "compression-garments",
        "ice-bath",
        "cryo-centre",
        "massage",
        "foam-roller",
    ] {
        assert_eq!(Access::parse(w).unwrap().as_str(), w);
    }
    assert_eq!(
        HealthCondition::parse("Raynaud's"),
        Some(HealthCondition::Raynauds)
    );
    assert_eq!(
        HealthCondition::parse("dvt"),
        Some(HealthCondition::DvtRisk)
    );
    assert_eq!(Access::parse("jacuzzi"), None);
}

fn entry(method: RecoveryMethod, at: &str) -> RecoveryEntry {
    RecoveryEntry {
        method,
        at: ts(at),
        minutes: None,
        temp_c: None,
        zones: Vec::new(),
        carbs_g: None,
        protein_g: None,
        note: None,
    }
}

const NOW: &str = "2026-03-01T12:00:00Z";

#[test]
fn validation_accepts_the_documented_cli_examples() {
    let mut boots = entry(RecoveryMethod::CompressionBoots, "2026-03-01T11:00:00Z");
    boots.minutes = Some(30.0);
    boots.zones = vec!["feet".into(), "calves".into(), "quads".into()];
    let mut ice = entry(RecoveryMethod::ColdWaterImmersion, "2026-03-01T11:00:00Z");
    ice.minutes = Some(10.0);
    ice.temp_c = Some(12.0);
    let mut cryo = entry(RecoveryMethod::Cryotherapy, "2026-03-01T11:00:00Z");
    cryo.minutes = Some(3.0);
    cryo.temp_c = Some(-110.0);
    let mut massage = entry(RecoveryMethod::Massage, "2026-03-01T11:00:00Z");
    massage.minutes = Some(45.0);
    let mut foam = entry(RecoveryMethod::FoamRolling, "2026-03-01T11:00:00Z");
    foam.minutes = Some(10.0);
    let mut meal = entry(RecoveryMethod::Nutrition, "2026-03-01T11:00:00Z");
    meal.carbs_g = Some(60.0);
    meal.protein_g = Some(15.0);
    let mut garments = entry(RecoveryMethod::CompressionGarments, "2026-03-01T11:00:00Z");
    garments.minutes = Some(180.0);
    for e in [boots, ice, cryo, massage, foam, meal, garments] {
        assert_eq!(validate(&e, ts(NOW)), Ok(()), "{e:?}");
        assert_eq!(
            super::logging::warnings(&e, &BTreeSet::new()),
            Vec::<String>::new()
        );
    }
}

#[test]
fn cryotherapy_as_runners_do_it_is_logged_with_a_warning_about_the_dose() {
    // A −90 °C cabin for 5–6 minutes (what runners read about): logged, with two warnings.
    let mut cabin = entry(RecoveryMethod::Cryotherapy, "2026-03-01T11:00:00Z");
    cabin.minutes = Some(5.5);
    cabin.temp_c = Some(-90.0);
    assert_eq!(validate(&cabin, ts(NOW)), Ok(()));
    let w = super::logging::warnings(&cabin, &BTreeSet::new());
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].starts_with("−90 °C is warmer than the −110 °C"),
        "{w:?}"
    );
    assert!(w[1].contains("6 min") && w[1].contains("2–3 min"), "{w:?}");
    // An ice bath at 5 °C for 20 min: valid, both outside 10–15.
    let mut cold = entry(RecoveryMethod::ColdWaterImmersion, "2026-03-01T11:00:00Z");
    cold.minutes = Some(20.0);
    cold.temp_c = Some(5.0);
    assert_eq!(validate(&cold, ts(NOW)), Ok(()));
    assert_eq!(super::logging::warnings(&cold, &BTreeSet::new()).len(), 2);
}

#[test]
fn logging_cold_with_an_exclusion_in_the_profile_warns_with_the_reason() {
    let mut ice = entry(RecoveryMethod::ColdWaterImmersion, "2026-03-01T11:00:00Z");
    ice.minutes = Some(12.0);
    ice.temp_c = Some(12.0);
    let health: BTreeSet<HealthCondition> = [HealthCondition::Raynauds].into_iter().collect();
    assert_eq!(
        super::logging::warnings(&ice, &health),
        vec!["Raynaud's is in your profile: an ice bath is not advised with it".to_string()]
    );
    let mut cryo = entry(RecoveryMethod::Cryotherapy, "2026-03-01T11:00:00Z");
    cryo.minutes = Some(3.0);
    cryo.temp_c = Some(-120.0);
    assert_eq!(
        super::logging::warnings(&cryo, &health),
        vec!["Raynaud's is in your profile: cryotherapy is not advised with it".to_string()]
    );
    // Raynaud's does not concern a massage.
    let mut massage = entry(RecoveryMethod::Massage, "2026-03-01T11:00:00Z");
    massage.minutes = Some(30.0);
    assert!(super::logging::warnings(&massage, &health).is_empty());
}

#[test]
fn validation_refuses_the_documented_mistakes_with_clear_messages() {
    let mut warm = entry(RecoveryMethod::ColdWaterImmersion, "2026-03-01T11:00:00Z");
    warm.minutes = Some(10.0);
    warm.temp_c = Some(30.0);
    let err = validate(&warm, ts(NOW)).unwrap_err();
    assert!(err.to_string().contains("30") && err.to_string().contains("0–20"));

    // Not the method: a "cryotherapy" at −20 °C is a cold room; 30 minutes is a typing mistake.
    let mut long_cryo = entry(RecoveryMethod::Cryotherapy, "2026-03-01T11:00:00Z");
    long_cryo.minutes = Some(30.0);
    long_cryo.temp_c = Some(-110.0);
    let err = validate(&long_cryo, ts(NOW)).unwrap_err();
    assert!(err.to_string().contains("check the time"), "{err}");

    let mut warm_cryo = long_cryo.clone();
    warm_cryo.minutes = Some(3.0);
    warm_cryo.temp_c = Some(-20.0);
    let err = validate(&warm_cryo, ts(NOW)).unwrap_err();
    assert!(matches!(err, ValidationError::OutOfRange { .. }));
    assert!(err.to_string().contains("not cryotherapy"), "{err}");

    let mut negative = entry(RecoveryMethod::Nutrition, "2026-03-01T11:00:00Z");
    negative.carbs_g = Some(-5.0);
    let err = validate(&negative, ts(NOW)).unwrap_err();
    assert!(err.to_string().contains("negative"));

    // One tolerance for every face (limits::FUTURE_TOLERANCE): now + 24 h is accepted, one
    // second more is not, and neither is a time before 1989-01-01.
    let mut future = entry(RecoveryMethod::Massage, "2026-03-02T12:00:01Z");
    future.minutes = Some(45.0);
    let err = validate(&future, ts(NOW)).unwrap_err();
    assert!(matches!(err, ValidationError::Limit(_)), "{err}");
    assert_eq!(err.violation().field, "at");
    assert!(err.to_string().contains("is in the future"), "{err}");
    future.at = ts("2026-03-02T12:00:00Z");
    assert_eq!(validate(&future, ts(NOW)), Ok(()));
    future.at = ts("0001-01-01T00:00:00Z");
    let err = validate(&future, ts(NOW)).unwrap_err();
    assert!(err.to_string().contains("before 1989-01-01"), "{err}");

    let mut short_boots = entry(RecoveryMethod::CompressionBoots, "2026-03-01T11:00:00Z");
    short_boots.minutes = Some(2.0);
    assert!(validate(&short_boots, ts(NOW)).is_err());
    short_boots.minutes = Some(30.0);
    short_boots.zones = vec!["ears".into()];
    assert!(matches!(
        validate(&short_boots, ts(NOW)),
        Err(ValidationError::UnknownZone { .. })
    ));

    let no_minutes = entry(RecoveryMethod::FoamRolling, "2026-03-01T11:00:00Z");
    let err = validate(&no_minutes, ts(NOW)).unwrap_err();
    assert!(err.to_string().contains("--minutes"));

    let empty_meal = entry(RecoveryMethod::Nutrition, "2026-03-01T11:00:00Z");
    assert!(
        validate(&empty_meal, ts(NOW))
            .unwrap_err()
            .to_string()
            .contains("--carbs")
    );

    let mut nan = entry(RecoveryMethod::Massage, "2026-03-01T11:00:00Z");
    nan.minutes = Some(f64::NAN);
    assert!(matches!(
        validate(&nan, ts(NOW)),
        Err(ValidationError::NotANumber { .. })
    ));
}

#[test]
fn compliance_reports_the_meal_window_and_ratio() {
    // Run ended 09:30Z; deadline 10:00Z. A 60 g + 15 g meal at 09:50Z is inside the window,
    // ratio 4.0, 60/77 of the carbohydrate target (77 g = 1.1 g/kg · 70 kg, the middle of
    // 70–84 g).
    let p = prescribe(&ctx(SessionKind::Long, 120.0, &[Access::Massage]));
    let mut meal = entry(RecoveryMethod::Nutrition, "2026-03-01T09:50:00Z");
    meal.carbs_g = Some(60.0);
    meal.protein_g = Some(15.0);
    let mut massage = entry(RecoveryMethod::Massage, "2026-03-02T16:00:00Z");
    massage.minutes = Some(45.0);
    let c = compliance(&p, &[meal.clone(), massage]);
    let n = c
        .iter()
        .find(|x| x.method == RecoveryMethod::Nutrition)
        .unwrap();
    assert!(n.done && n.on_time == Some(true));
    assert!((n.carb_protein_ratio.unwrap() - 4.0).abs() < 1e-9);
    assert!((n.carbs_fraction_of_target.unwrap() - 60.0 / 77.0).abs() < 1e-9);
    assert!(n.summary.contains("inside"));
    let m = c
        .iter()
        .find(|x| x.method == RecoveryMethod::Massage)
        .unwrap();
    assert!(m.done && m.on_time == Some(true));
    let f = c
        .iter()
        .find(|x| x.method == RecoveryMethod::FoamRolling)
        .unwrap();
    assert!(!f.done);

    // The same meal at 10:20Z is outside the window.
    meal.at = ts("2026-03-01T10:20:00Z");
    let c = compliance(&p, &[meal]);
    let n = c
        .iter()
        .find(|x| x.method == RecoveryMethod::Nutrition)
        .unwrap();
    assert_eq!(n.on_time, Some(false));
    assert!(n.summary.contains("outside"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn kind() -> impl Strategy<Value = SessionKind> {
        prop_oneof![
            Just(SessionKind::Easy),
            Just(SessionKind::Long),
            Just(SessionKind::Hard),
            Just(SessionKind::Race),
            Just(SessionKind::Strength),
        ]
    }

    const ALL_HEALTH: [HealthCondition; 12] = HealthCondition::ALL;

    proptest! {
        #[test]
        fn never_prescribes_without_access_or_against_a_health_exclusion(
            kind in kind(),
            duration in 10.0f64..300.0,
            load in 0.0f64..400.0,
            fitness in 0.0f64..120.0,
            access_bits in 0u8..64,
            health_bits in 0u16..4096,
            strength_block in proptest::bool::ANY,
            hot in proptest::bool::ANY,
            strength_h in proptest::option::of(0i64..72),
            next_hard_h in proptest::option::of(0i64..96),
        ) {
            let access: Vec<Access> = ALL_ACCESS
                .iter()
                .enumerate()
                .filter(|(i, _)| access_bits & (1 << i) != 0)
                .map(|(_, a)| *a)
                .collect();
            let mut c = ctx(kind, duration, &access);
            c.session.load = load;
            c.fitness = fitness;
            c.strength_block = strength_block;
            c.hot = hot;
            c.health = ALL_HEALTH
                .iter()
                .enumerate()
                .filter(|(i, _)| health_bits & (1 << i) != 0)
                .map(|(_, h)| *h)
                .collect();
            c.last_strength_session = strength_h.map(|h| plus_min(c.session.end, -h * 60));
            c.next_hard_session = next_hard_h.map(|h| plus_min(c.session.end, h * 60));
            let p = prescribe(&c);
            let needs = |m: RecoveryMethod| match m {
                RecoveryMethod::CompressionBoots => Some((Access::CompressionBoots, &BOOTS_EXCLUSIONS[..])),
                RecoveryMethod::CompressionGarments => Some((Access::CompressionGarments, &GARMENTS_EXCLUSIONS[..])),
                RecoveryMethod::ColdWaterImmersion => Some((Access::IceBath, &CWI_EXCLUSIONS[..])),
                RecoveryMethod::Cryotherapy => Some((Access::CryoCentre, &CRYO_EXCLUSIONS[..])),
                RecoveryMethod::Massage => Some((Access::Massage, &MASSAGE_EXCLUSIONS[..])),
                _ => None,
            };
            for item in &p.items {
                if let Some((a, excl)) = needs(item.method) {
                    prop_assert!(c.access.contains(&a), "{:?} without access", item.method);
                    prop_assert!(excl.iter().all(|h| !c.health.contains(h)), "{:?} despite exclusion", item.method);
                }
                prop_assert!(item.start.timestamp() <= item.end.timestamp());
                prop_assert!(!item.reason.is_empty() && !item.evidence.is_empty());
                // Cold never in a strength block.
                if strength_block {
                    prop_assert!(!matches!(item.method, RecoveryMethod::ColdWaterImmersion | RecoveryMethod::Cryotherapy));
                }
                // A sentence, not a rule id.
                prop_assert!(!item.reason.contains(item.rule), "{}", item.reason);
            }
            // Free methods are always there; at most one cold method.
            prop_assert!(has(&p, RecoveryMethod::Nutrition));
            prop_assert!(has(&p, RecoveryMethod::FoamRolling));
            prop_assert!(has(&p, RecoveryMethod::Sleep));
            prop_assert!(!(has(&p, RecoveryMethod::ColdWaterImmersion) && has(&p, RecoveryMethod::Cryotherapy)));
        }
    }
}

#[test]
fn validation_checks_what_every_method_stores_even_when_it_does_not_use_it() {
    // A rest day uses neither minutes nor a note, but both are stored: they are checked too.
    let mut rest = entry(RecoveryMethod::Rest, "2026-03-01T11:00:00Z");
    rest.minutes = Some(-5.0);
    assert_eq!(
        validate(&rest, ts(NOW)).unwrap_err().violation().field,
        "minutes"
    );
    rest.minutes = Some(1_441.0);
    assert_eq!(
        validate(&rest, ts(NOW)).unwrap_err().violation().limit,
        "0.1–1440 min"
    );
    rest.minutes = None;
    rest.note = Some("felt\0fine".into());
    let v = validate(&rest, ts(NOW)).unwrap_err().violation();
    assert_eq!(v.field, "note");
    assert!(v.message.contains("NUL"), "{}", v.message);
    rest.note = Some("felt\nfine".into());
    assert_eq!(validate(&rest, ts(NOW)), Ok(()));
    rest.zones = vec!["calves".into(); 21];
    assert_eq!(
        validate(&rest, ts(NOW)).unwrap_err().violation().field,
        "zones"
    );
    // 501 g of protein in one meal is over limits::MEAL_MAX_G (500 g).
    let mut meal = entry(RecoveryMethod::Nutrition, "2026-03-01T11:00:00Z");
    meal.protein_g = Some(501.0);
    assert!(
        validate(&meal, ts(NOW))
            .unwrap_err()
            .to_string()
            .contains("500")
    );
}

#[test]
fn every_prescribed_dose_logged_as_done_is_valid_and_within_the_evidence() {
    // Ticking an item off logs its dose: it must be accepted, and without a dose warning.
    let p = prescribe(&congested(ctx(SessionKind::Race, 120.0, &ALL_ACCESS)));
    let mut c = ctx(SessionKind::Hard, 60.0, &[Access::CryoCentre]);
    c.next_hard_session = Some(ts("2026-03-02T15:30:00Z"));
    let cryo = prescribe(&c);
    let items = p.items.iter().chain(cryo.items.iter());
    let mut seen = BTreeSet::new();
    for item in items {
        if item.minutes.is_none() {
            assert!(matches!(
                item.method,
                RecoveryMethod::Nutrition | RecoveryMethod::Rest
            ));
            continue;
        }
        let mut e = entry(item.method, "2026-03-01T11:00:00Z");
        e.minutes = item.minutes.map(f64::from);
        e.temp_c = item.temp_c;
        assert_eq!(validate(&e, ts(NOW)), Ok(()), "{e:?}");
        assert!(
            super::logging::warnings(&e, &BTreeSet::new()).is_empty(),
            "{e:?}"
        );
        seen.insert(item.method);
    }
    assert!(seen.contains(&RecoveryMethod::ColdWaterImmersion));
    assert!(seen.contains(&RecoveryMethod::Cryotherapy));
    assert!(seen.contains(&RecoveryMethod::CompressionGarments));
}
