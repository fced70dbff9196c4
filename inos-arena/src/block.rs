//! [`Block`] (an owned handle to a block) and [`BlockRef`] (its 16-byte wire form).

use core::mem::ManuallyDrop;
use core::num::NonZeroU8;

use inos_layout::Bytes;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use crate::layout::{class_of, Class, Geometry};
use crate::{Arena, Error};

/// A reference to a block, safe to send to another party (16 bytes, little-endian `u32`s: fits
/// in any ring message, as raw bytes or as a `bytemuck::Pod` / `zerocopy` value).
///
/// A `BlockRef` carries no authority by itself: the receiver's [`Arena::open`] validates it
/// against the shared state (range, block boundary, size class, generation, in-transit mark), so a
/// stale or forged ref is a typed [`Error`], never an access outside its block.
///
/// ```
/// use inos_arena::BlockRef;
/// use zerocopy::{FromBytes, IntoBytes};
/// let r = BlockRef { offset: 4096, len: 100, generation: 3, reserved: 0 };
/// let wire: [u8; 16] = r.as_bytes().try_into().unwrap();
/// assert_eq!(BlockRef::read_from_bytes(&wire).unwrap(), r);
/// assert_eq!(bytemuck::bytes_of(&r), &wire);
/// ```
#[repr(C)]
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    IntoBytes,
    FromBytes,
    KnownLayout,
    Immutable,
    bytemuck::Pod,
    bytemuck::Zeroable,
)]
pub struct BlockRef {
    /// Offset of the block's first byte from the arena region's base (a multiple of 64).
    pub offset: u32,
    /// The block's length in bytes (its size class follows from it).
    pub len: u32,
    /// The block's generation when the ref was made (below `2^22`).
    pub generation: u32,
    /// Zero.
    pub reserved: u32,
}

const _: () = assert!(core::mem::size_of::<BlockRef>() == 16);

/// An owned block: exclusive (allocated, or opened from a sent ref) or one reference to a shared
/// block. Dropping it frees the block (or releases the reference); [`into_ref`](Self::into_ref)
/// and [`share`](Self::share) hand it to other parties instead.
///
/// The bytes are accessed in place: [`bytes`](Self::bytes) is an atomic view
/// ([`inos_layout::Bytes`]), never a `&[u8]` over memory other parties can write; the helpers copy
/// whole words in and out, or `bytemuck` / `zerocopy` values.
///
/// ```
/// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
/// let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
/// let b = arena.alloc(16).unwrap();
/// b.write_pod(0, &[1u32, 2, 3, 4]).unwrap();
/// assert_eq!(b.read_pod::<[u32; 4]>(0).unwrap(), [1, 2, 3, 4]);
/// assert!(b.read_pod::<[u32; 5]>(0).is_err()); // past the block's length
/// ```
#[derive(Debug)]
pub struct Block<'a> {
    arena: Arena<'a>,
    offset: u32,
    len: u32,
    generation: u32,
    shared: bool,
}

impl<'a> Block<'a> {
    pub(crate) fn new(
        arena: Arena<'a>,
        offset: u32,
        len: u32,
        generation: u32,
        shared: bool,
    ) -> Self {
        Self {
            arena,
            offset,
            len,
            generation,
            shared,
        }
    }

    /// Offset of the block's first byte from the arena region's base.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// assert_eq!(arena.alloc(1).unwrap().offset() % 64, 0);
    /// ```
    pub fn offset(&self) -> usize {
        self.offset as usize
    }

    /// The block's length (what was asked for).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// assert_eq!(arena.alloc(7).unwrap().len(), 7);
    /// ```
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the block has length 0 (it still occupies a 64-byte block).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// assert!(arena.alloc(0).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes the block occupies: its size class, or its whole chunks.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// assert_eq!(arena.alloc(65).unwrap().capacity(), 128);
    /// ```
    pub fn capacity(&self) -> usize {
        match class_of(&self.arena.geo, self.len) {
            Class::Small(c) => Geometry::class_len(c),
            Class::Large(k) => (k as usize) << self.arena.geo.chunk_shift(),
        }
    }

    /// The block's generation.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// arena.alloc(1).unwrap().free().unwrap();
    /// assert_eq!(arena.alloc(1).unwrap().generation(), 1); // the same slot, reused
    /// ```
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// Whether this handle is one reference to a shared block.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// assert!(!arena.alloc(1).unwrap().is_shared());
    /// ```
    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// The block's reference, without giving anything up (to log it, or to forward a shared
    /// reference). An exclusive block's ref opens only after [`into_ref`](Self::into_ref).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let b = arena.alloc(9).unwrap();
    /// assert_eq!(b.block_ref().len, 9);
    /// assert_eq!(arena.open(b.block_ref()).err(), Some(inos_arena::Error::NotSent));
    /// ```
    pub fn block_ref(&self) -> BlockRef {
        BlockRef {
            offset: self.offset,
            len: self.len,
            generation: self.generation,
            reserved: 0,
        }
    }

    /// The arena the block lives in.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// assert_eq!(arena.alloc(1).unwrap().arena().party(), arena.party());
    /// ```
    pub fn arena(&self) -> Arena<'a> {
        self.arena
    }

    /// An in-place atomic view of the block's `len` bytes (no copy).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let b = arena.alloc(4).unwrap();
    /// b.bytes().write_u32_le(0, 7).unwrap();
    /// assert_eq!(b.bytes().read_u32_le(0), Ok(7));
    /// ```
    pub fn bytes(&self) -> Bytes<'a> {
        // SAFETY: the block lies inside the data area (validated by `alloc` / `open` against the
        // geometry, which fits the region).
        unsafe {
            self.arena
                .region
                .bytes_unchecked(self.offset as usize, self.len as usize)
        }
    }

    /// Copies `src` into the block at `at` (whole 4-byte atomic words in the middle).
    ///
    /// # Errors
    /// [`Error::Access`] if the range is not inside the block's `len` bytes.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let b = arena.alloc(4).unwrap();
    /// b.write(2, &[1, 2]).unwrap();
    /// assert!(b.write(3, &[1, 2]).is_err());
    /// ```
    pub fn write(&self, at: usize, src: &[u8]) -> Result<(), Error> {
        Ok(self.bytes().write_at(at, src)?)
    }

    /// Copies bytes of the block from `at` into `dst`.
    ///
    /// # Errors
    /// [`Error::Access`] if the range is not inside the block's `len` bytes.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let b = arena.alloc_zeroed(4).unwrap();
    /// let mut out = [9u8; 4];
    /// b.read(0, &mut out).unwrap();
    /// assert_eq!(out, [0; 4]);
    /// ```
    pub fn read(&self, at: usize, dst: &mut [u8]) -> Result<(), Error> {
        Ok(self.bytes().read_at(at, dst)?)
    }

    /// Writes a `bytemuck::Pod` value at `at`.
    ///
    /// # Errors
    /// [`Error::Access`] if it does not fit in the block's `len` bytes.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let b = arena.alloc(8).unwrap();
    /// b.write_pod(0, &1.5f64).unwrap();
    /// assert_eq!(b.read_pod::<f64>(0), Ok(1.5));
    /// ```
    pub fn write_pod<T: bytemuck::Pod>(&self, at: usize, value: &T) -> Result<(), Error> {
        self.write(at, bytemuck::bytes_of(value))
    }

    /// Reads a `bytemuck::Pod` value at `at`.
    ///
    /// # Errors
    /// [`Error::Access`] if it does not fit in the block's `len` bytes.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let b = arena.alloc_zeroed(4).unwrap();
    /// assert_eq!(b.read_pod::<u32>(0), Ok(0));
    /// ```
    pub fn read_pod<T: bytemuck::Pod>(&self, at: usize) -> Result<T, Error> {
        let mut v = T::zeroed();
        self.read(at, bytemuck::bytes_of_mut(&mut v))?;
        Ok(v)
    }

    /// Writes a `zerocopy` value (`IntoBytes + Immutable`) at `at`.
    ///
    /// # Errors
    /// [`Error::Access`] if it does not fit in the block's `len` bytes.
    ///
    /// ```
    /// use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};
    /// #[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Debug, PartialEq)]
    /// #[repr(C)]
    /// struct Job { id: u32, size: u32 }
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let b = arena.alloc(8).unwrap();
    /// b.write_value(0, &Job { id: 1, size: 64 }).unwrap();
    /// assert_eq!(b.read_value::<Job>(0), Ok(Job { id: 1, size: 64 }));
    /// ```
    pub fn write_value<T: IntoBytes + Immutable + ?Sized>(
        &self,
        at: usize,
        value: &T,
    ) -> Result<(), Error> {
        self.write(at, value.as_bytes())
    }

    /// Reads a `zerocopy` value (`FromBytes + IntoBytes`) at `at`.
    ///
    /// # Errors
    /// [`Error::Access`] if it does not fit in the block's `len` bytes.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let b = arena.alloc_zeroed(16).unwrap();
    /// assert_eq!(b.read_value::<inos_arena::BlockRef>(0), Ok(inos_arena::BlockRef::default()));
    /// ```
    pub fn read_value<T: FromBytes + IntoBytes>(&self, at: usize) -> Result<T, Error> {
        let mut v = T::new_zeroed();
        self.read(at, v.as_mut_bytes())?;
        Ok(v)
    }

    /// Gives the block up for sending: marks it in transit (so that exactly one receiver's
    /// [`Arena::open`] can take it) and returns its ref. Until a receiver opens it, it stays
    /// recorded as this party's (a supervisor reclaiming this party frees it).
    ///
    /// A shared reference is forwarded as it is (no state changes).
    ///
    /// # Errors
    /// [`Error::Stale`] / [`Error::NotOwner`] if the block was taken from this party meanwhile (a
    /// supervisor reclaimed it).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let r = arena.alloc(1).unwrap().into_ref().unwrap();
    /// let b = arena.open(r).unwrap();
    /// assert_eq!(b.block_ref(), r);
    /// ```
    pub fn into_ref(self) -> Result<BlockRef, Error> {
        let me = ManuallyDrop::new(self);
        let r = me.block_ref();
        if !me.shared {
            me.arena.send(r)?;
        }
        Ok(r)
    }

    /// Turns this exclusive block into a shared one with `refs` references, and gives it up:
    /// send the returned ref to `refs` receivers, each of whom [`Arena::open`]s it and frees
    /// (releases) it; the last release frees the block.
    ///
    /// # Errors
    /// [`Error::NotOwner`] if this is already a shared reference (the handle is dropped, which
    /// releases it); [`Error::Stale`] if a supervisor reclaimed the block meanwhile.
    ///
    /// ```
    /// use core::num::NonZeroU8;
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let frame = arena.alloc(64).unwrap();
    /// frame.write(0, b"frame 1").unwrap();
    /// let r = frame.share(NonZeroU8::new(2).unwrap()).unwrap();
    /// let (a, b) = (arena.open(r).unwrap(), arena.open(r).unwrap());
    /// assert!(a.bytes().slice(0, 7).unwrap().eq_slice(b"frame 1"));
    /// drop(a);
    /// assert!(arena.open(r).is_ok()); // b's reference is still live
    /// drop(b);
    /// assert_eq!(arena.open(r).err(), Some(inos_arena::Error::Stale));
    /// ```
    pub fn share(self, refs: NonZeroU8) -> Result<BlockRef, Error> {
        let me = ManuallyDrop::new(self);
        let r = me.block_ref();
        if me.shared {
            // The handle is consumed like any other: dropping it releases its reference.
            drop(ManuallyDrop::into_inner(me));
            return Err(Error::NotOwner);
        }
        me.arena.share(r, u32::from(refs.get()))?;
        Ok(r)
    }

    /// Frees the block (or releases this reference to a shared block), reporting what happened;
    /// dropping does the same and ignores the result.
    ///
    /// # Errors
    /// [`Error::Stale`] if a supervisor reclaimed the block meanwhile.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// arena.alloc(1).unwrap().free().unwrap();
    /// assert_eq!(arena.stats().bytes_in_use, 0);
    /// ```
    pub fn free(self) -> Result<(), Error> {
        let me = ManuallyDrop::new(self);
        me.release_now()
    }

    /// Forgets the handle without freeing: the block stays allocated to this party (for a party
    /// that keeps refs instead of handles, and frees with [`Arena::free`]).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_arena::required_len(8, 1).unwrap()).unwrap();
    /// # let arena = inos_arena::Arena::init(buf.region(), 8).unwrap();
    /// let r = arena.alloc(1).unwrap().leak();
    /// assert_eq!(arena.stats().bytes_in_use, 64);
    /// arena.free(r).unwrap();
    /// ```
    pub fn leak(self) -> BlockRef {
        ManuallyDrop::new(self).block_ref()
    }

    fn release_now(&self) -> Result<(), Error> {
        if self.shared {
            self.arena.release(self.block_ref())
        } else {
            self.arena.free(self.block_ref())
        }
    }
}

impl Drop for Block<'_> {
    fn drop(&mut self) {
        let _ = self.release_now();
    }
}
