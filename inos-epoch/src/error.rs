//! Typed errors.

use core::fmt;

/// A wait reached its [`Deadline`](crate::Deadline) before the awaited change happened.
///
/// ```
/// use inos_epoch::{Deadline, Epoch, TimedOut};
/// let buf = inos_layout::RegionBuf::new(8).unwrap();
/// let epoch = Epoch::new(buf.region(), 0).unwrap();
/// let err = epoch.watch().wait_changed(Deadline::after(std::time::Duration::ZERO));
/// assert_eq!(err, Err(TimedOut));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimedOut;

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline passed before the awaited change")
    }
}

impl core::error::Error for TimedOut {}

/// Why a [`Seqlock`](crate::Seqlock) or [`PingPong`](crate::PingPong) read returned no snapshot.
///
/// ```
/// use inos_epoch::{ReadError, Seqlock};
/// let buf = inos_layout::RegionBuf::new(64).unwrap();
/// let lock = Seqlock::new(buf.region(), 0, 16).unwrap();
/// let mut dst = [0u8; 8];
/// assert!(matches!(lock.read(&mut dst), Err(ReadError::LengthMismatch { .. })));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadError {
    /// Every attempt overlapped a write (or the state word is stuck mid-write, e.g. because the
    /// writer died or the bytes are corrupt). Retry later or read with a larger budget.
    Contended {
        /// How many read attempts were made.
        attempts: u32,
    },
    /// The last [`Seqlock`](crate::Seqlock) write was aborted (its guard dropped unpublished,
    /// e.g. by a panic, or [`abandon_stuck_write`](crate::Seqlock::abandon_stuck_write)): the
    /// record holds no consistent snapshot until the next write completes.
    Abandoned,
    /// The destination buffer does not have the record's length.
    LengthMismatch {
        /// Length of the record in shared memory.
        expected: usize,
        /// Length of the buffer passed in.
        actual: usize,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Contended { attempts } => {
                write!(f, "no consistent snapshot after {attempts} attempts")
            }
            Self::Abandoned => {
                f.write_str("the last write was aborted; no consistent snapshot until the next")
            }
            Self::LengthMismatch { expected, actual } => {
                write!(
                    f,
                    "buffer of {actual} bytes for a record of {expected} bytes"
                )
            }
        }
    }
}

impl core::error::Error for ReadError {}

/// Why a [`Seqlock`](crate::Seqlock) or [`PingPong`](crate::PingPong) write was refused.
///
/// ```
/// use inos_epoch::{Seqlock, WriteError};
/// let buf = inos_layout::RegionBuf::new(64).unwrap();
/// let lock = Seqlock::new(buf.region(), 0, 16).unwrap();
/// let guard = lock.begin_write().unwrap();
/// assert_eq!(lock.write(&[0; 16]).unwrap_err(), WriteError::Busy);
/// drop(guard);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteError {
    /// Another write is in progress (the protocol allows one writer at a time; the state word
    /// says a write has begun and not finished).
    Busy,
    /// The source does not have the record's length.
    LengthMismatch {
        /// Length of the record in shared memory.
        expected: usize,
        /// Length of the data passed in.
        actual: usize,
    },
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Busy => f.write_str("another write is in progress"),
            Self::LengthMismatch { expected, actual } => {
                write!(f, "data of {actual} bytes for a record of {expected} bytes")
            }
        }
    }
}

impl core::error::Error for WriteError {}
