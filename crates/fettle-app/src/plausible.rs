//! Plausibility of decoded activities: the one check every imported activity passes before it
//! is stored, against the bounds of [`fettle_core::limits`].
//!
//! A decoder reports what the bytes say; a corrupt file, a device with a wrong clock or a
//! hostile file can say impossible things (a run of 12 billion seconds, 42,784 km in six
//! minutes, a heart rate of 400, a start in 2095). [`check_activity`] decides, per value,
//! whether the trustworthy part can be kept honestly:
//!
//! - **salvaged with a warning**: a damaged tail of samples (times past the sport's longest
//!   session, or past tomorrow) is dropped and the duration taken from the samples kept; single
//!   samples that cannot be true (a heart rate outside 25–250 bpm, a coordinate off the globe,
//!   a speed or a jump in distance faster than the sport allows) become missing; a heart-rate
//!   summary outside 25–250 bpm, a perceived exertion off the 0–10 scale and a lap with an
//!   impossible time are left out; an overlong name or description is cut;
//! - **refused**, failing the file with the reason: a start outside 1989-01-01 … tomorrow, a
//!   duration beyond the sport's bound that no sample can replace, a negative or impossible
//!   distance (the activity's or a lap's), a whole-session mean speed beyond the sport's bound,
//!   more samples than a session can have.
//!
//! So a value outside the bounds never reaches the store, the loads or the charts.

use fettle_core::limits::{self, ActivityBounds, Violation};
use fettle_formats::{Activity, Streams};
use jiff::Timestamp;

/// Sessions shorter than this are not checked for mean speed: a few seconds of a sprint can be
/// faster than any whole session, and such a short recording carries almost no load anyway.
const MIN_DURATION_FOR_MEAN_SPEED_S: f64 = 60.0;

/// Most samples one activity may hold (the store's limit for one channel).
pub const MAX_SAMPLES: usize = fettle_store::blob::MAX_CHANNEL_LEN;

/// Checks `activity` against the plausibility bounds at `now`, repairing what can honestly be
/// repaired. Returns the warnings to show (empty when all was plausible), or the violation that
/// makes the activity untrustworthy.
pub fn check_activity(activity: &mut Activity, now: Timestamp) -> Result<Vec<String>, Violation> {
    let mut warnings = Vec::new();
    check_texts(activity, &mut warnings);
    keep_the_main_run(activity, &mut warnings);
    if !limits::in_date_range(activity.start, now) {
        return Err(Violation::new(
            "start",
            activity.start.to_string(),
            format!("from {} to one day after today", limits::EARLIEST_DATE),
            format!(
                "the session starts at {}, outside the dates Fettle accepts (from {} to one day \
                 after today): the device's clock was wrong or the file is damaged; set the \
                 clock and export the file again",
                activity.start,
                limits::EARLIEST_DATE
            ),
        ));
    }
    let bounds = ActivityBounds::for_sport(activity.sport.as_str());
    let sport = activity.sport.as_str().to_owned();
    // Samples and durations may run to the sport's longest session, and never past tomorrow.
    let latest = now.saturating_add(limits::FUTURE_TOLERANCE).unwrap_or(now);
    let until_latest_s = latest.duration_since(activity.start).as_secs_f64();
    let max_time_s = bounds.max_duration_s.min(until_latest_s);

    check_streams(
        &mut activity.streams,
        &bounds,
        max_time_s,
        &sport,
        &mut warnings,
    )?;
    activity
        .rr_intervals_ms
        .retain(|rr| rr.is_finite() && *rr > 0.0);
    if activity.rr_intervals_ms.len() > MAX_SAMPLES {
        return Err(too_many_samples(activity.rr_intervals_ms.len()));
    }
    check_durations(activity, &bounds, max_time_s, &sport, &mut warnings)?;
    // Laps first: when a lap's distance is impossible, the session's (their sum) is too, and
    // the lap is the better name for what is damaged.
    check_laps(activity, &bounds, now, &sport, &mut warnings)?;
    check_distance(activity, &bounds, &sport)?;
    check_summaries(activity, &mut warnings);
    Ok(warnings)
}

/// Keeps the longest run of samples without a gap of more than [`limits::MAX_SAMPLE_GAP`] (or a
/// time that is not a number) and drops the others with a warning: a sample a year away from
/// the rest carries a damaged clock, whether it comes first or last. When the run kept does not
/// start with the first sample, the activity starts at the run's first sample.
fn keep_the_main_run(activity: &mut Activity, warnings: &mut Vec<String>) {
    let s = &activity.streams;
    if s.is_empty() || !s.is_consistent() {
        return;
    }
    let max_gap = limits::MAX_SAMPLE_GAP.as_secs_f64();
    // (first index, end index) of the longest run; ties go to the earlier run.
    let mut best = (0usize, 0usize);
    let mut run_start = 0usize;
    for i in 0..=s.len() {
        let breaks = i == s.len()
            || !s.time_s[i].is_finite()
            // Both times are finite here: the earlier one is in the run.
            || (i > run_start && s.time_s[i] - s.time_s[i - 1] > max_gap);
        if breaks {
            if i - run_start > best.1 - best.0 {
                best = (run_start, i);
            }
            // A sample whose time is not a number belongs to no run.
            run_start = if i < s.len() && !s.time_s[i].is_finite() {
                i + 1
            } else {
                i
            };
        }
    }
    let (first, end) = best;
    if first == 0 && end == s.len() {
        return;
    }
    let dropped = s.len() - (end - first);
    let streams = &mut activity.streams;
    keep_range(streams, first, end);
    let offset = streams.time_s.first().copied().unwrap_or(0.0);
    if offset != 0.0
        && let Ok(shift) = jiff::SignedDuration::try_from_secs_f64(offset)
        && let Ok(start) = activity.start.checked_add(shift)
    {
        activity.start = start;
        streams.time_s.iter_mut().for_each(|t| *t -= offset);
    }
    warnings.push(format!(
        "{dropped} samples more than a day away from the other {} (a damaged clock) were left \
         out",
        end - first
    ));
}

/// Keeps samples `first..end` of every channel.
fn keep_range(s: &mut Streams, first: usize, end: usize) {
    truncate(s, end);
    if first == 0 {
        return;
    }
    for channel in [
        &mut s.time_s,
        &mut s.lat_deg,
        &mut s.lon_deg,
        &mut s.distance_m,
    ] {
        if !channel.is_empty() {
            channel.drain(..first);
        }
    }
    for channel in [
        &mut s.speed_mps,
        &mut s.altitude_m,
        &mut s.heart_rate_bpm,
        &mut s.cadence_rpm,
        &mut s.power_w,
        &mut s.temperature_c,
    ] {
        if !channel.is_empty() {
            channel.drain(..first);
        }
    }
}

/// Cuts overlong texts and strips NUL characters (which no name needs and some databases
/// refuse).
fn check_texts(activity: &mut Activity, warnings: &mut Vec<String>) {
    cut_text("name", &mut activity.name, limits::NAME_MAX_CHARS, warnings);
    cut_text(
        "description",
        &mut activity.description,
        limits::NOTE_MAX_CHARS,
        warnings,
    );
    cut_text(
        "device",
        &mut activity.device,
        limits::NAME_MAX_CHARS,
        warnings,
    );
    cut_text(
        "sub-sport",
        &mut activity.sub_sport,
        limits::NAME_MAX_CHARS,
        warnings,
    );
    if let fettle_formats::Sport::Other(name) = &mut activity.sport {
        let mut text = Some(std::mem::take(name));
        cut_text("sport", &mut text, limits::NAME_MAX_CHARS, warnings);
        *name = text.unwrap_or_default();
    }
}

/// Cuts `text` to `max` characters (with a warning), without NULs.
fn cut_text(field: &str, text: &mut Option<String>, max: usize, warnings: &mut Vec<String>) {
    let Some(value) = text else { return };
    if value.contains('\0') {
        value.retain(|c| c != '\0');
    }
    if let Some((cut_at, _)) = value.char_indices().nth(max) {
        let total = value.chars().count();
        value.truncate(cut_at);
        warnings.push(format!(
            "the {field} was {total} characters long; its first {max} were kept"
        ));
    }
}

/// The refusal for an activity with more samples than any session can have.
fn too_many_samples(count: usize) -> Violation {
    Violation::new(
        "samples",
        count.to_string(),
        format!("at most {MAX_SAMPLES}"),
        format!(
            "the session holds {count} samples, more than the {MAX_SAMPLES} Fettle stores for \
             one activity (115 days at one per second): the file is damaged or not one session"
        ),
    )
}

/// Drops a damaged tail of samples and makes impossible single samples missing.
fn check_streams(
    s: &mut Streams,
    bounds: &ActivityBounds,
    max_time_s: f64,
    sport: &str,
    warnings: &mut Vec<String>,
) -> Result<(), Violation> {
    if s.len() > MAX_SAMPLES {
        return Err(too_many_samples(s.len()));
    }
    if !s.is_consistent() {
        return Err(Violation::new(
            "samples",
            s.len().to_string(),
            "one value per channel and sample",
            "the sample channels have different lengths: the file is damaged",
        ));
    }
    // The tail from the first sample whose time is not finite or lies past the bound.
    let keep = s
        .time_s
        .iter()
        .position(|t| !(t.is_finite() && *t <= max_time_s))
        .unwrap_or(s.len());
    if keep < s.len() {
        let dropped = s.len() - keep;
        warnings.push(format!(
            "the last {dropped} of {} samples were left out: their time lies more than {} after \
             the start, longer than a {sport} session can last (or after tomorrow), so that tail \
             of the file is damaged",
            s.len(),
            hours(max_time_s)
        ));
        truncate(s, keep);
    }

    let (low, high) = limits::HEART_RATE_BPM;
    let hr_dropped = blank_where(&mut s.heart_rate_bpm, |hr| {
        !(f64::from(hr) >= low && f64::from(hr) <= high)
    });
    if hr_dropped > 0 {
        warnings.push(format!(
            "{hr_dropped} heart-rate samples outside {low}–{high} bpm (a sensor fault) were \
             left out"
        ));
    }
    let mut off_globe = 0;
    for i in 0..s.lat_deg.len().min(s.lon_deg.len()) {
        let (lat, lon) = (s.lat_deg[i], s.lon_deg[i]);
        if (lat.is_nan() && lon.is_nan()) || (lat.abs() <= 90.0 && lon.abs() <= 180.0) {
            continue;
        }
        s.lat_deg[i] = f64::NAN;
        s.lon_deg[i] = f64::NAN;
        off_globe += 1;
    }
    if off_globe > 0 {
        warnings.push(format!(
            "{off_globe} positions off the globe (latitude beyond ±90° or longitude beyond \
             ±180°) were left out"
        ));
    }
    let max_speed = bounds.max_sample_speed_mps;
    let fast = blank_where(&mut s.speed_mps, |v| {
        !(f64::from(v) >= 0.0 && f64::from(v) <= max_speed)
    });
    if fast > 0 {
        warnings.push(format!(
            "{fast} speed samples below 0 or above {max_speed} m/s (faster than a {sport} \
             session can go) were left out"
        ));
    }
    for channel in [
        &mut s.altitude_m,
        &mut s.cadence_rpm,
        &mut s.power_w,
        &mut s.temperature_c,
    ] {
        blank_where(channel, f32::is_infinite);
    }
    repair_distance(s, bounds, sport, warnings);
    Ok(())
}

/// Removes jumps in the cumulative distance faster than the sport's sample-speed bound (a GPS
/// jump or a corrupt record): the distance after a jump is lowered by the jump, so the jump
/// counts as no distance rather than shifting everything after it.
fn repair_distance(
    s: &mut Streams,
    bounds: &ActivityBounds,
    sport: &str,
    warnings: &mut Vec<String>,
) {
    if s.distance_m.is_empty() {
        return;
    }
    let mut removed_m = 0.0;
    let mut jumps = 0usize;
    let mut invalid = 0usize;
    let mut previous: Option<(f64, f64)> = None;
    for (d, &t) in s.distance_m.iter_mut().zip(&s.time_s) {
        if d.is_nan() {
            continue;
        }
        if !(d.is_finite() && *d >= 0.0) {
            *d = f64::NAN;
            invalid += 1;
            continue;
        }
        let mut adjusted = *d - removed_m;
        if let Some((t0, d0)) = previous {
            // At least one second's worth, so that two samples stamped with the same second
            // may still differ by a few metres.
            let allowed = bounds.max_sample_speed_mps * (t - t0).max(1.0);
            let step = adjusted - d0;
            if step > allowed {
                removed_m += step;
                jumps += 1;
                adjusted = d0;
            }
        }
        *d = adjusted;
        previous = Some((t, adjusted));
    }
    if jumps > 0 {
        warnings.push(format!(
            "{jumps} jumps in distance faster than {} m/s (impossible in a {sport} session; a \
             GPS jump or a damaged record), {:.1} km in all, were left out of the distance \
             samples",
            bounds.max_sample_speed_mps,
            removed_m / 1000.0
        ));
    }
    if invalid > 0 {
        warnings.push(format!(
            "{invalid} negative or infinite distance samples were left out"
        ));
    }
}

/// Sets to NaN the values of `channel` for which `bad` holds (NaN itself is never bad) and
/// empties a channel left without any value. Returns how many were set.
fn blank_where(channel: &mut Vec<f32>, bad: impl Fn(f32) -> bool) -> usize {
    let mut count = 0;
    for v in channel.iter_mut() {
        if !v.is_nan() && bad(*v) {
            *v = f32::NAN;
            count += 1;
        }
    }
    if count > 0 && channel.iter().all(|v| v.is_nan()) {
        channel.clear();
    }
    count
}

/// Keeps the first `n` samples of every channel.
fn truncate(s: &mut Streams, n: usize) {
    for channel in [
        &mut s.time_s,
        &mut s.lat_deg,
        &mut s.lon_deg,
        &mut s.distance_m,
    ] {
        channel.truncate(n);
    }
    for channel in [
        &mut s.speed_mps,
        &mut s.altitude_m,
        &mut s.heart_rate_bpm,
        &mut s.cadence_rpm,
        &mut s.power_w,
        &mut s.temperature_c,
    ] {
        channel.truncate(n);
    }
}

/// A duration in hours for a person ("48 h", "3.5 h").
fn hours(seconds: f64) -> String {
    let h = seconds / 3600.0;
    if (h - h.round()).abs() < 1e-9 {
        format!("{h:.0} h")
    } else {
        format!("{h:.1} h")
    }
}

/// A duration as it would be shown ("1:02:03"), or the raw number when it is not one.
fn clock(seconds: f64) -> String {
    if seconds.is_finite() && seconds.abs() < 1e12 {
        let total = seconds.abs().round() as u64;
        let sign = if seconds < 0.0 { "-" } else { "" };
        format!(
            "{sign}{}:{:02}:{:02}",
            total / 3600,
            total / 60 % 60,
            total % 60
        )
    } else {
        format!("{seconds} s")
    }
}

/// Elapsed and timer durations within the bound: a damaged value is replaced by the duration of
/// the samples when there are samples, else the activity is refused.
fn check_durations(
    activity: &mut Activity,
    bounds: &ActivityBounds,
    max_time_s: f64,
    sport: &str,
    warnings: &mut Vec<String>,
) -> Result<(), Violation> {
    let within = |v: f64| v.is_finite() && v >= 0.0 && v <= max_time_s;
    let samples_end = activity
        .streams
        .time_s
        .last()
        .copied()
        .filter(|t| *t > 0.0 && within(*t));
    if !within(activity.elapsed_s) {
        let Some(end) = samples_end else {
            return Err(Violation::new(
                "duration",
                clock(activity.elapsed_s),
                format!(
                    "0 to {} for {sport}, ending by tomorrow",
                    hours(bounds.max_duration_s)
                ),
                format!(
                    "the file says the session lasted {}, which a {sport} session cannot (at \
                     most {}, ending by tomorrow), and it has no samples to tell the true \
                     duration: the file is damaged",
                    clock(activity.elapsed_s),
                    hours(bounds.max_duration_s)
                ),
            ));
        };
        warnings.push(format!(
            "the file says the session lasted {}, which a {sport} session cannot; its samples \
             span {}, which was kept",
            clock(activity.elapsed_s),
            clock(end)
        ));
        activity.elapsed_s = end;
    }
    if !within(activity.timer_s) {
        warnings.push(format!(
            "the moving time {} is impossible; the elapsed time {} was used instead",
            clock(activity.timer_s),
            clock(activity.elapsed_s)
        ));
        activity.timer_s = activity.elapsed_s;
    }
    Ok(())
}

/// The activity's distance: not negative, not beyond the sport's bound, not faster on average
/// than the sport allows.
fn check_distance(
    activity: &mut Activity,
    bounds: &ActivityBounds,
    sport: &str,
) -> Result<(), Violation> {
    let Some(distance) = activity.distance_m else {
        return Ok(());
    };
    if distance.is_nan() {
        activity.distance_m = None;
        return Ok(());
    }
    check_one_distance(
        "distance",
        "the session's distance",
        distance,
        bounds,
        sport,
    )?;
    let elapsed = activity.elapsed_s;
    if elapsed >= MIN_DURATION_FOR_MEAN_SPEED_S && distance / elapsed > bounds.max_mean_speed_mps {
        return Err(Violation::new(
            "distance",
            format!("{:.3} km", distance / 1000.0),
            format!(
                "a mean speed of at most {} m/s for {sport}",
                bounds.max_mean_speed_mps
            ),
            format!(
                "the file says {:.3} km in {}, a mean speed of {:.1} m/s, faster than any {sport} \
                 session (at most {} m/s): the file is damaged",
                distance / 1000.0,
                clock(elapsed),
                distance / elapsed,
                bounds.max_mean_speed_mps
            ),
        ));
    }
    Ok(())
}

/// One distance summary (`what`: "the session's distance", "lap 3's distance"): finite, not
/// negative, not beyond the sport's bound.
fn check_one_distance(
    field: &str,
    what: &str,
    distance: f64,
    bounds: &ActivityBounds,
    sport: &str,
) -> Result<(), Violation> {
    if !(distance.is_finite() && distance >= 0.0) {
        return Err(Violation::new(
            field,
            format!("{distance} m"),
            "0 m or more",
            format!(
                "{what} is {distance} m; a distance cannot be negative or infinite: the file is \
                 damaged, export it again"
            ),
        ));
    }
    if distance > bounds.max_distance_m {
        return Err(Violation::new(
            field,
            format!("{:.3} km", distance / 1000.0),
            format!(
                "at most {:.0} km for {sport}",
                bounds.max_distance_m / 1000.0
            ),
            format!(
                "{what} is {:.3} km, more than a {sport} session can cover (at most {:.0} km): \
                 the file is damaged",
                distance / 1000.0,
                bounds.max_distance_m / 1000.0
            ),
        ));
    }
    Ok(())
}

/// Laps: a lap with an impossible time is left out; an impossible lap distance refuses the
/// activity (the activity's distance is usually their sum); impossible heart rates are left out.
fn check_laps(
    activity: &mut Activity,
    bounds: &ActivityBounds,
    now: Timestamp,
    sport: &str,
    warnings: &mut Vec<String>,
) -> Result<(), Violation> {
    for (i, lap) in activity.laps.iter_mut().enumerate() {
        if let Some(distance) = lap.distance_m {
            if distance.is_nan() {
                lap.distance_m = None;
            } else {
                let what = format!("lap {}'s distance", i + 1);
                check_one_distance("lap distance", &what, distance, bounds, sport)?;
            }
        }
        lap.avg_hr = lap.avg_hr.filter(|hr| is_heart_rate(*hr));
        lap.max_hr = lap.max_hr.filter(|hr| is_heart_rate(*hr));
        lap.avg_speed_mps = lap
            .avg_speed_mps
            .filter(|v| *v >= 0.0 && *v <= bounds.max_sample_speed_mps);
        for value in [
            &mut lap.avg_cadence,
            &mut lap.avg_power_w,
            &mut lap.ascent_m,
            &mut lap.descent_m,
        ] {
            *value = value.filter(|v| v.is_finite() && *v >= 0.0);
        }
    }
    let within = |v: f64| v.is_finite() && v >= 0.0 && v <= bounds.max_duration_s;
    let before = activity.laps.len();
    activity.laps.retain(|lap| {
        limits::in_date_range(lap.start, now) && within(lap.elapsed_s) && within(lap.timer_s)
    });
    let dropped = before - activity.laps.len();
    if dropped > 0 {
        warnings.push(format!(
            "{dropped} laps with an impossible start or duration were left out"
        ));
    }
    Ok(())
}

/// Whether `bpm` is a heart rate a human heart can show.
fn is_heart_rate(bpm: f64) -> bool {
    let (low, high) = limits::HEART_RATE_BPM;
    bpm >= low && bpm <= high
}

/// Summary values a session cannot have are left out (unknown rather than wrong).
fn check_summaries(activity: &mut Activity, warnings: &mut Vec<String>) {
    let (low, high) = limits::HEART_RATE_BPM;
    for (what, value) in [
        ("average heart rate", &mut activity.avg_hr),
        ("maximum heart rate", &mut activity.max_hr),
    ] {
        if let Some(bpm) = *value
            && !is_heart_rate(bpm)
        {
            warnings.push(format!(
                "the {what} of {bpm} bpm is outside {low}–{high} bpm (a sensor fault): left out"
            ));
            *value = None;
        }
    }
    let (rpe_low, rpe_high) = limits::PERCEIVED_EXERTION;
    if let Some(rpe) = activity.perceived_exertion
        && !(rpe >= rpe_low && rpe <= rpe_high)
    {
        warnings.push(format!(
            "the perceived exertion {rpe} is off the {rpe_low}–{rpe_high} scale: left out (set \
             it with `fettle rpe` if you remember it)"
        ));
        activity.perceived_exertion = None;
    }
    for value in [
        &mut activity.ascent_m,
        &mut activity.descent_m,
        &mut activity.avg_cadence,
        &mut activity.avg_power_w,
    ] {
        *value = value.filter(|v| v.is_finite() && *v >= 0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fettle_formats::{Lap, Sport};

    fn now() -> Timestamp {
        "2026-12-07T12:00:00Z".parse().unwrap()
    }

    /// A one-hour run at 3 m/s and 150 bpm sampled every second, starting 2026-06-01 08:00 UTC.
    fn run() -> Activity {
        let mut a = Activity::new("2026-06-01T08:00:00Z".parse().unwrap(), Sport::Running);
        let n = 3601;
        a.streams = Streams {
            time_s: (0..n).map(f64::from).collect(),
            distance_m: (0..n).map(|i| f64::from(i) * 3.0).collect(),
            heart_rate_bpm: vec![150.0; n as usize],
            ..Streams::default()
        };
        a.elapsed_s = 3600.0;
        a.timer_s = 3600.0;
        a.distance_m = Some(10_800.0);
        a.avg_hr = Some(150.0);
        a
    }

    #[test]
    fn a_plausible_run_passes_unchanged_without_warnings() {
        let mut a = run();
        let before = a.clone();
        assert_eq!(check_activity(&mut a, now()), Ok(Vec::new()));
        assert_eq!(a, before);
    }

    #[test]
    fn a_tail_in_the_year_2426_is_dropped_and_the_duration_taken_from_the_samples_kept() {
        let mut a = run();
        // The last sample 12,622,786,298 s after the start (the GPX).
        a.streams.time_s.push(12_622_786_298.0);
        a.streams.distance_m.push(10_803.0);
        a.streams.heart_rate_bpm.push(150.0);
        a.elapsed_s = 12_622_786_298.0;
        a.timer_s = 12_622_786_298.0;
        let warnings = check_activity(&mut a, now()).unwrap();
        assert_eq!(a.streams.len(), 3601);
        assert_eq!(a.elapsed_s, 3600.0);
        assert_eq!(a.timer_s, 3600.0);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert_eq!(
            warnings[0],
            "1 samples more than a day away from the other 3601 (a damaged clock) were left out"
        );
    }

    #[test]
    fn a_duration_of_1e19_without_samples_is_refused() {
        let mut a = run();
        a.streams = Streams::default();
        a.elapsed_s = 1e19;
        let v = check_activity(&mut a, now()).unwrap_err();
        assert_eq!(v.field, "duration");
        assert_eq!(v.value, "10000000000000000000 s");
        // 48 h is the running bound: 48:00:00 passes, one second more does not.
        a.elapsed_s = 48.0 * 3600.0;
        a.distance_m = None;
        assert!(check_activity(&mut a.clone(), now()).is_ok());
        a.elapsed_s += 1.0;
        assert_eq!(check_activity(&mut a, now()).unwrap_err().value, "48:00:01");
    }

    #[test]
    fn a_first_sample_in_1990_is_left_out_and_the_session_starts_with_the_rest() {
        // A byte-flipped year on the first point: 1990-06-01T08:00:00Z, then the hour of 2026.
        let mut a = run();
        let flipped: Timestamp = "1990-06-01T08:00:00Z".parse().unwrap();
        let gap = a.start.duration_since(flipped).as_secs_f64();
        a.start = flipped;
        a.streams.time_s = std::iter::once(0.0)
            .chain((0..3600).map(|i| gap + f64::from(i)))
            .collect();
        a.elapsed_s = gap + 3599.0;
        a.timer_s = a.elapsed_s;
        let warnings = check_activity(&mut a, now()).unwrap();
        // The 3,600 samples of 2026 are kept, starting at 2026-06-01T08:00:00Z.
        assert_eq!(a.start.to_string(), "2026-06-01T08:00:00Z");
        assert_eq!(a.streams.len(), 3600);
        assert_eq!(a.streams.time_s[0], 0.0);
        assert_eq!(a.streams.distance_m[0], 3.0);
        assert_eq!(a.elapsed_s, 3599.0);
        assert_eq!(
            warnings[0],
            "1 samples more than a day away from the other 3600 (a damaged clock) were left out"
        );
    }

    #[test]
    fn dates_outside_1989_to_tomorrow_are_refused() {
        for (start, ok) in [
            ("1988-12-31T23:59:59Z", false),
            ("1990-05-01T08:00:00Z", true),
            ("2026-12-08T11:00:00Z", true),
            ("2095-01-01T00:00:00Z", false),
        ] {
            let mut a = run();
            a.start = start.parse().unwrap();
            let result = check_activity(&mut a, now());
            assert_eq!(result.is_ok(), ok, "{start}: {result:?}");
            if !ok {
                assert_eq!(result.unwrap_err().field, "start");
            }
        }
    }

    #[test]
    fn a_session_cannot_end_after_tomorrow() {
        // Starting 2026-12-08 11:00, one hour before now + 24 h: samples after that hour go.
        let mut a = run();
        a.start = "2026-12-08T11:00:00Z".parse().unwrap();
        let warnings = check_activity(&mut a, now()).unwrap();
        assert_eq!(a.streams.len(), 3601, "{warnings:?}");
        a.start = "2026-12-08T11:30:00Z".parse().unwrap();
        check_activity(&mut a, now()).unwrap();
        // 30 min = 1,800 s left: samples 0…1800.
        assert_eq!(a.streams.len(), 1801);
        assert_eq!(a.elapsed_s, 1800.0);
    }

    #[test]
    fn impossible_distances_are_refused() {
        // 42,784 km in 385 s (the bit flip): beyond the 500 km running bound.
        let mut a = run();
        a.streams = Streams::default();
        a.elapsed_s = 385.0;
        a.timer_s = 385.0;
        a.distance_m = Some(42_784_000.0);
        let v = check_activity(&mut a, now()).unwrap_err();
        assert_eq!(
            (v.field.as_str(), v.value.as_str()),
            ("distance", "42784.000 km")
        );
        // 3 km in 385 s is 7.79 m/s, above the 7 m/s running mean: refused; 2.5 km is 6.49 m/s.
        a.distance_m = Some(3_000.0);
        assert_eq!(
            check_activity(&mut a.clone(), now()).unwrap_err().field,
            "distance"
        );
        a.distance_m = Some(2_500.0);
        assert!(check_activity(&mut a.clone(), now()).is_ok());
        a.distance_m = Some(-1.0);
        assert!(
            check_activity(&mut a, now())
                .unwrap_err()
                .message
                .contains("negative")
        );
    }

    #[test]
    fn a_negative_lap_distance_refuses_the_activity() {
        let mut a = run();
        a.laps.push(Lap {
            start: a.start,
            elapsed_s: 3600.0,
            timer_s: 3600.0,
            distance_m: Some(-500.0),
            avg_hr: None,
            max_hr: None,
            avg_speed_mps: None,
            avg_cadence: None,
            avg_power_w: None,
            ascent_m: None,
            descent_m: None,
        });
        let v = check_activity(&mut a, now()).unwrap_err();
        assert_eq!(v.field, "lap distance");
        assert!(v.message.starts_with("lap 1's distance is -500 m"), "{v:?}");
    }

    #[test]
    fn heart_rates_outside_25_to_250_become_missing() {
        let mut a = run();
        a.streams.heart_rate_bpm[10] = 400.0;
        a.streams.heart_rate_bpm[11] = 24.0;
        a.streams.heart_rate_bpm[12] = 25.0;
        a.max_hr = Some(400.0);
        let warnings = check_activity(&mut a, now()).unwrap();
        assert!(a.streams.heart_rate_bpm[10].is_nan());
        assert!(a.streams.heart_rate_bpm[11].is_nan());
        assert_eq!(a.streams.heart_rate_bpm[12], 25.0);
        assert_eq!(a.max_hr, None);
        assert_eq!(a.avg_hr, Some(150.0));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }

    #[test]
    fn a_jump_in_distance_is_taken_out_of_every_later_sample() {
        let mut a = run();
        // At sample 100 the distance jumps by 42,000 km and stays shifted.
        for d in &mut a.streams.distance_m[100..] {
            *d += 42_000_000.0;
        }
        check_activity(&mut a, now()).unwrap();
        // Sample 100 is held at sample 99's 297 m; every later one is 3 m per second less.
        assert_eq!(a.streams.distance_m[99], 297.0);
        assert_eq!(a.streams.distance_m[100], 297.0);
        assert_eq!(a.streams.distance_m[3600], 10_797.0);
    }

    #[test]
    fn long_names_are_cut_and_a_bad_rpe_is_left_out() {
        let mut a = run();
        a.name = Some("é".repeat(50_000_000 / 2));
        a.perceived_exertion = Some(11.0);
        let warnings = check_activity(&mut a, now()).unwrap();
        assert_eq!(a.name.as_deref().map(|n| n.chars().count()), Some(200));
        assert_eq!(a.perceived_exertion, None);
        assert_eq!(
            warnings[0],
            "the name was 25000000 characters long; its first 200 were kept"
        );
        assert!(warnings[1].starts_with("the perceived exertion 11 is off the 0–10 scale"));
    }

    #[test]
    fn too_many_samples_are_refused() {
        let mut a = run();
        a.streams = Streams {
            time_s: vec![0.0; MAX_SAMPLES + 1],
            ..Streams::default()
        };
        assert_eq!(check_activity(&mut a, now()).unwrap_err().field, "samples");
    }
}
