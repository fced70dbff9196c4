//! The wire format: header, chunk descriptors, state words and block words, as byte offsets and
//! bit fields.
//!
//! Everything here is specified in `docs/protocol/arena.md`; a test checks the tables there
//! against these constants.
//!
//! ```
//! use inos_arena::layout::*;
//! assert_eq!((HEADER_LEN, DESC_BITMAP, H_HINTS), (128, 64, 64));
//! let g = Geometry::new(16, 4).unwrap();
//! assert_eq!(g.granules(), 1024);
//! assert_eq!(g.descriptor_len(), 64 + 128 + 8 * 1024);
//! ```

/// `b"INAR"` read as a little-endian `u32`: the first word of every arena region.
pub const MAGIC: u32 = u32::from_le_bytes(*b"INAR");
/// The wire-format version this crate reads and writes.
pub const VERSION: u32 = 1;

/// Size of the arena header in bytes (two cache lines).
pub const HEADER_LEN: usize = 128;
/// Header: `magic` (u32).
pub const H_MAGIC: usize = 0;
/// Header: `version` (u32).
pub const H_VERSION: usize = 4;
/// Header: `chunk_shift` (u32): chunks are `1 << chunk_shift` bytes.
pub const H_CHUNK_SHIFT: usize = 8;
/// Header: `chunk_count` (u32).
pub const H_CHUNK_COUNT: usize = 12;
/// Header: `descriptor_len` (u32), derived from `chunk_shift` (checked on attach).
pub const H_DESCRIPTOR_LEN: usize = 16;
/// Header: `data_offset` (u32), derived from the other fields (checked on attach).
pub const H_DATA_OFFSET: usize = 20;
/// First reserved byte of the header's first line (`24..64` are zero).
pub const H_RESERVED: usize = 24;
/// Header: 16 hint words (u32) on the second line: `hint[c]` for size class `c`, `hint[15]` for
/// the free-chunk scan. Hints are advisory: any value is valid (out of range reads as 0).
pub const H_HINTS: usize = 64;
/// Number of hint words.
pub const HINTS: usize = 16;
/// The hint word of the free-chunk scan (whole chunks, large blocks).
pub const HINT_FREE: usize = 15;

/// Descriptor: the chunk `state` word (u32) at offset 0 of each chunk descriptor.
pub const DESC_STATE: usize = 0;
/// Descriptor: `4..64` are reserved (zero).
pub const DESC_RESERVED: usize = 4;
/// Descriptor: the block bitmap starts at this offset.
pub const DESC_BITMAP: usize = 64;

/// Every block starts on a multiple of this (relative to the arena base), and the smallest size
/// class has blocks of this size.
pub const MIN_BLOCK: usize = 64;
/// `log2(MIN_BLOCK)`.
pub const MIN_BLOCK_SHIFT: u32 = 6;
/// Smallest chunk: 256 bytes (four 64-byte blocks; for tests and model checking).
pub const MIN_CHUNK_SHIFT: u32 = 8;
/// Largest chunk: 1 MiB.
pub const MAX_CHUNK_SHIFT: u32 = 20;
/// The chunk size [`Arena::init`](crate::Arena::init) uses by default: 64 KiB.
pub const DEFAULT_CHUNK_SHIFT: u32 = 16;
/// Most chunks an arena may have (a run length and a distance must fit in 24 bits).
pub const MAX_CHUNKS: u32 = (1 << 24) - 1;
/// The most size classes any chunk size has (`MAX_CHUNK_SHIFT - MIN_BLOCK_SHIFT`).
pub const MAX_CLASSES: usize = (MAX_CHUNK_SHIFT - MIN_BLOCK_SHIFT) as usize;

// Chunk state word: tag in bits 24..31, value in bits 0..23.
/// Chunk state FREE (the whole word is 0).
pub const CHUNK_FREE: u32 = 0;
/// Tag of a chunk bound to small size class `c`: `TAG_SMALL + c` (1..=14); the value is the
/// number of blocks reserved or allocated in it.
pub const TAG_SMALL: u32 = 1;
/// Tag of the first chunk of a large block; the value is the run length in chunks (≥ 1).
pub const TAG_LARGE_HEAD: u32 = 0x80;
/// Tag of a later chunk of a large block; the value is its distance from the head chunk (≥ 1).
pub const TAG_LARGE_TAIL: u32 = 0x81;
/// Tag of a chunk being claimed for a large block; the value is its distance from the head.
pub const TAG_CLAIMING: u32 = 0x82;
/// Bit position of the tag in a chunk state word.
pub const TAG_SHIFT: u32 = 24;
/// Mask of the value bits of a chunk state word.
pub const VALUE_MASK: u32 = (1 << TAG_SHIFT) - 1;

// Block word (u64).
/// Block word: bits 0..31, the owner party (0: none; a shared or free block).
pub const W_OWNER_MASK: u64 = 0xFFFF_FFFF;
/// Block word: bits 32..39, the reference count (0: free).
pub const W_REFS_SHIFT: u32 = 32;
/// Block word: the SENT flag (bit 40): an exclusive block in transit to a receiver.
pub const W_SENT: u64 = 1 << 40;
/// Block word: the SHARED flag (bit 41): references are anonymous, counted in `refs`.
pub const W_SHARED: u64 = 1 << 41;
/// Block word: bits 42..63, the generation.
pub const W_GEN_SHIFT: u32 = 42;
/// Generations wrap at `2^22`.
pub const GEN_MASK: u32 = (1 << 22) - 1;
/// The most references a shared block can have.
pub const MAX_REFS: u32 = 255;

/// The packed chunk state word for `tag` and `value`.
///
/// ```
/// use inos_arena::layout::{state_word, TAG_SMALL};
/// assert_eq!(state_word(TAG_SMALL + 2, 5), 0x0300_0005);
/// ```
pub const fn state_word(tag: u32, value: u32) -> u32 {
    tag << TAG_SHIFT | (value & VALUE_MASK)
}

/// The packed block word.
///
/// ```
/// use inos_arena::layout::{block_word, W_SENT};
/// assert_eq!(block_word(3, 1, W_SENT, 7), 3 << 42 | 1 << 32 | 1 << 40 | 7);
/// ```
pub const fn block_word(generation: u32, refs: u32, flags: u64, owner: u32) -> u64 {
    ((generation & GEN_MASK) as u64) << W_GEN_SHIFT
        | ((refs & 0xFF) as u64) << W_REFS_SHIFT
        | flags
        | owner as u64
}

/// The fields of a block word: `(generation, refs, flags, owner)`.
///
/// ```
/// use inos_arena::layout::{block_word, split_block_word, W_SHARED};
/// assert_eq!(split_block_word(block_word(9, 4, W_SHARED, 0)), (9, 4, W_SHARED, 0));
/// ```
pub const fn split_block_word(w: u64) -> (u32, u32, u64, u32) {
    (
        (w >> W_GEN_SHIFT) as u32 & GEN_MASK,
        (w >> W_REFS_SHIFT) as u32 & 0xFF,
        w & (W_SENT | W_SHARED),
        w as u32,
    )
}

/// The geometry of an arena: chunk size and chunk count, and every size derived from them.
///
/// ```
/// use inos_arena::layout::Geometry;
/// let g = Geometry::new(8, 2).unwrap();
/// assert_eq!((g.chunk_len(), g.granules(), g.classes()), (256, 4, 2));
/// assert_eq!(g.required_len(), Some(1024));
/// assert!(Geometry::new(7, 2).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    chunk_shift: u32,
    chunks: u32,
}

const fn round_up(x: usize, to: usize) -> usize {
    x.div_ceil(to) * to
}

impl Geometry {
    /// A geometry, or `None` if `chunk_shift` is outside
    /// `MIN_CHUNK_SHIFT..=MAX_CHUNK_SHIFT` or `chunks` outside `1..=MAX_CHUNKS`.
    ///
    /// ```
    /// assert!(inos_arena::layout::Geometry::new(16, 0).is_none());
    /// ```
    pub const fn new(chunk_shift: u32, chunks: u32) -> Option<Self> {
        if chunk_shift < MIN_CHUNK_SHIFT
            || chunk_shift > MAX_CHUNK_SHIFT
            || chunks == 0
            || chunks > MAX_CHUNKS
        {
            return None;
        }
        Some(Self {
            chunk_shift,
            chunks,
        })
    }

    /// `log2` of the chunk size.
    ///
    /// ```
    /// assert_eq!(inos_arena::layout::Geometry::new(12, 1).unwrap().chunk_shift(), 12);
    /// ```
    pub const fn chunk_shift(&self) -> u32 {
        self.chunk_shift
    }

    /// Number of chunks.
    ///
    /// ```
    /// assert_eq!(inos_arena::layout::Geometry::new(12, 3).unwrap().chunks(), 3);
    /// ```
    pub const fn chunks(&self) -> u32 {
        self.chunks
    }

    /// Bytes per chunk.
    ///
    /// ```
    /// assert_eq!(inos_arena::layout::Geometry::new(16, 1).unwrap().chunk_len(), 65536);
    /// ```
    pub const fn chunk_len(&self) -> usize {
        1 << self.chunk_shift
    }

    /// 64-byte granules per chunk (and bits per chunk bitmap, block words per descriptor).
    ///
    /// ```
    /// assert_eq!(inos_arena::layout::Geometry::new(16, 1).unwrap().granules(), 1024);
    /// ```
    pub const fn granules(&self) -> usize {
        1 << (self.chunk_shift - MIN_BLOCK_SHIFT)
    }

    /// Number of small size classes: block sizes `64 << c` for `c < classes()`, up to half a
    /// chunk. Longer blocks are runs of whole chunks.
    ///
    /// ```
    /// assert_eq!(inos_arena::layout::Geometry::new(16, 1).unwrap().classes(), 10);
    /// ```
    pub const fn classes(&self) -> usize {
        (self.chunk_shift - MIN_BLOCK_SHIFT) as usize
    }

    /// `u32` words of a chunk bitmap: `max(1, granules / 32)`.
    ///
    /// ```
    /// assert_eq!(inos_arena::layout::Geometry::new(8, 1).unwrap().bitmap_words(), 1);
    /// ```
    pub const fn bitmap_words(&self) -> usize {
        let w = self.granules() / 32;
        if w == 0 {
            1
        } else {
            w
        }
    }

    /// Offset of the block words inside a descriptor: `64 + round_up(4 × bitmap_words, 64)`.
    ///
    /// ```
    /// assert_eq!(inos_arena::layout::Geometry::new(16, 1).unwrap().desc_words_offset(), 192);
    /// ```
    pub const fn desc_words_offset(&self) -> usize {
        DESC_BITMAP + round_up(4 * self.bitmap_words(), 64)
    }

    /// Bytes per chunk descriptor: state line, bitmap, one 8-byte block word per granule,
    /// rounded up to a multiple of 64 (each state word starts a cache line).
    ///
    /// ```
    /// assert_eq!(inos_arena::layout::Geometry::new(8, 1).unwrap().descriptor_len(), 192);
    /// ```
    pub const fn descriptor_len(&self) -> usize {
        round_up(self.desc_words_offset() + 8 * self.granules(), 64)
    }

    /// Offset of chunk 0's bytes: `round_up(128 + chunks × descriptor_len, 128)`.
    ///
    /// ```
    /// assert_eq!(inos_arena::layout::Geometry::new(8, 2).unwrap().data_offset(), 512);
    /// ```
    pub const fn data_offset(&self) -> usize {
        round_up(
            HEADER_LEN + self.chunks as usize * self.descriptor_len(),
            128,
        )
    }

    /// Bytes the arena occupies, or `None` if that exceeds `u32::MAX` (offsets are `u32`).
    ///
    /// ```
    /// assert_eq!(inos_arena::layout::Geometry::new(16, 1).unwrap().required_len(), Some(74112));
    /// ```
    pub const fn required_len(&self) -> Option<usize> {
        // chunks < 2^24 and descriptor_len < 2^24: no overflow in u64.
        let total = self.data_offset() as u64 + ((self.chunks as u64) << self.chunk_shift);
        if total > u32::MAX as u64 {
            None
        } else {
            Some(total as usize)
        }
    }

    /// Offset of chunk `i`'s descriptor.
    pub(crate) const fn desc(&self, i: u32) -> usize {
        HEADER_LEN + i as usize * self.descriptor_len()
    }

    /// Offset of chunk `i`'s first byte.
    pub(crate) const fn chunk(&self, i: u32) -> usize {
        self.data_offset() + ((i as usize) << self.chunk_shift)
    }

    /// Block size of small class `c`.
    pub(crate) const fn class_len(c: usize) -> usize {
        MIN_BLOCK << c
    }

    /// Blocks per chunk of small class `c`.
    pub(crate) const fn class_blocks(&self, c: usize) -> usize {
        self.granules() >> c
    }
}

/// The size class of a block of `len` bytes in an arena of this geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Small class `c`: blocks of `64 << c` bytes inside chunks bound to the class.
    Small(usize),
    /// A run of this many whole chunks.
    Large(u32),
}

/// The class of `len` bytes: the smallest small class that holds it (lengths up to half a
/// chunk), else the number of whole chunks. `None` if that exceeds `u32` chunks.
pub(crate) fn class_of(g: &Geometry, len: u32) -> Class {
    let len = len as usize;
    if len <= g.chunk_len() / 2 {
        let c = if len <= MIN_BLOCK {
            0
        } else {
            (usize::BITS - (len - 1).leading_zeros()) as usize - MIN_BLOCK_SHIFT as usize
        };
        Class::Small(c)
    } else {
        Class::Large(len.div_ceil(g.chunk_len()) as u32)
    }
}

/// Bytes an arena of `chunks` chunks of `1 << chunk_shift` bytes occupies, or `None` if the
/// geometry is invalid or the arena would exceed `u32::MAX` bytes.
///
/// ```
/// use inos_arena::required_len;
/// assert_eq!(required_len(8, 2), Some(1024));
/// assert_eq!(required_len(8, 0), None);
/// ```
pub const fn required_len(chunk_shift: u32, chunks: u32) -> Option<usize> {
    match Geometry::new(chunk_shift, chunks) {
        Some(g) => g.required_len(),
        None => None,
    }
}

/// The most chunks of `1 << chunk_shift` bytes an arena of `len` bytes holds (0 if none, or if
/// `chunk_shift` is invalid).
///
/// ```
/// use inos_arena::{chunks_for, required_len};
/// assert_eq!(chunks_for(1024, 8), 2);
/// assert_eq!(chunks_for(1023, 8), 1);
/// let n = chunks_for(64 << 20, 16);
/// assert!(required_len(16, n).unwrap() <= 64 << 20);
/// assert!(required_len(16, n + 1).unwrap() > 64 << 20);
/// ```
pub const fn chunks_for(len: usize, chunk_shift: u32) -> u32 {
    let Some(g) = Geometry::new(chunk_shift, 1) else {
        return 0;
    };
    let per = g.descriptor_len() + g.chunk_len();
    if len < HEADER_LEN + 128 {
        return 0;
    }
    // A lower bound (the data offset rounds up by at most 127 bytes), then step up while the
    // next count still fits (at most a couple of steps).
    let mut n = (len - HEADER_LEN - 127) / per;
    if n > MAX_CHUNKS as usize {
        n = MAX_CHUNKS as usize;
    }
    loop {
        if n >= MAX_CHUNKS as usize {
            break;
        }
        match required_len(chunk_shift, n as u32 + 1) {
            Some(need) if need <= len => n += 1,
            _ => break,
        }
    }
    while n > 0 {
        match required_len(chunk_shift, n as u32) {
            Some(need) if need <= len => break,
            _ => n -= 1,
        }
    }
    n as u32
}

/// The region size of an arena with this geometry, in a layout's size type (for
/// [`LayoutBuilder::sized`](inos_layout::LayoutBuilder::sized));
/// [`TOO_BIG`](inos_layout::RegionSize::TOO_BIG) if the geometry is invalid or too large.
///
/// ```
/// use inos_arena::region_size;
/// assert_eq!(region_size(8, 2).bytes(), Some(1024));
/// assert_eq!(region_size(8, 0), inos_layout::RegionSize::TOO_BIG);
/// ```
pub const fn region_size(chunk_shift: u32, chunks: u32) -> inos_layout::RegionSize {
    match required_len(chunk_shift, chunks) {
        Some(n) => inos_layout::RegionSize::new(n as u64),
        None => inos_layout::RegionSize::TOO_BIG,
    }
}

/// The alignment to give an arena's region in a layout: 128 bytes (blocks are then 64-aligned in
/// memory, not only relative to the base).
///
/// ```
/// assert_eq!(inos_arena::REGION_ALIGN, 128);
/// ```
pub const REGION_ALIGN: u32 = 128;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_round_up_to_powers_of_two() {
        let g = Geometry::new(16, 1).unwrap();
        assert_eq!(class_of(&g, 0), Class::Small(0));
        assert_eq!(class_of(&g, 64), Class::Small(0));
        assert_eq!(class_of(&g, 65), Class::Small(1));
        assert_eq!(class_of(&g, 128), Class::Small(1));
        assert_eq!(class_of(&g, 32768), Class::Small(9));
        assert_eq!(class_of(&g, 32769), Class::Large(1));
        assert_eq!(class_of(&g, 65537), Class::Large(2));
        assert_eq!(class_of(&g, u32::MAX), Class::Large(65536));
        for len in 0..=32768u32 {
            let Class::Small(c) = class_of(&g, len) else {
                panic!()
            };
            let size = Geometry::class_len(c);
            assert!(len as usize <= size);
            assert!(
                size <= 64 || (len as usize) * 2 > size,
                "len {len} size {size}"
            );
        }
    }

    #[test]
    fn geometry_is_aligned_and_consistent() {
        for shift in MIN_CHUNK_SHIFT..=MAX_CHUNK_SHIFT {
            let g = Geometry::new(shift, 3).unwrap();
            assert_eq!(g.descriptor_len() % 64, 0);
            assert_eq!(g.desc_words_offset() % 64, 0);
            assert!(g.bitmap_words() * 32 >= g.granules());
            assert_eq!(g.data_offset() % 128, 0);
            assert_eq!(g.class_blocks(g.classes() - 1), 2);
            assert!(g.classes() <= MAX_CLASSES && g.classes() < HINT_FREE);
        }
        for len in [0usize, 255, 256, 1000, 1024, 5000, 1 << 20, 64 << 20] {
            for shift in [8, 12, 16] {
                let n = chunks_for(len, shift);
                if n > 0 {
                    assert!(required_len(shift, n).unwrap() <= len);
                }
                if n < MAX_CHUNKS {
                    assert!(required_len(shift, n + 1).map_or(true, |r| r > len));
                }
            }
        }
    }
}
