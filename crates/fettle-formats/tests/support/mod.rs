//! Helpers shared by the integration tests (FIT, GPX, TCX) and the FIT benchmark: finding the
//! repository's test corpus, listing its files, and comparing numbers within a tolerance.

use std::path::{Path, PathBuf};

/// A file or folder of the repository's test corpus, `relative` to `testdata/corpus` (e.g.
/// `gpx/garmin-activity.gpx`).
#[allow(dead_code)] // not every test binary uses every helper
pub(crate) fn corpus(relative: &str) -> PathBuf {
    fettle_testdata::corpus(relative)
}

/// Whether `actual` is within `tolerance` of `expected`.
#[allow(dead_code)] // not every test binary uses every helper
pub(crate) fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= tolerance
}

/// The FIT corpus folder (`testdata/corpus/fit`).
#[allow(dead_code)] // not every test binary uses every helper
pub(crate) fn corpus_dir() -> PathBuf {
    corpus("fit")
}

/// Every `.fit` file of the corpus (any case of the extension), sorted by name.
#[allow(dead_code)] // not every test binary uses every helper
pub(crate) fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("corpus folder readable")
        .map(|entry| entry.expect("corpus entry").path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("fit")))
        .collect();
    files.sort();
    files
}

/// The bytes of one corpus file.
#[allow(dead_code)] // not every test binary uses every helper
pub(crate) fn corpus_bytes(name: &str) -> Vec<u8> {
    std::fs::read(corpus_dir().join(name)).expect("corpus file readable")
}

/// A file's name as a string.
#[allow(dead_code)] // not every test binary uses every helper
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
