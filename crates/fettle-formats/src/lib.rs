//! Activity file decoders for Fettle.
//!
//! Everything a runner's watch or an export service produces ends up here and comes out as a
//! plain, normalised [`Activity`]: FIT (our own decoder, see [`fit`]), GPX ([`gpx`]), TCX
//! ([`tcx`]), and the archives that bundle them ([`archive`]: Strava and Garmin Connect bulk
//! exports, `.gz` files, folders). [`decode_any`] recognises a file by its content.
//!
//! Invariant: a decoder never aborts a whole file for one bad message. It returns what it could
//! read plus warnings, and fails a file only when nothing trustworthy is left; the error says why.
//! This crate does no database, network or terminal I/O; it reads bytes it is given.
//!
//! Resource limits (so that no input can take unbounded memory or time): at most
//! [`MAX_SAMPLES`] samples per file (FIT records, beat intervals and timer events together; GPX
//! and TCX track points per activity), at most [`fit::MAX_SESSIONS`] sessions and
//! [`fit::MAX_LAPS`] laps per FIT file, and the archive caps of [`Limits`] (64 MiB per
//! uncompressed file, 100:1 compression, two levels of nesting). Past a limit the file is
//! refused with [`FormatError::TooLarge`] or an archive failure naming the limit.

pub mod activity;
pub mod archive;
pub mod fit;
pub mod gpx;
pub mod tcx;
mod xml;

pub use activity::{Activity, Decoded, FileKind, FormatError, Lap, MAX_SAMPLES, Sport, Streams};
pub use archive::{Entry, Item, Limits, StravaMeta, expand, expand_bytes};

/// Decodes one activity file of any supported format, recognised by its content, not its name:
/// FIT (`.FIT` at byte 8), gzip (decompressed under [`Limits::default`]'s caps, then recognised
/// once more), GPX or TCX (by the XML root element, after any byte-order mark or whitespace).
///
/// Errors: [`FormatError::Unrecognised`] with what the bytes look like instead (a zip archive,
/// JSON, an unknown XML document …), or the format decoder's own error.
pub fn decode_any(bytes: &[u8]) -> Result<Decoded, FormatError> {
    decode_sniffed(bytes, true)
}

/// [`decode_any`], with gzip allowed only at the outer level (no gzip inside gzip).
fn decode_sniffed(bytes: &[u8], gzip_allowed: bool) -> Result<Decoded, FormatError> {
    if bytes.get(8..12) == Some(b".FIT") {
        return fit::decode(bytes);
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        if !gzip_allowed {
            return Err(FormatError::Unrecognised(
                "gzip inside gzip: decompress the outer layer first".to_owned(),
            ));
        }
        let plain = archive::gunzip(bytes, &Limits::default()).map_err(|err| {
            FormatError::Unrecognised(format!("damaged or unsafe gzip file: {err}"))
        })?;
        return decode_sniffed(&plain, false);
    }
    let body = xml::trim_prolog(bytes);
    if body.starts_with(b"<") {
        return match xml::root_local_name(body).as_deref() {
            Some("gpx") => gpx::decode(bytes),
            Some("TrainingCenterDatabase") => tcx::decode(bytes),
            Some(other) => Err(FormatError::Unrecognised(format!(
                "an XML document with root element <{other}>, not GPX (<gpx>) or TCX \
                 (<TrainingCenterDatabase>)"
            ))),
            None => Err(FormatError::Unrecognised(
                "starts like XML but no root element could be read".to_owned(),
            )),
        };
    }
    Err(FormatError::Unrecognised(describe_unknown(bytes)))
}

/// Says what unrecognised bytes look like, so the user knows what they passed.
fn describe_unknown(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "the file is empty".to_owned();
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return "a zip archive, not a single activity file: expand it first \
                (fettle_formats::archive::expand)"
            .to_owned();
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return "UTF-16 text: save GPX/TCX files as UTF-8".to_owned();
    }
    let body = xml::trim_prolog(bytes);
    if body.starts_with(b"{") || body.starts_with(b"[") {
        return "looks like JSON; Fettle reads FIT, GPX and TCX files (optionally .gz)".to_owned();
    }
    let head: Vec<String> = bytes.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!(
        "not FIT, GPX, TCX or gzip (first bytes: {}); Fettle reads FIT, GPX and TCX files, \
         optionally gzip-compressed",
        head.join(" ")
    )
}
