//! Typed errors: of the whole snapshot ([`InspectError`]) and of one region ([`RegionError`]).

use std::fmt;
use std::path::{Path, PathBuf};

use inos_layout::{AccessError, AttachError};
use inos_ledger::LedgerError;

/// Why no snapshot could be taken at all.
///
/// ```
/// let e = inos_inspect::snapshot_file("/nonexistent/inos", &Default::default()).unwrap_err();
/// assert!(matches!(e, inos_inspect::InspectError::Io { .. }));
/// assert_eq!(e.exit_code(), 1);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum InspectError {
    /// The file could not be opened or read.
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The region header or directory was refused by `inos_layout::attach_any`: the same typed
    /// error an attaching party gets (a truncated, unformatted, half-formatted or hostile file).
    Attach(AttachError),
    /// The private copy could not be allocated.
    Alloc(AccessError),
}

impl InspectError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The process exit code `inos-inspect` uses for this error: 1 for I/O and allocation
    /// failures, 3 for a refused header or directory.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Attach(_) => 3,
            Self::Io { .. } | Self::Alloc(_) => 1,
        }
    }
}

impl fmt::Display for InspectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            Self::Attach(e) => write!(f, "not a valid inos region: {e} ({e:?})"),
            Self::Alloc(e) => write!(f, "cannot allocate the snapshot buffer: {e}"),
        }
    }
}

impl std::error::Error for InspectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Attach(e) => Some(e),
            Self::Alloc(e) => Some(e),
        }
    }
}

/// Why one region (or part of it) could not be decoded. The snapshot goes on with the next
/// region; the error is shown on that region's line and in its JSON `error` field (as its
/// message).
///
/// ```
/// let e = inos_inspect::RegionError::Ring(inos_ring::Error::BadMagic { found: 0 });
/// assert!(e.to_string().starts_with("ring: "));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegionError {
    /// A typed error of `inos-ring` (attach or reading a record).
    Ring(inos_ring::Error),
    /// A typed error of `inos-ledger` (attach, an account, the audit).
    Ledger(LedgerError),
    /// A bounds or alignment error of `inos-layout`.
    Access(AccessError),
    /// The region is larger than `--max-region-bytes` and was not read.
    TooLarge {
        /// Region size.
        size: u32,
        /// The cap.
        cap: u64,
    },
    /// Reading the region's bytes from the file failed (the file shrank?).
    Io(String),
}

impl fmt::Display for RegionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ring(e) => write!(f, "ring: {e} ({e:?})"),
            Self::Ledger(e) => write!(f, "ledger: {e} ({e:?})"),
            Self::Access(e) => write!(f, "access: {e}"),
            Self::TooLarge { size, cap } => {
                write!(f, "not read: {size} bytes exceed --max-region-bytes {cap}")
            }
            Self::Io(e) => write!(f, "read failed: {e}"),
        }
    }
}

impl std::error::Error for RegionError {}

impl From<inos_ring::Error> for RegionError {
    fn from(e: inos_ring::Error) -> Self {
        Self::Ring(e)
    }
}

impl From<LedgerError> for RegionError {
    fn from(e: LedgerError) -> Self {
        Self::Ledger(e)
    }
}

impl From<AccessError> for RegionError {
    fn from(e: AccessError) -> Self {
        Self::Access(e)
    }
}

/// Serialises an optional error as its message (or `null`).
pub(crate) fn ser_opt_display<S: serde::Serializer>(
    v: &Option<RegionError>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(e) => s.collect_str(e),
        None => s.serialize_none(),
    }
}
