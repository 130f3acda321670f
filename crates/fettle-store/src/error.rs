//! The one error type of the store, whose messages say what went wrong and what to do.

use crate::model::{ActivityId, AthleteId};

/// Everything that can go wrong in a [`Store`](crate::Store) operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database was written by a newer Fettle than this one.
    #[error(
        "database at {path} is from a newer Fettle (schema {found} > {supported}): upgrade fettle"
    )]
    NewerSchema {
        /// Where the database is.
        path: String,
        /// The schema version found in the database.
        found: u32,
        /// The newest schema version this program knows.
        supported: u32,
    },
    /// The database could not be opened or is not a Fettle database.
    #[error(
        "cannot open the database at {path}: {reason}; check the path, its permissions and free disk space"
    )]
    Open {
        /// Where the database is.
        path: String,
        /// What the database engine said.
        reason: String,
    },
    /// The database server could not be reached (PostgreSQL not running, wrong URL, refused
    /// login).
    #[error(
        "cannot connect to {target}: {reason}; is PostgreSQL running, and does the URL name the right host, port, user and database?"
    )]
    Connect {
        /// The server and database, without password.
        target: String,
        /// What the driver said.
        reason: String,
    },
    /// A schema migration failed; the transaction was rolled back, so the database is unchanged.
    #[error(
        "upgrading the database at {path} to schema {version} failed: {reason}; the database was left unchanged, please report this as a bug"
    )]
    Migration {
        /// Where the database is.
        path: String,
        /// The migration that failed.
        version: u32,
        /// What the database engine said.
        reason: String,
    },
    /// Another process holds the database for longer than the busy timeout.
    #[error(
        "the database is locked by another program (another fettle import or server?): wait for it to finish and retry"
    )]
    Busy,
    /// The athlete does not exist.
    #[error("athlete {0} does not exist: use the default athlete or create this one first")]
    UnknownAthlete(AthleteId),
    /// The activity does not exist for this athlete.
    #[error("activity {id} not found for athlete {athlete}: list the activities to find its id")]
    ActivityNotFound {
        /// The athlete asked for.
        athlete: AthleteId,
        /// The activity asked for.
        id: ActivityId,
    },
    /// An activity handed to the store breaks a rule (negative duration, inconsistent streams);
    /// nothing of its file was written.
    #[error("activity {index} of {file} was refused and nothing of the file was written: {reason}")]
    InvalidActivity {
        /// The file (or `manual`) the activity came from.
        file: String,
        /// The activity's 0-based position in the file.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A text handed to the store (a name, a note, a sport to filter by …) contains a NUL
    /// character, which no text may hold; nothing was written. Both backends refuse it alike,
    /// before any statement runs.
    #[error(
        "the {field} contains a NUL character (\\0), which text cannot hold: remove it and try again"
    )]
    InvalidText {
        /// What the text is (`name`, `note`, `sport filter` …).
        field: &'static str,
    },
    /// A value handed to the store is not acceptable (the message says which and why).
    #[error("{0}")]
    Invalid(String),
    /// The thing to create already exists (an e-mail address in use); nothing was written.
    #[error("{0}")]
    Conflict(String),
    /// Stored data could not be read back.
    #[error(
        "stored data is damaged: {0}; restore the database from a backup or re-import the files"
    )]
    Corrupt(String),
    /// Any other failure of the database engine.
    #[error(
        "database error while {context}: {reason}; check free disk space, and report it if it persists"
    )]
    Backend {
        /// What the store was doing.
        context: &'static str,
        /// What the database engine said.
        reason: String,
    },
}

impl StoreError {
    /// Whether this error means the database belongs to a newer program.
    pub fn is_newer_schema(&self) -> bool {
        matches!(self, StoreError::NewerSchema { .. })
    }

    /// Whether this error is the caller's to fix by changing what was handed to the store (a
    /// text containing NUL, an activity breaking a rule), as opposed to a failure of the
    /// database.
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            StoreError::InvalidText { .. } | StoreError::InvalidActivity { .. }
        )
    }

    /// Whether this error means the thing asked for does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            StoreError::UnknownAthlete(_) | StoreError::ActivityNotFound { .. }
        )
    }
}

/// The result type of every store operation.
pub type StoreResult<T> = Result<T, StoreError>;
