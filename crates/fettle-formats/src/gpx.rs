//! GPX 1.0/1.1 reader: one recorded track per file becomes one [`Activity`].
//!
//! Streams quick-xml events (no DOM) and matches elements by local name, so Garmin's
//! TrackPointExtension v1/v2 (`hr`, `cad`, `atemp`, `speed`), power (`<power>`, `PowerInWatts`)
//! and other vendors' `heartrate`/`cadence` are read with any or no namespace prefix. All tracks
//! and segments of the file are joined into one activity; the time between segments counts in
//! elapsed time but not in timer time. Points without a time are dropped; a file whose tracks
//! have no times at all (a route drawn on a map) is [`FormatError::NotAnActivity`].
//!
//! Metadata: `<trk><name>` (else `<metadata><name>`) is the name, `<trk><desc>` the
//! description, `<trk><type>` the sport ([`Sport::parse`]; Strava's numeric codes are generic)
//! and the root's `creator` attribute the device.
//!
//! Summaries: GPX states none, so elapsed/timer time, distance (haversine), ascent/descent
//! (smoothed, with hysteresis), heart rate, cadence and power averages are computed from the
//! samples (see the helpers in `xml.rs` for the exact rules).

use quick_xml::events::BytesStart;

use crate::activity::{Activity, Decoded, FileKind, FormatError, Sport};
use crate::xml::{self, OpenElements, Sample, TrackBuilder, XmlTag, parse_number, parse_time};

/// The elements the reader cares about; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Gpx,
    Metadata,
    Trk,
    Trkseg,
    Trkpt,
    Rtept,
    Name,
    Desc,
    Type,
    Time,
    Ele,
    HeartRate,
    Cadence,
    Temperature,
    Speed,
    Power,
    Other,
}

impl XmlTag for Tag {
    fn from_local(local: &str) -> Tag {
        match local {
            "gpx" => Tag::Gpx,
            "metadata" => Tag::Metadata,
            "trk" => Tag::Trk,
            "trkseg" => Tag::Trkseg,
            "trkpt" => Tag::Trkpt,
            "rtept" => Tag::Rtept,
            "name" => Tag::Name,
            "desc" => Tag::Desc,
            "type" => Tag::Type,
            "time" => Tag::Time,
            "ele" => Tag::Ele,
            "hr" | "heartrate" => Tag::HeartRate,
            "cad" | "cadence" => Tag::Cadence,
            "atemp" | "temp" => Tag::Temperature,
            "speed" => Tag::Speed,
            "power" | "PowerInWatts" => Tag::Power,
            _ => Tag::Other,
        }
    }

    fn wants_text(self) -> bool {
        !matches!(
            self,
            Tag::Gpx
                | Tag::Metadata
                | Tag::Trk
                | Tag::Trkseg
                | Tag::Trkpt
                | Tag::Rtept
                | Tag::Other
        )
    }
}

/// What the reader has gathered so far.
#[derive(Default)]
struct State {
    elements: OpenElements<Tag>,
    /// Depth of the open `<trkpt>` in `stack`, when inside one.
    trkpt_depth: Option<usize>,
    point: Option<Sample>,
    track: TrackBuilder,
    route_points: usize,
    track_name: Option<String>,
    metadata_name: Option<String>,
    description: Option<String>,
    sport: Option<String>,
    creator: Option<String>,
    warnings: Vec<String>,
}

impl xml::ElementSink for State {
    type Tag = Tag;

    fn open(&mut self, tag: Tag, element: &BytesStart<'_>, empty: bool) {
        match tag {
            Tag::Gpx => {
                self.creator = xml::attribute(element, "creator")
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty());
            }
            Tag::Trkseg | Tag::Trk => self.track.break_segment(),
            Tag::Trkpt => {
                let mut point = Sample::EMPTY;
                point.lat = xml::attribute(element, "lat")
                    .and_then(|v| parse_number(&v))
                    .filter(|v| (-90.0..=90.0).contains(v))
                    .unwrap_or(f64::NAN);
                point.lon = xml::attribute(element, "lon")
                    .and_then(|v| parse_number(&v))
                    .filter(|v| (-180.0..=180.0).contains(v))
                    .unwrap_or(f64::NAN);
                if empty {
                    self.track.push(&point);
                } else {
                    self.point = Some(point);
                    self.trkpt_depth = Some(self.elements.stack.len());
                }
            }
            Tag::Rtept => self.route_points += 1,
            _ => {}
        }
    }

    fn close(&mut self, tag: Tag) {
        let parent = self.elements.stack.last().copied();
        if tag == Tag::Trkpt && self.trkpt_depth == Some(self.elements.stack.len()) {
            self.trkpt_depth = None;
            if let Some(point) = self.point.take() {
                self.track.push(&point);
            }
            return;
        }
        if !tag.wants_text() || self.elements.text.is_empty() {
            return;
        }
        let text = self.elements.text.trim();
        if let (Some(_), Some(point)) = (self.trkpt_depth, self.point.as_mut()) {
            // Inside a track point: the point's own fields and its extensions at any depth.
            let value = || parse_number(text).unwrap_or(f64::NAN);
            match tag {
                Tag::Time if parent == Some(Tag::Trkpt) => point.time = parse_time(text),
                Tag::Ele => point.altitude = value(),
                Tag::HeartRate => point.heart_rate = value(),
                Tag::Cadence => point.cadence = value(),
                Tag::Temperature => point.temperature = value(),
                Tag::Speed => point.speed = value(),
                Tag::Power => point.power = value(),
                _ => {}
            }
            return;
        }
        let owned = || Some(text.to_owned()).filter(|t| !t.is_empty());
        match (tag, parent) {
            (Tag::Name, Some(Tag::Trk)) if self.track_name.is_none() => self.track_name = owned(),
            (Tag::Name, Some(Tag::Metadata)) => self.metadata_name = owned(),
            (Tag::Desc, Some(Tag::Trk | Tag::Metadata)) if self.description.is_none() => {
                self.description = owned();
            }
            (Tag::Type, Some(Tag::Trk)) if self.sport.is_none() => self.sport = owned(),
            _ => {}
        }
    }

    fn elements(&mut self) -> &mut OpenElements<Tag> {
        &mut self.elements
    }

    /// Points read before an XML error are kept.
    fn has_data(&self) -> bool {
        self.track.len() > 0
    }

    fn warnings(&mut self) -> &mut Vec<String> {
        &mut self.warnings
    }
}

/// Decodes a GPX file into one activity (all tracks and segments joined).
///
/// Errors: [`FormatError::NotAnActivity`] for a route or track without times, or a file with no
/// track points; [`FormatError::Corrupt`] when the XML breaks before any point was read (a
/// break later keeps the points before it, with a warning).
pub fn decode(bytes: &[u8]) -> Result<Decoded, FormatError> {
    let mut state = State::default();
    xml::walk(bytes, FileKind::Gpx, &mut state)?;
    finish(state)
}

/// Builds the activity from what was read.
fn finish(state: State) -> Result<Decoded, FormatError> {
    if state.track.over_cap() {
        return Err(state.track.too_large(FileKind::Gpx));
    }
    let mut warnings = state.warnings;
    let Some(origin) = state.track.origin() else {
        let untimed = state.track.untimed_points();
        return Err(FormatError::NotAnActivity(if untimed > 0 {
            format!(
                "GPX route without timestamps: its {untimed} track point(s) have no <time>, \
                 so this is a planned route, not a recorded activity"
            )
        } else if state.route_points > 0 {
            format!(
                "GPX route without timestamps: {} route point(s) (<rte>) and no recorded track",
                state.route_points
            )
        } else {
            "GPX file without any track point: nothing was recorded".to_owned()
        }));
    };
    let start = origin
        .timestamp()
        .ok_or_else(|| FormatError::NotAnActivity("GPX start time out of range".to_owned()))?;
    state.track.warnings(&mut warnings);
    let track = state.track.finish(origin);
    let summary = track.summary(0..track.streams.len());
    let sport = match state.sport.as_deref() {
        None => Sport::Generic,
        // Strava writes numeric activity-type codes whose meaning is not published; its
        // export's activities.csv supplies the sport instead (see `archive::StravaMeta`).
        Some(code) if code.bytes().all(|b| b.is_ascii_digit()) => Sport::Generic,
        Some(name) => Sport::parse(name),
    };
    let mut activity = Activity::new(start, sport);
    activity.utc_offset_s = origin.offset_s;
    activity.name = state.track_name.or(state.metadata_name);
    activity.description = state.description;
    activity.device = state.creator;
    activity.elapsed_s = summary.elapsed_s;
    activity.timer_s = summary.timer_s;
    activity.distance_m = summary.distance_m;
    activity.ascent_m = summary.ascent_m;
    activity.descent_m = summary.descent_m;
    activity.avg_hr = summary.avg_hr;
    activity.max_hr = summary.max_hr;
    activity.avg_cadence = summary.avg_cadence;
    activity.avg_power_w = summary.avg_power_w;
    activity.streams = track.streams;
    Ok(Decoded {
        activities: vec![activity],
        warnings,
    })
}
