//! inos-ring (work in progress).
#![cfg_attr(not(any(feature = "std", loom)), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]
