//! [`Stats`]: what one pass over the chunk states shows.

use crate::layout::MAX_CLASSES;

/// One size class in [`Stats`].
///
/// ```
/// let c = inos_arena::ClassStats::default();
/// assert_eq!(c.blocks, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassStats {
    /// Bytes per block of the class (`64 << class`).
    pub block_len: u32,
    /// Chunks bound to the class (empty ones included).
    pub chunks: u32,
    /// Blocks in use (allocated, or reserved by an allocation in progress).
    pub blocks: u32,
    /// Blocks the bound chunks hold.
    pub capacity: u32,
}

/// Arena statistics ([`Arena::stats`](crate::Arena::stats)).
///
/// ```
/// let s = inos_arena::Stats::default();
/// assert_eq!(s.bytes_in_use + s.free_bytes + s.claiming_bytes, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Chunks in the arena.
    pub chunks: u32,
    /// Bytes per chunk.
    pub chunk_len: u32,
    /// Chunks holding no block: FREE, or bound to a class with no block in use.
    pub free_chunks: u32,
    /// Large blocks (runs of whole chunks).
    pub large_blocks: u32,
    /// Chunks in large blocks.
    pub large_chunks: u32,
    /// Bytes of blocks in use: small blocks at their class size, large blocks at whole chunks.
    pub bytes_in_use: u64,
    /// Bytes of free chunks and of the free blocks of bound chunks.
    pub free_bytes: u64,
    /// Bytes of chunks being claimed for a large block right now (or left so by a dead party).
    pub claiming_bytes: u64,
    /// Chunks whose state word is not valid (never, unless some party broke the format).
    pub corrupt_chunks: u32,
    /// Per small size class (`0..geometry.classes()`; the rest are zero).
    pub classes: [ClassStats; MAX_CLASSES],
}
