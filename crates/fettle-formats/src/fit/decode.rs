//! The FIT decoder: bytes → [`Decoded`] activities.
//!
//! Two passes. The first walks the byte stream once: headers, definition messages and data
//! messages. Each definition message is compiled into a compact plan that lists only the fields
//! Fettle reads (offset, size, base type, byte order, scale, the slot it lands in); data messages
//! are decoded through their plan straight into flat columns, and everything else is skipped by
//! size. Nothing is allocated per message or per field. The second pass cuts the columns into one
//! [`Activity`] per session.
//!
//! Robustness rules (the crate invariant in ARCHITECTURE.md): a bad CRC, a truncated tail, a developer field
//! without a description, or a data message whose local type was never defined each end in a
//! warning and keep what was read; the file fails only when nothing trustworthy is left.

use jiff::Timestamp;

use super::crc;
use super::profile::{self, base, event, file_type, mesg};
use crate::activity::{Activity, Decoded, FileKind, FormatError, Lap, MAX_SAMPLES, Sport, Streams};

/// Hysteresis for ascent/descent computed from an altitude stream when the file carries no
/// summary: a climb counts once altitude has risen this far above the last low point. Without it
/// the 0.2 m quantisation of FIT altitude would add metres of phantom climbing per kilometre.
const ASCENT_HYSTERESIS_M: f64 = 3.0;

/// A record whose timestamp is further than this from the previous good record (or, for the
/// first, from the session start) is taken to be corrupt: no watch pauses a single activity for
/// a day, while a byte-shifted message produces timestamps decades away.
const MAX_RECORD_JUMP_S: u32 = 24 * 3600;

/// 180 / 2^31 degrees per semicircle, split as 45 × 2^−29 so that the product is exact.
const DEGREES_PER_SEMICIRCLE_TIMES_2_POW_29: f64 = 45.0;
/// 2^−29.
const TWO_POW_MINUS_29: f64 = 1.0 / 536_870_912.0;

/// Most session messages read from one FIT byte stream: 100,000 (a multisport file has a
/// handful; a file past this is crafted, and each session is an activity to store).
pub const MAX_SESSIONS: usize = 100_000;

/// Most lap messages read from one FIT byte stream: 100,000 (a lap every two seconds of a
/// 48-hour session is 86,400).
pub const MAX_LAPS: usize = 100_000;

/// The largest believable difference between local and UTC time (UTC+14 / UTC−12 plus margin).
const MAX_UTC_OFFSET_S: i64 = 18 * 3600;

/// Decodes a FIT file (or several FIT files chained in one byte stream) into activities.
///
/// Returns one [`Activity`] per session, in file order, with `session_index` set when the stream
/// holds more than one. Problems that leave trustworthy data (bad CRC, truncation, an undefined
/// local message type) become warnings in [`Decoded::warnings`].
///
/// # Errors
/// - [`FormatError::Unrecognised`] when the bytes do not start with a FIT header.
/// - [`FormatError::NotAnActivity`] for valid FIT files of another type (settings, workout,
///   course, monitoring, weight …) or activity files without any session or record.
/// - [`FormatError::Corrupt`] when the header is valid but nothing could be read after it.
pub fn decode(bytes: &[u8]) -> Result<Decoded, FormatError> {
    let first = parse_header(bytes, 0)
        .map_err(|reason| FormatError::Unrecognised(format!("not a FIT file: {reason}")))?;
    let mut warnings = Vec::new();
    let mut activities = Vec::new();
    let mut not_activity: Option<String> = None;
    let mut fatal: Option<String> = None;
    let mut header = first;
    let mut pos = 0usize;
    let mut inherited_device: Option<String> = None;
    let mut samples_read = 0usize;
    loop {
        let mut segment = Segment {
            sample_room: MAX_SAMPLES - samples_read,
            ..Segment::default()
        };
        let end = read_segment(bytes, pos, &header, &mut segment, &mut warnings, &mut fatal);
        if let Some(reason) = segment.too_large {
            // Refused whole rather than cut: a file this large is not one trustworthy session.
            return Err(FormatError::TooLarge {
                kind: FileKind::Fit,
                reason,
            });
        }
        samples_read += MAX_SAMPLES - samples_read - segment.sample_room;
        match segment_activities(&mut segment, &mut warnings) {
            Ok(mut found) => {
                for activity in &mut found {
                    if activity.device.is_none() {
                        activity.device.clone_from(&inherited_device);
                    }
                }
                if let Some(first) = found.first() {
                    inherited_device.clone_from(&first.device);
                }
                activities.extend(found);
            }
            Err(reason) => {
                if not_activity.is_none() {
                    not_activity = Some(reason);
                }
            }
        }
        pos = end;
        if pos >= bytes.len() {
            break;
        }
        match parse_header(bytes, pos) {
            Ok(next) => header = next,
            Err(reason) => {
                warnings.push(format!(
                    "ignored {} bytes after the FIT file that ends at byte {pos}: {reason}",
                    bytes.len() - pos
                ));
                break;
            }
        }
    }
    if activities.is_empty() {
        return Err(match (not_activity, fatal) {
            (Some(reason), _) if !reason.starts_with(NO_DATA) => FormatError::NotAnActivity(reason),
            (_, Some(reason)) => FormatError::Corrupt {
                kind: FileKind::Fit,
                reason: format!(
                    "{reason}; nothing readable came before it. The file is damaged: export it \
                     again from the device or service"
                ),
            },
            (Some(reason), None) => {
                FormatError::NotAnActivity(format!("FIT activity file with {reason}"))
            }
            (None, None) => FormatError::NotAnActivity("FIT file without any activity".to_string()),
        });
    }
    if activities.len() > 1 {
        for (i, activity) in activities.iter_mut().enumerate() {
            activity.session_index = u32::try_from(i).ok();
        }
    }
    Ok(Decoded {
        activities,
        warnings,
    })
}

/// Prefix of the internal reason for a segment with no session and no record.
const NO_DATA: &str = "no session";

/// A parsed FIT file header.
#[derive(Debug, Clone, Copy)]
struct Header {
    /// 12 or 14 (or larger: the size byte is honoured).
    len: usize,
    /// Length of the data records after the header.
    data_size: usize,
    /// The header CRC when the header has one and it is not the "not computed" zero.
    crc: Option<u16>,
}

/// Parses the header at `pos`, or says why these bytes are not a FIT header.
fn parse_header(bytes: &[u8], pos: usize) -> Result<Header, String> {
    let rest = bytes.get(pos..).unwrap_or(&[]);
    if rest.len() < 12 {
        return Err(format!(
            "{} bytes are too few for a FIT header (12 or 14 bytes)",
            rest.len()
        ));
    }
    if &rest[8..12] != b".FIT" {
        return Err("no \".FIT\" signature at bytes 8–11 of the header".to_string());
    }
    let len = usize::from(rest[0]);
    if len < 12 || len > rest.len() {
        return Err(format!("header size byte is {len}, expected 12 or 14"));
    }
    let data_size = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
    let crc = if len >= 14 {
        Some(u16::from_le_bytes([rest[12], rest[13]])).filter(|&c| c != 0)
    } else {
        None
    };
    Ok(Header {
        len,
        data_size,
        crc,
    })
}

/// Reads one FIT file (header at `pos`) into `segment`; returns where the next file would start.
fn read_segment(
    bytes: &[u8],
    pos: usize,
    header: &Header,
    segment: &mut Segment,
    warnings: &mut Vec<String>,
    fatal: &mut Option<String>,
) -> usize {
    if let Some(expected) = header.crc {
        let actual = crc::crc16(&bytes[pos..pos + 12]);
        if actual != expected {
            warnings.push(format!(
                "header CRC mismatch in the FIT file at byte {pos}: header says {expected:#06x}, \
                 bytes give {actual:#06x}"
            ));
        }
    }
    let data_start = pos + header.len;
    let declared_end = data_start.saturating_add(header.data_size);
    let data_end = declared_end.min(bytes.len());
    if declared_end > bytes.len() {
        warnings.push(format!(
            "truncated FIT file: the header at byte {pos} announces {} data bytes but the file \
             ends at byte {}; kept what was read",
            header.data_size,
            bytes.len()
        ));
    }
    let outcome = read_messages(bytes, data_start, data_end, segment);
    match outcome {
        Ok(()) => {}
        Err(problem) => {
            let message = format!(
                "{problem}; kept the {} messages before it",
                segment.messages
            );
            if segment.messages == 0 && fatal.is_none() {
                *fatal = Some(problem.clone());
            }
            warnings.push(message);
        }
    }
    if declared_end > bytes.len() {
        return bytes.len();
    }
    match bytes.get(declared_end..declared_end + 2) {
        Some(stored) => {
            let stored = u16::from_le_bytes([stored[0], stored[1]]);
            let actual = crc::crc16(&bytes[pos..declared_end]);
            if stored != actual {
                warnings.push(format!(
                    "file CRC mismatch at byte {declared_end}: file says {stored:#06x}, data gives \
                     {actual:#06x}; the messages parsed, so they were kept"
                ));
            }
            declared_end + 2
        }
        None => {
            warnings.push(format!(
                "the FIT file ends at byte {} without its 2-byte file CRC",
                bytes.len()
            ));
            bytes.len()
        }
    }
}

/// Where a field's value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A numeric slot in the message's value array.
    Slot(u8),
    /// A string (product names).
    Text,
    /// The `hrv.time` uint16 array.
    RrArray,
    /// `record.compressed_speed_distance`, 3 bytes.
    CompressedSpeedDistance,
}

/// How to read a numeric field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    U8,
    S8,
    U8z,
    U16,
    S16,
    U16z,
    U32,
    S32,
    U32z,
    F32,
    F64,
    U64,
    S64,
    U64z,
    Raw,
}

impl Kind {
    fn of(base_type: u8) -> Kind {
        match base_type & 0x1F {
            0x00 | 0x02 | 0x0D => Kind::U8,
            0x01 => Kind::S8,
            0x0A => Kind::U8z,
            0x03 => Kind::S16,
            0x04 => Kind::U16,
            0x0B => Kind::U16z,
            0x05 => Kind::S32,
            0x06 => Kind::U32,
            0x0C => Kind::U32z,
            0x08 => Kind::F32,
            0x09 => Kind::F64,
            0x0E => Kind::S64,
            0x0F => Kind::U64,
            0x10 => Kind::U64z,
            _ => Kind::Raw,
        }
    }
}

/// One field of a definition that Fettle reads.
#[derive(Debug, Clone, Copy)]
struct FieldPlan {
    offset: u16,
    size: u8,
    kind: Kind,
    big_endian: bool,
    target: Target,
    /// The profile's scale: value = raw / scale − offset.
    scale: f64,
    /// The profile's offset.
    value_offset: f64,
    /// How the raw value becomes the value, decided once per definition.
    conversion: Conversion,
}

/// The arithmetic a field needs, so the hot loop does no more than that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conversion {
    /// Scale 1, offset 0: the raw value is the value.
    Plain,
    /// Semicircles to degrees: `raw × 180 / 2^31 = raw × 45 × 2^−29`, which is exact in f64
    /// (|raw × 45| < 2^37) and avoids a division.
    Degrees,
    /// `raw / scale − offset`, as the profile states it (division keeps values such as
    /// 123456 cm → 1234.56 m correctly rounded).
    Scaled,
}

/// The messages Fettle reads; everything else is `Other` and skipped by size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MsgKind {
    FileId,
    DeviceInfo,
    Sport,
    Session,
    Lap,
    Record,
    Event,
    Activity,
    Hrv,
    Other,
}

impl MsgKind {
    fn of(global: u16) -> MsgKind {
        match global {
            mesg::FILE_ID => MsgKind::FileId,
            mesg::DEVICE_INFO => MsgKind::DeviceInfo,
            mesg::SPORT => MsgKind::Sport,
            mesg::SESSION => MsgKind::Session,
            mesg::LAP => MsgKind::Lap,
            mesg::RECORD => MsgKind::Record,
            mesg::EVENT => MsgKind::Event,
            mesg::ACTIVITY => MsgKind::Activity,
            mesg::HRV => MsgKind::Hrv,
            _ => MsgKind::Other,
        }
    }
}

/// A compiled definition message.
#[derive(Debug, Clone)]
struct Definition {
    kind: MsgKind,
    /// Bytes of one data message after its record header (developer fields included).
    size: usize,
    fields: Vec<FieldPlan>,
}

/// Slot numbers. Every message kind has its own meaning for them; slot 0 is always the timestamp.
mod slot {
    pub(super) const COUNT: usize = 16;
    pub(super) const TIMESTAMP: u8 = 0;

    // record
    pub(super) const LAT: u8 = 1;
    pub(super) const LON: u8 = 2;
    pub(super) const ALTITUDE: u8 = 3;
    pub(super) const ENHANCED_ALTITUDE: u8 = 4;
    pub(super) const HEART_RATE: u8 = 5;
    pub(super) const CADENCE: u8 = 6;
    pub(super) const FRACTIONAL_CADENCE: u8 = 7;
    pub(super) const DISTANCE: u8 = 8;
    pub(super) const SPEED: u8 = 9;
    pub(super) const ENHANCED_SPEED: u8 = 10;
    pub(super) const POWER: u8 = 11;
    pub(super) const TEMPERATURE: u8 = 12;

    // session and lap
    pub(super) const START_TIME: u8 = 1;
    pub(super) const SPORT: u8 = 2;
    pub(super) const SUB_SPORT: u8 = 3;
    pub(super) const ELAPSED: u8 = 4;
    pub(super) const TIMER: u8 = 5;
    pub(super) const TOTAL_DISTANCE: u8 = 6;
    pub(super) const AVG_SPEED: u8 = 7;
    pub(super) const ENHANCED_AVG_SPEED: u8 = 8;
    pub(super) const AVG_HR: u8 = 9;
    pub(super) const MAX_HR: u8 = 10;
    pub(super) const AVG_CADENCE: u8 = 11;
    pub(super) const AVG_FRACTIONAL_CADENCE: u8 = 12;
    pub(super) const AVG_POWER: u8 = 13;
    pub(super) const ASCENT: u8 = 14;
    pub(super) const DESCENT: u8 = 15;

    // file_id, device_info, sport, event, activity
    pub(super) const A: u8 = 1;
    pub(super) const B: u8 = 2;
    pub(super) const C: u8 = 3;
}

/// Where field `field` of a `kind` message goes, with its scale and offset.
fn target_of(kind: MsgKind, field: u8) -> Option<(Target, f64, f64)> {
    use profile::{activity as act, device_info as dev, file_id as fid, lap, record as rec};
    use profile::{session as ses, sport as spo};
    let s = |n: u8| Some((Target::Slot(n), 1.0, 0.0));
    let scaled = |n: u8, scale: f64| Some((Target::Slot(n), scale, 0.0));
    if field == profile::FIELD_TIMESTAMP && kind != MsgKind::Other {
        return s(slot::TIMESTAMP);
    }
    match kind {
        MsgKind::Record => match field {
            rec::POSITION_LAT => scaled(slot::LAT, profile::SEMICIRCLES_PER_DEGREE),
            rec::POSITION_LONG => scaled(slot::LON, profile::SEMICIRCLES_PER_DEGREE),
            rec::ALTITUDE => Some((Target::Slot(slot::ALTITUDE), 5.0, 500.0)),
            rec::ENHANCED_ALTITUDE => Some((Target::Slot(slot::ENHANCED_ALTITUDE), 5.0, 500.0)),
            rec::HEART_RATE => s(slot::HEART_RATE),
            rec::CADENCE => s(slot::CADENCE),
            rec::FRACTIONAL_CADENCE => scaled(slot::FRACTIONAL_CADENCE, 128.0),
            rec::DISTANCE => scaled(slot::DISTANCE, 100.0),
            rec::SPEED => scaled(slot::SPEED, 1000.0),
            rec::ENHANCED_SPEED => scaled(slot::ENHANCED_SPEED, 1000.0),
            rec::POWER => s(slot::POWER),
            rec::TEMPERATURE => s(slot::TEMPERATURE),
            rec::COMPRESSED_SPEED_DISTANCE => Some((Target::CompressedSpeedDistance, 1.0, 0.0)),
            _ => None,
        },
        MsgKind::Session => match field {
            ses::START_TIME => s(slot::START_TIME),
            ses::SPORT => s(slot::SPORT),
            ses::SUB_SPORT => s(slot::SUB_SPORT),
            ses::TOTAL_ELAPSED_TIME => scaled(slot::ELAPSED, 1000.0),
            ses::TOTAL_TIMER_TIME => scaled(slot::TIMER, 1000.0),
            ses::TOTAL_DISTANCE => scaled(slot::TOTAL_DISTANCE, 100.0),
            ses::AVG_SPEED => scaled(slot::AVG_SPEED, 1000.0),
            ses::ENHANCED_AVG_SPEED => scaled(slot::ENHANCED_AVG_SPEED, 1000.0),
            ses::AVG_HEART_RATE => s(slot::AVG_HR),
            ses::MAX_HEART_RATE => s(slot::MAX_HR),
            ses::AVG_CADENCE => s(slot::AVG_CADENCE),
            ses::AVG_FRACTIONAL_CADENCE => scaled(slot::AVG_FRACTIONAL_CADENCE, 128.0),
            ses::AVG_POWER => s(slot::AVG_POWER),
            ses::TOTAL_ASCENT => s(slot::ASCENT),
            ses::TOTAL_DESCENT => s(slot::DESCENT),
            _ => None,
        },
        MsgKind::Lap => match field {
            lap::START_TIME => s(slot::START_TIME),
            lap::TOTAL_ELAPSED_TIME => scaled(slot::ELAPSED, 1000.0),
            lap::TOTAL_TIMER_TIME => scaled(slot::TIMER, 1000.0),
            lap::TOTAL_DISTANCE => scaled(slot::TOTAL_DISTANCE, 100.0),
            lap::AVG_SPEED => scaled(slot::AVG_SPEED, 1000.0),
            lap::ENHANCED_AVG_SPEED => scaled(slot::ENHANCED_AVG_SPEED, 1000.0),
            lap::AVG_HEART_RATE => s(slot::AVG_HR),
            lap::MAX_HEART_RATE => s(slot::MAX_HR),
            lap::AVG_CADENCE => s(slot::AVG_CADENCE),
            lap::AVG_FRACTIONAL_CADENCE => scaled(slot::AVG_FRACTIONAL_CADENCE, 128.0),
            lap::AVG_POWER => s(slot::AVG_POWER),
            lap::TOTAL_ASCENT => s(slot::ASCENT),
            lap::TOTAL_DESCENT => s(slot::DESCENT),
            _ => None,
        },
        MsgKind::FileId => match field {
            fid::TYPE => s(slot::A),
            fid::MANUFACTURER => s(slot::B),
            fid::PRODUCT => s(slot::C),
            fid::PRODUCT_NAME => Some((Target::Text, 1.0, 0.0)),
            _ => None,
        },
        MsgKind::DeviceInfo => match field {
            dev::DEVICE_INDEX => s(slot::A),
            dev::MANUFACTURER => s(slot::B),
            dev::PRODUCT => s(slot::C),
            dev::PRODUCT_NAME => Some((Target::Text, 1.0, 0.0)),
            _ => None,
        },
        MsgKind::Sport => match field {
            spo::SPORT => s(slot::A),
            spo::SUB_SPORT => s(slot::B),
            _ => None,
        },
        MsgKind::Event => match field {
            event::EVENT => s(slot::A),
            event::EVENT_TYPE => s(slot::B),
            _ => None,
        },
        MsgKind::Activity => match field {
            act::LOCAL_TIMESTAMP => s(slot::A),
            _ => None,
        },
        MsgKind::Hrv => match field {
            profile::hrv::TIME => Some((Target::RrArray, 1.0, 0.0)),
            _ => None,
        },
        MsgKind::Other => None,
    }
}

/// Everything read from one FIT file, in flat columns, before it is cut into activities.
#[derive(Debug, Default)]
struct Segment {
    /// Data messages decoded (any kind), for messages in warnings.
    messages: usize,
    file_type: Option<u8>,
    file_manufacturer: Option<u16>,
    file_product: Option<u16>,
    file_product_name: Option<String>,
    creator_manufacturer: Option<u16>,
    creator_product: Option<u16>,
    creator_product_name: Option<String>,
    sport: Option<(u8, Option<u8>)>,
    sessions: Vec<[f64; slot::COUNT]>,
    laps: Vec<[f64; slot::COUNT]>,
    records: RecordColumns,
    /// Record messages without any timestamp (not usable as samples).
    records_without_time: usize,
    /// Timer events: (FIT time, event_type).
    timer_events: Vec<(u32, u8)>,
    /// R-R intervals with the last FIT time seen before them.
    rr: Vec<(u32, f32)>,
    /// `activity` message: (timestamp, local_timestamp).
    activity_times: Option<(u32, u32)>,
    /// Records, R-R intervals and timer events this segment may still hold before the file is
    /// refused as too large ([`MAX_SAMPLES`] over the whole byte stream).
    sample_room: usize,
    /// Set when a cap was passed: why the file is refused.
    too_large: Option<String>,
}

/// Record messages in columns, one entry per record with a timestamp; NaN when missing.
#[derive(Debug, Default)]
struct RecordColumns {
    time: Vec<u32>,
    lat: Vec<f64>,
    lon: Vec<f64>,
    distance: Vec<f64>,
    speed: Vec<f32>,
    altitude: Vec<f32>,
    heart_rate: Vec<f32>,
    cadence: Vec<f32>,
    power: Vec<f32>,
    temperature: Vec<f32>,
    /// Running total for `compressed_speed_distance`, in 1/16 m.
    compressed_distance_16: Option<(u64, u16)>,
}

impl Segment {
    /// Counts one more record, R-R interval or timer event against [`MAX_SAMPLES`]; false (and
    /// the file marked too large) when there is no room left.
    fn take_sample_room(&mut self) -> bool {
        if self.sample_room == 0 {
            self.too_large = Some(format!(
                "more than {MAX_SAMPLES} samples (records, beat intervals and timer events) in \
                 one FIT file, about 11 days at one per second; no single session is that long"
            ));
            return false;
        }
        self.sample_room -= 1;
        true
    }
}

impl RecordColumns {
    /// Reserves room for `n` more records in every column.
    fn reserve(&mut self, n: usize) {
        self.time.reserve(n);
        self.lat.reserve(n);
        self.lon.reserve(n);
        self.distance.reserve(n);
        self.speed.reserve(n);
        self.altitude.reserve(n);
        self.heart_rate.reserve(n);
        self.cadence.reserve(n);
        self.power.reserve(n);
        self.temperature.reserve(n);
    }
}

/// Why message reading stopped early.
type Problem = String;

/// Walks the data records in `bytes[start..end]`, filling `seg`.
fn read_messages(bytes: &[u8], start: usize, end: usize, seg: &mut Segment) -> Result<(), Problem> {
    let mut definitions: [Option<Definition>; 16] = Default::default();
    let mut last_time: Option<u32> = None;
    let mut pos = start;
    let data = &bytes[..end];
    while pos < end {
        let header = data[pos];
        let (local, compressed_time) = if header & 0x80 != 0 {
            let local = usize::from((header >> 5) & 0x03);
            let offset = u32::from(header & 0x1F);
            let time = last_time.map(|last| {
                let base = last & !0x1F;
                if offset >= (last & 0x1F) {
                    base.wrapping_add(offset)
                } else {
                    base.wrapping_add(offset).wrapping_add(0x20)
                }
            });
            if time.is_some() {
                last_time = time;
            }
            (local, time)
        } else if header & 0x40 != 0 {
            pos = read_definition(data, pos, &mut definitions)?;
            if let Some(def) = &definitions[usize::from(header & 0x0F)]
                && def.kind == MsgKind::Record
                && def.size >= 4
                && seg.records.time.capacity() == 0
            {
                // Reserve for a file of nothing but records (an upper bound, at most one entry
                // per five bytes) so the columns never reallocate while they fill.
                // Never more than the cap: a huge file of tiny records must not reserve gigabytes.
                seg.records
                    .reserve(((end - pos) / (def.size + 1)).min(seg.sample_room));
            }
            continue;
        } else {
            (usize::from(header & 0x0F), None)
        };
        let Some(def) = definitions[local].as_ref() else {
            return Err(format!(
                "data message at byte {pos} uses local message type {local}, which no definition \
                 message defined; stopped reading this FIT file there"
            ));
        };
        let body_start = pos + 1;
        let body_end = body_start + def.size;
        let Some(body) = data.get(body_start..body_end) else {
            return Err(format!(
                "truncated FIT data: the message at byte {pos} needs {} bytes, only {} remain",
                def.size + 1,
                end - pos
            ));
        };
        seg.messages += 1;
        if def.kind != MsgKind::Other {
            decode_data(def, body, compressed_time, &mut last_time, seg);
            if seg.too_large.is_some() {
                return Ok(());
            }
        }
        pos = body_end;
    }
    Ok(())
}

/// Compiles the definition message at `pos`; returns the position after it.
fn read_definition(
    data: &[u8],
    pos: usize,
    definitions: &mut [Option<Definition>; 16],
) -> Result<usize, Problem> {
    let header = data[pos];
    let truncated = || format!("truncated FIT definition message at byte {pos}");
    let fixed = data.get(pos + 1..pos + 6).ok_or_else(truncated)?;
    let big_endian = fixed[1] == 1;
    let global = if big_endian {
        u16::from_be_bytes([fixed[2], fixed[3]])
    } else {
        u16::from_le_bytes([fixed[2], fixed[3]])
    };
    let field_count = usize::from(fixed[4]);
    let fields_start = pos + 6;
    let fields_end = fields_start + 3 * field_count;
    let field_bytes = data.get(fields_start..fields_end).ok_or_else(truncated)?;
    let mut next = fields_end;
    let mut developer_size = 0usize;
    if header & 0x20 != 0 {
        let dev_count = usize::from(*data.get(fields_end).ok_or_else(truncated)?);
        let dev_end = fields_end + 1 + 3 * dev_count;
        let dev_bytes = data.get(fields_end + 1..dev_end).ok_or_else(truncated)?;
        // Developer fields are skipped by the size their definition gives; their descriptions
        // are not needed for that, so a field seen before its description is harmless.
        developer_size = dev_bytes.chunks_exact(3).map(|f| usize::from(f[1])).sum();
        next = dev_end;
    }
    let kind = MsgKind::of(global);
    let local = usize::from(header & 0x0F);
    let mut def = definitions[local].take().unwrap_or(Definition {
        kind,
        size: 0,
        fields: Vec::new(),
    });
    def.kind = kind;
    def.fields.clear();
    let mut offset = 0usize;
    for field in field_bytes.chunks_exact(3) {
        let (number, size, base_type) = (field[0], field[1], field[2]);
        if kind != MsgKind::Other
            && let Some((target, scale, value_offset)) = target_of(kind, number)
        {
            let kind = Kind::of(base_type);
            let usable = match target {
                Target::Slot(_) => kind != Kind::Raw && usize::from(size) >= base::size(base_type),
                Target::RrArray => matches!(kind, Kind::U16 | Kind::U16z) && size >= 2,
                Target::CompressedSpeedDistance => size >= 3,
                Target::Text => size > 0,
            };
            if usable && let Ok(offset16) = u16::try_from(offset) {
                def.fields.push(FieldPlan {
                    offset: offset16,
                    size,
                    kind,
                    big_endian,
                    target,
                    scale,
                    value_offset,
                    conversion: if scale == profile::SEMICIRCLES_PER_DEGREE {
                        Conversion::Degrees
                    } else if scale == 1.0 && value_offset == 0.0 {
                        Conversion::Plain
                    } else {
                        Conversion::Scaled
                    },
                });
            }
        }
        offset += usize::from(size);
    }
    def.size = offset + developer_size;
    definitions[local] = Some(def);
    Ok(next)
}

/// Reads one numeric value; NaN for the base type's invalid value.
#[inline]
fn read_number(v: &[u8], kind: Kind, big_endian: bool) -> f64 {
    macro_rules! int {
        ($t:ty, $n:expr, $invalid:expr) => {{
            let mut raw = [0u8; $n];
            raw.copy_from_slice(&v[..$n]);
            let x = if big_endian {
                <$t>::from_be_bytes(raw)
            } else {
                <$t>::from_le_bytes(raw)
            };
            if x == $invalid { f64::NAN } else { x as f64 }
        }};
    }
    match kind {
        Kind::U8 => {
            if v[0] == u8::MAX {
                f64::NAN
            } else {
                f64::from(v[0])
            }
        }
        Kind::S8 => {
            let x = v[0] as i8;
            if x == i8::MAX { f64::NAN } else { f64::from(x) }
        }
        Kind::U8z => {
            if v[0] == 0 {
                f64::NAN
            } else {
                f64::from(v[0])
            }
        }
        Kind::U16 => int!(u16, 2, u16::MAX),
        Kind::S16 => int!(i16, 2, i16::MAX),
        Kind::U16z => int!(u16, 2, 0),
        Kind::U32 => int!(u32, 4, u32::MAX),
        Kind::S32 => int!(i32, 4, i32::MAX),
        Kind::U32z => int!(u32, 4, 0),
        Kind::U64 => int!(u64, 8, u64::MAX),
        Kind::S64 => int!(i64, 8, i64::MAX),
        Kind::U64z => int!(u64, 8, 0),
        Kind::F32 => {
            let bits = int!(u32, 4, u32::MAX);
            if bits.is_nan() {
                f64::NAN
            } else {
                f64::from(f32::from_bits(bits as u32))
            }
        }
        Kind::F64 => {
            let mut raw = [0u8; 8];
            raw.copy_from_slice(&v[..8]);
            let bits = if big_endian {
                u64::from_be_bytes(raw)
            } else {
                u64::from_le_bytes(raw)
            };
            if bits == u64::MAX {
                f64::NAN
            } else {
                f64::from_bits(bits)
            }
        }
        Kind::Raw => f64::NAN,
    }
}

/// The text of a string field: up to the first NUL, trimmed; `None` when empty.
fn read_text(v: &[u8]) -> Option<String> {
    let len = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    let text = String::from_utf8_lossy(&v[..len]);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A finite f64 slot value as an integer of type `T`, or `None`.
fn int_of<T: TryFrom<i64>>(value: f64) -> Option<T> {
    if value.is_finite() {
        T::try_from(value as i64).ok()
    } else {
        None
    }
}

/// Decodes one data message of a kind Fettle reads.
fn decode_data(
    def: &Definition,
    body: &[u8],
    compressed_time: Option<u32>,
    last_time: &mut Option<u32>,
    seg: &mut Segment,
) {
    let mut values = [f64::NAN; slot::COUNT];
    let mut text: Option<&[u8]> = None;
    let mut compressed_speed_distance: Option<[u8; 3]> = None;
    for field in &def.fields {
        let start = usize::from(field.offset);
        let v = &body[start..start + usize::from(field.size)];
        match field.target {
            Target::Slot(n) => {
                let raw = read_number(v, field.kind, field.big_endian);
                values[usize::from(n)] = match field.conversion {
                    Conversion::Plain => raw,
                    Conversion::Degrees => {
                        raw * DEGREES_PER_SEMICIRCLE_TIMES_2_POW_29 * TWO_POW_MINUS_29
                    }
                    Conversion::Scaled => raw / field.scale - field.value_offset,
                };
            }
            Target::Text => text = Some(v),
            Target::CompressedSpeedDistance => {
                if v[..3] != [0xFF, 0xFF, 0xFF] {
                    compressed_speed_distance = Some([v[0], v[1], v[2]]);
                }
            }
            Target::RrArray => {
                let time = last_time.unwrap_or(0);
                for pair in v.chunks_exact(2) {
                    let raw = if field.big_endian {
                        u16::from_be_bytes([pair[0], pair[1]])
                    } else {
                        u16::from_le_bytes([pair[0], pair[1]])
                    };
                    // `time` is seconds with scale 1000, so the raw value is milliseconds.
                    if raw != u16::MAX && raw != 0 {
                        if !seg.take_sample_room() {
                            return;
                        }
                        seg.rr.push((time, f32::from(raw)));
                    }
                }
            }
        }
    }
    let own_time = int_of::<u32>(values[usize::from(slot::TIMESTAMP)]);
    if own_time.is_some() {
        *last_time = own_time;
    }
    let time = own_time.or(compressed_time);
    let get = |n: u8| values[usize::from(n)];
    match def.kind {
        MsgKind::Record => {
            let Some(time) = time else {
                seg.records_without_time += 1;
                return;
            };
            if !seg.take_sample_room() {
                return;
            }
            let r = &mut seg.records;
            let mut speed = first_finite(get(slot::ENHANCED_SPEED), get(slot::SPEED));
            let mut distance = get(slot::DISTANCE);
            if let Some(csd) = compressed_speed_distance {
                let raw_speed = u16::from(csd[0]) | (u16::from(csd[1] & 0x0F) << 8);
                let raw_distance = u16::from(csd[1] >> 4) | (u16::from(csd[2]) << 4);
                if speed.is_nan() {
                    speed = f64::from(raw_speed) / 100.0;
                }
                // The 12-bit distance counts 1/16 m and rolls over: accumulate the deltas.
                let total = match r.compressed_distance_16 {
                    None => u64::from(raw_distance),
                    Some((total, last)) => {
                        total + u64::from(raw_distance.wrapping_sub(last) & 0x0FFF)
                    }
                };
                r.compressed_distance_16 = Some((total, raw_distance));
                if distance.is_nan() {
                    distance = total as f64 / 16.0;
                }
            }
            let cadence = get(slot::CADENCE);
            let fraction = get(slot::FRACTIONAL_CADENCE);
            let cadence = if fraction.is_nan() {
                cadence
            } else {
                cadence + fraction
            };
            r.time.push(time);
            r.lat.push(get(slot::LAT));
            r.lon.push(get(slot::LON));
            r.distance.push(distance);
            r.speed.push(speed as f32);
            r.altitude
                .push(first_finite(get(slot::ENHANCED_ALTITUDE), get(slot::ALTITUDE)) as f32);
            r.heart_rate.push(get(slot::HEART_RATE) as f32);
            r.cadence.push(cadence as f32);
            r.power.push(get(slot::POWER) as f32);
            r.temperature.push(get(slot::TEMPERATURE) as f32);
        }
        MsgKind::Session | MsgKind::Lap => {
            values[usize::from(slot::TIMESTAMP)] = time.map_or(f64::NAN, f64::from);
            if def.kind == MsgKind::Session {
                if seg.sessions.len() >= MAX_SESSIONS {
                    seg.too_large = Some(format!(
                        "more than {MAX_SESSIONS} sessions in one FIT file; no device writes \
                         that many"
                    ));
                    return;
                }
                seg.sessions.push(values);
            } else {
                if seg.laps.len() >= MAX_LAPS {
                    seg.too_large = Some(format!(
                        "more than {MAX_LAPS} laps in one FIT file; no device writes that many"
                    ));
                    return;
                }
                seg.laps.push(values);
            }
        }
        MsgKind::Event => {
            if int_of::<u8>(get(slot::A)) == Some(event::TIMER)
                && let (Some(time), Some(kind)) = (time.or(*last_time), int_of::<u8>(get(slot::B)))
            {
                if !seg.take_sample_room() {
                    return;
                }
                seg.timer_events.push((time, kind));
            }
        }
        MsgKind::FileId => {
            if seg.file_type.is_none() {
                seg.file_type = int_of(get(slot::A));
                seg.file_manufacturer = int_of(get(slot::B));
                seg.file_product = int_of(get(slot::C));
                seg.file_product_name = text.and_then(read_text);
            }
        }
        MsgKind::DeviceInfo => {
            if int_of::<u8>(get(slot::A)) == Some(0) && seg.creator_manufacturer.is_none() {
                seg.creator_manufacturer = int_of(get(slot::B));
                seg.creator_product = int_of(get(slot::C));
                seg.creator_product_name = text.and_then(read_text);
            }
        }
        MsgKind::Sport => {
            if seg.sport.is_none()
                && let Some(sport) = int_of::<u8>(get(slot::A))
            {
                seg.sport = Some((sport, int_of(get(slot::B))));
            }
        }
        MsgKind::Activity => {
            if let (Some(time), Some(local)) = (time, int_of::<u32>(get(slot::A))) {
                seg.activity_times = Some((time, local));
            }
        }
        MsgKind::Hrv | MsgKind::Other => {}
    }
}

/// `a` unless it is NaN, else `b`.
#[inline]
fn first_finite(a: f64, b: f64) -> f64 {
    if a.is_nan() { b } else { a }
}

/// A FIT `date_time` as a timestamp.
fn fit_time(seconds: u32) -> Timestamp {
    Timestamp::from_second(profile::FIT_EPOCH_UNIX_S + i64::from(seconds))
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// One session's time span and summary, resolved from the session message and the records.
struct SessionPlan {
    start: u32,
    /// Elapsed seconds (millisecond resolution from the session message).
    elapsed_s: f64,
    summary: [f64; slot::COUNT],
}

/// Cuts one segment into activities, or says why it holds none.
fn segment_activities(
    seg: &mut Segment,
    warnings: &mut Vec<String>,
) -> Result<Vec<Activity>, String> {
    if let Some(t) = seg.file_type
        && t != file_type::ACTIVITY
    {
        let name = file_type::name(t).unwrap_or("unknown");
        return Err(format!(
            "FIT {name} file (file_id.type {t}): it holds no recorded workout, so it was skipped"
        ));
    }
    if seg.sessions.is_empty() && seg.records.time.is_empty() {
        return Err(format!(
            "{NO_DATA} and no timed record in this FIT file ({} records without a timestamp)",
            seg.records_without_time
        ));
    }
    if seg.records_without_time > 0 {
        warnings.push(format!(
            "{} record messages without a timestamp were skipped",
            seg.records_without_time
        ));
    }
    let earliest_session = seg
        .sessions
        .iter()
        .filter_map(|s| int_of::<u32>(s[usize::from(slot::START_TIME)]))
        .min();
    let implausible = drop_implausible_records(&mut seg.records, earliest_session);
    if implausible > 0 {
        warnings.push(format!(
            "{implausible} records have a timestamp more than {} h away from their neighbours \
             (a corrupt message) and were left out",
            MAX_RECORD_JUMP_S / 3600
        ));
    }
    let records = &seg.records;
    let first_record = records.time.iter().copied().min();
    let last_record = records.time.iter().copied().max();
    let mut plans: Vec<SessionPlan> = Vec::new();
    if seg.sessions.is_empty() {
        let (Some(first), Some(last)) = (first_record, last_record) else {
            return Err(format!("{NO_DATA} and no record in this FIT file"));
        };
        let mut summary = [f64::NAN; slot::COUNT];
        summary[usize::from(slot::ELAPSED)] = f64::from(last - first);
        if let Some(timer) = timer_from_events(&seg.timer_events, first, last) {
            summary[usize::from(slot::TIMER)] = timer;
        }
        if let Some((sport, sub)) = seg.sport {
            summary[usize::from(slot::SPORT)] = f64::from(sport);
            summary[usize::from(slot::SUB_SPORT)] = sub.map_or(f64::NAN, f64::from);
        }
        plans.push(SessionPlan {
            start: first,
            elapsed_s: f64::from(last - first),
            summary,
        });
        warnings.push(
            "the FIT activity has no session message: the activity was built from its records"
                .to_string(),
        );
    } else {
        for summary in &seg.sessions {
            let get = |n: u8| summary[usize::from(n)];
            let elapsed = get(slot::ELAPSED);
            let start = int_of::<u32>(get(slot::START_TIME))
                .or_else(|| {
                    let ts = get(slot::TIMESTAMP);
                    (ts.is_finite() && elapsed.is_finite())
                        .then(|| int_of::<u32>((ts - elapsed).floor()))
                        .flatten()
                })
                .or(first_record)
                .or_else(|| int_of(get(slot::TIMESTAMP)));
            let Some(start) = start else {
                warnings.push("skipped a session message without any time".to_string());
                continue;
            };
            let elapsed_s = if elapsed.is_finite() {
                elapsed
            } else {
                let ts = get(slot::TIMESTAMP);
                let end = if ts.is_finite() {
                    ts
                } else {
                    f64::from(last_record.unwrap_or(start))
                };
                end - f64::from(start)
            };
            plans.push(SessionPlan {
                start,
                elapsed_s: elapsed_s.max(0.0),
                summary: *summary,
            });
        }
        if plans.is_empty() {
            return Err(format!("{NO_DATA} with a usable time in this FIT file"));
        }
    }

    let owners = Owners::new(&plans);
    let mut activities: Vec<Activity> = plans.iter().map(|plan| new_activity(plan, seg)).collect();

    // Records → streams. With one session every record is its own; otherwise each record goes
    // to the session it falls in: one binary search per record, then the record indices are
    // grouped by session with a counting sort, so the cost is linear in the records (and
    // n log n in the sessions), however many sessions there are.
    let records = &mut seg.records;
    let single = plans.len() == 1;
    let (by_session, bounds) = if single {
        (Vec::new(), Vec::new())
    } else {
        group_by_owner(&records.time, &owners, plans.len())
    };
    let mut backwards = 0usize;
    for (index, activity) in activities.iter_mut().enumerate() {
        let mine: Option<&[u32]> = (!single).then(|| &by_session[bounds[index]..bounds[index + 1]]);
        let earliest = match mine {
            None => records.time.iter().copied().min(),
            Some(picked) => picked.iter().map(|&i| records.time[i as usize]).min(),
        };
        let mut start = plans[index].start;
        if let Some(earliest) = earliest
            && earliest < start
        {
            // Devices sometimes write a session start_time after the first samples of the
            // session (seen in a fenix 2 multisport file): the samples are the better witness.
            warnings.push(format!(
                "session {index} says it starts at {}, but records from {} on belong to it; \
                 the activity starts at the first record",
                fit_time(start),
                fit_time(earliest)
            ));
            start = earliest;
            activity.start = fit_time(start);
        }
        let (streams, went_back) = build_streams(records, start, mine);
        backwards += went_back;
        activity.streams = streams;
    }
    if backwards > 0 {
        warnings.push(format!(
            "{backwards} records have a timestamp earlier than the record before them; their \
             time was held at the previous record's so that time never runs backwards"
        ));
    }

    // Laps.
    for lap in &seg.laps {
        let get = |n: u8| lap[usize::from(n)];
        let elapsed = get(slot::ELAPSED);
        let start = int_of::<u32>(get(slot::START_TIME)).or_else(|| {
            let ts = get(slot::TIMESTAMP);
            (ts.is_finite() && elapsed.is_finite())
                .then(|| int_of::<u32>((ts - elapsed).floor()))
                .flatten()
        });
        let Some(start) = start else { continue };
        let index = owners.of(start);
        let elapsed_s = if elapsed.is_finite() {
            elapsed
        } else {
            let ts = get(slot::TIMESTAMP);
            if ts.is_finite() {
                (ts - f64::from(start)).max(0.0)
            } else {
                0.0
            }
        };
        let timer = get(slot::TIMER);
        activities[index].laps.push(Lap {
            start: fit_time(start),
            elapsed_s,
            timer_s: if timer.is_finite() { timer } else { elapsed_s },
            distance_m: some(get(slot::TOTAL_DISTANCE)),
            avg_hr: some(get(slot::AVG_HR)),
            max_hr: some(get(slot::MAX_HR)),
            avg_speed_mps: some(first_finite(
                get(slot::ENHANCED_AVG_SPEED),
                get(slot::AVG_SPEED),
            )),
            avg_cadence: cadence_of(lap),
            avg_power_w: some(get(slot::AVG_POWER)),
            ascent_m: some(get(slot::ASCENT)),
            descent_m: some(get(slot::DESCENT)),
        });
    }

    // R-R intervals.
    for &(time, rr) in &seg.rr {
        let index = if single { 0 } else { owners.of(time) };
        activities[index].rr_intervals_ms.push(rr);
    }

    for activity in &mut activities {
        fill_summaries_from_streams(activity);
    }
    Ok(activities)
}

/// Which session owns an instant: the latest-starting session whose start is not after it
/// (of sessions starting together, the last in the file). An instant in a gap between two
/// sessions (or after the last) stays with the earlier one; an instant before every session
/// goes to the earliest (the first in the file of those starting earliest).
struct Owners {
    /// Session indices sorted by (start, index).
    order: Vec<usize>,
    /// Their starts, in the same order.
    starts: Vec<u32>,
}

impl Owners {
    /// `plans` must not be empty.
    fn new(plans: &[SessionPlan]) -> Owners {
        let mut order: Vec<usize> = (0..plans.len()).collect();
        order.sort_by_key(|&i| (plans[i].start, i));
        let starts = order.iter().map(|&i| plans[i].start).collect();
        Owners { order, starts }
    }

    /// The owning session's index: one binary search.
    fn of(&self, time: u32) -> usize {
        let after = self.starts.partition_point(|&start| start <= time);
        self.order[after.saturating_sub(1)]
    }
}

/// Groups record indices by owning session (a counting sort, stable so each session's records
/// stay in file order). Returns the indices and, for session `s`, its range
/// `bounds[s]..bounds[s + 1]` in them.
fn group_by_owner(times: &[u32], owners: &Owners, sessions: usize) -> (Vec<u32>, Vec<usize>) {
    let owner_of_record: Vec<u32> = times
        .iter()
        .map(|&t| u32::try_from(owners.of(t)).unwrap_or(u32::MAX))
        .collect();
    let mut bounds = vec![0usize; sessions + 1];
    for &owner in &owner_of_record {
        if let Some(count) = bounds.get_mut(owner as usize + 1) {
            *count += 1;
        }
    }
    for s in 0..sessions {
        bounds[s + 1] += bounds[s];
    }
    let mut next = bounds.clone();
    let mut grouped = vec![0u32; bounds[sessions]];
    for (record, &owner) in owner_of_record.iter().enumerate() {
        if let (Some(slot), Ok(record)) = (next.get_mut(owner as usize), u32::try_from(record)) {
            grouped[*slot] = record;
            *slot += 1;
        }
    }
    (grouped, bounds)
}

/// Timer time from timer start/stop events within `[first, last]` (None without events).
fn timer_from_events(events: &[(u32, u8)], first: u32, last: u32) -> Option<f64> {
    if events.is_empty() {
        return None;
    }
    let mut total = 0u64;
    let mut running_since: Option<u32> = None;
    for &(time, kind) in events {
        match kind {
            event::TYPE_START if running_since.is_none() => {
                running_since = Some(time.max(first));
            }
            event::TYPE_STOP
            | event::TYPE_STOP_ALL
            | event::TYPE_STOP_DISABLE
            | event::TYPE_STOP_DISABLE_ALL => {
                if let Some(since) = running_since.take() {
                    total += u64::from(time.min(last).saturating_sub(since));
                }
            }
            _ => {}
        }
    }
    if let Some(since) = running_since {
        total += u64::from(last.saturating_sub(since));
    }
    Some(total as f64)
}

/// Removes records whose time jumps more than [`MAX_RECORD_JUMP_S`] from the previous kept
/// record (the first is measured against `reference`, the session start, when there is one).
/// Returns how many were removed.
fn drop_implausible_records(r: &mut RecordColumns, reference: Option<u32>) -> usize {
    let is_jump = |previous: u32, t: u32| previous.abs_diff(t) > MAX_RECORD_JUMP_S;
    let mut previous = reference.or(r.time.first().copied());
    let mut keep = Vec::new();
    let mut removed = 0usize;
    for (i, &t) in r.time.iter().enumerate() {
        let ok = previous.is_none_or(|p| !is_jump(p, t));
        if ok {
            previous = Some(t);
        } else {
            if keep.is_empty() {
                keep = vec![true; r.time.len()];
            }
            keep[i] = false;
            removed += 1;
        }
    }
    if removed == 0 {
        return 0;
    }
    fn retain<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
        let mut i = 0;
        v.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
    retain(&mut r.time, &keep);
    retain(&mut r.lat, &keep);
    retain(&mut r.lon, &keep);
    retain(&mut r.distance, &keep);
    retain(&mut r.speed, &keep);
    retain(&mut r.altitude, &keep);
    retain(&mut r.heart_rate, &keep);
    retain(&mut r.cadence, &keep);
    retain(&mut r.power, &keep);
    retain(&mut r.temperature, &keep);
    removed
}

/// `Some(v)` for a finite value.
fn some(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Average cadence of a session or lap, with its fractional part.
fn cadence_of(summary: &[f64; slot::COUNT]) -> Option<f64> {
    let whole = some(summary[usize::from(slot::AVG_CADENCE)])?;
    Some(whole + some(summary[usize::from(slot::AVG_FRACTIONAL_CADENCE)]).unwrap_or(0.0))
}

/// The activity for one session plan, without streams, laps or R-R intervals yet.
fn new_activity(plan: &SessionPlan, seg: &Segment) -> Activity {
    let get = |n: u8| plan.summary[usize::from(n)];
    let sport = match int_of::<u8>(get(slot::SPORT)).or(seg.sport.map(|s| s.0)) {
        Some(n) => Sport::parse(&profile::sport_name(n)),
        None => Sport::Generic,
    };
    let sub_sport = int_of::<u8>(get(slot::SUB_SPORT))
        .or(seg.sport.and_then(|s| s.1))
        .filter(|&n| n != 0)
        .map(|n| profile::sub_sport_name(n).into_owned());
    let mut activity = Activity::new(fit_time(plan.start), sport);
    activity.sub_sport = sub_sport;
    activity.elapsed_s = plan.elapsed_s;
    let timer = get(slot::TIMER);
    activity.timer_s = if timer.is_finite() {
        timer
    } else {
        activity.elapsed_s
    };
    activity.distance_m = some(get(slot::TOTAL_DISTANCE));
    activity.ascent_m = some(get(slot::ASCENT));
    activity.descent_m = some(get(slot::DESCENT));
    activity.avg_hr = some(get(slot::AVG_HR));
    activity.max_hr = some(get(slot::MAX_HR));
    activity.avg_cadence = cadence_of(&plan.summary);
    activity.avg_power_w = some(get(slot::AVG_POWER));
    activity.device = device_name(seg);
    activity.utc_offset_s = seg.activity_times.and_then(|(utc, local)| {
        let offset = i64::from(local) - i64::from(utc);
        (offset.abs() <= MAX_UTC_OFFSET_S)
            .then(|| i32::try_from(offset).ok())
            .flatten()
    });
    activity
}

/// A readable device name from file_id and the creator's device_info.
fn device_name(seg: &Segment) -> Option<String> {
    let manufacturer = seg.file_manufacturer.or(seg.creator_manufacturer);
    let product = seg.file_product.or(seg.creator_product);
    let product_name = seg
        .file_product_name
        .as_deref()
        .or(seg.creator_product_name.as_deref());
    format_device(manufacturer, product, product_name)
}

/// "Manufacturer product": the product name field, else a known Garmin product, else its number.
/// A development-manufacturer file (Fettle's own encoder) is named by its product name alone.
pub(crate) fn format_device(
    manufacturer: Option<u16>,
    product: Option<u16>,
    product_name: Option<&str>,
) -> Option<String> {
    if manufacturer == Some(profile::MANUFACTURER_DEVELOPMENT)
        && let Some(name) = product_name
    {
        return Some(name.to_string());
    }
    let maker = manufacturer.map(|m| match profile::manufacturer_name(m) {
        Some(name) => name.to_string(),
        None => format!("manufacturer {m}"),
    });
    let model = product_name.map(str::to_string).or_else(|| {
        let p = product?;
        if matches!(manufacturer, Some(1 | 2)) {
            profile::garmin_product_name(p)
                .map(str::to_string)
                .or_else(|| Some(format!("product {p}")))
        } else {
            Some(format!("product {p}"))
        }
    });
    match (maker, model) {
        (Some(maker), Some(model)) => {
            if model.len() >= maker.len()
                && model.is_char_boundary(maker.len())
                && model[..maker.len()].eq_ignore_ascii_case(&maker)
            {
                Some(model)
            } else {
                Some(format!("{maker} {model}"))
            }
        }
        (Some(maker), None) => Some(maker),
        (None, Some(model)) => Some(model),
        (None, None) => None,
    }
}

/// The streams of the records `picked` (by index, in order; `None` for every record), with
/// `time_s` relative to `start`, and how many records had to be held at the previous record's
/// time because their clock went back. Channels without a single value are left empty.
fn build_streams(r: &mut RecordColumns, start: u32, picked: Option<&[u32]>) -> (Streams, usize) {
    let n = r.time.len();
    let mut s = Streams::default();
    let all = picked.is_none_or(|p| p.len() == n);
    let picked = picked.unwrap_or(&[]);
    let count = if all { n } else { picked.len() };
    s.time_s.reserve_exact(count);
    let mut went_back = 0usize;
    let mut previous = f64::NEG_INFINITY;
    let mut push_time = |time: u32| {
        let mut t = f64::from(time) - f64::from(start);
        if t < previous {
            went_back += 1;
            t = previous;
        }
        previous = t;
        s.time_s.push(t);
    };
    if all {
        r.time.iter().for_each(|&t| push_time(t));
    } else {
        picked.iter().for_each(|&i| push_time(r.time[i as usize]));
    }
    /// The selected part of a column; when every record is selected the column is moved, not
    /// copied (the common single-session file). A column without any value comes back empty.
    fn column<T: Copy + Into<f64>>(src: &mut Vec<T>, all: bool, picked: &[u32]) -> Vec<T> {
        let values: Vec<T> = if all {
            std::mem::take(src)
        } else {
            picked.iter().map(|&i| src[i as usize]).collect()
        };
        if values.iter().any(|v| !(*v).into().is_nan()) {
            values
        } else {
            Vec::new()
        }
    }
    s.lat_deg = column(&mut r.lat, all, picked);
    s.lon_deg = column(&mut r.lon, all, picked);
    s.distance_m = column(&mut r.distance, all, picked);
    s.speed_mps = column(&mut r.speed, all, picked);
    s.altitude_m = column(&mut r.altitude, all, picked);
    s.heart_rate_bpm = column(&mut r.heart_rate, all, picked);
    s.cadence_rpm = column(&mut r.cadence, all, picked);
    s.power_w = column(&mut r.power, all, picked);
    s.temperature_c = column(&mut r.temperature, all, picked);
    (s, went_back)
}

/// Fills summaries the session did not give (or that there was no session for) from streams.
fn fill_summaries_from_streams(activity: &mut Activity) {
    let s = &activity.streams;
    if activity.distance_m.is_none() {
        activity.distance_m = s.distance_m.iter().rev().copied().find(|d| !d.is_nan());
    }
    if activity.avg_hr.is_none() {
        activity.avg_hr = mean(&s.heart_rate_bpm);
    }
    if activity.max_hr.is_none() {
        activity.max_hr = max(&s.heart_rate_bpm);
    }
    if activity.avg_cadence.is_none() {
        activity.avg_cadence = mean(&s.cadence_rpm);
    }
    if activity.avg_power_w.is_none() {
        activity.avg_power_w = mean(&s.power_w);
    }
    if activity.ascent_m.is_none() && activity.descent_m.is_none() && !s.altitude_m.is_empty() {
        let (up, down) = climb(&s.altitude_m);
        activity.ascent_m = Some(up);
        activity.descent_m = Some(down);
    }
}

/// Mean of the non-NaN values.
fn mean(v: &[f32]) -> Option<f64> {
    let (sum, n) = v
        .iter()
        .filter(|x| !x.is_nan())
        .fold((0.0f64, 0usize), |(s, n), &x| (s + f64::from(x), n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// Maximum of the non-NaN values.
fn max(v: &[f32]) -> Option<f64> {
    v.iter()
        .filter(|x| !x.is_nan())
        .map(|&x| f64::from(x))
        .reduce(f64::max)
}

/// Total ascent and descent of an altitude stream with [`ASCENT_HYSTERESIS_M`].
fn climb(altitude: &[f32]) -> (f64, f64) {
    let mut up = 0.0;
    let mut down = 0.0;
    let mut anchor: Option<f64> = None;
    for &a in altitude.iter().filter(|a| !a.is_nan()) {
        let a = f64::from(a);
        match anchor {
            None => anchor = Some(a),
            Some(reference) => {
                let delta = a - reference;
                if delta >= ASCENT_HYSTERESIS_M {
                    up += delta;
                    anchor = Some(a);
                } else if delta <= -ASCENT_HYSTERESIS_M {
                    down -= delta;
                    anchor = Some(a);
                }
            }
        }
    }
    (up, down)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_timestamp_rolls_over_its_five_bits() {
        // Last time 0x...3E (offset 30 in its 32-s window); an offset of 2 means the next window:
        // base 0x20 + 2 + 0x20 = 0x42.
        let last = 0x3Eu32;
        let base = last & !0x1F;
        let offset = 2u32;
        let expected = if offset >= (last & 0x1F) {
            base + offset
        } else {
            base + offset + 0x20
        };
        assert_eq!(expected, 0x42);
    }

    #[test]
    fn read_number_maps_invalid_sentinels_to_nan() {
        assert!(read_number(&[0xFF], Kind::U8, false).is_nan());
        assert!(read_number(&[0x7F], Kind::S8, false).is_nan());
        assert!(read_number(&[0x00], Kind::U8z, false).is_nan());
        assert!(read_number(&[0xFF, 0xFF], Kind::U16, false).is_nan());
        assert!(read_number(&[0xFF, 0x7F], Kind::S16, false).is_nan());
        assert!(read_number(&[0x7F, 0xFF], Kind::S16, true).is_nan());
        assert!(read_number(&[0xFF, 0xFF, 0xFF, 0x7F], Kind::S32, false).is_nan());
        assert!(read_number(&[0xFF; 4], Kind::F32, false).is_nan());
        assert!(read_number(&[0xFF; 8], Kind::F64, false).is_nan());
        assert!(read_number(&[0; 4], Kind::U32z, false).is_nan());
        // 0x0102 little-endian is 513, big-endian 258.
        assert_eq!(read_number(&[0x01, 0x02], Kind::U16, false), 513.0);
        assert_eq!(read_number(&[0x01, 0x02], Kind::U16, true), 258.0);
        assert_eq!(read_number(&[0xFE], Kind::S8, false), -2.0);
    }

    #[test]
    fn semicircles_convert_to_degrees_exactly() {
        // 2^30 semicircles = 90°, −2^31 = −180°, 1 semicircle = 180 / 2^31 = 8.381903171539307e-8°.
        let degrees = |raw: f64| raw * DEGREES_PER_SEMICIRCLE_TIMES_2_POW_29 * TWO_POW_MINUS_29;
        assert_eq!(degrees(1_073_741_824.0), 90.0);
        assert_eq!(degrees(-2_147_483_648.0), -180.0);
        assert_eq!(degrees(1.0), 180.0 / 2_147_483_648.0);
    }

    #[test]
    fn climb_ignores_wiggles_below_the_hysteresis() {
        // 100 → 101 → 100 → 104 (+4 counted) → 103 → 99 (−5 counted from 104).
        let (up, down) = climb(&[100.0, 101.0, 100.0, 104.0, 103.0, 99.0]);
        assert_eq!(up, 4.0);
        assert_eq!(down, 5.0);
    }

    #[test]
    fn device_names_combine_manufacturer_and_product() {
        assert_eq!(
            format_device(Some(1), Some(2697), None).as_deref(),
            Some("Garmin fenix 5")
        );
        assert_eq!(
            format_device(Some(32), Some(31), Some("ELEMNT BOLT")).as_deref(),
            Some("Wahoo ELEMNT BOLT")
        );
        assert_eq!(
            format_device(Some(255), Some(0), Some("Fettle simulator")).as_deref(),
            Some("Fettle simulator")
        );
        assert_eq!(
            format_device(Some(9999), Some(7), None).as_deref(),
            Some("manufacturer 9999 product 7")
        );
        assert_eq!(format_device(None, None, None), None);
    }
}
