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
//!   at 75 octets without splitting a UTF-8 character.

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
/// counts towards the 75) and ended with CRLF. Never splits a UTF-8 character.
pub fn push_folded(out: &mut String, line: &str) {
    let mut limit = MAX_LINE_OCTETS;
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > limit {
            out.push_str("\r\n ");
            used = 1;
            limit = MAX_LINE_OCTETS;
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
    use crate::log::RecoveryMethod as M;
    match item.method {
        M::Nutrition => "Refuel",
        M::CompressionBoots => "Compression boots",
        M::ColdWaterImmersion => "Ice bath",
        M::Cryotherapy => "Cryotherapy",
        M::Massage => "Sports massage",
        M::FoamRolling => "Foam rolling",
        M::Sleep => "Sleep",
        M::Rest => "Rest day",
    }
}

struct Event {
    uid: String,
    summary: String,
    description: String,
    /// `Ok((start, minutes))` for a timed event, `Err(date)` for an all-day one.
    when: Result<(DateTime, i64), Date>,
    category: &'static str,
}

fn day_events(plan: &Plan, day: &Day, start: Time) -> Result<Vec<Event>, PlanError> {
    let prefix = format!("{}-{}", fmt_date(plan.race.date), fmt_date(day.date));
    let mut events = Vec::new();
    let session_start = day.date.to_datetime(start);
    let minutes = (day.session.duration_s / 60.0).round() as i64;
    if day.session.kind != SessionKind::Rest {
        let summary = day
            .session
            .description
            .split(':')
            .next()
            .unwrap_or("Run")
            .to_owned();
        events.push(Event {
            uid: format!("{prefix}-session@fettle"),
            summary,
            description: day.session.description.clone(),
            when: Ok((session_start, minutes.max(1))),
            category: "Training",
        });
    }
    for item in &day.recovery {
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
        for event in day_events(plan, day, options.session_start)? {
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
