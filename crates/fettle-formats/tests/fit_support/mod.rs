//! Helpers shared by the FIT integration tests: finding the corpus and listing its files.

use std::path::PathBuf;

/// The FIT corpus folder (`shared/corpus/fit`). The repository is checked out either at
/// /work/main (three levels up from this crate is /work) or in a worktree at /work/wt/NAME (four
/// levels up), so both are tried.
#[allow(dead_code)] // not every test binary uses every helper
pub(crate) fn corpus_dir() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for up in [
        "../../../shared/corpus/fit",
        "../../../../shared/corpus/fit",
    ] {
        let dir = manifest.join(up);
        if dir.is_dir() {
            return dir;
        }
    }
    panic!(
        "the shared FIT corpus was not found above {}",
        manifest.display()
    );
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
pub(crate) fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
