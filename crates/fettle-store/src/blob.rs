//! The sample blob: one activity's streams (and R-R intervals) as one compact, compressed value.
//!
//! Samples are never stored one row per sample. Each channel is quantised to a fixed, documented
//! precision, delta-encoded, zigzag-varint-encoded and the whole payload is compressed with zstd.
//!
//! # Precision (rounding to the nearest step, so the error is at most half a step)
//!
//! | channel | step |
//! |---|---|
//! | `time_s` | 1 ms |
//! | `lat_deg`, `lon_deg` | 1e-7 ° (≈ 1.1 cm) |
//! | `distance_m` | 1 cm |
//! | `speed_mps` | 1 mm/s |
//! | `altitude_m` | 1 cm |
//! | `heart_rate_bpm` | 0.1 bpm |
//! | `cadence_rpm` | 1/128 rpm (FIT's fractional-cadence unit) |
//! | `power_w` | 0.1 W |
//! | `temperature_c` | 0.1 °C |
//! | R-R intervals | 1 ms (FIT `hrv` resolution) |
//!
//! Missing samples (`NaN`) are preserved exactly where they were; any non-finite value (±∞) and
//! any value whose quantised magnitude exceeds 2⁵³ steps (physically meaningless) is stored as
//! missing. Empty channels stay empty.
//!
//! # Layout (version 1)
//!
//! ```text
//! blob    = version:u8 (= 1) · raw_len:varint · zstd_frame(payload)
//! payload = channel_count:varint · channel*
//! channel = id:u8 · len:varint · run_count:varint · run_len:varint{run_count} · value:zvarint*
//! ```
//! `runs` alternate present / missing lengths, starting with present (the first may be 0) and
//! summing to `len`. Values are only written for present samples, as zigzag varints of the
//! difference to the previous present value of that channel (the first to 0) or, for the smooth
//! channels (time, latitude, longitude, distance), of the change of that difference
//! (delta-of-delta: a steady 1 Hz clock or pace costs ~0 bits before compression). A channel
//! that was not recorded is simply absent. Decoding checks every length and never panics: a corrupt blob
//! is a [`CodecError`].

use std::cell::RefCell;

use fettle_formats::Streams;

/// The blob format version written by [`encode`] (the first byte of every blob).
pub const BLOB_VERSION: u8 = 1;

/// The zstd level. Level 1 measured both smaller and faster than the default 3 on one-hour
/// runs (the varint payload has little long-range redundancy for higher levels to find).
const ZSTD_LEVEL: i32 = 1;

thread_local! {
    /// One zstd context per thread: creating a context per blob cost more than compressing.
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { RefCell::new(None) };
}

/// Largest number of samples in one channel (≈ 115 days at 1 Hz). Bounds the memory a corrupt
/// blob can make the decoder allocate.
pub const MAX_CHANNEL_LEN: usize = 10_000_000;

/// Largest decompressed payload accepted, in bytes (bounds memory on corrupt blobs).
const MAX_RAW_LEN: usize = 512 * 1024 * 1024;

/// Quantised magnitudes above this are not exactly representable in f64 and are stored as
/// missing.
const MAX_QUANTISED: f64 = 9_007_199_254_740_992.0; // 2^53

/// Steps per unit for every channel (see the module table).
mod scale {
    pub(super) const TIME_PER_S: f64 = 1e3;
    pub(super) const DEG: f64 = 1e7;
    pub(super) const DISTANCE_PER_M: f64 = 1e2;
    pub(super) const SPEED_PER_MPS: f64 = 1e3;
    pub(super) const ALTITUDE_PER_M: f64 = 1e2;
    pub(super) const HR_PER_BPM: f64 = 10.0;
    pub(super) const CADENCE_PER_RPM: f64 = 128.0;
    pub(super) const POWER_PER_W: f64 = 10.0;
    pub(super) const TEMPERATURE_PER_C: f64 = 10.0;
    pub(super) const RR_PER_MS: f64 = 1.0;
}

/// Channel ids in the blob. Never renumber: they are stored on disk.
mod id {
    pub(super) const TIME: u8 = 0;
    pub(super) const LAT: u8 = 1;
    pub(super) const LON: u8 = 2;
    pub(super) const DISTANCE: u8 = 3;
    pub(super) const SPEED: u8 = 4;
    pub(super) const ALTITUDE: u8 = 5;
    pub(super) const HEART_RATE: u8 = 6;
    pub(super) const CADENCE: u8 = 7;
    pub(super) const POWER: u8 = 8;
    pub(super) const TEMPERATURE: u8 = 9;
    pub(super) const RR: u8 = 10;
}

/// Why a blob could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The streams break their own invariant (a channel's length differs from `time_s`).
    #[error("stream channel `{channel}` has {len} samples but time_s has {expected}")]
    InconsistentStreams {
        /// The offending channel.
        channel: &'static str,
        /// Its length.
        len: usize,
        /// The length of `time_s`.
        expected: usize,
    },
    /// A channel is longer than [`MAX_CHANNEL_LEN`].
    #[error("a channel has {0} samples, more than the {MAX_CHANNEL_LEN} a blob holds")]
    TooLong(usize),
    /// The blob was written by a newer program or is not a blob at all.
    #[error("unknown sample blob version {0} (this program reads version {BLOB_VERSION})")]
    UnknownVersion(u8),
    /// The bytes are damaged.
    #[error("corrupt sample blob: {0}")]
    Corrupt(&'static str),
}

/// A sample type a channel holds.
trait Sample: Copy {
    fn to_f64(self) -> f64;
    fn from_f64(value: f64) -> Self;
}

impl Sample for f64 {
    fn to_f64(self) -> f64 {
        self
    }
    fn from_f64(value: f64) -> Self {
        value
    }
}

impl Sample for f32 {
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[allow(clippy::cast_possible_truncation)] // f32 channels are stored from f32 values
    fn from_f64(value: f64) -> Self {
        value as f32
    }
}

/// Encodes streams and R-R intervals into one blob.
///
/// Fails only when the streams are inconsistent or absurdly long; values that cannot be
/// represented are stored as missing (see the module docs).
pub fn encode(streams: &Streams, rr_intervals_ms: &[f32]) -> Result<Vec<u8>, CodecError> {
    let n = streams.time_s.len();
    check_len("lat_deg", streams.lat_deg.len(), n)?;
    check_len("lon_deg", streams.lon_deg.len(), n)?;
    check_len("distance_m", streams.distance_m.len(), n)?;
    check_len("speed_mps", streams.speed_mps.len(), n)?;
    check_len("altitude_m", streams.altitude_m.len(), n)?;
    check_len("heart_rate_bpm", streams.heart_rate_bpm.len(), n)?;
    check_len("cadence_rpm", streams.cadence_rpm.len(), n)?;
    check_len("power_w", streams.power_w.len(), n)?;
    check_len("temperature_c", streams.temperature_c.len(), n)?;
    if n > MAX_CHANNEL_LEN || rr_intervals_ms.len() > MAX_CHANNEL_LEN {
        return Err(CodecError::TooLong(n.max(rr_intervals_ms.len())));
    }

    let mut payload = Vec::with_capacity(16 + n * 12);
    let mut scratch = Scratch::default();
    let channels = [
        !streams.time_s.is_empty(),
        !streams.lat_deg.is_empty(),
        !streams.lon_deg.is_empty(),
        !streams.distance_m.is_empty(),
        !streams.speed_mps.is_empty(),
        !streams.altitude_m.is_empty(),
        !streams.heart_rate_bpm.is_empty(),
        !streams.cadence_rpm.is_empty(),
        !streams.power_w.is_empty(),
        !streams.temperature_c.is_empty(),
        !rr_intervals_ms.is_empty(),
    ];
    put_varint(&mut payload, channels.iter().filter(|&&c| c).count() as u64);
    let p = &mut payload;
    let r = &mut scratch;
    put_channel(p, r, id::TIME, &streams.time_s, scale::TIME_PER_S);
    put_channel(p, r, id::LAT, &streams.lat_deg, scale::DEG);
    put_channel(p, r, id::LON, &streams.lon_deg, scale::DEG);
    put_channel(
        p,
        r,
        id::DISTANCE,
        &streams.distance_m,
        scale::DISTANCE_PER_M,
    );
    put_channel(p, r, id::SPEED, &streams.speed_mps, scale::SPEED_PER_MPS);
    put_channel(
        p,
        r,
        id::ALTITUDE,
        &streams.altitude_m,
        scale::ALTITUDE_PER_M,
    );
    put_channel(
        p,
        r,
        id::HEART_RATE,
        &streams.heart_rate_bpm,
        scale::HR_PER_BPM,
    );
    put_channel(
        p,
        r,
        id::CADENCE,
        &streams.cadence_rpm,
        scale::CADENCE_PER_RPM,
    );
    put_channel(p, r, id::POWER, &streams.power_w, scale::POWER_PER_W);
    put_channel(
        p,
        r,
        id::TEMPERATURE,
        &streams.temperature_c,
        scale::TEMPERATURE_PER_C,
    );
    put_channel(p, r, id::RR, rr_intervals_ms, scale::RR_PER_MS);

    let compressed = COMPRESSOR
        .with_borrow_mut(|slot| {
            let mut compressor = match slot.take() {
                Some(compressor) => compressor,
                None => zstd::bulk::Compressor::new(ZSTD_LEVEL)?,
            };
            let compressed = compressor.compress(&payload);
            *slot = Some(compressor);
            compressed
        })
        .map_err(|_| CodecError::Corrupt("zstd refused to compress the payload"))?;
    let mut blob = Vec::with_capacity(compressed.len() + 11);
    blob.push(BLOB_VERSION);
    put_varint(&mut blob, payload.len() as u64);
    blob.extend_from_slice(&compressed);
    Ok(blob)
}

/// Encodes the blobs of every activity of a file about to be imported, in order: `None` for an
/// activity with neither streams nor R-R intervals (it gets no samples row). Backends call this
/// before opening their transaction, because it is the costly part of an import and needs no
/// lock. A channel that cannot be encoded fails the file, naming the activity.
pub fn encode_file(
    file: &crate::NewFile,
    activities: &[crate::NewActivity<'_>],
) -> Result<Vec<Option<Vec<u8>>>, crate::StoreError> {
    activities
        .iter()
        .enumerate()
        .map(|(index, new)| {
            let activity = new.activity;
            if activity.streams == Streams::default() && activity.rr_intervals_ms.is_empty() {
                return Ok(None);
            }
            encode(&activity.streams, &activity.rr_intervals_ms)
                .map(Some)
                .map_err(|e| crate::StoreError::InvalidActivity {
                    file: file.source.clone(),
                    index,
                    reason: e.to_string(),
                })
        })
        .collect()
}

/// Decodes a blob written by [`encode`] back into streams and R-R intervals.
///
/// Never panics: damaged, truncated or foreign bytes give a [`CodecError`].
pub fn decode(blob: &[u8]) -> Result<(Streams, Vec<f32>), CodecError> {
    let (&version, rest) = blob
        .split_first()
        .ok_or(CodecError::Corrupt("empty blob"))?;
    if version != BLOB_VERSION {
        return Err(CodecError::UnknownVersion(version));
    }
    let mut header = Reader { buf: rest, pos: 0 };
    let raw_len = header.varint()?;
    let raw_len = usize::try_from(raw_len)
        .ok()
        .filter(|&len| len <= MAX_RAW_LEN)
        .ok_or(CodecError::Corrupt("payload length out of range"))?;
    let payload = DECOMPRESSOR
        .with_borrow_mut(|slot| {
            let mut decompressor = match slot.take() {
                Some(decompressor) => decompressor,
                None => zstd::bulk::Decompressor::new()?,
            };
            let payload = decompressor.decompress(&rest[header.pos..], raw_len);
            *slot = Some(decompressor);
            payload
        })
        .map_err(|_| CodecError::Corrupt("zstd frame is damaged"))?;
    if payload.len() != raw_len {
        return Err(CodecError::Corrupt(
            "payload length does not match the header",
        ));
    }

    let mut reader = Reader {
        buf: &payload,
        pos: 0,
    };
    let mut streams = Streams::default();
    let mut rr = Vec::new();
    let mut seen = 0u16;
    let channel_count = reader.varint()?;
    for _ in 0..channel_count {
        let channel = reader.byte()?;
        let bit = 1u16.checked_shl(u32::from(channel)).unwrap_or(0);
        if bit == 0 || seen & bit != 0 {
            return Err(CodecError::Corrupt("unknown or repeated channel id"));
        }
        seen |= bit;
        let (r, s) = (&mut reader, &mut streams);
        let read = match channel {
            id::TIME => get_channel(r, channel, &mut s.time_s, scale::TIME_PER_S),
            id::LAT => get_channel(r, channel, &mut s.lat_deg, scale::DEG),
            id::LON => get_channel(r, channel, &mut s.lon_deg, scale::DEG),
            id::DISTANCE => get_channel(r, channel, &mut s.distance_m, scale::DISTANCE_PER_M),
            id::SPEED => get_channel(r, channel, &mut s.speed_mps, scale::SPEED_PER_MPS),
            id::ALTITUDE => get_channel(r, channel, &mut s.altitude_m, scale::ALTITUDE_PER_M),
            id::HEART_RATE => get_channel(r, channel, &mut s.heart_rate_bpm, scale::HR_PER_BPM),
            id::CADENCE => get_channel(r, channel, &mut s.cadence_rpm, scale::CADENCE_PER_RPM),
            id::POWER => get_channel(r, channel, &mut s.power_w, scale::POWER_PER_W),
            id::TEMPERATURE => {
                get_channel(r, channel, &mut s.temperature_c, scale::TEMPERATURE_PER_C)
            }
            id::RR => get_channel(r, channel, &mut rr, scale::RR_PER_MS),
            _ => Err(CodecError::Corrupt("unknown channel id")),
        };
        read?;
    }
    if reader.pos != payload.len() {
        return Err(CodecError::Corrupt("trailing bytes after the last channel"));
    }
    if !streams.is_consistent() {
        return Err(CodecError::Corrupt("channel lengths differ from time_s"));
    }
    Ok((streams, rr))
}

fn check_len(channel: &'static str, len: usize, expected: usize) -> Result<(), CodecError> {
    if len == 0 || len == expected {
        Ok(())
    } else {
        Err(CodecError::InconsistentStreams {
            channel,
            len,
            expected,
        })
    }
}

/// The quantised value of a sample (rounded half away from zero), or `None` when it is stored
/// as missing.
#[allow(clippy::cast_possible_truncation)] // bounded by MAX_QUANTISED just before
fn quantise(value: f64, steps_per_unit: f64) -> Option<i64> {
    let scaled = value * steps_per_unit;
    // Adding ±0.5 and truncating is `round()` without a libm call (x86-64 baseline has no
    // rounding instruction); it is the hot loop of the encoder.
    (scaled.abs() <= MAX_QUANTISED).then(|| (scaled + 0.5f64.copysign(scaled)) as i64)
}

/// Scratch buffers reused across the channels of one blob.
#[derive(Default)]
struct Scratch {
    runs: Vec<u64>,
    values: Vec<u8>,
}

/// Appends one channel (nothing when it is empty), quantising each sample once.
fn put_channel<T: Sample>(
    out: &mut Vec<u8>,
    scratch: &mut Scratch,
    channel: u8,
    values: &[T],
    steps_per_unit: f64,
) {
    if values.is_empty() {
        return;
    }
    scratch.runs.clear();
    scratch.values.clear();
    let second_order = is_smooth(channel);
    let (mut previous, mut previous_delta) = (0i64, 0i64);
    // Runs of present / missing samples, starting with present.
    let mut present = true;
    let mut run = 0u64;
    for value in values {
        let quantised = quantise(value.to_f64(), steps_per_unit);
        if quantised.is_some() != present {
            scratch.runs.push(run);
            present = !present;
            run = 0;
        }
        run += 1;
        if let Some(q) = quantised {
            let delta = q.wrapping_sub(previous);
            let code = if second_order {
                delta.wrapping_sub(previous_delta)
            } else {
                delta
            };
            put_varint(&mut scratch.values, zigzag(code));
            previous = q;
            previous_delta = delta;
        }
    }
    scratch.runs.push(run);

    out.push(channel);
    put_varint(out, values.len() as u64);
    put_varint(out, scratch.runs.len() as u64);
    for &run in &scratch.runs {
        put_varint(out, run);
    }
    out.extend_from_slice(&scratch.values);
}

/// Reads one channel written by [`put_channel`] into `values` (which must be empty).
#[allow(clippy::cast_precision_loss)] // quantised values are within ±2^53 when encoded
fn get_channel<T: Sample>(
    reader: &mut Reader<'_>,
    channel: u8,
    values: &mut Vec<T>,
    steps_per_unit: f64,
) -> Result<(), CodecError> {
    let len = reader.varint()?;
    let len = usize::try_from(len)
        .ok()
        .filter(|&len| len > 0 && len <= MAX_CHANNEL_LEN)
        .ok_or(CodecError::Corrupt("channel length out of range"))?;
    let run_count = reader.varint()?;
    if run_count == 0 || run_count > len as u64 + 1 {
        return Err(CodecError::Corrupt("run count out of range"));
    }
    let runs_start = reader.pos;
    // First pass over the runs: check they sum to `len`.
    let mut total = 0u64;
    for _ in 0..run_count {
        total = total.saturating_add(reader.varint()?);
    }
    if total != len as u64 {
        return Err(CodecError::Corrupt(
            "runs do not add up to the channel length",
        ));
    }
    values.reserve_exact(len);
    let values_start = reader.pos;
    let mut runs = Reader {
        buf: reader.buf,
        pos: runs_start,
    };
    reader.pos = values_start;
    let second_order = is_smooth(channel);
    let (mut previous, mut previous_delta) = (0i64, 0i64);
    let mut present = true;
    for _ in 0..run_count {
        let run = runs.varint()?;
        if present {
            for _ in 0..run {
                let code = unzigzag(reader.varint()?);
                let delta = if second_order {
                    previous_delta.wrapping_add(code)
                } else {
                    code
                };
                previous = previous.wrapping_add(delta);
                previous_delta = delta;
                values.push(T::from_f64(previous as f64 / steps_per_unit));
            }
        } else {
            values.extend(std::iter::repeat_n(T::from_f64(f64::NAN), run as usize));
        }
        present = !present;
    }
    Ok(())
}

/// Whether a channel is smooth enough (time, position, cumulative distance) that the change of
/// its difference is smaller than the difference itself: those are stored second-order.
fn is_smooth(channel: u8) -> bool {
    matches!(channel, id::TIME | id::LAT | id::LON | id::DISTANCE)
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

/// A bounds-checked cursor over bytes.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, CodecError> {
        let byte = *self
            .buf
            .get(self.pos)
            .ok_or(CodecError::Corrupt("truncated"))?;
        self.pos += 1;
        Ok(byte)
    }

    fn varint(&mut self) -> Result<u64, CodecError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(CodecError::Corrupt("varint overflows 64 bits"));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(CodecError::Corrupt("varint longer than 10 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_maps_small_magnitudes_to_small_codes() {
        // The zigzag sequence by definition: 0→0, −1→1, 1→2, −2→3, 2→4.
        assert_eq!(
            [0, -1, 1, -2, 2].map(zigzag),
            [0, 1, 2, 3, 4],
            "zigzag order"
        );
        for v in [0, 1, -1, i64::MAX, i64::MIN, 123_456_789, -987_654_321] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
    }

    #[test]
    fn varint_uses_seven_bits_per_byte() {
        // 300 = 0b10_0101100 → low 7 bits 0x2c with the continuation bit (0xac), then 0x02.
        let mut out = Vec::new();
        put_varint(&mut out, 300);
        assert_eq!(out, [0xac, 0x02]);
        let mut reader = Reader { buf: &out, pos: 0 };
        assert_eq!(reader.varint(), Ok(300));
    }

    #[test]
    fn empty_streams_round_trip_to_empty_streams() {
        let blob = encode(&Streams::default(), &[]).expect("encode");
        let (streams, rr) = decode(&blob).expect("decode");
        assert_eq!(streams, Streams::default());
        assert!(rr.is_empty());
    }

    #[test]
    fn inconsistent_streams_are_refused() {
        let streams = Streams {
            time_s: vec![0.0, 1.0],
            heart_rate_bpm: vec![120.0],
            ..Streams::default()
        };
        assert_eq!(
            encode(&streams, &[]),
            Err(CodecError::InconsistentStreams {
                channel: "heart_rate_bpm",
                len: 1,
                expected: 2
            })
        );
    }

    #[test]
    fn unknown_version_is_an_error() {
        assert_eq!(decode(&[9, 0]), Err(CodecError::UnknownVersion(9)));
        assert!(decode(&[]).is_err());
    }
}
