//! Expanding what the user passes on the command line into activity-file entries.
//!
//! A path may be a single file, a `.gz` file, a folder (walked recursively in sorted order), or a
//! zip: a Strava bulk export (with `activities.csv` at its root), a Garmin Connect export (zips
//! of FIT files nested in a zip), or any zip of activity files. [`expand`] hands the caller one
//! [`Item`] at a time, so the caller can decode entries in parallel behind a bounded queue while
//! the expansion reads the next one; nothing is extracted to disk and a whole export is never
//! held in memory (only the current entry, and a nested zip while its entries are read).
//!
//! Zip bombs are stopped while reading, without trusting the headers: see [`Limits`] for the
//! caps on each entry, on each archive's total and on the compression ratio. Entries with
//! absolute names or `..` components are reported as [`Item::Failed`] and not read.
//!
//! Memory stays bounded whatever the input: one activity file is at most
//! [`DEFAULT_MAX_ENTRY_BYTES`] (64 MiB) uncompressed; a nested archive up to
//! [`NESTED_IN_MEMORY_BYTES`] (16 MiB) is read in memory and a bigger one (up to
//! [`DEFAULT_MAX_NESTED_ARCHIVE_BYTES`]) is first copied to an unnamed temporary file that
//! disappears when it is closed; past that it is read as a stream. Anything that is not a regular
//! file (a FIFO, socket or device in a folder) is skipped by name, never opened.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use zip::ZipArchive;

use crate::activity::{Activity, Sport};

/// One mebibyte.
const MIB: u64 = 1024 * 1024;

/// Default cap on one activity file's uncompressed size: 64 MiB. The largest real activity
/// files are a few tens of MB (a 48-hour GPX with heart rate at one point a second is about
/// 40 MB; a FIT of the same is under 10 MB); anything bigger is not one session, and the cap
/// bounds the memory one file takes while it is read and decoded.
pub const DEFAULT_MAX_ENTRY_BYTES: u64 = 64 * MIB;

/// Default cap on a nested archive (a zip inside a zip, which has to be read with random access):
/// 1 GiB, copied to a temporary file when bigger than [`NESTED_IN_MEMORY_BYTES`]. A bigger one is
/// read as a stream. Unzip the outer archive and pass the inner one to read it from disk.
pub const DEFAULT_MAX_NESTED_ARCHIVE_BYTES: u64 = 1024 * MIB;

/// A nested archive up to this size is held in memory to be read; a bigger one goes to an
/// unnamed temporary file first, so that memory stays flat (16 MiB).
pub const NESTED_IN_MEMORY_BYTES: u64 = 16 * MIB;

/// Default cap on everything decompressed from one archive given on the command line
/// (including its nested archives): 64 GiB, far above a decade of exports.
pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 64 * 1024 * MIB;

/// Default cap on the compression ratio (uncompressed ÷ compressed) of one entry: 100:1.
/// Activity files compress 3–20:1 (GPX/TCX text the most); deflate bombs reach ~1000:1.
pub const DEFAULT_MAX_RATIO: u64 = 100;

/// Default nesting depth: a zip inside a zip inside a zip is read, one level more is not.
pub const DEFAULT_MAX_DEPTH: u32 = 2;

/// The ratio cap applies only once an entry has produced this many bytes, so that tiny,
/// highly repetitive files (a short CSV, an empty GPX) are not mistaken for bombs.
const RATIO_GRACE_BYTES: u64 = MIB;

/// Size of the chunks in which entries are decompressed (and the caps checked).
const READ_CHUNK_BYTES: usize = 64 * 1024;

/// The Strava export's index file, at the root of the export.
const STRAVA_INDEX: &str = "activities.csv";

/// Caps that keep a hostile or broken archive from exhausting memory or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest uncompressed size of one activity file (see [`DEFAULT_MAX_ENTRY_BYTES`]).
    pub max_entry_bytes: u64,
    /// Largest uncompressed size of a nested archive ([`DEFAULT_MAX_NESTED_ARCHIVE_BYTES`]).
    pub max_nested_archive_bytes: u64,
    /// Largest total decompressed from one input archive ([`DEFAULT_MAX_TOTAL_BYTES`]).
    pub max_total_bytes: u64,
    /// Largest compression ratio of one entry ([`DEFAULT_MAX_RATIO`]).
    pub max_ratio: u64,
    /// Deepest nesting of archives read ([`DEFAULT_MAX_DEPTH`]; 0 reads no nested archive).
    pub max_depth: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_entry_bytes: DEFAULT_MAX_ENTRY_BYTES,
            max_nested_archive_bytes: DEFAULT_MAX_NESTED_ARCHIVE_BYTES,
            max_total_bytes: DEFAULT_MAX_TOTAL_BYTES,
            max_ratio: DEFAULT_MAX_RATIO,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// What a Strava export's `activities.csv` says about one activity file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StravaMeta {
    /// "Activity Name".
    pub name: Option<String>,
    /// "Activity Type" ("Run", "Ride" …) parsed with [`Sport::parse`].
    pub sport: Option<Sport>,
    /// "Activity Description".
    pub description: Option<String>,
    /// "Perceived Exertion" (Strava's 1–10 scale).
    pub perceived_exertion: Option<f64>,
}

impl StravaMeta {
    /// Copies the name, description and perceived exertion onto `activity` (where known), and
    /// the sport only when the file's own sport is [`Sport::Generic`]: a device's sport is more
    /// specific than Strava's label, but Strava knows better than a GPX without `<type>`.
    pub fn apply_to(&self, activity: &mut Activity) {
        if let Some(name) = &self.name {
            activity.name = Some(name.clone());
        }
        if let Some(description) = &self.description {
            activity.description = Some(description.clone());
        }
        if let Some(rpe) = self.perceived_exertion {
            activity.perceived_exertion = Some(rpe);
        }
        if let (Some(sport), Sport::Generic) = (&self.sport, &activity.sport) {
            activity.sport = sport.clone();
        }
    }
}

/// One activity file's bytes, ready for [`crate::decode_any`].
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Where it came from: the path as given, with `#name` per archive level
    /// (`export.zip#DI_CONNECT/x/UploadedFiles_0-_Part1.zip#123.fit`).
    pub source: String,
    /// The file's content; `.gz` files are already decompressed.
    pub bytes: Vec<u8>,
    /// What a Strava export's `activities.csv` says about this file, if it came from one.
    pub strava: Option<StravaMeta>,
}

/// What [`expand`] found at one place.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// An activity file to decode.
    Entry(Entry),
    /// Something that is not an activity file (`.json`, `.csv`, photos in an export …).
    Skipped {
        /// Where it is (same form as [`Entry::source`]).
        source: String,
        /// Why it was skipped.
        reason: String,
    },
    /// Something that could not be read: an unreadable file or zip, a zip bomb, an unsafe
    /// entry name.
    Failed {
        /// Where it is (same form as [`Entry::source`]).
        source: String,
        /// What went wrong and, where possible, what to do.
        reason: String,
    },
}

/// Expands `input` (file, `.gz`, zip or folder) and calls `visit` once per item, in order.
/// Never fails as a whole: problems are reported as [`Item::Failed`].
pub fn expand(input: &Path, limits: &Limits, visit: &mut dyn FnMut(Item)) {
    let source = input.display().to_string();
    let mut expander = Expander { limits, visit };
    match std::fs::metadata(input) {
        Err(err) => expander.fail(source, format!("cannot read: {err}")),
        Ok(meta) if meta.is_dir() => {
            let strava = expander.folder_strava_index(input, &source);
            expander.walk(input, input, strava.as_ref());
        }
        Ok(meta) if meta.is_file() => expander.file(input, source, true, None),
        Ok(meta) => expander.fail(source, not_a_regular_file(&meta.file_type())),
    }
}

/// Expands an archive or file already in memory (an upload, say), as [`expand`] does a path.
/// `source` names it in the items (`upload.zip`); content, not the name, decides what it is.
pub fn expand_bytes(source: &str, bytes: Vec<u8>, limits: &Limits, visit: &mut dyn FnMut(Item)) {
    let mut expander = Expander { limits, visit };
    expander.explicit_bytes(source.to_owned(), bytes, None);
}

/// Decompresses a gzip stream under `limits` (entry cap and ratio), for [`crate::decode_any`].
pub(crate) fn gunzip(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>, String> {
    let mut budget = Budget::default();
    gunzip_into(bytes, limits.max_entry_bytes, &mut budget, limits)
}

/// Bytes decompressed so far from one input, against [`Limits::max_total_bytes`].
#[derive(Debug, Default)]
struct Budget {
    used: u64,
}

/// What a name says a file is.
enum Kind {
    /// `.fit`, `.gpx`, `.tcx`.
    Activity,
    /// `.fit.gz`, `.gpx.gz`, `.tcx.gz`.
    GzActivity,
    /// `.zip`.
    Zip,
    /// Anything else, with the reason to give.
    Other(String),
}

/// Classifies a file by its name (case-insensitive).
fn classify(name: &str) -> Kind {
    let file_name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = file_name.to_ascii_lowercase();
    if file_name.starts_with('.') || name.starts_with("__MACOSX/") {
        return Kind::Other("hidden or system file".to_owned());
    }
    let is_activity = |n: &str| [".fit", ".gpx", ".tcx"].iter().any(|ext| n.ends_with(ext));
    if is_activity(&lower) {
        Kind::Activity
    } else if lower.strip_suffix(".gz").is_some_and(is_activity) {
        Kind::GzActivity
    } else if lower.ends_with(".zip") {
        Kind::Zip
    } else {
        match lower.rsplit_once('.') {
            Some((_, ext)) => Kind::Other(format!("not an activity file (.{ext})")),
            None => Kind::Other("not an activity file (no extension)".to_owned()),
        }
    }
}

/// Why something on disk that is neither a folder nor a regular file is not read.
/// Why a path that is not a regular file (a FIFO, socket or device) is not read, in words: the
/// one wording the importer and `fettle watch` use.
pub fn not_a_regular_file(kind: &std::fs::FileType) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let what = if kind.is_fifo() {
            "a named pipe (FIFO)"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_block_device() || kind.is_char_device() {
            "a device"
        } else {
            "not a regular file"
        };
        format!("{what}, not a file: not read")
    }
    #[cfg(not(unix))]
    {
        let _ = kind;
        "not a regular file: not read".to_owned()
    }
}

/// Whether a zip entry name is absolute or climbs out of the archive (`..`): such names are
/// never legitimate in an export.
fn is_unsafe_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    name.contains('\0')
        || name.starts_with('/')
        || name.starts_with('\\')
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
        || name.split(['/', '\\']).any(|part| part == "..")
}

/// A Strava `Filename` or entry path in a comparable form.
fn normalise_path(path: &str) -> String {
    let forward = path.trim().replace('\\', "/");
    forward
        .trim_start_matches("./")
        .trim_start_matches('/')
        .to_owned()
}

/// Parses a Strava export's `activities.csv` into metadata by `Filename`.
///
/// Strava repeats column names (Distance, Elapsed Time, Max Heart Rate …), so columns are found
/// by the first header cell with the name, never by deserialising rows by name; missing
/// columns just leave fields unknown. Rows without a file (manual entries) are left out.
pub(crate) fn parse_strava_index(bytes: &[u8]) -> Result<HashMap<String, StravaMeta>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    // Byte records, decoded lossily: one badly encoded description must not drop the row.
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(err)) => return Err(format!("unreadable header: {err}")),
        None => return Err("empty file".to_owned()),
    };
    let column = |name: &str| {
        header.iter().position(|h| {
            String::from_utf8_lossy(h)
                .trim_start_matches('\u{feff}')
                .trim()
                .eq_ignore_ascii_case(name)
        })
    };
    let filename = column("Filename").ok_or("no \"Filename\" column")?;
    let (name, sport, description, rpe) = (
        column("Activity Name"),
        column("Activity Type"),
        column("Activity Description"),
        column("Perceived Exertion"),
    );
    let mut index = HashMap::new();
    for record in records.flatten() {
        let cell = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(|v| String::from_utf8_lossy(v).trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let Some(file) = cell(Some(filename)) else {
            continue;
        };
        index.insert(
            normalise_path(&file),
            StravaMeta {
                name: cell(name),
                sport: cell(sport).map(|s| Sport::parse(&s)),
                description: cell(description),
                perceived_exertion: cell(rpe)
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|v| v.is_finite()),
            },
        );
    }
    Ok(index)
}

/// Reads `reader` to the end in chunks, failing as soon as the output passes `cap`, the
/// budget's total passes [`Limits::max_total_bytes`], or (past [`RATIO_GRACE_BYTES`]) the
/// output exceeds `compressed_len` × [`Limits::max_ratio`]. Counts what was read against the
/// budget either way.
fn read_limited(
    reader: impl Read,
    cap: u64,
    compressed_len: u64,
    budget: &mut Budget,
    limits: &Limits,
) -> Result<Vec<u8>, String> {
    read_limited_sized(reader, cap, compressed_len, 0, budget, limits)
}

/// [`read_limited`], reserving room for `expected` bytes (a header's claim, never trusted
/// beyond `cap`) so that the buffer does not double past what the entry needs.
fn read_limited_sized(
    mut reader: impl Read,
    cap: u64,
    compressed_len: u64,
    expected: u64,
    budget: &mut Budget,
    limits: &Limits,
) -> Result<Vec<u8>, String> {
    let room = usize::try_from(expected.min(cap)).unwrap_or(0) + READ_CHUNK_BYTES;
    let mut out = Vec::with_capacity(room);
    let result = loop {
        let filled = out.len();
        // Grow by the chunk when full (doubling as `Vec` does), never past the cap plus a chunk.
        if out.capacity() - filled < READ_CHUNK_BYTES {
            let cap_room = usize::try_from(cap).unwrap_or(usize::MAX);
            let grow = filled.clamp(
                READ_CHUNK_BYTES,
                cap_room.saturating_sub(filled).max(READ_CHUNK_BYTES),
            );
            out.reserve_exact(grow);
        }
        out.resize(filled + READ_CHUNK_BYTES, 0);
        let n = match reader.read(&mut out[filled..]) {
            Ok(n) => n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => 0,
            Err(err) => {
                out.truncate(filled);
                break Err(format!("read error: {err}"));
            }
        };
        out.truncate(filled + n);
        if n == 0 {
            break Ok(());
        }
        let total = out.len() as u64;
        if total > cap {
            break Err(format!(
                "more than {} MiB uncompressed (limit for one file; possible zip bomb)",
                cap / MIB
            ));
        }
        if budget.used + total > limits.max_total_bytes {
            break Err(format!(
                "the archive decompresses to more than {} MiB in total (possible zip bomb)",
                limits.max_total_bytes / MIB
            ));
        }
        if total > RATIO_GRACE_BYTES && total / compressed_len.max(1) > limits.max_ratio {
            break Err(format!(
                "compression ratio above {}:1 (possible zip bomb)",
                limits.max_ratio
            ));
        }
    };
    budget.used += out.len() as u64;
    result.map(|()| {
        out.shrink_to_fit();
        out
    })
}

/// Decompresses a (possibly multi-member) gzip stream under the caps.
fn gunzip_into(
    bytes: &[u8],
    cap: u64,
    budget: &mut Budget,
    limits: &Limits,
) -> Result<Vec<u8>, String> {
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    read_limited(decoder, cap, bytes.len() as u64, budget, limits)
        .map_err(|err| format!("gzip: {err}"))
}

/// The walk's state: the caps and where items go.
struct Expander<'a> {
    limits: &'a Limits,
    visit: &'a mut dyn FnMut(Item),
}

impl Expander<'_> {
    fn fail(&mut self, source: String, reason: String) {
        (self.visit)(Item::Failed { source, reason });
    }

    fn skip(&mut self, source: String, reason: String) {
        (self.visit)(Item::Skipped { source, reason });
    }

    fn entry(&mut self, source: String, bytes: Vec<u8>, strava: Option<StravaMeta>) {
        (self.visit)(Item::Entry(Entry {
            source,
            bytes,
            strava,
        }));
    }

    /// Reads a file from disk, at most `cap` bytes.
    fn read_file(&mut self, path: &Path, cap: u64) -> Result<Vec<u8>, String> {
        let file = File::open(path).map_err(|err| format!("cannot open: {err}"))?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if len > cap {
            return Err(format!(
                "{} MiB is larger than the {} MiB limit for one file",
                len / MIB,
                cap / MIB
            ));
        }
        let mut bytes = Vec::with_capacity(len as usize);
        file.take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(|err| format!("read error: {err}"))?;
        if bytes.len() as u64 > cap {
            return Err(format!(
                "larger than the {} MiB limit for one file",
                cap / MIB
            ));
        }
        Ok(bytes)
    }

    /// The Strava index of an unzipped export folder, if `activities.csv` is at its root.
    fn folder_strava_index(
        &mut self,
        folder: &Path,
        source: &str,
    ) -> Option<HashMap<String, StravaMeta>> {
        let path = folder.join(STRAVA_INDEX);
        if !path.is_file() {
            return None;
        }
        let csv_source = format!("{}", Path::new(source).join(STRAVA_INDEX).display());
        match self
            .read_file(&path, self.limits.max_entry_bytes)
            .and_then(|bytes| parse_strava_index(&bytes))
        {
            Ok(index) => Some(index),
            Err(err) => {
                self.fail(csv_source, format!("Strava activities.csv: {err}"));
                None
            }
        }
    }

    /// Walks a folder recursively in sorted order.
    fn walk(&mut self, folder: &Path, root: &Path, strava: Option<&HashMap<String, StravaMeta>>) {
        let source = folder.display().to_string();
        let mut children: Vec<_> = match std::fs::read_dir(folder) {
            Ok(entries) => entries.filter_map(Result::ok).collect(),
            Err(err) => return self.fail(source, format!("cannot list folder: {err}")),
        };
        children.sort_by_key(std::fs::DirEntry::file_name);
        for child in children {
            let path = child.path();
            let child_source = path.display().to_string();
            // Symlinked folders are not followed (they can loop); symlinked files are read.
            let is_dir = child.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                self.walk(&path, root, strava);
                continue;
            }
            // Only regular files (or links to them) are opened: opening a FIFO waits for a
            // writer forever, and a device or socket is not a file to read.
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => {}
                Ok(meta) => {
                    self.skip(child_source, not_a_regular_file(&meta.file_type()));
                    continue;
                }
                Err(err) => {
                    self.fail(child_source, format!("cannot read: {err}"));
                    continue;
                }
            }
            let relative = path
                .strip_prefix(root)
                .map(|r| normalise_path(&r.to_string_lossy()))
                .unwrap_or_default();
            if relative == STRAVA_INDEX {
                // Read before the walk; a failure to read it was reported then.
                if strava.is_some() {
                    self.skip(
                        child_source,
                        "Strava export index (read for names and sports)".to_owned(),
                    );
                }
                continue;
            }
            let meta = strava.and_then(|index| index.get(&relative)).cloned();
            self.file(&path, child_source, false, meta);
        }
    }

    /// A file on disk. `explicit` files (named on the command line) are read whatever their
    /// name; in folders only activity files, `.gz` activity files and zips are.
    fn file(&mut self, path: &Path, source: String, explicit: bool, meta: Option<StravaMeta>) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        match classify(&name) {
            Kind::Zip => match File::open(path) {
                Ok(file) => {
                    let mut budget = Budget::default();
                    self.zip_archive(BufReader::new(file), source, 0, &mut budget);
                }
                Err(err) => self.fail(source, format!("cannot open: {err}")),
            },
            Kind::Activity => match self.read_file(path, self.limits.max_entry_bytes) {
                Ok(bytes) => self.entry(source, bytes, meta),
                Err(err) => self.fail(source, err),
            },
            Kind::GzActivity => {
                let mut budget = Budget::default();
                let result = self
                    .read_file(path, self.limits.max_entry_bytes)
                    .and_then(|gz| {
                        gunzip_into(&gz, self.limits.max_entry_bytes, &mut budget, self.limits)
                    });
                match result {
                    Ok(bytes) => self.entry(source, bytes, meta),
                    Err(err) => self.fail(source, err),
                }
            }
            Kind::Other(_) if explicit => match self.read_file(path, self.limits.max_entry_bytes) {
                Ok(bytes) => self.explicit_bytes(source, bytes, meta),
                Err(err) => self.fail(source, err),
            },
            Kind::Other(reason) => self.skip(source, reason),
        }
    }

    /// Content the user named directly, whatever its name: a zip or gzip by its magic bytes,
    /// else passed on for [`crate::decode_any`] to recognise (or explain).
    fn explicit_bytes(&mut self, source: String, bytes: Vec<u8>, meta: Option<StravaMeta>) {
        let mut budget = Budget::default();
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            self.zip_archive(Cursor::new(bytes), source, 0, &mut budget);
        } else if bytes.starts_with(&[0x1f, 0x8b]) {
            match gunzip_into(
                &bytes,
                self.limits.max_entry_bytes,
                &mut budget,
                self.limits,
            ) {
                Ok(plain) => self.entry(source, plain, meta),
                Err(err) => self.fail(source, err),
            }
        } else {
            self.entry(source, bytes, meta);
        }
    }

    /// Expands a zip archive (on disk or in memory) at nesting `depth`.
    fn zip_archive<R: Read + Seek>(
        &mut self,
        reader: R,
        source: String,
        depth: u32,
        budget: &mut Budget,
    ) {
        let mut zip = match ZipArchive::new(reader) {
            Ok(zip) => zip,
            Err(err) => return self.fail(source, format!("not a readable zip archive: {err}")),
        };
        let strava_index_at = (0..zip.len()).find(|&i| {
            zip.name_for_index(i)
                .is_some_and(|name| name.is_ok_and(|n| n.eq_ignore_ascii_case(STRAVA_INDEX)))
        });
        let strava = strava_index_at.and_then(|i| {
            let csv_source = format!("{source}#{STRAVA_INDEX}");
            let bytes = zip
                .by_index(i)
                .map_err(|err| err.to_string())
                .and_then(|mut file| {
                    let compressed = file.compressed_size();
                    read_limited(
                        &mut file,
                        self.limits.max_entry_bytes,
                        compressed,
                        budget,
                        self.limits,
                    )
                });
            match bytes.and_then(|bytes| parse_strava_index(&bytes)) {
                Ok(index) => Some(index),
                Err(err) => {
                    self.fail(csv_source, format!("Strava activities.csv: {err}"));
                    None
                }
            }
        });
        for i in 0..zip.len() {
            let Some(Ok(name)) = zip.name_for_index(i).map(|n| n.map(Cow::into_owned)) else {
                self.fail(format!("{source}#?"), "unreadable entry name".to_owned());
                continue;
            };
            let mut file = match zip.by_index(i) {
                Ok(file) => file,
                Err(err) => {
                    self.fail(
                        format!("{source}#{name}"),
                        format!("unreadable entry: {err}"),
                    );
                    continue;
                }
            };
            if file.is_dir() {
                continue;
            }
            if Some(i) == strava_index_at {
                // Read first, above; a failure to read it was reported there.
                if strava.is_some() {
                    self.skip(
                        format!("{source}#{name}"),
                        "Strava export index (read for names and sports)".to_owned(),
                    );
                }
                continue;
            }
            self.zip_entry(&mut file, &name, &source, depth, budget, strava.as_ref());
        }
    }

    /// One entry of a zip at nesting `depth` (already known not to be a folder or the Strava
    /// index): an activity file, a `.gz` activity file, a nested zip, or something skipped.
    fn zip_entry<R: Read>(
        &mut self,
        file: &mut zip::read::ZipFile<'_, R>,
        name: &str,
        source: &str,
        depth: u32,
        budget: &mut Budget,
        strava: Option<&HashMap<String, StravaMeta>>,
    ) {
        let entry_source = format!("{source}#{name}");
        if is_unsafe_name(name) {
            return self.fail(
                entry_source,
                "unsafe entry name (absolute path or \"..\"): not read".to_owned(),
            );
        }
        let kind = classify(name);
        let cap = match &kind {
            Kind::Other(reason) => return self.skip(entry_source, reason.clone()),
            Kind::Zip if depth >= self.limits.max_depth => {
                return self.fail(
                    entry_source,
                    format!(
                        "archive nested more than {} level(s) deep: not read",
                        self.limits.max_depth
                    ),
                );
            }
            Kind::Zip if file.size() > self.limits.max_nested_archive_bytes => {
                // Too big to hold in memory: read its entries in order from the stream.
                let compressed = file.compressed_size();
                let mut guarded = GuardedReader {
                    inner: file,
                    produced: 0,
                    compressed_len: compressed,
                    room: self.limits.max_total_bytes.saturating_sub(budget.used),
                    max_ratio: self.limits.max_ratio,
                };
                return self.zip_stream(&mut guarded, entry_source, depth + 1, budget);
            }
            Kind::Zip if file.size() > NESTED_IN_MEMORY_BYTES => {
                // Random access without holding it: copy it to an unnamed temporary file.
                let compressed = file.compressed_size();
                let mut guarded = GuardedReader {
                    inner: file,
                    produced: 0,
                    compressed_len: compressed,
                    room: self
                        .limits
                        .max_total_bytes
                        .saturating_sub(budget.used)
                        .min(self.limits.max_nested_archive_bytes),
                    max_ratio: self.limits.max_ratio,
                };
                let spilled = tempfile::tempfile().and_then(|mut spill| {
                    std::io::copy(&mut guarded, &mut spill)?;
                    spill.rewind()?;
                    Ok(spill)
                });
                budget.used += guarded.produced;
                return match spilled {
                    Ok(spill) => {
                        self.zip_archive(BufReader::new(spill), entry_source, depth + 1, budget);
                    }
                    Err(err) => self.fail(entry_source, format!("nested archive: {err}")),
                };
            }
            Kind::Zip => self.limits.max_nested_archive_bytes,
            Kind::Activity | Kind::GzActivity => self.limits.max_entry_bytes,
        };
        let compressed = file.compressed_size();
        let expected = file.size();
        let bytes = match read_limited_sized(file, cap, compressed, expected, budget, self.limits) {
            Ok(bytes) => bytes,
            Err(err) => return self.fail(entry_source, err),
        };
        let meta = strava
            .and_then(|index| index.get(&normalise_path(name)))
            .cloned();
        match kind {
            Kind::Zip => self.zip_archive(Cursor::new(bytes), entry_source, depth + 1, budget),
            Kind::GzActivity => {
                match gunzip_into(&bytes, self.limits.max_entry_bytes, budget, self.limits) {
                    Ok(plain) => self.entry(entry_source, plain, meta),
                    Err(err) => self.fail(entry_source, err),
                }
            }
            _ => self.entry(entry_source, bytes, meta),
        }
    }

    /// Reads a zip front to back from a stream (its local headers, without the central
    /// directory), for nested archives too big to hold in memory. Entries whose sizes are only
    /// given after their data (a "data descriptor") cannot be streamed: that is reported with
    /// what to do instead. (`dyn` rather than generic: a generic reader would nest types
    /// without end through [`Self::zip_entry`].)
    fn zip_stream(
        &mut self,
        mut reader: &mut dyn Read,
        source: String,
        depth: u32,
        budget: &mut Budget,
    ) {
        loop {
            let mut file = match zip::read::read_zipfile_from_stream(&mut reader) {
                Ok(Some(file)) => file,
                Ok(None) => return,
                Err(err) => {
                    return self.fail(
                        source,
                        format!(
                            "cannot read this nested archive as a stream ({err}); it is larger \
                             than the {} MiB in-memory limit: unzip the outer archive and pass \
                             this one directly",
                            self.limits.max_nested_archive_bytes / MIB
                        ),
                    );
                }
            };
            let Ok(name) = file.name().map(Cow::into_owned) else {
                self.fail(format!("{source}#?"), "unreadable entry name".to_owned());
                continue;
            };
            if !file.is_dir() {
                self.zip_entry(&mut file, &name, &source, depth, budget, None);
            }
        }
    }
}

/// Wraps the decompressing reader of a nested archive that is streamed rather than held in
/// memory, enforcing the ratio and total caps on the outer layer too.
struct GuardedReader<R> {
    inner: R,
    produced: u64,
    compressed_len: u64,
    room: u64,
    max_ratio: u64,
}

impl<R: Read> Read for GuardedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        if self.produced > self.room {
            return Err(std::io::Error::other(
                "the archive decompresses to more than the total limit (possible zip bomb)",
            ));
        }
        if self.produced > RATIO_GRACE_BYTES
            && self.produced / self.compressed_len.max(1) > self.max_ratio
        {
            return Err(std::io::Error::other(
                "compression ratio above the limit (possible zip bomb)",
            ));
        }
        Ok(n)
    }
}
