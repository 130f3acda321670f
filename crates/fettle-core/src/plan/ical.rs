//! iCalendar (RFC 5545) export of a plan: sessions and scheduled recovery for any calendar.
//!
//! Choices, so that calendars show the right thing and a second export updates the first:
//! - **Time zone.** Sessions are timed events at the athlete's chosen start time in their own
//!   IANA zone (`DTSTART;TZID=Europe/Paris:20270418T070000`), with a `VTIMEZONE` built from the
//!   zone's real transitions over the plan's dates, so a run stays at 07:00 local across a DST
//!   change. Recovery items with a time relative to the run (refuelling, boots, ice bath, foam
//!   rolling) are timed after the session; items for the whole day (rest, sleep, massage within
//!   48 h, cryotherapy at a centre) are all-day events (`VALUE=DATE`). Rest days have no session.
//! - **Stable UIDs.** `<race YYYYMMDD>-<day YYYYMMDD>-<item>@fettle`, item = `session` or the
//!   recovery method's name: re-exporting the same race gives the same UIDs, so calendars update
//!   the events in place. `DTSTAMP` is a parameter (no clock here); `SEQUENCE` is derived from it
//!   so that a later export wins.
//! - **Text.** TEXT values are escaped (`\\`, `\;`, `\,`, `\n`), lines end in CRLF and are folded
//!   at 75 octets without splitting a UTF-8 character (and without leaving a space at the end of
//!   a physical line, which some parsers trim).

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};

use super::{Day, Plan, PlanError, RecoveryItem, SessionKind, add_days};

/// Maximum line length in octets before folding (RFC 5545 §3.1).
const MAX_LINE_OCTETS: usize = 75;
/// Product identifier.
const PRODID: &str = "-//Fettle//Training plan//EN";

/// How to export.
#[derive(Debug, Clone)]
pub struct IcalOptions {
    /// The export's DTSTAMP (the caller's "now"; nothing here reads the clock).
    pub dtstamp: Timestamp,
    /// The athlete's time zone; must have an IANA name.
    pub time_zone: TimeZone,
    /// Local start time of every session.
    pub session_start: Time,
    /// Also export the recovery items (sleep, refuelling, foam rolling …) as events. Off by
    /// default in the faces: a calendar full of care items buries the sessions.
    pub with_recovery: bool,
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded at 75 octets (continuations start with one space, which
/// counts towards the 75) and ended with CRLF. Never splits a UTF-8 character, and never ends a
/// physical line with a space (it moves to the continuation line).
pub fn push_folded(out: &mut String, line: &str) {
    let limit = MAX_LINE_OCTETS;
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > limit {
            // Never end a physical line with a space: several parsers trim lines before
            // unfolding and would lose it. Carry it to the continuation instead.
            let carried = used > 2 && out.ends_with(' ');
            if carried {
                out.pop();
            }
            out.push_str("\r\n ");
            used = 1;
            if carried {
                out.push(' ');
                used += 1;
            }
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

fn fmt_date(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

fn fmt_datetime(dt: DateTime) -> String {
    format!(
        "{}T{:02}{:02}{:02}",
        fmt_date(dt.date()),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

fn fmt_offset(o: Offset) -> String {
    let secs = o.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    if a.is_multiple_of(60) {
        format!("{sign}{:02}{:02}", a / 3600, a / 60 % 60)
    } else {
        format!("{sign}{:02}{:02}{:02}", a / 3600, a / 60 % 60, a % 60)
    }
}

fn fmt_utc(ts: Timestamp) -> String {
    format!("{}Z", fmt_datetime(Offset::UTC.to_datetime(ts)))
}

/// The VTIMEZONE for `tz` covering `[from, to]`: the observance in force at `from` and every
/// transition up to `to`.
fn vtimezone(out: &mut String, tz: &TimeZone, name: &str, from: Timestamp, to: Timestamp) {
    push_folded(out, "BEGIN:VTIMEZONE");
    push_folded(out, &format!("TZID:{name}"));
    let observance =
        |out: &mut String, at: Timestamp, before: Offset, after: Offset, dst: bool, abbr: &str| {
            let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
            push_folded(out, &format!("BEGIN:{kind}"));
            // DTSTART is the local wall time of the onset, in the offset before it.
            push_folded(
                out,
                &format!("DTSTART:{}", fmt_datetime(before.to_datetime(at))),
            );
            push_folded(out, &format!("TZOFFSETFROM:{}", fmt_offset(before)));
            push_folded(out, &format!("TZOFFSETTO:{}", fmt_offset(after)));
            if !abbr.is_empty() {
                push_folded(out, &format!("TZNAME:{}", escape_text(abbr)));
            }
            push_folded(out, &format!("END:{kind}"));
        };
    // The observance in force at `from`: from its last transition, or from `from` itself.
    let info = tz.to_offset_info(from);
    let (onset, before) = match tz.preceding(from).next() {
        Some(t) => {
            let before = t
                .timestamp()
                .checked_sub(jiff::SignedDuration::from_secs(1))
                .map_or(t.offset(), |ts| tz.to_offset(ts));
            (t.timestamp(), before)
        }
        None => (from, info.offset()),
    };
    observance(
        out,
        onset,
        before,
        info.offset(),
        info.dst().is_dst(),
        info.abbreviation(),
    );
    let mut previous = info.offset();
    for t in tz.following(from).take_while(|t| t.timestamp() <= to) {
        observance(
            out,
            t.timestamp(),
            previous,
            t.offset(),
            t.dst().is_dst(),
            t.abbreviation(),
        );
        previous = t.offset();
    }
    push_folded(out, "END:VTIMEZONE");
}

fn method_name(item: &RecoveryItem) -> &'static str {
    item.method.as_str()
}

fn method_title(item: &RecoveryItem) -> &'static str {
    item.method.spec().calendar_title
}

struct Event {
    uid: String,
    summary: String,
    description: String,
    /// `Ok((start, minutes))` for a timed event, `Err(date)` for an all-day one.
    when: Result<(DateTime, i64), Date>,
    category: &'static str,
}

fn day_events(
    plan: &Plan,
    day: &Day,
    start: Time,
    with_recovery: bool,
) -> Result<Vec<Event>, PlanError> {
    let prefix = format!("{}-{}", fmt_date(plan.race.date), fmt_date(day.date));
    let mut events = Vec::new();
    let session_start = day.date.to_datetime(start);
    let minutes = (day.session.duration_s / 60.0).round() as i64;
    if day.session.kind != SessionKind::Rest {
        let summary = day.session.title.clone();
        events.push(Event {
            uid: format!("{prefix}-session@fettle"),
            summary,
            description: day.session.description.clone(),
            when: Ok((session_start, minutes.max(1))),
            category: "Training",
        });
    }
    let recovery: &[RecoveryItem] = if with_recovery { &day.recovery } else { &[] };
    for item in recovery {
        let description = format!("{}, {}. Why: {}.", item.dose, item.when, item.reason);
        let when = match (item.start_after_session_min, item.duration_min) {
            (Some(after), Some(duration)) if day.session.kind != SessionKind::Rest => {
                let at = session_start
                    .checked_add(jiff::SignedDuration::from_mins(minutes + i64::from(after)))
                    .map_err(|_| PlanError::DateRange)?;
                Ok((at, i64::from(duration)))
            }
            _ => Err(day.date),
        };
        events.push(Event {
            uid: format!("{prefix}-{}@fettle", method_name(item)),
            summary: method_title(item).to_owned(),
            description,
            when,
            category: "Recovery",
        });
    }
    Ok(events)
}

/// Exports `plan` as an iCalendar document (RFC 5545). Errors when the time zone has no IANA name.
pub fn to_ical(plan: &Plan, options: &IcalOptions) -> Result<String, PlanError> {
    let tz = &options.time_zone;
    let name = tz.iana_name().ok_or(PlanError::UnnamedTimeZone)?.to_owned();
    let first = plan.days().next().map_or(plan.race.date, |d| d.date);
    let last = add_days(plan.race.date, 2)?;
    let from = tz
        .to_timestamp(first.to_datetime(Time::midnight()))
        .map_err(|_| PlanError::DateRange)?;
    let to = tz
        .to_timestamp(last.to_datetime(Time::midnight()))
        .map_err(|_| PlanError::DateRange)?;
    let stamp = fmt_utc(options.dtstamp);
    // Later exports carry a higher SEQUENCE so calendars take them as updates.
    let sequence = options.dtstamp.as_second().max(0) / 60;

    let mut out = String::with_capacity(plan.weeks.len() * 7 * 1200);
    push_folded(&mut out, "BEGIN:VCALENDAR");
    push_folded(&mut out, "VERSION:2.0");
    push_folded(&mut out, &format!("PRODID:{PRODID}"));
    push_folded(&mut out, "CALSCALE:GREGORIAN");
    push_folded(&mut out, "METHOD:PUBLISH");
    push_folded(
        &mut out,
        &format!(
            "X-WR-CALNAME:{}",
            escape_text(&format!(
                "Fettle plan: {:.1} km on {}",
                plan.race.distance_m / 1000.0,
                plan.race.date
            ))
        ),
    );
    push_folded(&mut out, &format!("X-WR-TIMEZONE:{name}"));
    vtimezone(&mut out, tz, &name, from, to);
    for day in plan.days() {
        for event in day_events(plan, day, options.session_start, options.with_recovery)? {
            push_folded(&mut out, "BEGIN:VEVENT");
            push_folded(&mut out, &format!("UID:{}", event.uid));
            push_folded(&mut out, &format!("DTSTAMP:{stamp}"));
            push_folded(&mut out, &format!("SEQUENCE:{sequence}"));
            match event.when {
                Ok((start, minutes)) => {
                    push_folded(
                        &mut out,
                        &format!("DTSTART;TZID={name}:{}", fmt_datetime(start)),
                    );
                    push_folded(&mut out, &format!("DURATION:PT{minutes}M"));
                }
                Err(date) => {
                    push_folded(&mut out, &format!("DTSTART;VALUE=DATE:{}", fmt_date(date)));
                    let next = add_days(date, 1)?;
                    push_folded(&mut out, &format!("DTEND;VALUE=DATE:{}", fmt_date(next)));
                    push_folded(&mut out, "TRANSP:TRANSPARENT");
                }
            }
            push_folded(
                &mut out,
                &format!("SUMMARY:{}", escape_text(&event.summary)),
            );
            push_folded(
                &mut out,
                &format!("DESCRIPTION:{}", escape_text(&event.description)),
            );
            push_folded(&mut out, &format!("CATEGORIES:{}", event.category));
            push_folded(&mut out, "END:VEVENT");
        }
    }
    push_folded(&mut out, "END:VCALENDAR");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use jiff::civil::{date, time};

    use super::*;
    use crate::plan::{MARATHON_M, PlanRequest, StartingPoint, create_plan};

    #[test]
    fn text_is_escaped_per_rfc_5545() {
        assert_eq!(escape_text("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        assert_eq!(escape_text("line\r\nbreak"), "line\\nbreak");
    }

    #[test]
    fn long_lines_fold_at_75_octets() {
        let mut out = String::new();
        push_folded(&mut out, &"a".repeat(75));
        assert_eq!(out, format!("{}\r\n", "a".repeat(75)));
        // 150 octets: 75 on the first line, then 1 space + 74, then 1 space + 1.
        let mut out = String::new();
        push_folded(&mut out, &"b".repeat(150));
        assert_eq!(
            out,
            format!("{}\r\n {}\r\n b\r\n", "b".repeat(75), "b".repeat(74))
        );
    }

    #[test]
    fn folding_never_splits_a_utf8_character() {
        // 74 ASCII octets + "é" (2 octets) = 76 > 75: the é moves whole to the next line.
        let mut out = String::new();
        push_folded(&mut out, &format!("{}é", "x".repeat(74)));
        assert_eq!(out, format!("{}\r\n é\r\n", "x".repeat(74)));
    }

    #[test]
    fn folding_carries_a_space_to_the_continuation() {
        // A space at octet 75 would end the physical line: it starts the next one instead.
        let mut out = String::new();
        push_folded(&mut out, &format!("{} yz", "x".repeat(74)));
        assert_eq!(out, format!("{}\r\n  yz\r\n", "x".repeat(74)));
    }

    fn plan() -> crate::plan::Plan {
        let mut req = PlanRequest::new(date(2026, 11, 30), date(2027, 4, 18), MARATHON_M);
        req.start = Some(StartingPoint {
            fitness: 40.0,
            fatigue: 45.0,
            recent_weekly_distance_m: 40_000.0,
        });
        req.thresholds.threshold_pace_s_per_km = Some(270.0);
        req.goal_time_s = Some(11_700.0);
        req.access = ["compression-boots", "massage"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        create_plan(&req).unwrap()
    }

    fn options(stamp: &str) -> IcalOptions {
        IcalOptions {
            dtstamp: stamp.parse().unwrap(),
            time_zone: TimeZone::get("Europe/Paris").unwrap(),
            session_start: time(7, 0, 0, 0),
            with_recovery: true,
        }
    }

    fn prop<'a>(props: &'a [ical::property::Property], name: &str) -> &'a ical::property::Property {
        props
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no {name}"))
    }

    fn value<'a>(props: &'a [ical::property::Property], name: &str) -> &'a str {
        prop(props, name).value.as_deref().unwrap_or("")
    }

    #[test]
    fn export_is_read_back_by_an_independent_parser() {
        let plan = plan();
        let text = to_ical(&plan, &options("2026-11-30T08:00:00Z")).unwrap();
        // Every physical line ends in CRLF and is at most 75 octets.
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        for line in text.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{line}");
            assert!(!line.contains('\n') && !line.ends_with(' '));
        }
        let mut parser = ical::IcalParser::new(BufReader::new(text.as_bytes()));
        let cal = parser.next().unwrap().unwrap();
        assert!(parser.next().is_none());
        assert_eq!(value(&cal.properties, "VERSION"), "2.0");
        assert_eq!(value(&cal.properties, "PRODID"), PRODID);

        // Europe/Paris: CET (+0100) from 25 Oct 2026 03:00 CEST; CEST from 28 Mar 2027 02:00 CET.
        assert_eq!(cal.timezones.len(), 1);
        let tz = &cal.timezones[0];
        assert_eq!(value(&tz.properties, "TZID"), "Europe/Paris");
        let observances: Vec<(String, String, String)> = tz
            .transitions
            .iter()
            .map(|t| {
                (
                    value(&t.properties, "DTSTART").to_owned(),
                    value(&t.properties, "TZOFFSETFROM").to_owned(),
                    value(&t.properties, "TZOFFSETTO").to_owned(),
                )
            })
            .collect();
        assert_eq!(
            observances,
            vec![
                ("20261025T030000".into(), "+0200".into(), "+0100".into()),
                ("20270328T020000".into(), "+0100".into(), "+0200".into()),
            ]
        );

        let items: usize = plan.days().map(|d| d.recovery.len()).sum();
        let sessions = plan
            .days()
            .filter(|d| d.session.kind != SessionKind::Rest)
            .count();
        assert_eq!(cal.events.len(), items + sessions);
        let mut uids: Vec<&str> = cal
            .events
            .iter()
            .map(|e| value(&e.properties, "UID"))
            .collect();
        uids.sort_unstable();
        uids.dedup();
        assert_eq!(uids.len(), cal.events.len());

        // The race: 07:00 Paris time (CEST by then), 3:15:00 = 195 min, targets in the text.
        let race = cal
            .events
            .iter()
            .find(|e| value(&e.properties, "UID") == "20270418-20270418-session@fettle")
            .unwrap();
        let start = prop(&race.properties, "DTSTART");
        assert_eq!(start.value.as_deref(), Some("20270418T070000"));
        assert_eq!(
            start.params.as_ref().unwrap()[0],
            ("TZID".to_owned(), vec!["Europe/Paris".to_owned()])
        );
        assert_eq!(value(&race.properties, "DURATION"), "PT195M");
        assert_eq!(value(&race.properties, "SUMMARY"), "Race 42.2 km");
        let race_day = plan.days().last().unwrap();
        // The parser unfolds but keeps TEXT escapes: compare with the escaped description.
        assert_eq!(
            value(&race.properties, "DESCRIPTION"),
            escape_text(&race_day.session.description)
        );
        assert!(race_day.session.description.contains("4:35–4:40/km"));

        // Boots 30 min after a long run ends (once refuelled, as `fettle recover` says); rest
        // days are all-day events.
        let long = plan
            .days()
            .find(|d| d.session.kind == SessionKind::Long)
            .unwrap();
        let boots_uid = format!("20270418-{}-compression_boots@fettle", fmt_date(long.date));
        let boots = cal
            .events
            .iter()
            .find(|e| value(&e.properties, "UID") == boots_uid)
            .unwrap();
        let end = long
            .date
            .to_datetime(time(7, 0, 0, 0))
            .checked_add(jiff::SignedDuration::from_mins(
                (long.session.duration_s / 60.0).round() as i64 + 30,
            ))
            .unwrap();
        assert_eq!(value(&boots.properties, "DTSTART"), fmt_datetime(end));
        let rest = plan
            .days()
            .find(|d| d.session.kind == SessionKind::Rest)
            .unwrap();
        let rest_uid = format!("20270418-{}-rest@fettle", fmt_date(rest.date));
        let rest_event = cal
            .events
            .iter()
            .find(|e| value(&e.properties, "UID") == rest_uid)
            .unwrap();
        let rest_start = prop(&rest_event.properties, "DTSTART");
        assert_eq!(
            rest_start.params.as_ref().unwrap()[0].1,
            vec!["DATE".to_owned()]
        );
        assert_eq!(
            rest_start.value.as_deref(),
            Some(fmt_date(rest.date).as_str())
        );
    }

    #[test]
    fn a_second_export_keeps_the_uids_and_raises_the_sequence() {
        let plan = plan();
        let first = to_ical(&plan, &options("2026-11-30T08:00:00Z")).unwrap();
        let second = to_ical(&plan, &options("2026-12-07T08:00:00Z")).unwrap();
        let read = |text: &str| -> Vec<(String, u64)> {
            let cal = ical::IcalParser::new(BufReader::new(text.as_bytes()))
                .next()
                .unwrap()
                .unwrap();
            cal.events
                .iter()
                .map(|e| {
                    (
                        value(&e.properties, "UID").to_owned(),
                        value(&e.properties, "SEQUENCE").parse().unwrap(),
                    )
                })
                .collect()
        };
        let (a, b) = (read(&first), read(&second));
        assert_eq!(a.len(), b.len());
        for ((uid_a, seq_a), (uid_b, seq_b)) in a.iter().zip(&b) {
            assert_eq!(uid_a, uid_b);
            // One week later: 7·24·60 = 10 080 minutes more.
            assert_eq!(seq_b - seq_a, 10_080);
        }
        assert!(second.contains("DTSTAMP:20261207T080000Z"));
    }

    #[test]
    fn unnamed_time_zone_is_refused() {
        let mut opts = options("2026-11-30T08:00:00Z");
        opts.time_zone = TimeZone::fixed(jiff::tz::offset(2));
        assert_eq!(to_ical(&plan(), &opts), Err(PlanError::UnnamedTimeZone));
    }
}
