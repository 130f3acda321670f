//! The FIT encoder: [`Activity`] → FIT activity file bytes, plus a low-level [`FitBuilder`].
//!
//! [`encode_activity`] and [`encode_activities`] are what the product uses (`fettle demo` writes
//! its simulated runs through them, then imports them like any watch file). [`FitBuilder`] is the
//! low-level writer underneath: it writes exactly the definition and data messages it is told to,
//! with switches for the protocol corners the decoder must handle (big-endian definitions,
//! compressed-timestamp headers, developer fields, 12-byte headers, wrong CRCs). Tests use it to
//! build files with known content.
//!
//! What FIT cannot carry is not written: an activity's name, description and perceived exertion,
//! sub-second start times and sub-second sample times (FIT `date_time` counts whole seconds).

use super::crc;
use super::profile::{self, base, event, file_type, mesg};
use crate::activity::{Activity, Lap};

/// The FIT protocol version written in headers (2.0: developer fields allowed).
const PROTOCOL_VERSION: u8 = 0x20;
/// The FIT profile version written in headers (21.40 as 2140).
const PROFILE_VERSION: u16 = 2140;
/// R-R intervals per `hrv` message: five uint16 values, as Garmin watches write them.
const RR_PER_MESSAGE: usize = 5;

/// One field of a definition message: field number, size in bytes, base type (see
/// [`profile::base`]). A size larger than the base type's makes an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// Field definition number from the profile.
    pub number: u8,
    /// Size in bytes.
    pub size: u8,
    /// Base type byte.
    pub base_type: u8,
}

impl FieldDef {
    /// A field whose size is that of one value of `base_type`.
    pub const fn new(number: u8, base_type: u8) -> FieldDef {
        FieldDef {
            number,
            size: base::size(base_type) as u8,
            base_type,
        }
    }

    /// An array or string field of `size` bytes.
    pub const fn sized(number: u8, base_type: u8, size: u8) -> FieldDef {
        FieldDef {
            number,
            size,
            base_type,
        }
    }
}

/// One developer field of a definition message: field number, size, developer data index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevFieldDef {
    /// The developer's field number (`field_description.field_definition_number`).
    pub number: u8,
    /// Size in bytes.
    pub size: u8,
    /// `developer_data_id.developer_data_index` of the application that owns it.
    pub developer_index: u8,
}

/// A value for one field of a data message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue<'a> {
    /// An integer, written in the field's base type (floats are written as floats).
    Int(i64),
    /// A float, for float32/float64 fields (rounded for integer fields).
    Float(f64),
    /// A string: UTF-8, NUL-padded to the field size (truncated to leave one NUL).
    Text(&'a str),
    /// Raw bytes, zero-padded or truncated to the field size (developer fields, byte arrays).
    Bytes(&'a [u8]),
    /// An array of integers; missing elements are written as invalid.
    Ints(&'a [i64]),
    /// The base type's invalid value in every element.
    Invalid,
}

/// How [`FitBuilder::finish_with`] closes the file: switches for writing deliberately broken
/// files in tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Finish {
    /// Write a header CRC that does not match the header (14-byte headers only).
    pub wrong_header_crc: bool,
    /// Write a file CRC that does not match the data.
    pub wrong_file_crc: bool,
    /// Leave the 2-byte file CRC off entirely.
    pub omit_file_crc: bool,
}

#[derive(Debug, Clone)]
struct LocalDef {
    big_endian: bool,
    fields: Vec<FieldDef>,
    dev_fields: Vec<DevFieldDef>,
}

/// A low-level FIT writer: the caller decides every definition and data message.
///
/// Meant for tests and for [`encode_activity`]; it does not check that messages follow the FIT
/// profile (that is the point: tests write odd files with it). Values are written in the
/// byte order of their definition. Call [`FitBuilder::finish`] to get the file with its header
/// data size and CRCs filled in; concatenate finished files to chain them.
#[derive(Debug, Clone)]
pub struct FitBuilder {
    buf: Vec<u8>,
    header_len: usize,
    locals: [Option<LocalDef>; 16],
}

impl Default for FitBuilder {
    fn default() -> Self {
        FitBuilder::new()
    }
}

impl FitBuilder {
    /// A file with the usual 14-byte header (with header CRC).
    pub fn new() -> FitBuilder {
        FitBuilder::with_header_len(14)
    }

    /// A file with the older 12-byte header, which has no header CRC.
    pub fn with_12_byte_header() -> FitBuilder {
        FitBuilder::with_header_len(12)
    }

    fn with_header_len(header_len: usize) -> FitBuilder {
        let mut buf = Vec::with_capacity(4096);
        buf.resize(header_len, 0);
        FitBuilder {
            buf,
            header_len,
            locals: Default::default(),
        }
    }

    /// Reserves room for about `bytes` more bytes.
    pub fn reserve(&mut self, bytes: usize) {
        self.buf.reserve(bytes);
    }

    /// Writes a little-endian definition message for local type `local` (0–15).
    pub fn define(&mut self, local: u8, global: u16, fields: &[FieldDef]) -> &mut Self {
        self.define_with(local, global, fields, &[], false)
    }

    /// Writes a definition message with developer fields and a choice of byte order.
    pub fn define_with(
        &mut self,
        local: u8,
        global: u16,
        fields: &[FieldDef],
        dev_fields: &[DevFieldDef],
        big_endian: bool,
    ) -> &mut Self {
        let local = local & 0x0F;
        let dev_flag = if dev_fields.is_empty() { 0 } else { 0x20 };
        self.buf.push(0x40 | dev_flag | local);
        self.buf.push(0);
        self.buf.push(u8::from(big_endian));
        if big_endian {
            self.buf.extend_from_slice(&global.to_be_bytes());
        } else {
            self.buf.extend_from_slice(&global.to_le_bytes());
        }
        self.buf.push(u8::try_from(fields.len()).unwrap_or(u8::MAX));
        for f in fields.iter().take(255) {
            self.buf.extend_from_slice(&[f.number, f.size, f.base_type]);
        }
        if !dev_fields.is_empty() {
            self.buf
                .push(u8::try_from(dev_fields.len()).unwrap_or(u8::MAX));
            for f in dev_fields.iter().take(255) {
                self.buf
                    .extend_from_slice(&[f.number, f.size, f.developer_index]);
            }
        }
        self.locals[usize::from(local)] = Some(LocalDef {
            big_endian,
            fields: fields.iter().take(255).copied().collect(),
            dev_fields: dev_fields.iter().take(255).copied().collect(),
        });
        self
    }

    /// Writes a data message with a normal header. `values` gives the regular fields in
    /// definition order, then the developer fields; missing trailing values are written invalid
    /// (developer fields as zero bytes). A local type that was never defined writes just the
    /// header byte (a deliberately broken file).
    pub fn data(&mut self, local: u8, values: &[FieldValue<'_>]) -> &mut Self {
        self.buf.push(local & 0x0F);
        self.write_values(local & 0x0F, values);
        self
    }

    /// Writes a data message with a compressed-timestamp header: local type 0–3 and the low five
    /// bits of the timestamp (seconds), relative to the last full timestamp written.
    pub fn data_compressed(
        &mut self,
        local: u8,
        time_offset: u8,
        values: &[FieldValue<'_>],
    ) -> &mut Self {
        self.buf
            .push(0x80 | ((local & 0x03) << 5) | (time_offset & 0x1F));
        self.write_values(local & 0x03, values);
        self
    }

    /// Appends raw bytes to the data records (for deliberately malformed files).
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    fn write_values(&mut self, local: u8, values: &[FieldValue<'_>]) {
        let Some(def) = self.locals[usize::from(local)].as_ref() else {
            return;
        };
        let big = def.big_endian;
        let mut values = values.iter();
        for f in &def.fields {
            let value = values.next().copied().unwrap_or(FieldValue::Invalid);
            write_value(&mut self.buf, *f, value, big);
        }
        for f in &def.dev_fields {
            let value = values.next().copied().unwrap_or(FieldValue::Bytes(&[]));
            let field = FieldDef::sized(f.number, base::BYTE, f.size);
            let value = match value {
                FieldValue::Invalid => FieldValue::Bytes(&[]),
                other => other,
            };
            write_value(&mut self.buf, field, value, big);
        }
    }

    /// Closes the file: header with data size and CRC, then the file CRC.
    pub fn finish(self) -> Vec<u8> {
        self.finish_with(Finish::default())
    }

    /// Closes the file, optionally with wrong or missing CRCs.
    pub fn finish_with(mut self, finish: Finish) -> Vec<u8> {
        let data_size = u32::try_from(self.buf.len() - self.header_len).unwrap_or(u32::MAX);
        self.buf[0] = self.header_len as u8;
        self.buf[1] = PROTOCOL_VERSION;
        self.buf[2..4].copy_from_slice(&PROFILE_VERSION.to_le_bytes());
        self.buf[4..8].copy_from_slice(&data_size.to_le_bytes());
        self.buf[8..12].copy_from_slice(b".FIT");
        if self.header_len >= 14 {
            let mut header_crc = crc::crc16(&self.buf[..12]);
            if finish.wrong_header_crc {
                header_crc ^= 0x5A5A;
            }
            self.buf[12..14].copy_from_slice(&header_crc.to_le_bytes());
        }
        if !finish.omit_file_crc {
            let mut file_crc = crc::crc16(&self.buf);
            if finish.wrong_file_crc {
                file_crc ^= 0xA5A5;
            }
            self.buf.extend_from_slice(&file_crc.to_le_bytes());
        }
        self.buf
    }
}

/// The invalid value of a base type as a little-endian bit pattern.
fn invalid_bits(base_type: u8) -> u64 {
    match base_type & 0x1F {
        0x01 => 0x7F,
        0x03 => 0x7FFF,
        0x05 => 0x7FFF_FFFF,
        0x0E => 0x7FFF_FFFF_FFFF_FFFF,
        0x07 | 0x0A | 0x0B | 0x0C | 0x10 => 0,
        _ => u64::MAX,
    }
}

/// The range a float is clamped to before it is written as an integer base type: the type's
/// range without its invalid value, so an out-of-range number never turns into "missing" or
/// wraps around.
fn integer_range(base_type_number: u8) -> (f64, f64) {
    match base_type_number {
        0x01 => (-128.0, 126.0),
        0x03 => (-32768.0, 32766.0),
        0x04 => (0.0, 65534.0),
        0x0B => (0.0, 65535.0),
        0x05 => (f64::from(i32::MIN), f64::from(i32::MAX - 1)),
        0x06 => (0.0, f64::from(u32::MAX - 1)),
        0x0C => (0.0, f64::from(u32::MAX)),
        0x0A => (0.0, 255.0),
        0x0E..=0x10 => (i64::MIN as f64, i64::MAX as f64),
        _ => (0.0, 254.0),
    }
}

/// Writes the low `size` bytes of `bits` in the requested byte order.
#[inline]
fn put(buf: &mut Vec<u8>, bits: u64, size: usize, big_endian: bool) {
    let le = bits.to_le_bytes();
    if big_endian {
        buf.extend(le[..size].iter().rev());
    } else {
        buf.extend_from_slice(&le[..size]);
    }
}

/// Writes one field value, exactly `field.size` bytes.
fn write_value(buf: &mut Vec<u8>, field: FieldDef, value: FieldValue<'_>, big_endian: bool) {
    let size = usize::from(field.size);
    let element = base::size(field.base_type).min(size.max(1));
    let is_float = matches!(field.base_type & 0x1F, 0x08 | 0x09);
    let bits_of = |v: f64| -> u64 {
        match field.base_type & 0x1F {
            0x08 => u64::from((v as f32).to_bits()),
            0x09 => v.to_bits(),
            other => {
                let (low, high) = integer_range(other);
                (v.round().clamp(low, high) as i64) as u64
            }
        }
    };
    let start = buf.len();
    match value {
        FieldValue::Int(i) => {
            let bits = if is_float {
                bits_of(i as f64)
            } else {
                i as u64
            };
            put(buf, bits, element, big_endian);
        }
        FieldValue::Float(v) => put(buf, bits_of(v), element, big_endian),
        FieldValue::Ints(items) => {
            for &i in items.iter().take(size / element.max(1)) {
                let bits = if is_float {
                    bits_of(i as f64)
                } else {
                    i as u64
                };
                put(buf, bits, element, big_endian);
            }
        }
        FieldValue::Text(text) => {
            let bytes = text.as_bytes();
            buf.extend_from_slice(&bytes[..bytes.len().min(size.saturating_sub(1))]);
        }
        FieldValue::Bytes(bytes) => buf.extend_from_slice(&bytes[..bytes.len().min(size)]),
        FieldValue::Invalid => {}
    }
    // Pad the rest: invalid elements for numbers, NUL for strings, zero for raw bytes.
    let pad_invalid = !matches!(value, FieldValue::Text(_) | FieldValue::Bytes(_));
    while buf.len() < start + size {
        let remaining = start + size - buf.len();
        if pad_invalid && remaining >= element {
            put(buf, invalid_bits(field.base_type), element, big_endian);
        } else {
            buf.push(0);
        }
    }
}

// Local message types used by the activity encoder.
const LOCAL_FILE_ID: u8 = 0;
const LOCAL_DEVICE_INFO: u8 = 1;
const LOCAL_EVENT: u8 = 2;
const LOCAL_RECORD: u8 = 3;
const LOCAL_HRV: u8 = 4;
const LOCAL_LAP: u8 = 5;
const LOCAL_SESSION: u8 = 6;
const LOCAL_ACTIVITY: u8 = 7;

/// Encodes one activity as a FIT activity file that [`super::decode`] reads back.
pub fn encode_activity(activity: &Activity) -> Vec<u8> {
    encode_activities(std::slice::from_ref(activity))
}

/// Encodes several sessions (a multisport event, in order) as one FIT activity file.
///
/// Writes file_id and the creator's device_info (from the first activity's device), then per
/// session: timer start event, hrv messages, one record per sample with every recorded channel
/// (enhanced speed and altitude), timer stop event, laps, session; finally the activity message
/// with `local_timestamp` when `utc_offset_s` is known. An empty slice gives a valid file with
/// only file_id and activity messages.
pub fn encode_activities(activities: &[Activity]) -> Vec<u8> {
    let samples: usize = activities.iter().map(|a| a.streams.len()).sum();
    let mut w = FitBuilder::new();
    w.reserve(256 + samples * 40);
    let first = activities.first();
    let start = first.map_or(0, |a| fit_seconds(a.start));
    let device = first.and_then(|a| a.device.as_deref());
    let manufacturer = device
        .map(|d| profile::manufacturer_for_device(d).unwrap_or(profile::MANUFACTURER_DEVELOPMENT));
    let manufacturer_value = manufacturer.map_or(FieldValue::Invalid, int);
    let product_value = if device.is_some() {
        FieldValue::Int(0)
    } else {
        FieldValue::Invalid
    };
    let name_size = device.map_or(1, |d| (d.len() + 1).min(255)) as u8;

    w.define(
        LOCAL_FILE_ID,
        mesg::FILE_ID,
        &[
            FieldDef::new(profile::file_id::TYPE, base::ENUM),
            FieldDef::new(profile::file_id::MANUFACTURER, base::UINT16),
            FieldDef::new(profile::file_id::PRODUCT, base::UINT16),
            FieldDef::new(profile::file_id::TIME_CREATED, base::UINT32),
            FieldDef::sized(profile::file_id::PRODUCT_NAME, base::STRING, name_size),
        ],
    );
    w.data(
        LOCAL_FILE_ID,
        &[
            int(file_type::ACTIVITY),
            manufacturer_value,
            product_value,
            int(start),
            device.map_or(FieldValue::Invalid, FieldValue::Text),
        ],
    );
    w.define(
        LOCAL_DEVICE_INFO,
        mesg::DEVICE_INFO,
        &[
            FieldDef::new(profile::FIELD_TIMESTAMP, base::UINT32),
            FieldDef::new(profile::device_info::DEVICE_INDEX, base::UINT8),
            FieldDef::new(profile::device_info::MANUFACTURER, base::UINT16),
            FieldDef::new(profile::device_info::PRODUCT, base::UINT16),
            FieldDef::sized(profile::device_info::PRODUCT_NAME, base::STRING, name_size),
        ],
    );
    w.data(
        LOCAL_DEVICE_INFO,
        &[
            int(start),
            FieldValue::Int(0),
            manufacturer_value,
            product_value,
            device.map_or(FieldValue::Invalid, FieldValue::Text),
        ],
    );
    w.define(
        LOCAL_EVENT,
        mesg::EVENT,
        &[
            FieldDef::new(profile::FIELD_TIMESTAMP, base::UINT32),
            FieldDef::new(event::EVENT, base::ENUM),
            FieldDef::new(event::EVENT_TYPE, base::ENUM),
        ],
    );
    w.define(
        LOCAL_HRV,
        mesg::HRV,
        &[FieldDef::sized(
            profile::hrv::TIME,
            base::UINT16,
            (2 * RR_PER_MESSAGE) as u8,
        )],
    );
    define_summary(&mut w, LOCAL_LAP, mesg::LAP, false);
    define_summary(&mut w, LOCAL_SESSION, mesg::SESSION, true);

    let mut timer_total = 0.0;
    let mut end = start;
    for activity in activities {
        let session_start = fit_seconds(activity.start);
        let session_end = session_start.saturating_add(activity.elapsed_s.max(0.0).ceil() as u32);
        end = end.max(session_end);
        timer_total += activity.timer_s;
        w.data(
            LOCAL_EVENT,
            &[
                int(session_start),
                int(event::TIMER),
                int(event::TYPE_START),
            ],
        );
        write_hrv(&mut w, &activity.rr_intervals_ms);
        write_records(&mut w, activity, session_start);
        w.data(
            LOCAL_EVENT,
            &[
                int(session_end),
                int(event::TIMER),
                int(event::TYPE_STOP_ALL),
            ],
        );
        for lap in &activity.laps {
            write_lap(&mut w, lap);
        }
        write_session(&mut w, activity, session_start, session_end);
    }

    w.define(
        LOCAL_ACTIVITY,
        mesg::ACTIVITY,
        &[
            FieldDef::new(profile::FIELD_TIMESTAMP, base::UINT32),
            FieldDef::new(profile::activity::TOTAL_TIMER_TIME, base::UINT32),
            FieldDef::new(profile::activity::NUM_SESSIONS, base::UINT16),
            FieldDef::new(profile::activity::TYPE, base::ENUM),
            FieldDef::new(profile::activity::EVENT, base::ENUM),
            FieldDef::new(profile::activity::EVENT_TYPE, base::ENUM),
            FieldDef::new(profile::activity::LOCAL_TIMESTAMP, base::UINT32),
        ],
    );
    let local = first
        .and_then(|a| a.utc_offset_s)
        .map_or(FieldValue::Invalid, |offset| {
            FieldValue::Int(i64::from(end) + i64::from(offset))
        });
    w.data(
        LOCAL_ACTIVITY,
        &[
            int(end),
            FieldValue::Float((timer_total * 1000.0).round()),
            FieldValue::Int(activities.len() as i64),
            FieldValue::Int(0),
            int(event::ACTIVITY),
            int(event::TYPE_STOP),
            local,
        ],
    );
    w.finish()
}

/// An integer field value.
fn int(v: impl Into<i64>) -> FieldValue<'static> {
    FieldValue::Int(v.into())
}

/// A timestamp as FIT seconds (whole seconds, clamped to the u32 range).
fn fit_seconds(t: jiff::Timestamp) -> u32 {
    let s = t.as_second() - profile::FIT_EPOCH_UNIX_S;
    u32::try_from(s.max(0)).unwrap_or(u32::MAX - 1)
}

/// A scaled optional value, or invalid.
fn scaled(v: Option<f64>, scale: f64, offset: f64) -> FieldValue<'static> {
    match v {
        Some(v) if v.is_finite() => FieldValue::Float((v + offset) * scale),
        _ => FieldValue::Invalid,
    }
}

/// The integer part and the 1/128 fraction of a cadence, as two field values.
fn cadence_parts(v: Option<f64>) -> (FieldValue<'static>, FieldValue<'static>) {
    match v.and_then(cadence_split) {
        Some((whole, fraction)) => (FieldValue::Float(whole), FieldValue::Float(fraction)),
        None => (FieldValue::Invalid, FieldValue::Invalid),
    }
}

fn define_summary(w: &mut FitBuilder, local: u8, global: u16, is_session: bool) {
    use profile::{lap as l, session as s};
    let n = |lap: u8, session: u8| if is_session { session } else { lap };
    let mut fields = vec![
        FieldDef::new(profile::FIELD_TIMESTAMP, base::UINT32),
        FieldDef::new(n(l::START_TIME, s::START_TIME), base::UINT32),
        FieldDef::new(
            n(l::TOTAL_ELAPSED_TIME, s::TOTAL_ELAPSED_TIME),
            base::UINT32,
        ),
        FieldDef::new(n(l::TOTAL_TIMER_TIME, s::TOTAL_TIMER_TIME), base::UINT32),
        FieldDef::new(n(l::TOTAL_DISTANCE, s::TOTAL_DISTANCE), base::UINT32),
        FieldDef::new(
            n(l::ENHANCED_AVG_SPEED, s::ENHANCED_AVG_SPEED),
            base::UINT32,
        ),
        FieldDef::new(n(l::AVG_HEART_RATE, s::AVG_HEART_RATE), base::UINT8),
        FieldDef::new(n(l::MAX_HEART_RATE, s::MAX_HEART_RATE), base::UINT8),
        FieldDef::new(n(l::AVG_CADENCE, s::AVG_CADENCE), base::UINT8),
        FieldDef::new(
            n(l::AVG_FRACTIONAL_CADENCE, s::AVG_FRACTIONAL_CADENCE),
            base::UINT8,
        ),
        FieldDef::new(n(l::AVG_POWER, s::AVG_POWER), base::UINT16),
        FieldDef::new(n(l::TOTAL_ASCENT, s::TOTAL_ASCENT), base::UINT16),
        FieldDef::new(n(l::TOTAL_DESCENT, s::TOTAL_DESCENT), base::UINT16),
    ];
    if is_session {
        fields.push(FieldDef::new(s::SPORT, base::ENUM));
        fields.push(FieldDef::new(s::SUB_SPORT, base::ENUM));
        fields.push(FieldDef::new(s::NUM_LAPS, base::UINT16));
    }
    w.define(local, global, &fields);
}

fn write_lap(w: &mut FitBuilder, lap: &Lap) {
    let start = fit_seconds(lap.start);
    let end = start.saturating_add(lap.elapsed_s.max(0.0).ceil() as u32);
    let (cadence, fraction) = cadence_parts(lap.avg_cadence);
    w.data(
        LOCAL_LAP,
        &[
            int(end),
            int(start),
            scaled(Some(lap.elapsed_s), 1000.0, 0.0),
            scaled(Some(lap.timer_s), 1000.0, 0.0),
            scaled(lap.distance_m, 100.0, 0.0),
            scaled(lap.avg_speed_mps, 1000.0, 0.0),
            scaled(lap.avg_hr, 1.0, 0.0),
            scaled(lap.max_hr, 1.0, 0.0),
            cadence,
            fraction,
            scaled(lap.avg_power_w, 1.0, 0.0),
            scaled(lap.ascent_m, 1.0, 0.0),
            scaled(lap.descent_m, 1.0, 0.0),
        ],
    );
}

fn write_session(w: &mut FitBuilder, a: &Activity, start: u32, end: u32) {
    let (cadence, fraction) = cadence_parts(a.avg_cadence);
    let sport = profile::sport_number(a.sport.as_str()).unwrap_or(0);
    let sub_sport = a
        .sub_sport
        .as_deref()
        .and_then(profile::sub_sport_number)
        .map_or(FieldValue::Int(0), int);
    let avg_speed = match a.distance_m {
        Some(d) if a.timer_s > 0.0 => Some(d / a.timer_s),
        _ => None,
    };
    w.data(
        LOCAL_SESSION,
        &[
            int(end),
            int(start),
            scaled(Some(a.elapsed_s), 1000.0, 0.0),
            scaled(Some(a.timer_s), 1000.0, 0.0),
            scaled(a.distance_m, 100.0, 0.0),
            scaled(avg_speed, 1000.0, 0.0),
            scaled(a.avg_hr, 1.0, 0.0),
            scaled(a.max_hr, 1.0, 0.0),
            cadence,
            fraction,
            scaled(a.avg_power_w, 1.0, 0.0),
            scaled(a.ascent_m, 1.0, 0.0),
            scaled(a.descent_m, 1.0, 0.0),
            int(sport),
            sub_sport,
            FieldValue::Int(a.laps.len() as i64),
        ],
    );
}

fn write_hrv(w: &mut FitBuilder, rr: &[f32]) {
    for chunk in rr.chunks(RR_PER_MESSAGE) {
        let mut values = [u16::MAX as i64; RR_PER_MESSAGE];
        for (slot, &ms) in values.iter_mut().zip(chunk) {
            if ms.is_finite() && ms > 0.0 && ms < f32::from(u16::MAX) {
                *slot = i64::from(ms.round() as u16);
            }
        }
        w.data(LOCAL_HRV, &[FieldValue::Ints(&values)]);
    }
}

/// The record channels, in the order the record definition lists them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Channel {
    Lat,
    Lon,
    Distance,
    Speed,
    Altitude,
    HeartRate,
    Cadence,
    FractionalCadence,
    Power,
    Temperature,
}

fn write_records(w: &mut FitBuilder, a: &Activity, start: u32) {
    use profile::record as r;
    let s = &a.streams;
    if s.is_empty() {
        return;
    }
    let n = s.len();
    let present = |len: usize| len == n;
    let mut channels: Vec<(Channel, FieldDef)> = Vec::with_capacity(10);
    if present(s.lat_deg.len()) && present(s.lon_deg.len()) {
        channels.push((Channel::Lat, FieldDef::new(r::POSITION_LAT, base::SINT32)));
        channels.push((Channel::Lon, FieldDef::new(r::POSITION_LONG, base::SINT32)));
    }
    if present(s.distance_m.len()) {
        channels.push((Channel::Distance, FieldDef::new(r::DISTANCE, base::UINT32)));
    }
    if present(s.speed_mps.len()) {
        channels.push((
            Channel::Speed,
            FieldDef::new(r::ENHANCED_SPEED, base::UINT32),
        ));
    }
    if present(s.altitude_m.len()) {
        channels.push((
            Channel::Altitude,
            FieldDef::new(r::ENHANCED_ALTITUDE, base::UINT32),
        ));
    }
    if present(s.heart_rate_bpm.len()) {
        channels.push((
            Channel::HeartRate,
            FieldDef::new(r::HEART_RATE, base::UINT8),
        ));
    }
    if present(s.cadence_rpm.len()) {
        channels.push((Channel::Cadence, FieldDef::new(r::CADENCE, base::UINT8)));
        channels.push((
            Channel::FractionalCadence,
            FieldDef::new(r::FRACTIONAL_CADENCE, base::UINT8),
        ));
    }
    if present(s.power_w.len()) {
        channels.push((Channel::Power, FieldDef::new(r::POWER, base::UINT16)));
    }
    if present(s.temperature_c.len()) {
        channels.push((
            Channel::Temperature,
            FieldDef::new(r::TEMPERATURE, base::SINT8),
        ));
    }
    let mut fields = Vec::with_capacity(channels.len() + 1);
    fields.push(FieldDef::new(profile::FIELD_TIMESTAMP, base::UINT32));
    fields.extend(channels.iter().map(|c| c.1));
    w.define(LOCAL_RECORD, mesg::RECORD, &fields);

    // The hot loop of the encoder (one message per sample, millions per benchmark run) writes
    // the bytes directly instead of going through `FieldValue`; the values and their rounding
    // and clamping are the same as `write_value`'s.
    let f32v = |v: f32| Some(f64::from(v));
    let buf = &mut w.buf;
    buf.reserve(n * (1 + fields.iter().map(|f| usize::from(f.size)).sum::<usize>()));
    for i in 0..n {
        let t = s.time_s[i];
        let t = if t.is_finite() {
            t.max(0.0).round()
        } else {
            0.0
        };
        buf.push(LOCAL_RECORD);
        let time = (i64::from(start) + t as i64).clamp(0, i64::from(u32::MAX - 1));
        buf.extend_from_slice(&(time as u32).to_le_bytes());
        for (channel, field) in &channels {
            let value = match channel {
                Channel::Lat => degrees_to_semicircles(s.lat_deg[i]),
                Channel::Lon => degrees_to_semicircles(s.lon_deg[i]),
                Channel::Distance => Some(s.distance_m[i] * 100.0),
                Channel::Speed => f32v(s.speed_mps[i]).map(|v| v * 1000.0),
                Channel::Altitude => f32v(s.altitude_m[i]).map(|v| (v + 500.0) * 5.0),
                Channel::HeartRate => f32v(s.heart_rate_bpm[i]),
                Channel::Cadence => cadence_split(f64::from(s.cadence_rpm[i])).map(|c| c.0),
                Channel::FractionalCadence => {
                    cadence_split(f64::from(s.cadence_rpm[i])).map(|c| c.1)
                }
                Channel::Power => f32v(s.power_w[i]),
                Channel::Temperature => f32v(s.temperature_c[i]),
            };
            let bits = integer_bits(value, field.base_type);
            put(buf, bits, usize::from(field.size), false);
        }
    }
}

/// An integer field's bits: the value rounded and clamped to the type's valid range, or the
/// type's invalid value when the value is missing or not finite.
#[inline]
fn integer_bits(value: Option<f64>, base_type: u8) -> u64 {
    match value {
        Some(v) if v.is_finite() => {
            let (low, high) = integer_range(base_type & 0x1F);
            (v.round().clamp(low, high) as i64) as u64
        }
        _ => invalid_bits(base_type),
    }
}

/// Degrees as (unrounded) semicircles, `None` when not a valid coordinate.
#[inline]
fn degrees_to_semicircles(deg: f64) -> Option<f64> {
    (deg.is_finite() && deg.abs() <= 180.0).then_some(deg * profile::SEMICIRCLES_PER_DEGREE)
}

/// A cadence as its whole part and its 1/128 fraction, `None` when missing or negative.
#[inline]
fn cadence_split(v: f64) -> Option<(f64, f64)> {
    if !(v.is_finite() && v >= 0.0) {
        return None;
    }
    let whole = v.floor();
    let fraction = ((v - whole) * 128.0).round();
    // A fraction that rounds to 128/128 carries into the whole part.
    Some(if fraction >= 128.0 {
        (whole + 1.0, 0.0)
    } else {
        (whole, fraction)
    })
}
