//! FIT decoder (being written on the `fit` branch).
//!
//! TEMPORARY on the `xml` branch only: a minimal `decode` so that `decode_any` compiles; the
//! lead resolves the merge in favour of the real decoder.

use crate::activity::{Decoded, FormatError};

/// Decodes a FIT file (placeholder on this branch: always [`FormatError::Unrecognised`]).
pub fn decode(_bytes: &[u8]) -> Result<Decoded, FormatError> {
    Err(FormatError::Unrecognised(
        "FIT decoding is not available in this build".to_owned(),
    ))
}
