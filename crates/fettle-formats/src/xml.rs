//! Shared helpers for the streaming GPX and TCX readers.
//!
//! Both readers walk quick-xml's event stream (no DOM) and match elements by their *local* name,
//! so `<ns3:hr>`, `<gpxtpx:hr>` and `<hr>` are the same thing. This module holds what they share:
//! preparing the bytes (BOM, leading whitespace, non-UTF-8 fallback), a small timestamp parser
//! that keeps the UTC offset, number parsing, [`walk`], the event loop both readers drive (with
//! its rules for truncated and broken files), and [`TrackBuilder`], which collects samples into
//! columns and computes the summaries (elapsed and timer time, distance, ascent, averages) that a
//! GPX or TCX file does not state itself.

use std::borrow::Cow;
use std::ops::Range;

use jiff::Timestamp;
use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

use crate::activity::{FileKind, FormatError, MAX_SAMPLES, Streams};

/// The UTF-8 byte-order mark some Windows tools write before `<?xml`.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A gap between two consecutive samples longer than this many seconds is a pause: it counts in
/// elapsed time but not in timer (moving) time.
///
/// Why 30 s: 1-s recording and Garmin "smart recording" (a point whenever speed, heading or heart
/// rate changes, in practice every 1–8 s while running) stay well below it, while auto-pause and
/// manual stops leave gaps of tens of seconds or more. Short stops (< 30 s) stay in timer time,
/// as they would on a watch without auto-pause.
pub(crate) const PAUSE_GAP_S: f64 = 30.0;

/// Number of samples in the centred moving average applied to altitude before ascent and
/// descent are counted (GPS altitude jitters by a few metres from one second to the next).
pub(crate) const ALTITUDE_SMOOTHING_SAMPLES: usize = 5;

/// Hysteresis band for ascent/descent, in metres: the smoothed altitude must move at least this
/// far from the last reference altitude before the change is counted (and the reference moves).
/// Removes the residual noise that would otherwise add up to tens of metres per hour on flat
/// ground.
pub(crate) const ELEVATION_HYSTERESIS_M: f64 = 2.0;

/// Mean Earth radius in metres (IUGG), for the haversine distance between track points.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Strips leading UTF-8 byte-order marks and whitespace (some exports, notably Strava's TCX
/// files, have whitespace before `<?xml`, which XML parsers reject).
pub(crate) fn trim_prolog(bytes: &[u8]) -> &[u8] {
    let mut rest = bytes;
    loop {
        if let Some(after) = rest.strip_prefix(UTF8_BOM) {
            rest = after;
        } else if rest.first().is_some_and(u8::is_ascii_whitespace) {
            rest = &rest[1..];
        } else {
            return rest;
        }
    }
}

/// The document text after [`trim_prolog`]. Bytes that are not valid UTF-8 are read as
/// Latin-1 (older tools write ISO-8859-1 names), with a warning.
pub(crate) fn document_text<'a>(bytes: &'a [u8], warnings: &mut Vec<String>) -> Cow<'a, str> {
    let body = trim_prolog(bytes);
    match std::str::from_utf8(body) {
        Ok(text) => Cow::Borrowed(text),
        Err(err) => {
            warnings.push(format!(
                "the file is not valid UTF-8 (first bad byte at offset {}); read it as Latin-1",
                err.valid_up_to()
            ));
            Cow::Owned(body.iter().map(|&b| char::from(b)).collect())
        }
    }
}

/// A quick-xml reader over `text`, configured for lenient, allocation-free streaming:
/// mismatched end tags do not abort the file. Text is not trimmed by the reader, because an
/// entity splits text into several events (`Run &amp; Chat` → "Run ", `&amp;`, " Chat") and
/// trimming each would eat the spaces; the readers trim the whole element text instead.
pub(crate) fn reader(text: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    reader
}

/// An element a reader recognises by its local name.
pub(crate) trait XmlTag: Copy {
    /// The tag of an element with this local name (namespace prefix removed).
    fn from_local(local: &str) -> Self;
    /// Whether the element's text is needed (so it is worth buffering).
    fn wants_text(self) -> bool;
}

/// The elements open at the reader's position, innermost last, and the text read so far inside
/// the innermost one.
pub(crate) struct OpenElements<T> {
    /// The open elements, outermost first.
    pub(crate) stack: Vec<T>,
    /// The innermost element's text, when it [wants](XmlTag::wants_text) it.
    pub(crate) text: String,
}

impl<T> Default for OpenElements<T> {
    fn default() -> Self {
        Self {
            stack: Vec::new(),
            text: String::new(),
        }
    }
}

impl<T: XmlTag> OpenElements<T> {
    /// The text buffer, or `None` when the innermost element's text is not needed.
    fn text_buffer(&mut self) -> Option<&mut String> {
        let wanted = self.stack.last().is_some_and(|tag| tag.wants_text());
        wanted.then_some(&mut self.text)
    }
}

/// What a reader keeps while [`walk`] feeds it the document's elements.
pub(crate) trait ElementSink {
    /// The elements the reader recognises.
    type Tag: XmlTag;
    /// An element starts (`empty`: it is self-closing, so no [`close`](Self::close) follows).
    /// [`elements`](Self::elements) holds its parents; [`walk`] pushes it afterwards.
    fn open(&mut self, tag: Self::Tag, element: &BytesStart<'_>, empty: bool);
    /// The innermost open element ends: [`walk`] has already taken it off
    /// [`elements`](Self::elements), whose text is still the element's.
    fn close(&mut self, tag: Self::Tag);
    /// The open elements, which [`walk`] keeps.
    fn elements(&mut self) -> &mut OpenElements<Self::Tag>;
    /// Whether anything worth keeping was read, so a later XML error only truncates the file.
    fn has_data(&self) -> bool;
    /// Where warnings about the file go.
    fn warnings(&mut self) -> &mut Vec<String>;
}

/// Reads `bytes` as XML, feeding every element and its text to `sink`.
///
/// A file that ends inside open elements gets a warning. An XML error keeps what was read before
/// it, with a warning, when `sink` already holds data; before that it fails the file as
/// [`FormatError::Corrupt`] of `kind`, as does a document without any element.
pub(crate) fn walk<S: ElementSink>(
    bytes: &[u8],
    kind: FileKind,
    sink: &mut S,
) -> Result<(), FormatError> {
    let text = document_text(bytes, sink.warnings());
    let mut reader = reader(&text);
    let mut saw_root = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                saw_root = true;
                let tag = S::Tag::from_local(e.local_name().into_inner());
                sink.open(tag, &e, false);
                let elements = sink.elements();
                elements.stack.push(tag);
                elements.text.clear();
            }
            Ok(Event::Empty(e)) => {
                saw_root = true;
                sink.open(S::Tag::from_local(e.local_name().into_inner()), &e, true);
            }
            Ok(Event::End(_)) => {
                if let Some(tag) = sink.elements().stack.pop() {
                    sink.close(tag);
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(buffer) = sink.elements().text_buffer() {
                    buffer.push_str(&t);
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(buffer) = sink.elements().text_buffer() {
                    buffer.push_str(&t);
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some(buffer) = sink.elements().text_buffer() {
                    push_reference(buffer, &r);
                }
            }
            Ok(Event::Eof) => {
                let open = sink.elements().stack.len();
                if open > 0 {
                    sink.warnings().push(format!(
                        "the file ends inside {open} open element(s): it may be truncated"
                    ));
                }
                break;
            }
            Ok(_) => {}
            Err(err) => {
                // The reader counts from the trimmed text; report the position in the file.
                let offset = bytes.len() - trim_prolog(bytes).len();
                let message = format!(
                    "XML error at byte {}: {err}",
                    reader.error_position() as usize + offset
                );
                if !sink.has_data() {
                    return Err(FormatError::Corrupt {
                        kind,
                        reason: message,
                    });
                }
                sink.warnings()
                    .push(format!("{message}; the rest of the file was ignored"));
                break;
            }
        }
    }
    if !saw_root {
        return Err(FormatError::Corrupt {
            kind,
            reason: "no XML element found".to_owned(),
        });
    }
    Ok(())
}

/// The local name of the document's root element, or `None` when no element starts the
/// document (after the declaration, comments, processing instructions and doctype).
pub(crate) fn root_local_name(bytes: &[u8]) -> Option<String> {
    /// Enough events to get past a declaration, a doctype and a few comments.
    const MAX_PROLOG_EVENTS: usize = 64;
    let mut reader = Reader::from_reader(trim_prolog(bytes));
    reader.config_mut().trim_text(true);
    for _ in 0..MAX_PROLOG_EVENTS {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return Some(e.local_name().into_inner().to_owned());
            }
            Ok(Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_)) => {}
            _ => return None,
        }
    }
    None
}

/// The value of the attribute whose local name is `local`, if present.
pub(crate) fn attribute<'a>(element: &'a BytesStart<'_>, local: &str) -> Option<Cow<'a, str>> {
    element
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().into_inner() == local)
        .map(|a| a.value)
}

/// Appends the character an entity or character reference stands for (`&amp;`, `&#233;`) to
/// `text`; unknown entities are kept as written.
pub(crate) fn push_reference(text: &mut String, reference: &BytesRef<'_>) {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        text.push(c);
        return;
    }
    let c = match &**reference {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        other => {
            text.push('&');
            text.push_str(other);
            text.push(';');
            return;
        }
    };
    text.push(c);
}

/// Parses a decimal number, ignoring surrounding whitespace; `None` for empty, malformed or
/// non-finite text.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// An instant read from an XML time, exact to the nanosecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct XmlTime {
    /// Whole seconds since the Unix epoch (UTC).
    pub(crate) unix_s: i64,
    /// Nanoseconds within the second.
    pub(crate) nanos: i32,
    /// The UTC offset the text was written in, in seconds east, when it was a numeric offset
    /// other than zero. `Z`, `+00:00` and no offset at all give `None`: a zero offset is what
    /// tools write when they normalise to UTC, so it says nothing about the athlete's zone.
    pub(crate) offset_s: Option<i32>,
}

impl XmlTime {
    /// This instant as a [`Timestamp`] (`None` outside jiff's supported range).
    pub(crate) fn timestamp(self) -> Option<Timestamp> {
        Timestamp::new(self.unix_s, self.nanos).ok()
    }

    /// Seconds from `origin` to `self` (negative when `self` is earlier).
    pub(crate) fn seconds_since(self, origin: XmlTime) -> f64 {
        (self.unix_s - origin.unix_s) as f64 + f64::from(self.nanos - origin.nanos) * 1e-9
    }
}

/// Parses an XML Schema / RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]`
/// (also `±HHMM`, `±HH`, a space instead of `T`). A time without an offset is taken as UTC, as
/// the GPX and TCX schemas require. Returns `None` for anything else, and for impossible dates.
pub(crate) fn parse_time(text: &str) -> Option<XmlTime> {
    let b = text.trim().as_bytes();
    let digits = |range: Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        part.iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = digits(0..4)?;
    let month = digits(5..7)?;
    let day = digits(8..10)?;
    let hour = digits(11..13)?;
    let minute = digits(14..16)?;
    let second = digits(17..19)?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 24
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0i64;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        let mut scale = 100_000_000i64;
        let frac_start = i;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            nanos += i64::from(c - b'0') * scale;
            scale /= 10;
            i += 1;
        }
        if i == frac_start {
            return None;
        }
    }
    let offset_s: i64 = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let hours = digits(i + 1..i + 3)?;
            let minutes = match b.len() - (i + 3) {
                0 => 0,
                2 => digits(i + 3..i + 5)?,
                3 if b[i + 3] == b':' => digits(i + 4..i + 6)?,
                _ => return None,
            };
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = hours * 3600 + minutes * 60;
            if sign == b'-' { -magnitude } else { magnitude }
        }
        _ => return None,
    };
    let local_s = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    let time = XmlTime {
        unix_s: local_s - offset_s,
        nanos: nanos as i32,
        offset_s: (offset_s != 0).then_some(offset_s as i32),
    };
    time.timestamp().map(|_| time)
}

/// Days in `month` (1–12) of the proleptic Gregorian `year`.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given civil date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// One track point being read; every field is `NaN` until the file provides it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    /// When the point was recorded.
    pub(crate) time: Option<XmlTime>,
    /// Latitude, degrees.
    pub(crate) lat: f64,
    /// Longitude, degrees.
    pub(crate) lon: f64,
    /// Altitude, metres.
    pub(crate) altitude: f64,
    /// Cumulative distance as the file states it, metres.
    pub(crate) distance: f64,
    /// Speed, m/s.
    pub(crate) speed: f64,
    /// Heart rate, bpm.
    pub(crate) heart_rate: f64,
    /// Cadence as the device reports it.
    pub(crate) cadence: f64,
    /// Power, W.
    pub(crate) power: f64,
    /// Temperature, °C.
    pub(crate) temperature: f64,
}

impl Sample {
    /// A point with nothing known yet.
    pub(crate) const EMPTY: Sample = Sample {
        time: None,
        lat: f64::NAN,
        lon: f64::NAN,
        altitude: f64::NAN,
        distance: f64::NAN,
        speed: f64::NAN,
        heart_rate: f64::NAN,
        cadence: f64::NAN,
        power: f64::NAN,
        temperature: f64::NAN,
    };
}

/// Collects track points into [`Streams`] columns, one push per point and no allocation beyond
/// the columns' growth.
#[derive(Debug, Default)]
pub(crate) struct TrackBuilder {
    /// The first accepted point's time: `time_s` is relative to it until [`Self::finish`].
    origin: Option<XmlTime>,
    /// The columns; every channel is pushed for every point (`NaN` when absent) and channels
    /// that never had a value are cleared in [`Self::finish`].
    streams: Streams,
    /// Sample indices `i` where the recording was stopped between sample `i - 1` and `i`
    /// (a new GPX `<trkseg>` or TCX `<Track>`).
    pause_before: Vec<usize>,
    /// Set when a new segment starts; consumed by the next accepted point.
    segment_break_pending: bool,
    /// Points dropped because they had no (valid) time.
    untimed_points: usize,
    /// Points dropped because their time was earlier than the previous point's.
    backwards_points: usize,
    /// Points beyond [`MAX_SAMPLES`], not kept: the file is then refused as too large.
    points_over_cap: usize,
}

impl TrackBuilder {
    /// Marks the start of a new segment: the gap before the next point is a pause.
    pub(crate) fn break_segment(&mut self) {
        self.segment_break_pending = true;
    }

    /// Number of points accepted so far.
    pub(crate) fn len(&self) -> usize {
        self.streams.time_s.len()
    }

    /// The first accepted point's time.
    pub(crate) fn origin(&self) -> Option<XmlTime> {
        self.origin
    }

    /// Number of points dropped for lack of a time.
    pub(crate) fn untimed_points(&self) -> usize {
        self.untimed_points
    }

    /// Whether more points than [`MAX_SAMPLES`] were offered (the file is to be refused).
    pub(crate) fn over_cap(&self) -> bool {
        self.points_over_cap > 0
    }

    /// The refusal for a track with more than [`MAX_SAMPLES`] points.
    pub(crate) fn too_large(&self, kind: FileKind) -> FormatError {
        FormatError::TooLarge {
            kind,
            reason: format!(
                "more than {MAX_SAMPLES} track points in one activity, about 11 days at one per \
                 second; no single session is that long"
            ),
        }
    }

    /// Adds a point. Points without a time, or earlier than the previous point, are dropped
    /// and counted (the streams' time axis must not go backwards). Past [`MAX_SAMPLES`]
    /// points are only counted, so memory stays bounded whatever the file.
    pub(crate) fn push(&mut self, sample: &Sample) {
        if self.streams.time_s.len() >= MAX_SAMPLES {
            self.points_over_cap += 1;
            return;
        }
        let Some(time) = sample.time else {
            self.untimed_points += 1;
            return;
        };
        let origin = *self.origin.get_or_insert(time);
        let t = time.seconds_since(origin);
        if self.streams.time_s.last().is_some_and(|&last| t < last) {
            self.backwards_points += 1;
            return;
        }
        if std::mem::take(&mut self.segment_break_pending) && !self.streams.time_s.is_empty() {
            self.pause_before.push(self.streams.time_s.len());
        }
        let s = &mut self.streams;
        s.time_s.push(t);
        s.lat_deg.push(sample.lat);
        s.lon_deg.push(sample.lon);
        s.distance_m.push(sample.distance);
        s.speed_mps.push(sample.speed as f32);
        s.altitude_m.push(sample.altitude as f32);
        s.heart_rate_bpm.push(sample.heart_rate as f32);
        s.cadence_rpm.push(sample.cadence as f32);
        s.power_w.push(sample.power as f32);
        s.temperature_c.push(sample.temperature as f32);
    }

    /// Warnings about dropped points, if any.
    pub(crate) fn warnings(&self, into: &mut Vec<String>) {
        if self.untimed_points > 0 && !self.streams.time_s.is_empty() {
            into.push(format!(
                "{} track point(s) without a valid time were skipped",
                self.untimed_points
            ));
        }
        if self.backwards_points > 0 {
            into.push(format!(
                "{} track point(s) earlier than the point before them were skipped",
                self.backwards_points
            ));
        }
    }

    /// Finishes the columns with `time_s` measured from `start` (which must not be later than
    /// the first point): clears channels that never had a value, and when the file gave no
    /// distance fills `distance_m` with the cumulative haversine distance between positions.
    pub(crate) fn finish(mut self, start: XmlTime) -> Track {
        let shift = self
            .origin
            .map_or(0.0, |origin| origin.seconds_since(start));
        if shift != 0.0 {
            self.streams.time_s.iter_mut().for_each(|t| *t += shift);
        }
        let s = &mut self.streams;
        clear_if_empty64(&mut s.lat_deg);
        clear_if_empty64(&mut s.lon_deg);
        if s.lat_deg.is_empty() || s.lon_deg.is_empty() {
            s.lat_deg.clear();
            s.lon_deg.clear();
        }
        clear_if_empty64(&mut s.distance_m);
        clear_if_empty32(&mut s.speed_mps);
        clear_if_empty32(&mut s.altitude_m);
        clear_if_empty32(&mut s.heart_rate_bpm);
        clear_if_empty32(&mut s.cadence_rpm);
        clear_if_empty32(&mut s.power_w);
        clear_if_empty32(&mut s.temperature_c);
        if s.distance_m.is_empty() && !s.lat_deg.is_empty() {
            s.distance_m = cumulative_haversine(&s.lat_deg, &s.lon_deg);
        }
        Track {
            streams: self.streams,
            pause_before: self.pause_before,
        }
    }
}

/// Finished columns plus where the recording was paused.
#[derive(Debug)]
pub(crate) struct Track {
    /// The sample streams, `time_s` relative to the activity start.
    pub(crate) streams: Streams,
    /// Sample indices preceded by a recorded pause (segment boundary).
    pub(crate) pause_before: Vec<usize>,
}

/// Summaries computed from a range of samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct StreamSummary {
    /// Time from the first to the last sample, seconds.
    pub(crate) elapsed_s: f64,
    /// Elapsed time minus segment gaps and gaps longer than [`PAUSE_GAP_S`], seconds.
    pub(crate) timer_s: f64,
    /// Distance covered in the range (largest cumulative distance minus the first), metres.
    pub(crate) distance_m: Option<f64>,
    /// Ascent from the smoothed altitude, metres (see [`ascent_descent`]).
    pub(crate) ascent_m: Option<f64>,
    /// Descent from the smoothed altitude, metres.
    pub(crate) descent_m: Option<f64>,
    /// Mean of the recorded heart-rate samples.
    pub(crate) avg_hr: Option<f64>,
    /// Largest heart-rate sample.
    pub(crate) max_hr: Option<f64>,
    /// Mean of the non-zero cadence samples (zero means standing still, not a slow cadence).
    pub(crate) avg_cadence: Option<f64>,
    /// Mean of the power samples, zeros included (coasting is part of the effort's average).
    pub(crate) avg_power_w: Option<f64>,
}

impl Track {
    /// Summaries over the samples in `range` (clamped to the samples present).
    pub(crate) fn summary(&self, range: Range<usize>) -> StreamSummary {
        let s = &self.streams;
        let end = range.end.min(s.len());
        let start = range.start.min(end);
        let time = &s.time_s[start..end];
        let elapsed_s = match (time.first(), time.last()) {
            (Some(first), Some(last)) => last - first,
            _ => 0.0,
        };
        let mut timer_s = 0.0;
        let mut pauses = self.pause_before.iter().copied().peekable();
        for i in start + 1..end {
            while pauses.next_if(|&p| p < i).is_some() {}
            let dt = s.time_s[i] - s.time_s[i - 1];
            if pauses.peek() != Some(&i) && dt <= PAUSE_GAP_S {
                timer_s += dt;
            }
        }
        let distance = window(&s.distance_m, start..end);
        let first_distance = distance.iter().copied().find(|d| d.is_finite());
        let max_distance = distance
            .iter()
            .copied()
            .filter(|d| d.is_finite())
            .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))));
        let distance_m = first_distance.zip(max_distance).map(|(a, b)| b - a);
        let (ascent_m, descent_m) = ascent_descent(window(&s.altitude_m, start..end)).unzip();
        let hr = window(&s.heart_rate_bpm, start..end);
        StreamSummary {
            elapsed_s,
            timer_s,
            distance_m,
            ascent_m,
            descent_m,
            avg_hr: mean(hr.iter().copied().filter(|v| v.is_finite())),
            max_hr: hr
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .fold(None, |m: Option<f32>, v| Some(m.map_or(v, |m| m.max(v))))
                .map(f64::from),
            avg_cadence: mean(
                window(&s.cadence_rpm, start..end)
                    .iter()
                    .copied()
                    .filter(|v| v.is_finite() && *v > 0.0),
            ),
            avg_power_w: mean(
                window(&s.power_w, start..end)
                    .iter()
                    .copied()
                    .filter(|v| v.is_finite()),
            ),
        }
    }
}

/// `column[range]`, or empty for a channel that was never recorded.
fn window<T>(column: &[T], range: Range<usize>) -> &[T] {
    if column.is_empty() {
        &[]
    } else {
        &column[range]
    }
}

/// The mean of the values, `None` when there are none.
fn mean(values: impl Iterator<Item = f32>) -> Option<f64> {
    let (sum, count) = values.fold((0.0f64, 0usize), |(s, n), v| (s + f64::from(v), n + 1));
    (count > 0).then(|| sum / count as f64)
}

/// Total ascent and descent in metres over the finite altitudes, `None` when there are fewer
/// than two.
///
/// Method: a centred moving average over [`ALTITUDE_SMOOTHING_SAMPLES`] samples (shorter at
/// the ends), then a hysteresis filter: starting from the first smoothed altitude as the
/// reference, a rise of at least [`ELEVATION_HYSTERESIS_M`] above the reference is added to
/// ascent and becomes the new reference; a fall of at least that much is added to descent
/// likewise; smaller wiggles are ignored.
pub(crate) fn ascent_descent(altitude_m: &[f32]) -> Option<(f64, f64)> {
    let finite: Vec<f64> = altitude_m
        .iter()
        .copied()
        .filter(|a| a.is_finite())
        .map(f64::from)
        .collect();
    if finite.len() < 2 {
        return None;
    }
    let half = ALTITUDE_SMOOTHING_SAMPLES / 2;
    let smoothed = (0..finite.len()).map(|i| {
        let window = &finite[i.saturating_sub(half)..(i + half + 1).min(finite.len())];
        window.iter().sum::<f64>() / window.len() as f64
    });
    let (mut ascent, mut descent) = (0.0, 0.0);
    let mut reference: Option<f64> = None;
    for altitude in smoothed {
        let Some(r) = reference else {
            reference = Some(altitude);
            continue;
        };
        if altitude - r >= ELEVATION_HYSTERESIS_M {
            ascent += altitude - r;
            reference = Some(altitude);
        } else if r - altitude >= ELEVATION_HYSTERESIS_M {
            descent += r - altitude;
            reference = Some(altitude);
        }
    }
    Some((ascent, descent))
}

/// Cumulative great-circle (haversine) distance along the positions, metres. A point without a
/// position keeps the distance reached so far; the first point is at 0.
fn cumulative_haversine(lat_deg: &[f64], lon_deg: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(lat_deg.len());
    let mut total = 0.0;
    let mut previous: Option<(f64, f64)> = None;
    for (&lat, &lon) in lat_deg.iter().zip(lon_deg) {
        if lat.is_finite() && lon.is_finite() {
            if let Some((plat, plon)) = previous {
                total += haversine_m(plat, plon, lat, lon);
            }
            previous = Some((lat, lon));
        }
        out.push(total);
    }
    out
}

/// Great-circle distance between two positions in degrees, metres.
pub(crate) fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let d_phi = phi2 - phi1;
    let d_lambda = (lon2 - lon1).to_radians();
    let a = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// Empties a column that holds no finite value.
fn clear_if_empty64(column: &mut Vec<f64>) {
    if !column.iter().any(|v| v.is_finite()) {
        column.clear();
    }
}

/// Empties a column that holds no finite value.
fn clear_if_empty32(column: &mut Vec<f32>) {
    if !column.iter().any(|v| v.is_finite()) {
        column.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_time_honours_offsets_and_fractions() {
        // 2021-01-19T23:30:50Z = 1611099050 (date -u -d '2021-01-19T23:30:50Z' +%s).
        let z = parse_time("2021-01-19T23:30:50.000Z").unwrap();
        assert_eq!((z.unix_s, z.nanos, z.offset_s), (1_611_099_050, 0, None));
        // Same instant written at +02:00 local: 2021-01-20T01:30:50.5+02:00.
        let plus = parse_time("2021-01-20T01:30:50.5+02:00").unwrap();
        assert_eq!(
            (plus.unix_s, plus.nanos, plus.offset_s),
            (1_611_099_050, 500_000_000, Some(7200))
        );
        let minus = parse_time("2021-01-19T18:00:50-0530").unwrap();
        assert_eq!(
            (minus.unix_s, minus.offset_s),
            (1_611_099_050, Some(-19_800))
        );
        // No zone: UTC, offset unknown. An explicit +00:00 is also "unknown" (see XmlTime).
        assert_eq!(
            parse_time("2021-01-19T23:30:50").unwrap().unix_s,
            1_611_099_050
        );
        assert_eq!(
            parse_time("2021-01-19T23:30:50+00:00").unwrap().offset_s,
            None
        );
    }

    #[test]
    fn parse_time_rejects_impossible_dates_and_junk() {
        for bad in [
            "",
            "2021-02-29T00:00:00Z",
            "2021-13-01T00:00:00Z",
            "2021-01-01T00:00:00Q",
            "2021-01-01T00:00:00.Z",
            "2021-01-01T00:61:00Z",
            "20210101T000000Z",
            "2021-01-01T00:00:00+2",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        assert!(parse_time("2024-02-29T00:00:00Z").is_some());
    }

    #[test]
    fn hysteresis_ignores_noise_and_counts_a_climb() {
        // Flat ground with ±1 m noise: the smoothed wiggle never reaches the 2 m band.
        let flat: Vec<f32> = (0..100)
            .map(|i| if i % 2 == 0 { 100.0 } else { 101.0 })
            .collect();
        assert_eq!(ascent_descent(&flat), Some((0.0, 0.0)));
        // A steady climb 0, 1, …, 50 m. Smoothed (5-sample centred mean, shorter at the ends):
        // 1, 1.5, 2, 3, …, 48, 48.5, 49. Reference starts at 1; it steps up by exactly 2 m at
        // 3, 5, …, 47 and finally at 49, so ascent = 49 − 1 = 48 and descent = 0.
        let climb: Vec<f32> = (0..=50).map(|i| i as f32).collect();
        assert_eq!(ascent_descent(&climb), Some((48.0, 0.0)));
    }

    #[test]
    fn haversine_one_degree_of_latitude() {
        // One degree of arc on a 6371008.8 m sphere: 6371008.8 × π / 180 = 111195.0802 m.
        let d = haversine_m(0.0, 0.0, 1.0, 0.0);
        assert!((d - 111_195.080_2).abs() < 1e-3, "{d}");
    }
}
