//! [`Arena`]: the handle, its constructors, allocation, hand-off, free and reclaim.

use inos_layout::sync::{AtomicU32, AtomicU64, Ordering};
use inos_layout::Region;
use inos_ring::PartyId;

use crate::block::{Block, BlockRef};
use crate::layout::*;
use crate::stats::{ClassStats, Stats};
use crate::Error;

/// Retries of a compare-and-swap on one word before moving on (allocation) or giving up with
/// [`Error::Contended`] (free, release). Each failure means another party changed the word; a
/// conforming party changes a block word at most a few hundred times per generation.
const RETRIES: u32 = 1 << 12;
/// Retries of a compare-and-swap on one bitmap word while it has a free bit.
const BIT_RETRIES: u32 = 64;

/// A handle to an arena in a shared region. `Copy`, `Send` and `Sync`: give every thread a copy.
///
/// Construct it with [`Arena::init`] (format a region) or [`Arena::attach`] (validate one that
/// another party formatted). The geometry is read and validated once, at construction; every
/// descriptor and chunk offset is derived from it, so no later access can leave the region,
/// whatever other parties write into it afterwards.
///
/// Each handle acts for one party ([`party`](Self::party), by default
/// [`PartyId::current`]): blocks it allocates or opens are recorded as owned by that party, so
/// that a supervisor can [`reclaim_party`](Self::reclaim_party) them if it dies.
///
/// ```
/// use inos_arena::{required_len, Arena};
/// use inos_layout::RegionBuf;
///
/// let buf = RegionBuf::new(required_len(12, 8).unwrap()).unwrap();
/// let arena = Arena::init(buf.region(), 12).unwrap();
/// let block = arena.alloc(100).unwrap();
/// block.write(0, b"frame").unwrap();
/// let r = block.into_ref().unwrap(); // 16 bytes, fits in any ring message
///
/// // The receiver (another thread, process or language) opens the ref and reads in place.
/// let received = arena.open(r).unwrap();
/// assert!(received.bytes().slice(0, 5).unwrap().eq_slice(b"frame"));
/// received.free().unwrap();
/// assert_eq!(arena.open(r).err(), Some(inos_arena::Error::Stale));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Arena<'a> {
    pub(crate) region: Region<'a>,
    pub(crate) geo: Geometry,
    pub(crate) party: PartyId,
}

/// Where a validated reference points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Loc {
    pub(crate) chunk: u32,
    pub(crate) granule: u32,
    pub(crate) class: Class,
}

fn is_small(tag: u32) -> bool {
    (TAG_SMALL..TAG_SMALL + MAX_CLASSES as u32).contains(&tag)
}

impl<'a> Arena<'a> {
    /// Formats `region` as an empty arena of as many chunks of `1 << chunk_shift` bytes as fit
    /// ([`chunks_for`](crate::chunks_for)), and returns a handle acting for
    /// [`PartyId::current`].
    ///
    /// Call it once, before any other party attaches (it overwrites the whole arena).
    ///
    /// # Errors
    /// [`Error::CorruptHeader`] if `chunk_shift` is outside
    /// [`MIN_CHUNK_SHIFT`]`..=`[`MAX_CHUNK_SHIFT`]; [`Error::RegionTooSmall`] if not even one
    /// chunk fits.
    ///
    /// ```
    /// use inos_layout::RegionBuf;
    /// let buf = RegionBuf::new(1 << 20).unwrap();
    /// let arena = inos_arena::Arena::init(buf.region(), 16).unwrap();
    /// assert_eq!(arena.geometry().chunks(), 14);
    /// ```
    pub fn init(region: Region<'a>, chunk_shift: u32) -> Result<Self, Error> {
        let chunks = chunks_for(region.len(), chunk_shift);
        if chunks == 0 {
            return Err(match required_len(chunk_shift, 1) {
                Some(needed) => Error::RegionTooSmall {
                    needed,
                    len: region.len(),
                },
                None => Error::CorruptHeader,
            });
        }
        Self::init_with(region, chunk_shift, chunks)
    }

    /// Formats `region` as an empty arena of exactly `chunks` chunks of `1 << chunk_shift` bytes.
    ///
    /// # Errors
    /// [`Error::CorruptHeader`] for an invalid geometry; [`Error::RegionTooSmall`] if the region
    /// is shorter than [`required_len`](crate::required_len).
    ///
    /// ```
    /// use inos_layout::RegionBuf;
    /// let buf = RegionBuf::new(inos_arena::required_len(8, 2).unwrap()).unwrap();
    /// let arena = inos_arena::Arena::init_with(buf.region(), 8, 2).unwrap();
    /// assert_eq!(arena.geometry().chunk_len(), 256);
    /// ```
    pub fn init_with(region: Region<'a>, chunk_shift: u32, chunks: u32) -> Result<Self, Error> {
        let geo = Geometry::new(chunk_shift, chunks).ok_or(Error::CorruptHeader)?;
        let needed = geo.required_len().ok_or(Error::CorruptHeader)?;
        if region.len() < needed {
            return Err(Error::RegionTooSmall {
                needed,
                len: region.len(),
            });
        }
        // Every word is zeroed with the width the protocol uses for it (the loom twin models
        // each word with one width).
        for off in (H_VERSION..HEADER_LEN).step_by(4) {
            region.u32_at(off)?.store(0, Ordering::Relaxed);
        }
        for i in 0..chunks {
            let d = geo.desc(i);
            for off in (0..geo.desc_words_offset()).step_by(4) {
                region.u32_at(d + off)?.store(0, Ordering::Relaxed);
            }
            for g in 0..geo.granules() {
                region
                    .u64_at(d + geo.desc_words_offset() + 8 * g)?
                    .store(0, Ordering::Relaxed);
            }
        }
        region
            .u32_at(H_CHUNK_SHIFT)?
            .store(chunk_shift, Ordering::Relaxed);
        region
            .u32_at(H_CHUNK_COUNT)?
            .store(chunks, Ordering::Relaxed);
        region
            .u32_at(H_DESCRIPTOR_LEN)?
            .store(geo.descriptor_len() as u32, Ordering::Relaxed);
        region
            .u32_at(H_DATA_OFFSET)?
            .store(geo.data_offset() as u32, Ordering::Relaxed);
        region.u32_at(H_VERSION)?.store(VERSION, Ordering::Relaxed);
        // SYNC: Release, pairs with the Acquire load of the magic in `attach`: a party that sees
        // the magic sees the zeroed tables.
        region.u32_at(H_MAGIC)?.store(MAGIC, Ordering::Release);
        Ok(Self {
            region,
            geo,
            party: PartyId::current(),
        })
    }

    /// Validates a region another party formatted and returns a handle to its arena, acting for
    /// [`PartyId::current`].
    ///
    /// Checks the magic, the version, the geometry (chunk size and count in range, the derived
    /// `descriptor_len` and `data_offset` equal to what they must be), the reserved header bytes
    /// and that the region is long enough. Chunk states and block words are validated when they
    /// are used.
    ///
    /// # Errors
    /// [`Error::RegionTooSmall`], [`Error::BadMagic`], [`Error::UnsupportedVersion`],
    /// [`Error::CorruptHeader`].
    ///
    /// ```
    /// use inos_arena::{Arena, Error};
    /// use inos_layout::RegionBuf;
    /// let buf = RegionBuf::new(inos_arena::required_len(8, 2).unwrap()).unwrap();
    /// assert_eq!(Arena::attach(buf.region()).err(), Some(Error::BadMagic(0)));
    /// Arena::init(buf.region(), 8).unwrap();
    /// assert_eq!(Arena::attach(buf.region()).unwrap().geometry().chunks(), 2);
    /// ```
    pub fn attach(region: Region<'a>) -> Result<Self, Error> {
        if region.len() < HEADER_LEN {
            return Err(Error::RegionTooSmall {
                needed: HEADER_LEN,
                len: region.len(),
            });
        }
        let word =
            |off: usize| -> Result<u32, Error> { Ok(region.u32_at(off)?.load(Ordering::Relaxed)) };
        // SYNC: Acquire, pairs with the Release store of the magic in `init_with`.
        let magic = region.u32_at(H_MAGIC)?.load(Ordering::Acquire);
        if magic != MAGIC {
            return Err(Error::BadMagic(magic));
        }
        let version = word(H_VERSION)?;
        if version != VERSION {
            return Err(Error::UnsupportedVersion(version));
        }
        let geo = Geometry::new(word(H_CHUNK_SHIFT)?, word(H_CHUNK_COUNT)?)
            .ok_or(Error::CorruptHeader)?;
        if word(H_DESCRIPTOR_LEN)? as usize != geo.descriptor_len()
            || word(H_DATA_OFFSET)? as usize != geo.data_offset()
        {
            return Err(Error::CorruptHeader);
        }
        for off in (H_RESERVED..H_HINTS).step_by(4) {
            if word(off)? != 0 {
                return Err(Error::CorruptHeader);
            }
        }
        let needed = geo.required_len().ok_or(Error::CorruptHeader)?;
        if region.len() < needed {
            return Err(Error::RegionTooSmall {
                needed,
                len: region.len(),
            });
        }
        Ok(Self {
            region,
            geo,
            party: PartyId::current(),
        })
    }

    /// The same arena, acting for `party`: blocks it allocates or opens are recorded as owned by
    /// `party`.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// use inos_ring::PartyId;
    /// let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let worker = arena.with_party(PartyId::new(7).unwrap());
    /// assert_eq!(worker.party().get(), 7);
    /// ```
    pub fn with_party(self, party: PartyId) -> Self {
        Self { party, ..self }
    }

    /// The party this handle acts for.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// assert_eq!(arena.party(), inos_ring::PartyId::current());
    /// ```
    pub fn party(&self) -> PartyId {
        self.party
    }

    /// The arena's geometry (chunk size and count, and the sizes derived from them).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 3).unwrap()).unwrap();
    /// let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// assert_eq!(arena.geometry().chunks(), 3);
    /// ```
    pub fn geometry(&self) -> Geometry {
        self.geo
    }

    /// The region the arena lives in (offsets in a [`BlockRef`] are relative to its base).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// assert_eq!(arena.region().len(), buf.len());
    /// ```
    pub fn region(&self) -> Region<'a> {
        self.region
    }

    // ---- word accessors (offsets derived from the validated geometry) ----

    fn state(&self, i: u32) -> &'a AtomicU32 {
        assert!(i < self.geo.chunks());
        // SAFETY: i < chunks, so the descriptor lies inside `required_len <= region.len()`
        // (checked at construction), and descriptors are 64-aligned.
        unsafe { self.region.u32_at_unchecked(self.geo.desc(i) + DESC_STATE) }
    }

    fn bitmap(&self, i: u32, w: usize) -> &'a AtomicU32 {
        assert!(i < self.geo.chunks() && w < self.geo.bitmap_words());
        // SAFETY: as for `state`; w < bitmap_words keeps the word inside the descriptor.
        unsafe {
            self.region
                .u32_at_unchecked(self.geo.desc(i) + DESC_BITMAP + 4 * w)
        }
    }

    fn word(&self, i: u32, granule: u32) -> &'a AtomicU64 {
        assert!(i < self.geo.chunks() && (granule as usize) < self.geo.granules());
        // SAFETY: as for `state`; the block words start 64-aligned inside the descriptor and
        // granule < granules keeps the word inside it.
        unsafe {
            self.region.u64_at_unchecked(
                self.geo.desc(i) + self.geo.desc_words_offset() + 8 * granule as usize,
            )
        }
    }

    fn hint(&self, k: usize) -> &'a AtomicU32 {
        assert!(k < HINTS);
        // SAFETY: the header (128 bytes) is inside the region; hints are 4-aligned.
        unsafe { self.region.u32_at_unchecked(H_HINTS + 4 * k) }
    }

    /// A hint word, read as a chunk index (out of range reads as 0).
    fn hint_chunk(&self, k: usize) -> u32 {
        let h = self.hint(k).load(Ordering::Relaxed);
        if h < self.geo.chunks() {
            h
        } else {
            0
        }
    }

    // ---- allocation ----

    /// Allocates a block of `len` bytes (its contents are unspecified), owned by this handle's
    /// party.
    ///
    /// Lengths up to half a chunk get a block of the next power of two (at least 64 bytes) from a
    /// chunk bound to that size class; longer ones a run of whole chunks. Blocks start on 64-byte
    /// boundaries of the region.
    ///
    /// # Errors
    /// [`Error::TooLarge`] if `len` can never fit, [`Error::OutOfMemory`] if no space of that
    /// class is free now (every claim the call made is rolled back), [`Error::CorruptChunk`] if a
    /// chunk state word it needs is not valid.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(12, 4).unwrap()).unwrap();
    /// let arena = inos_arena::Arena::init(buf.region(), 12).unwrap();
    /// let small = arena.alloc(10).unwrap();
    /// let large = arena.alloc(5000).unwrap(); // two 4 KiB chunks
    /// assert_eq!((small.len(), small.capacity()), (10, 64));
    /// assert_eq!(large.capacity(), 8192);
    /// assert_eq!(small.offset() % 64, 0);
    /// ```
    pub fn alloc(&self, len: usize) -> Result<Block<'a>, Error> {
        let len32 = u32::try_from(len).map_err(|_| Error::TooLarge { len: u32::MAX })?;
        let (chunk, granule, generation) = match class_of(&self.geo, len32) {
            Class::Small(c) => self.alloc_small(c)?,
            Class::Large(k) => {
                if k > self.geo.chunks() {
                    return Err(Error::TooLarge { len: len32 });
                }
                let (i, g) = self.alloc_large(k)?;
                (i, 0, g)
            }
        };
        Ok(Block::new(
            *self,
            self.offset_of(chunk, granule),
            len32,
            generation,
            false,
        ))
    }

    /// Allocates a block of `len` bytes and zeroes it.
    ///
    /// # Errors
    /// As [`alloc`](Self::alloc).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let b = arena.alloc_zeroed(3).unwrap();
    /// assert!(b.bytes().eq_slice(&[0, 0, 0]));
    /// ```
    pub fn alloc_zeroed(&self, len: usize) -> Result<Block<'a>, Error> {
        let b = self.alloc(len)?;
        b.bytes().fill(0);
        Ok(b)
    }

    fn offset_of(&self, chunk: u32, granule: u32) -> u32 {
        // required_len <= u32::MAX (geometry check), so every offset fits.
        (self.geo.chunk(chunk) + ((granule as usize) << MIN_BLOCK_SHIFT)) as u32
    }

    /// Small class `c`: reserve a count in a chunk bound to the class (or bind a free or empty
    /// chunk), claim a bit, publish the block word. Returns (chunk, granule, generation).
    fn alloc_small(&self, c: usize) -> Result<(u32, u32, u32), Error> {
        let n = self.geo.chunks();
        let cap = self.geo.class_blocks(c) as u32;
        let want = TAG_SMALL + c as u32;
        let start = self.hint_chunk(c);
        let mut spare = None;
        // Pass 1: a chunk of this class with room.
        for k in 0..n {
            let i = (start + k) % n;
            let st = self.state(i);
            let mut s = st.load(Ordering::Acquire);
            for _ in 0..RETRIES {
                let (tag, v) = (s >> TAG_SHIFT, s & VALUE_MASK);
                if tag != want || v >= cap {
                    if spare.is_none() && (s == CHUNK_FREE || (is_small(tag) && v == 0)) {
                        spare = Some(i);
                    }
                    break;
                }
                // SYNC: AcqRel; the reservation of a count pairs with the retire/rebind CAS of
                // an empty chunk (exactly one of them wins on `(class, 0)`).
                match st.compare_exchange(s, s + 1, Ordering::AcqRel, Ordering::Acquire) {
                    Ok(_) => {
                        if let Some(r) = self.claim_in(i, c, v)? {
                            if i != start {
                                self.hint(c).store(i, Ordering::Relaxed);
                            }
                            return Ok(r);
                        }
                        break;
                    }
                    Err(now) => s = now,
                }
            }
        }
        // Pass 2: bind a free chunk, or an empty chunk of another class.
        let first = spare.unwrap_or(self.hint_chunk(HINT_FREE));
        for k in 0..n {
            let i = (first + k) % n;
            let st = self.state(i);
            let mut s = st.load(Ordering::Acquire);
            for _ in 0..RETRIES {
                let (tag, v) = (s >> TAG_SHIFT, s & VALUE_MASK);
                let bindable = s == CHUNK_FREE || (is_small(tag) && v == 0);
                let ours = tag == want && v < cap;
                if !bindable && !ours {
                    break;
                }
                let next = if ours { s + 1 } else { state_word(want, 1) };
                // SYNC: AcqRel, as in pass 1; binding acquires the last free of the chunk's
                // previous blocks (their bits are clear).
                match st.compare_exchange(s, next, Ordering::AcqRel, Ordering::Acquire) {
                    Ok(_) => {
                        if let Some(r) = self.claim_in(i, c, if ours { v } else { 0 })? {
                            self.hint(c).store(i, Ordering::Relaxed);
                            return Ok(r);
                        }
                        break;
                    }
                    Err(now) => s = now,
                }
            }
        }
        Err(Error::OutOfMemory)
    }

    /// With a count reserved in chunk `i` (class `c`): claim a free bit and publish the block
    /// word. `None` (and the count given back) if no bit could be claimed, which only a corrupt
    /// or hostile bitmap causes.
    fn claim_in(&self, i: u32, c: usize, hint: u32) -> Result<Option<(u32, u32, u32)>, Error> {
        let cap = self.geo.class_blocks(c);
        let words = cap.div_ceil(32);
        let mask = if cap >= 32 {
            u32::MAX
        } else {
            (1u32 << cap) - 1
        };
        let first = (hint as usize / 32) % words;
        for k in 0..2 * words {
            let w = (first + k) % words;
            let bw = self.bitmap(i, w);
            let mut cur = bw.load(Ordering::Relaxed);
            for _ in 0..BIT_RETRIES {
                let free = !cur & mask;
                if free == 0 {
                    break;
                }
                let bit = free.trailing_zeros();
                // SYNC: AcqRel; Acquire pairs with the Release clear of this bit by the last
                // free of the slot, so its block word (freed before the clear) is seen free.
                match bw.compare_exchange(cur, cur | 1 << bit, Ordering::AcqRel, Ordering::Relaxed)
                {
                    Ok(_) => {
                        let granule = ((w as u32) * 32 + bit) << c;
                        let g = self.publish(i, granule, 1);
                        return Ok(Some((i, granule, g)));
                    }
                    Err(now) => cur = now,
                }
            }
        }
        self.uncount(i)?;
        Ok(None)
    }

    /// Writes the block word of a block just claimed: `(g, refs, 0, party)`, keeping the
    /// generation of the free word (bumped if the word claimed to be in use: corruption).
    fn publish(&self, i: u32, granule: u32, refs: u32) -> u32 {
        let w = self.word(i, granule);
        let (g, r, _, _) = split_block_word(w.load(Ordering::Acquire));
        let g = if r != 0 {
            g.wrapping_add(1) & GEN_MASK
        } else {
            g
        };
        // SYNC: Release; nothing else writes the word of a block whose bit we hold.
        w.store(block_word(g, refs, 0, self.party.get()), Ordering::Release);
        g
    }

    /// Gives back one count of small chunk `i`.
    fn uncount(&self, i: u32) -> Result<(), Error> {
        let st = self.state(i);
        let mut s = st.load(Ordering::Acquire);
        for _ in 0..RETRIES {
            if !is_small(s >> TAG_SHIFT) || s & VALUE_MASK == 0 {
                return Err(Error::CorruptChunk { index: i });
            }
            // SYNC: Release; a later rebind of the chunk (CAS from `(class, 0)`, Acquire) sees
            // the bit cleared before this.
            match st.compare_exchange(s, s - 1, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Ok(()),
                Err(now) => s = now,
            }
        }
        Err(Error::Contended)
    }

    /// Whether a chunk in state `s` can be claimed for a large block.
    fn claimable(s: u32) -> bool {
        s == CHUNK_FREE || (is_small(s >> TAG_SHIFT) && s & VALUE_MASK == 0)
    }

    /// A run of `k` whole chunks: claim the head, record the claimer in its block word, claim the
    /// rest one by one (rolling back on failure), then publish. Returns (head, generation).
    fn alloc_large(&self, k: u32) -> Result<(u32, u32), Error> {
        let n = self.geo.chunks();
        let mut i = 0;
        while i + k <= n {
            let st = self.state(i);
            let s = st.load(Ordering::Acquire);
            // SYNC: AcqRel; Acquire pairs with the Release store of FREE by the last free (or the
            // uncount of an empty small chunk) so its words are seen free.
            if !Self::claimable(s)
                || st
                    .compare_exchange(
                        s,
                        state_word(TAG_CLAIMING, 0),
                        Ordering::AcqRel,
                        Ordering::Relaxed,
                    )
                    .is_err()
            {
                i += 1;
                continue;
            }
            let g = self.publish(i, 0, 0);
            let mut d = 1;
            while d < k {
                let t = self.state(i + d);
                let s = t.load(Ordering::Acquire);
                if !Self::claimable(s)
                    || t.compare_exchange(
                        s,
                        state_word(TAG_CLAIMING, d),
                        Ordering::AcqRel,
                        Ordering::Relaxed,
                    )
                    .is_err()
                {
                    break;
                }
                d += 1;
            }
            if d < k {
                self.roll_back(i, d, g);
                i += d + 1;
                continue;
            }
            for d in 1..k {
                self.state(i + d)
                    .store(state_word(TAG_LARGE_TAIL, d), Ordering::Release);
            }
            self.word(i, 0)
                .store(block_word(g, 1, 0, self.party.get()), Ordering::Release);
            // SYNC: Release; pairs with the Acquire load of the head state in `open`.
            self.state(i)
                .store(state_word(TAG_LARGE_HEAD, k), Ordering::Release);
            return Ok((i, g));
        }
        Err(Error::OutOfMemory)
    }

    /// Gives back chunks `head..head + d` claimed for a run (or held by a large block whose block
    /// word was already freed).
    fn roll_back(&self, head: u32, d: u32, g: u32) {
        for e in (1..d).rev() {
            // SYNC: Release; pairs with the Acquire of the next claimer's CAS.
            self.state(head + e).store(CHUNK_FREE, Ordering::Release);
        }
        self.word(head, 0)
            .store(block_word(g, 0, 0, 0), Ordering::Release);
        self.state(head).store(CHUNK_FREE, Ordering::Release);
    }

    // ---- references ----

    /// Validates the shape of `r` against the geometry (no shared word is read).
    pub(crate) fn locate(&self, r: BlockRef) -> Result<Loc, Error> {
        if r.reserved != 0 || r.generation > GEN_MASK {
            return Err(Error::RefMisaligned);
        }
        let off = r.offset as usize;
        let data = self.geo.data_offset();
        let end = data + ((self.geo.chunks() as usize) << self.geo.chunk_shift());
        if off < data || off >= end {
            return Err(Error::RefOutOfRange);
        }
        let rel = off - data;
        let chunk = (rel >> self.geo.chunk_shift()) as u32;
        let within = rel & (self.geo.chunk_len() - 1);
        let class = class_of(&self.geo, r.len);
        match class {
            Class::Small(c) => {
                if within % Geometry::class_len(c) != 0 {
                    return Err(Error::RefMisaligned);
                }
            }
            Class::Large(k) => {
                if within != 0 {
                    return Err(Error::RefMisaligned);
                }
                if chunk as u64 + k as u64 > self.geo.chunks() as u64 {
                    return Err(Error::RefOutOfRange);
                }
            }
        }
        Ok(Loc {
            chunk,
            granule: (within >> MIN_BLOCK_SHIFT) as u32,
            class,
        })
    }

    /// Whether chunk `loc.chunk` holds `loc.class` now.
    fn class_current(&self, loc: Loc) -> bool {
        let s = self.state(loc.chunk).load(Ordering::Acquire);
        match loc.class {
            Class::Small(c) => s >> TAG_SHIFT == TAG_SMALL + c as u32 && s & VALUE_MASK != 0,
            Class::Large(k) => s == state_word(TAG_LARGE_HEAD, k),
        }
    }

    /// Validates `r` (shape, class, generation) and returns its location and block word.
    fn check(&self, r: BlockRef) -> Result<(Loc, u64), Error> {
        let loc = self.locate(r)?;
        if !self.class_current(loc) {
            return Err(Error::Stale);
        }
        // SYNC: Acquire; pairs with the Release publication of the block word (alloc, send).
        let w = self.word(loc.chunk, loc.granule).load(Ordering::Acquire);
        let (g, refs, _, _) = split_block_word(w);
        if g != r.generation || refs == 0 {
            return Err(Error::Stale);
        }
        Ok((loc, w))
    }

    /// Checks that `r` names a live block (arena.md §3.3: in range, on a block boundary of its
    /// class, the chunk still bound to that class, the generation current, allocated) without
    /// changing anything. For parties that hold references rather than [`Block`] handles (the
    /// wasm ABI's `inos_arena_read` / `inos_arena_write`): the answer can be out of date as soon as
    /// it is returned if another party frees the block.
    ///
    /// # Errors
    /// [`Error::RefOutOfRange`], [`Error::RefMisaligned`], [`Error::Stale`].
    ///
    /// ```
    /// use inos_arena::{Arena, BlockRef, Error};
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 2).unwrap()).unwrap();
    /// let arena = Arena::init(buf.region(), 8).unwrap();
    /// let r = arena.alloc(64).unwrap().leak();
    /// assert_eq!(arena.validate(r), Ok(()));
    /// assert_eq!(arena.validate(BlockRef { offset: r.offset + 8, ..r }), Err(Error::RefMisaligned));
    /// arena.free(r).unwrap();
    /// assert_eq!(arena.validate(r), Err(Error::Stale));
    /// ```
    pub fn validate(&self, r: BlockRef) -> Result<(), Error> {
        self.check(r).map(|_| ())
    }

    /// Why a CAS expecting `(g, 1, flags, party)` on an exclusive block failed.
    fn exclusive_error(&self, r: BlockRef, now: u64) -> Error {
        let (g, refs, flags, owner) = split_block_word(now);
        if g != r.generation || refs == 0 {
            Error::Stale
        } else if flags & (W_SHARED | W_SENT) != 0 || owner != self.party.get() {
            Error::NotOwner
        } else {
            Error::Contended
        }
    }

    /// Takes the block `r` names: validates it (in range, on a block boundary of its class, the
    /// chunk still of that class, the generation current, allocated) and returns a handle.
    ///
    /// - An **exclusive** block must be in transit ([`Block::into_ref`]): exactly one `open`
    ///   takes it (a compare-and-swap clears the in-transit mark and records this handle's party
    ///   as the owner); any other gets [`Error::NotSent`].
    /// - A **shared** block ([`Block::share`]): every holder of one of its references opens it;
    ///   the handle stands for one reference, released when it is freed or dropped.
    ///
    /// # Errors
    /// [`Error::RefOutOfRange`], [`Error::RefMisaligned`] (a ref no arena issued),
    /// [`Error::Stale`] (freed or reused), [`Error::NotSent`].
    ///
    /// ```
    /// use inos_arena::{Arena, BlockRef, Error};
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 2).unwrap()).unwrap();
    /// let arena = Arena::init(buf.region(), 8).unwrap();
    /// let r = arena.alloc(64).unwrap().into_ref().unwrap();
    /// let forged = BlockRef { offset: r.offset + 8, ..r };
    /// assert_eq!(arena.open(forged).err(), Some(Error::RefMisaligned));
    /// let old = BlockRef { generation: r.generation + 1, ..r };
    /// assert_eq!(arena.open(old).err(), Some(Error::Stale));
    /// let b = arena.open(r).unwrap();
    /// assert_eq!(arena.open(r).err(), Some(Error::NotSent)); // taken once only
    /// drop(b);
    /// ```
    pub fn open(&self, r: BlockRef) -> Result<Block<'a>, Error> {
        let (loc, mut w) = self.check(r)?;
        let word = self.word(loc.chunk, loc.granule);
        for _ in 0..RETRIES {
            let (g, refs, flags, _) = split_block_word(w);
            if g != r.generation || refs == 0 {
                return Err(Error::Stale);
            }
            if flags & W_SHARED != 0 {
                return Ok(Block::new(*self, r.offset, r.len, g, true));
            }
            if flags & W_SENT == 0 {
                return Err(Error::NotSent);
            }
            // SYNC: AcqRel; Acquire pairs with the sender's Release CAS in `send`, so its writes
            // to the block are visible; exactly one opener wins.
            match word.compare_exchange(
                w,
                block_word(g, 1, 0, self.party.get()),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(Block::new(*self, r.offset, r.len, g, false)),
                Err(now) => w = now,
            }
        }
        Err(Error::Contended)
    }

    /// Replaces the exclusive block word `(g, 1, 0, party)` of `r` by `new`.
    fn cas_exclusive(&self, r: BlockRef, new: u64) -> Result<Loc, Error> {
        let loc = self.locate(r)?;
        if !self.class_current(loc) {
            return Err(Error::Stale);
        }
        let word = self.word(loc.chunk, loc.granule);
        let expect = block_word(r.generation, 1, 0, self.party.get());
        // SYNC: AcqRel; Release publishes this party's writes to the block (to the receiver of a
        // send, to the next allocator of a free); Acquire orders the rest of a free after it.
        match word.compare_exchange(expect, new, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => Ok(loc),
            Err(now) => Err(self.exclusive_error(r, now)),
        }
    }

    /// Marks the exclusive block `r` (owned by this party) as in transit. The wire form of
    /// [`Block::into_ref`], for parties that hold references rather than handles.
    ///
    /// # Errors
    /// [`Error::Stale`], [`Error::NotOwner`], or a reference error.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let r = arena.alloc(1).unwrap().leak();
    /// arena.send(r).unwrap();
    /// assert!(arena.open(r).is_ok());
    /// ```
    pub fn send(&self, r: BlockRef) -> Result<(), Error> {
        self.cas_exclusive(r, block_word(r.generation, 1, W_SENT, self.party.get()))?;
        Ok(())
    }

    /// Turns the exclusive block `r` (owned by this party) into a shared block with `refs`
    /// anonymous references (`1..=255`). The wire form of [`Block::share`].
    ///
    /// # Errors
    /// [`Error::TooManyRefs`] for 0 or more than 255, [`Error::Stale`], [`Error::NotOwner`].
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let r = arena.alloc(1).unwrap().leak();
    /// assert_eq!(arena.share(r, 256), Err(inos_arena::Error::TooManyRefs));
    /// arena.share(r, 2).unwrap();
    /// arena.release(r).unwrap();
    /// arena.release(r).unwrap();
    /// assert_eq!(arena.release(r), Err(inos_arena::Error::Stale));
    /// ```
    pub fn share(&self, r: BlockRef, refs: u32) -> Result<(), Error> {
        if refs == 0 || refs > MAX_REFS {
            return Err(Error::TooManyRefs);
        }
        self.cas_exclusive(r, block_word(r.generation, refs, W_SHARED, 0))?;
        Ok(())
    }

    /// Frees the exclusive block `r` owned by this party. The wire form of [`Block::free`].
    ///
    /// # Errors
    /// [`Error::Stale`] (already freed), [`Error::NotOwner`] (owned by another party, in
    /// transit, or shared: use [`release`](Self::release)), or a reference error.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let r = arena.alloc(1).unwrap().leak();
    /// arena.free(r).unwrap();
    /// assert_eq!(arena.free(r), Err(inos_arena::Error::Stale));
    /// ```
    pub fn free(&self, r: BlockRef) -> Result<(), Error> {
        let next = r.generation.wrapping_add(1) & GEN_MASK;
        let loc = self.cas_exclusive(r, block_word(next, 0, 0, 0))?;
        self.release_storage(loc)
    }

    /// Releases one reference to the shared block `r`; the last release frees it.
    ///
    /// # Errors
    /// [`Error::Stale`] (freed or reused), [`Error::NotOwner`] (the block is exclusive), or a
    /// reference error.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let r = arena.alloc(1).unwrap().leak();
    /// assert_eq!(arena.release(r), Err(inos_arena::Error::NotOwner));
    /// ```
    pub fn release(&self, r: BlockRef) -> Result<(), Error> {
        let loc = self.locate(r)?;
        if !self.class_current(loc) {
            return Err(Error::Stale);
        }
        let word = self.word(loc.chunk, loc.granule);
        let mut w = word.load(Ordering::Acquire);
        for _ in 0..RETRIES {
            let (g, refs, flags, _) = split_block_word(w);
            if g != r.generation || refs == 0 {
                return Err(Error::Stale);
            }
            if flags & W_SHARED == 0 {
                return Err(Error::NotOwner);
            }
            let last = refs == 1;
            let new = if last {
                block_word(g.wrapping_add(1), 0, 0, 0)
            } else {
                block_word(g, refs - 1, W_SHARED, 0)
            };
            // SYNC: AcqRel; the releases of one block form a chain of RMWs, so the last one
            // acquires every holder's reads before the block is given back.
            match word.compare_exchange(w, new, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) if last => return self.release_storage(loc),
                Ok(_) => return Ok(()),
                Err(now) => w = now,
            }
        }
        Err(Error::Contended)
    }

    /// After a block word was freed: gives back the bit and the count (small) or the chunks
    /// (large). The class is read from the chunk, which cannot change while the block holds its
    /// count or run.
    fn release_storage(&self, loc: Loc) -> Result<(), Error> {
        let s = self.state(loc.chunk).load(Ordering::Acquire);
        let tag = s >> TAG_SHIFT;
        if is_small(tag) {
            let c = (tag - TAG_SMALL) as usize;
            if c >= self.geo.classes() || loc.granule % (1 << c) != 0 {
                return Err(Error::CorruptChunk { index: loc.chunk });
            }
            let b = (loc.granule >> c) as usize;
            // SYNC: Release; pairs with the Acquire of the next claimer's bit CAS.
            self.bitmap(loc.chunk, b / 32)
                .fetch_and(!(1 << (b % 32)), Ordering::AcqRel);
            self.uncount(loc.chunk)
        } else if tag == TAG_LARGE_HEAD && loc.granule == 0 {
            let k = s & VALUE_MASK;
            if k == 0 || loc.chunk as u64 + k as u64 > self.geo.chunks() as u64 {
                return Err(Error::CorruptChunk { index: loc.chunk });
            }
            let g = split_block_word(self.word(loc.chunk, 0).load(Ordering::Relaxed)).0;
            self.roll_back(loc.chunk, k, g);
            Ok(())
        } else {
            Err(Error::CorruptChunk { index: loc.chunk })
        }
    }

    // ---- supervision ----

    /// Frees every block a dead party owns, and rolls back a large allocation it left half
    /// claimed. Returns how many blocks (and runs) it gave back.
    ///
    /// Call it only for a party that will never touch the arena again (see
    /// [`inos_ring::Probe`]): its exclusive blocks, including those it sent that no receiver has
    /// opened yet, are freed (a late `open` of their refs gets [`Error::Stale`]). Shared blocks
    /// have no single owner and are not touched: a dead holder's reference is lost (the block is
    /// freed only if every other reference is released and the arena is re-formatted, see
    /// `arena.md` §5). Bounded: one pass over every chunk and block word.
    ///
    /// # Errors
    /// [`Error::AnonymousParty`] for [`PartyId::ANONYMOUS`] (many parties share it).
    ///
    /// ```
    /// use inos_arena::Arena;
    /// use inos_ring::PartyId;
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 4).unwrap()).unwrap();
    /// let arena = Arena::init(buf.region(), 8).unwrap();
    /// let worker = arena.with_party(PartyId::new(4242).unwrap());
    /// worker.alloc(64).unwrap().leak();
    /// worker.alloc(300).unwrap().leak(); // two chunks
    /// assert_eq!(arena.stats().free_chunks, 1);
    /// // The worker died: its supervisor takes everything back.
    /// assert_eq!(arena.reclaim_party(worker.party()), Ok(2));
    /// assert_eq!(arena.stats().bytes_in_use, 0);
    /// ```
    pub fn reclaim_party(&self, party: PartyId) -> Result<u32, Error> {
        if party.is_anonymous() {
            return Err(Error::AnonymousParty);
        }
        let p = party.get();
        let mut count = 0;
        for i in 0..self.geo.chunks() {
            let s = self.state(i).load(Ordering::Acquire);
            let (tag, v) = (s >> TAG_SHIFT, s & VALUE_MASK);
            if is_small(tag) && v != 0 {
                let c = (tag - TAG_SMALL) as usize;
                if c >= self.geo.classes() {
                    continue;
                }
                for b in 0..self.geo.class_blocks(c) as u32 {
                    count += self.reclaim_word(i, b << c, p)?;
                }
            } else if tag == TAG_LARGE_HEAD {
                count += self.reclaim_word(i, 0, p)?;
            } else if s == state_word(TAG_CLAIMING, 0) {
                let w = self.word(i, 0).load(Ordering::Acquire);
                let (g, refs, _, owner) = split_block_word(w);
                if refs == 0 && owner == p {
                    let mut d = 1;
                    while i + d < self.geo.chunks()
                        && self.state(i + d).load(Ordering::Acquire) == state_word(TAG_CLAIMING, d)
                    {
                        d += 1;
                    }
                    self.roll_back(i, d, g);
                    count += 1;
                }
            }
        }
        Ok(count)
    }

    /// Frees the block at (chunk, granule) if `party` owns it exclusively: 1 if it did.
    fn reclaim_word(&self, i: u32, granule: u32, party: u32) -> Result<u32, Error> {
        let word = self.word(i, granule);
        let w = word.load(Ordering::Acquire);
        let (g, refs, flags, owner) = split_block_word(w);
        if owner != party || refs != 1 || flags & W_SHARED != 0 {
            return Ok(0);
        }
        let next = block_word(g.wrapping_add(1), 0, 0, 0);
        // SYNC: AcqRel, as a free; a racing `open` of a sent block and this CAS: one wins.
        if word
            .compare_exchange(w, next, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return Ok(0);
        }
        let class = Class::Small(0); // re-read from the chunk by release_storage
        self.release_storage(Loc {
            chunk: i,
            granule,
            class,
        })?;
        Ok(1)
    }

    /// Statistics from one pass over the chunk states (not a snapshot while others allocate):
    /// bytes in use, free chunks, and per size class the chunks bound, blocks in use and
    /// capacity.
    ///
    /// Every byte of the data area is in exactly one of: `bytes_in_use`, `free_bytes` (free
    /// blocks of bound chunks and free chunks), `claiming_bytes` (chunks of a large block being
    /// claimed right now).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(12, 4).unwrap()).unwrap();
    /// let arena = inos_arena::Arena::init(buf.region(), 12).unwrap();
    /// let _a = arena.alloc(100).unwrap();
    /// let s = arena.stats();
    /// assert_eq!(s.bytes_in_use, 128);
    /// assert_eq!(s.classes[1].blocks, 1);
    /// assert_eq!(s.bytes_in_use + s.free_bytes, 4 * 4096);
    /// ```
    pub fn stats(&self) -> Stats {
        let mut st = Stats {
            chunks: self.geo.chunks(),
            chunk_len: self.geo.chunk_len() as u32,
            ..Stats::default()
        };
        for c in 0..self.geo.classes() {
            st.classes[c].block_len = Geometry::class_len(c) as u32;
        }
        let clen = self.geo.chunk_len() as u64;
        for i in 0..self.geo.chunks() {
            let s = self.state(i).load(Ordering::Relaxed);
            let (tag, v) = (s >> TAG_SHIFT, s & VALUE_MASK);
            if s == CHUNK_FREE {
                st.free_chunks += 1;
                st.free_bytes += clen;
            } else if is_small(tag) && ((tag - TAG_SMALL) as usize) < self.geo.classes() {
                let c = (tag - TAG_SMALL) as usize;
                let cap = self.geo.class_blocks(c) as u32;
                let used = v.min(cap);
                let cs: &mut ClassStats = &mut st.classes[c];
                if used == 0 {
                    st.free_chunks += 1;
                }
                cs.chunks += 1;
                cs.blocks += used;
                cs.capacity += cap;
                let bytes = used as u64 * cs.block_len as u64;
                st.bytes_in_use += bytes;
                st.free_bytes += clen - bytes;
            } else if tag == TAG_LARGE_HEAD {
                st.large_blocks += 1;
                st.large_chunks += 1;
                st.bytes_in_use += clen;
            } else if tag == TAG_LARGE_TAIL {
                st.large_chunks += 1;
                st.bytes_in_use += clen;
            } else if tag == TAG_CLAIMING {
                st.claiming_bytes += clen;
            } else {
                st.corrupt_chunks += 1;
            }
        }
        st
    }
}
