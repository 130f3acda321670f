//! Training Center XML (TCX) reader: each `<Activity>` becomes one [`Activity`].
//!
//! Streams quick-xml events (no DOM) and matches elements by local name, so the ActivityExtension
//! v2 values (`TPX`: `Speed`, `RunCadence`, `Watts`; `LX`: `AvgSpeed`, `AvgRunCadence`,
//! `AvgWatts`) are read with any or no namespace prefix. Activities inside a
//! `MultiSportSession` are read like any other.
//!
//! What the file states wins over what is computed: lap `TotalTimeSeconds` (the device's timer),
//! `DistanceMeters`, heart-rate averages and maxima, `MaximumSpeed`, cadence and power averages.
//! Activity totals are the laps' sums (averages weighted by lap timer time) when every lap states
//! them, and are otherwise computed from the samples like GPX (see `xml.rs`). A new `<Track>`
//! inside an activity marks a pause. Ascent and descent are always computed (TCX has no field).
//! Lap `MaximumSpeed` and `Calories` are not kept: [`Lap`] has no field for them.

use quick_xml::events::BytesStart;

use crate::activity::{Activity, Decoded, FileKind, FormatError, Lap, Sport};
use crate::xml::{
    self, OpenElements, Sample, TrackBuilder, XmlTag, XmlTime, parse_number, parse_time,
};

/// The elements the reader cares about; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Activity,
    Id,
    Notes,
    Lap,
    TotalTimeSeconds,
    DistanceMeters,
    AverageHeartRateBpm,
    MaximumHeartRateBpm,
    HeartRateBpm,
    Value,
    Cadence,
    Track,
    Trackpoint,
    Time,
    LatitudeDegrees,
    LongitudeDegrees,
    AltitudeMeters,
    Speed,
    RunCadence,
    Watts,
    AvgSpeed,
    AvgRunCadence,
    AvgWatts,
    Creator,
    Name,
    Other,
}

impl XmlTag for Tag {
    fn from_local(local: &str) -> Tag {
        match local {
            "Activity" => Tag::Activity,
            "Id" => Tag::Id,
            "Notes" => Tag::Notes,
            "Lap" => Tag::Lap,
            "TotalTimeSeconds" => Tag::TotalTimeSeconds,
            "DistanceMeters" => Tag::DistanceMeters,
            "AverageHeartRateBpm" => Tag::AverageHeartRateBpm,
            "MaximumHeartRateBpm" => Tag::MaximumHeartRateBpm,
            "HeartRateBpm" => Tag::HeartRateBpm,
            "Value" => Tag::Value,
            "Cadence" => Tag::Cadence,
            "Track" => Tag::Track,
            "Trackpoint" => Tag::Trackpoint,
            "Time" => Tag::Time,
            "LatitudeDegrees" => Tag::LatitudeDegrees,
            "LongitudeDegrees" => Tag::LongitudeDegrees,
            "AltitudeMeters" => Tag::AltitudeMeters,
            "Speed" => Tag::Speed,
            "RunCadence" => Tag::RunCadence,
            "Watts" => Tag::Watts,
            "AvgSpeed" => Tag::AvgSpeed,
            "AvgRunCadence" => Tag::AvgRunCadence,
            "AvgWatts" => Tag::AvgWatts,
            "Creator" => Tag::Creator,
            "Name" => Tag::Name,
            _ => Tag::Other,
        }
    }

    fn wants_text(self) -> bool {
        !matches!(
            self,
            Tag::Activity
                | Tag::Lap
                | Tag::Track
                | Tag::Trackpoint
                | Tag::AverageHeartRateBpm
                | Tag::MaximumHeartRateBpm
                | Tag::HeartRateBpm
                | Tag::Creator
                | Tag::Other
        )
    }
}

/// A `<Lap>` as the file states it.
#[derive(Debug, Default)]
struct LapInfo {
    start: Option<XmlTime>,
    total_time_s: Option<f64>,
    distance_m: Option<f64>,
    avg_hr: Option<f64>,
    max_hr: Option<f64>,
    cadence: Option<f64>,
    avg_speed_mps: Option<f64>,
    avg_power_w: Option<f64>,
    /// The lap's samples in the activity's streams.
    first_sample: usize,
    end_sample: usize,
}

/// One `<Activity>` being read.
#[derive(Default)]
struct ActivityState {
    sport: Option<String>,
    id: Option<XmlTime>,
    notes: Option<String>,
    device: Option<String>,
    laps: Vec<LapInfo>,
    track: TrackBuilder,
}

/// What the reader has gathered so far.
#[derive(Default)]
struct State {
    elements: OpenElements<Tag>,
    current: Option<ActivityState>,
    point: Option<Sample>,
    finished: Vec<Activity>,
    /// `<Activity>` elements seen, including those that held nothing.
    activities_seen: usize,
    warnings: Vec<String>,
    /// Set when an activity held more points than a decoder reads: the file is refused.
    too_large: Option<FormatError>,
}

impl xml::ElementSink for State {
    type Tag = Tag;

    fn open(&mut self, tag: Tag, element: &BytesStart<'_>, empty: bool) {
        match tag {
            Tag::Activity => {
                self.activities_seen += 1;
                self.finish_activity();
                self.current = Some(ActivityState {
                    sport: xml::attribute(element, "Sport").map(|s| s.trim().to_owned()),
                    ..ActivityState::default()
                });
            }
            Tag::Lap => {
                if let Some(activity) = self.current.as_mut() {
                    let start = activity.track.len();
                    activity.laps.push(LapInfo {
                        start: xml::attribute(element, "StartTime").and_then(|t| parse_time(&t)),
                        first_sample: start,
                        end_sample: start,
                        ..LapInfo::default()
                    });
                }
            }
            Tag::Track => {
                if let Some(activity) = self.current.as_mut() {
                    activity.track.break_segment();
                }
            }
            Tag::Trackpoint if !empty => self.point = Some(Sample::EMPTY),
            _ => {}
        }
        // A self-closing <Activity/> ends at once.
        if empty && tag == Tag::Activity {
            self.finish_activity();
        }
    }

    fn close(&mut self, tag: Tag) {
        match tag {
            Tag::Activity => return self.finish_activity(),
            Tag::Trackpoint => {
                if let (Some(point), Some(activity)) = (self.point.take(), self.current.as_mut()) {
                    activity.track.push(&point);
                    let len = activity.track.len();
                    if let Some(lap) = activity.laps.last_mut() {
                        lap.end_sample = len;
                    }
                }
                return;
            }
            _ => {}
        }
        if !tag.wants_text() || self.elements.text.is_empty() {
            return;
        }
        let Some(activity) = self.current.as_mut() else {
            return;
        };
        let text = self.elements.text.trim();
        let parent = self.elements.stack.last().copied();
        let number = || parse_number(text);
        if let Some(point) = self.point.as_mut() {
            let value = || parse_number(text).unwrap_or(f64::NAN);
            match (tag, parent) {
                (Tag::Time, Some(Tag::Trackpoint)) => point.time = parse_time(text),
                (Tag::LatitudeDegrees, _) => {
                    point.lat = number()
                        .filter(|v| (-90.0..=90.0).contains(v))
                        .unwrap_or(f64::NAN);
                }
                (Tag::LongitudeDegrees, _) => {
                    point.lon = number()
                        .filter(|v| (-180.0..=180.0).contains(v))
                        .unwrap_or(f64::NAN);
                }
                (Tag::AltitudeMeters, _) => point.altitude = value(),
                (Tag::DistanceMeters, Some(Tag::Trackpoint)) => point.distance = value(),
                (Tag::Value, Some(Tag::HeartRateBpm)) => point.heart_rate = value(),
                (Tag::Cadence | Tag::RunCadence, _) => point.cadence = value(),
                (Tag::Speed, _) => point.speed = value(),
                (Tag::Watts, _) => point.power = value(),
                _ => {}
            }
            return;
        }
        let grandparent = self.elements.stack.iter().rev().nth(1).copied();
        if let Some(lap) = activity
            .laps
            .last_mut()
            .filter(|_| self.elements.stack.contains(&Tag::Lap))
        {
            match (tag, parent) {
                (Tag::TotalTimeSeconds, Some(Tag::Lap)) => lap.total_time_s = number(),
                (Tag::DistanceMeters, Some(Tag::Lap)) => lap.distance_m = number(),
                (Tag::Cadence, Some(Tag::Lap)) => lap.cadence = number(),
                (Tag::Value, Some(Tag::AverageHeartRateBpm)) if grandparent == Some(Tag::Lap) => {
                    lap.avg_hr = number();
                }
                (Tag::Value, Some(Tag::MaximumHeartRateBpm)) if grandparent == Some(Tag::Lap) => {
                    lap.max_hr = number();
                }
                (Tag::AvgSpeed, _) => lap.avg_speed_mps = number(),
                (Tag::AvgRunCadence, _) => lap.cadence = lap.cadence.or_else(number),
                (Tag::AvgWatts, _) => lap.avg_power_w = number(),
                _ => {}
            }
            return;
        }
        match (tag, parent) {
            (Tag::Id, Some(Tag::Activity)) => activity.id = parse_time(text),
            (Tag::Notes, Some(Tag::Activity)) => {
                activity.notes = Some(text.to_owned()).filter(|t| !t.is_empty());
            }
            (Tag::Name, Some(Tag::Creator)) if grandparent == Some(Tag::Activity) => {
                activity.device = Some(text.to_owned()).filter(|t| !t.is_empty());
            }
            _ => {}
        }
    }

    fn elements(&mut self) -> &mut OpenElements<Tag> {
        &mut self.elements
    }

    /// Finished activities, or laps or points of the current one, are kept after an XML error.
    fn has_data(&self) -> bool {
        !self.finished.is_empty()
            || self
                .current
                .as_ref()
                .is_some_and(|a| a.track.len() > 0 || !a.laps.is_empty())
    }

    fn warnings(&mut self) -> &mut Vec<String> {
        &mut self.warnings
    }
}

impl State {
    /// Turns the activity being read (if any) into an [`Activity`], or a warning when it held
    /// neither laps nor timed points.
    fn finish_activity(&mut self) {
        let Some(state) = self.current.take() else {
            return;
        };
        self.point = None;
        if state.track.over_cap() {
            self.too_large = Some(state.track.too_large(FileKind::Tcx));
            return;
        }
        match build_activity(state, &mut self.warnings) {
            Some(activity) => self.finished.push(activity),
            None => self.warnings.push(format!(
                "activity {} has no timed track point or lap: skipped",
                self.activities_seen
            )),
        }
    }
}

/// Decodes a TCX file: one activity per `<Activity>` element.
///
/// Errors: [`FormatError::NotAnActivity`] when the file holds no activity with data (courses,
/// workouts, empty activities); [`FormatError::Corrupt`] when the XML breaks before any
/// activity data was read (a later break keeps what was read, with a warning).
pub fn decode(bytes: &[u8]) -> Result<Decoded, FormatError> {
    let mut state = State::default();
    xml::walk(bytes, FileKind::Tcx, &mut state)?;
    state.finish_activity();
    if let Some(refusal) = state.too_large {
        return Err(refusal);
    }
    if state.finished.is_empty() {
        return Err(FormatError::NotAnActivity(if state.activities_seen == 0 {
            "TCX file without any <Activity> (courses or workouts only)".to_owned()
        } else {
            "TCX activities without any timed track point or lap".to_owned()
        }));
    }
    if state.finished.len() > 1 {
        for (index, activity) in state.finished.iter_mut().enumerate() {
            activity.session_index = u32::try_from(index).ok();
        }
    }
    Ok(Decoded {
        activities: state.finished,
        warnings: state.warnings,
    })
}

/// The sport of a TCX `Sport` attribute: TCX knows only Running, Biking and Other, and "Other"
/// is its generic value.
fn sport_of(name: Option<&str>) -> Sport {
    match name {
        None => Sport::Generic,
        Some(n) if n.eq_ignore_ascii_case("other") => Sport::Generic,
        Some(n) => Sport::parse(n),
    }
}

/// `Some(sum)` of the laps' values when every lap has one.
fn lap_sum(laps: &[LapInfo], value: impl Fn(&LapInfo) -> Option<f64>) -> Option<f64> {
    laps.iter().map(value).sum()
}

/// The lap values' mean weighted by lap timer time, when every lap has both.
fn lap_weighted_mean(laps: &[LapInfo], value: impl Fn(&LapInfo) -> Option<f64>) -> Option<f64> {
    let (sum, weight) = laps.iter().try_fold((0.0, 0.0), |(s, w), lap| {
        let t = lap.total_time_s?;
        Some((s + value(lap)? * t, w + t))
    })?;
    (weight > 0.0).then(|| sum / weight)
}

/// Builds one activity; `None` when it has neither timed points nor a lap with a start time.
fn build_activity(state: ActivityState, warnings: &mut Vec<String>) -> Option<Activity> {
    let first_point = state.track.origin();
    let first_lap = state.laps.iter().filter_map(|l| l.start).min();
    // The activity starts at the earliest of its Id, first lap start and first point; an Id
    // that is not a time, or is later than the data, is ignored.
    let start = [first_point, first_lap, state.id]
        .into_iter()
        .flatten()
        .filter(|t| first_point.is_none_or(|p| t <= &p))
        .min()
        .or(first_point)?;
    let start_timestamp = start.timestamp()?;
    state.track.warnings(warnings);
    let track = state.track.finish(start);
    let n = track.streams.len();
    let whole = track.summary(0..n);
    let last_point_s = track.streams.time_s.last().copied();

    let mut laps = Vec::with_capacity(state.laps.len());
    for (i, info) in state.laps.iter().enumerate() {
        let range = info.first_sample..info.end_sample;
        let stream = track.summary(range.clone());
        // A lap without StartTime starts at its first sample, or where the previous lap ended.
        let lap_start = match info.start {
            Some(t) => t.seconds_since(start),
            None if !range.is_empty() => track.streams.time_s[range.start],
            None => laps.last().map_or(0.0, |l: &Lap| {
                l.start.duration_since(start_timestamp).as_secs_f64() + l.elapsed_s
            }),
        };
        let next_start = state
            .laps
            .get(i + 1)
            .and_then(|l| l.start)
            .map(|t| t.seconds_since(start));
        let timer_s = info.total_time_s.unwrap_or(stream.timer_s);
        let last_sample_s = (!range.is_empty()).then(|| track.streams.time_s[range.end - 1]);
        let elapsed_s = match next_start {
            Some(next) if next >= lap_start => next - lap_start,
            _ => last_sample_s.map_or(timer_s, |last| (last - lap_start).max(timer_s)),
        };
        let distance_m = info.distance_m.or(stream.distance_m);
        let Some(lap_start_ts) = jiff::SignedDuration::try_from_secs_f64(lap_start)
            .ok()
            .and_then(|offset| start_timestamp.checked_add(offset).ok())
        else {
            warnings.push(format!(
                "lap {} has an impossible start time: skipped",
                i + 1
            ));
            continue;
        };
        laps.push(Lap {
            start: lap_start_ts,
            elapsed_s,
            timer_s,
            distance_m,
            avg_hr: info.avg_hr.or(stream.avg_hr),
            max_hr: info.max_hr.or(stream.max_hr),
            avg_speed_mps: info
                .avg_speed_mps
                .or_else(|| distance_m.filter(|_| timer_s > 0.0).map(|d| d / timer_s)),
            avg_cadence: info.cadence.or(stream.avg_cadence),
            avg_power_w: info.avg_power_w.or(stream.avg_power_w),
            ascent_m: stream.ascent_m,
            descent_m: stream.descent_m,
        });
    }

    let laps_info = &state.laps;
    let has_laps = !laps_info.is_empty();
    let end_s = laps
        .iter()
        .map(|l| l.start.duration_since(start_timestamp).as_secs_f64() + l.timer_s)
        .chain(last_point_s)
        .fold(0.0, f64::max);
    let mut activity = Activity::new(start_timestamp, sport_of(state.sport.as_deref()));
    activity.utc_offset_s = start.offset_s;
    activity.description = state.notes;
    activity.device = state.device;
    activity.elapsed_s = end_s;
    activity.timer_s = lap_sum(laps_info, |l| l.total_time_s)
        .filter(|_| has_laps)
        .unwrap_or(whole.timer_s);
    activity.distance_m = lap_sum(laps_info, |l| l.distance_m)
        .filter(|_| has_laps)
        .or(whole.distance_m);
    activity.ascent_m = whole.ascent_m;
    activity.descent_m = whole.descent_m;
    activity.avg_hr = lap_weighted_mean(laps_info, |l| l.avg_hr)
        .filter(|_| has_laps)
        .or(whole.avg_hr);
    activity.max_hr = laps_info
        .iter()
        .map(|l| l.max_hr)
        .collect::<Option<Vec<f64>>>()
        .and_then(|maxima| maxima.into_iter().reduce(f64::max))
        .or(whole.max_hr);
    activity.avg_cadence = lap_weighted_mean(laps_info, |l| l.cadence)
        .filter(|_| has_laps)
        .or(whole.avg_cadence);
    activity.avg_power_w = lap_weighted_mean(laps_info, |l| l.avg_power_w)
        .filter(|_| has_laps)
        .or(whole.avg_power_w);
    activity.laps = laps;
    activity.streams = track.streams;
    Some(activity)
}
