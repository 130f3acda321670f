//! Activity file decoders for Fettle.
//!
//! Everything a runner's watch or an export service produces ends up here and comes out as a
//! plain, normalised [`Activity`]: FIT (our own decoder, see [`fit`]), GPX ([`gpx`]), TCX
//! ([`tcx`]), and the archives that bundle them ([`archive`]: Strava and Garmin Connect bulk
//! exports, `.gz` files, folders).
//!
//! Invariant: a decoder never aborts a whole file for one bad message. It returns what it could
//! read plus warnings, and fails a file only when nothing trustworthy is left; the error says why.
//! This crate does no database, network or terminal I/O; it reads bytes it is given.

pub mod activity;
pub mod archive;
pub mod fit;
pub mod gpx;
pub mod tcx;
mod xml;

pub use activity::{Activity, Decoded, FileKind, FormatError, Lap, Sport, Streams};
