//! Exports for the shared allocator ([`inos_arena`]): format, allocate, hand off (send / open),
//! share, free, release, copy bytes in and out, reclaim a dead party, statistics.
//!
//! Every call names the arena by its region (`addr`, `len`) and attaches to it (validating the
//! header, arena.md §2.1) on the spot: the arena handle is stateless and `Copy`, so any worker may
//! call any of these at any time, concurrently. Calls that act for a party take its id (`party`,
//! a non-zero `u32`, `1` anonymous; arena.md §2.4). A block reference travels as its 16 wire
//! bytes (arena.md §2.5) at a caller-private address `r` (4-aligned): the module never keeps a
//! block handle, so a reference is what the caller holds, sends through a ring and frees.

use inos_arena::{Arena, BlockRef};
use inos_ring::PartyId;

use crate::mem;
use crate::status::{self, INVALID, OK};

/// Bytes of a block reference (arena.md §2.5) at an `r` / `out` address.
pub const BLOCK_REF_LEN: usize = 16;
/// Bytes [`inos_arena_stats`] writes to its `out` buffer.
pub const ARENA_STATS_LEN: usize = 48;

/// # Safety
/// As for [`inos_arena_init`].
unsafe fn arena(addr: usize, len: u32) -> Result<Arena<'static>, i32> {
    // SAFETY: forwarded to the caller.
    let region = unsafe { mem::region(addr, len as usize) }?;
    Arena::attach(region).map_err(status::arena)
}

/// The arena at `addr` acting for `party`.
///
/// # Safety
/// As for [`inos_arena_init`].
unsafe fn arena_for(addr: usize, len: u32, party: u32) -> Result<Arena<'static>, i32> {
    let party = PartyId::new(party).ok_or(INVALID)?;
    // SAFETY: forwarded to the caller.
    Ok(unsafe { arena(addr, len) }?.with_party(party))
}

/// Reads the 16-byte reference at the caller-private address `r` (checked like every private
/// buffer: see [`mem::check_private`]).
///
/// # Safety
/// `r` must be private to the calling worker for the duration of the call.
unsafe fn read_ref(r: usize, call: (usize, usize)) -> Result<BlockRef, i32> {
    mem::check_private(r, BLOCK_REF_LEN, 4, call)?;
    // SAFETY: checked non-null, in memory, outside the protocol regions; private per the contract.
    let bytes = unsafe { mem::scratch(r, BLOCK_REF_LEN, call) }?;
    let word = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    Ok(BlockRef {
        offset: word(0),
        len: word(4),
        generation: word(8),
        reserved: word(12),
    })
}

/// The wire bytes of a reference.
fn ref_bytes(r: BlockRef) -> [u8; BLOCK_REF_LEN] {
    let mut b = [0u8; BLOCK_REF_LEN];
    for (i, w) in [r.offset, r.len, r.generation, r.reserved]
        .iter()
        .enumerate()
    {
        b[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
    }
    b
}

/// Runs `f` on the arena (acting for `party`) and the reference at `r`.
///
/// # Safety
/// As for [`inos_arena_init`]; `r` must be a caller-private buffer.
unsafe fn with_ref(
    addr: usize,
    len: u32,
    party: u32,
    r: usize,
    f: impl FnOnce(Arena<'static>, BlockRef) -> Result<i32, inos_arena::Error>,
) -> i32 {
    // SAFETY: forwarded to the caller.
    let a = match unsafe { arena_for(addr, len, party) } {
        Ok(a) => a,
        Err(e) => return e,
    };
    // SAFETY: forwarded to the caller.
    match unsafe { read_ref(r, (addr, len as usize)) } {
        Ok(rf) => f(a, rf).unwrap_or_else(status::arena),
        Err(e) => e,
    }
}

/// Bytes an arena of `chunks` chunks of `1 << chunk_shift` bytes needs (as an `i64`), or
/// [`ARENA_CORRUPT_HEADER`](crate::status::ARENA_CORRUPT_HEADER) for an impossible geometry.
///
/// ```
/// assert_eq!(inos_wasm::inos_arena_required_len(8, 2), inos_arena::required_len(8, 2).unwrap() as i64);
/// assert_eq!(inos_wasm::inos_arena_required_len(7, 1), i64::from(inos_wasm::status::ARENA_CORRUPT_HEADER));
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub extern "C" fn inos_arena_required_len(chunk_shift: u32, chunks: u32) -> i64 {
    inos_arena::required_len(chunk_shift, chunks)
        .map_or(i64::from(status::ARENA_CORRUPT_HEADER), |n| n as i64)
}

/// Formats an empty arena of `chunks` chunks (0: as many as fit) of `1 << chunk_shift` bytes in
/// `addr..addr + len` (8-aligned; 128-aligned keeps blocks 64-aligned in memory). Returns the
/// number of chunks (> 0) or a negative status. Only the arena's owner calls it, before anyone
/// attaches.
///
/// # Safety
/// `addr..addr + len` must be memory only protocol parties access (see
/// [`inos_format_standard`](crate::inos_format_standard)).
///
/// ```
/// let len = inos_arena::required_len(8, 4).unwrap();
/// let buf = inos_layout::RegionBuf::new(len).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol.
/// unsafe {
///     assert_eq!(inos_wasm::inos_arena_init(addr, len as u32, 8, 0), 4);
///     assert_eq!(inos_wasm::inos_arena_attach(addr, len as u32), 4);
///     assert_eq!(inos_wasm::inos_arena_init(addr, len as u32, 8, 5), inos_wasm::status::ARENA_REGION_TOO_SMALL);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_arena_init(
    addr: usize,
    len: u32,
    chunk_shift: u32,
    chunks: u32,
) -> i32 {
    // SAFETY: forwarded to the caller.
    let region = match unsafe { mem::region(addr, len as usize) } {
        Ok(r) => r,
        Err(e) => return e,
    };
    let r = if chunks == 0 {
        Arena::init(region, chunk_shift)
    } else {
        Arena::init_with(region, chunk_shift, chunks)
    };
    match r {
        // At most 2^24 - 1 chunks: fits an i32.
        Ok(a) => a.geometry().chunks() as i32,
        Err(e) => status::arena(e),
    }
}

/// Validates the arena header at `addr` (arena.md §2.1): returns its number of chunks or a
/// negative status.
///
/// # Safety
/// As for [`inos_arena_init`].
///
/// ```
/// let buf = inos_layout::RegionBuf::new(4096).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol.
/// unsafe {
///     assert_eq!(inos_wasm::inos_arena_attach(addr, 4096), inos_wasm::status::ARENA_BAD_MAGIC);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_arena_attach(addr: usize, len: u32) -> i32 {
    // SAFETY: forwarded to the caller.
    match unsafe { arena(addr, len) } {
        Ok(a) => a.geometry().chunks() as i32,
        Err(e) => e,
    }
}

/// Allocates a block of `size` bytes owned by `party` and writes its 16-byte reference to `out`
/// (4-aligned, caller-private; checked before allocating, so a refused `out` leaks nothing).
/// Returns 0 or a negative status ([`ARENA_OUT_OF_MEMORY`](crate::status::ARENA_OUT_OF_MEMORY):
/// nothing was claimed).
///
/// # Safety
/// As for [`inos_arena_init`]; `out` must be a caller-private buffer.
///
/// ```
/// let len = inos_arena::required_len(8, 2).unwrap();
/// let buf = inos_layout::RegionBuf::new(len).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let mut r = [0u32; 4];
/// let out = r.as_mut_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol; `r` is private.
/// unsafe {
///     inos_wasm::inos_arena_init(addr, len as u32, 8, 0);
///     assert_eq!(inos_wasm::inos_arena_alloc(addr, len as u32, 7, 100, out), 0);
///     assert_eq!(r[1], 100); // offset, len, generation, reserved
///     assert_eq!(inos_wasm::inos_arena_alloc(addr, len as u32, 7, 1000, out), inos_wasm::status::ARENA_TOO_LARGE);
///     assert_eq!(inos_wasm::inos_arena_alloc(addr, len as u32, 0, 1, out), inos_wasm::status::INVALID);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_arena_alloc(
    addr: usize,
    len: u32,
    party: u32,
    size: u32,
    out: usize,
) -> i32 {
    let call = (addr, len as usize);
    if let Err(e) = mem::check_private(out, BLOCK_REF_LEN, 4, call) {
        return e;
    }
    // SAFETY: forwarded to the caller.
    let a = match unsafe { arena_for(addr, len, party) } {
        Ok(a) => a,
        Err(e) => return e,
    };
    match a.alloc(size as usize) {
        // The block is held by its reference from now on: the caller frees or sends it.
        // SAFETY: `out` checked above; caller-private per the contract.
        Ok(b) => status::code(unsafe { mem::write_out(out, &ref_bytes(b.leak()), call) }),
        Err(e) => status::arena(e),
    }
}

/// Validates the reference at `r` (arena.md §3.3) without changing anything: 0 if it names a
/// live block, else its typed status. (The answer can be out of date once returned.)
///
/// # Safety
/// As for [`inos_arena_init`]; `r` must be a caller-private buffer.
///
/// ```
/// let len = inos_arena::required_len(8, 2).unwrap();
/// let buf = inos_layout::RegionBuf::new(len).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let mut r = [0u32; 4];
/// let p = r.as_mut_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol; `r` is private.
/// unsafe {
///     inos_wasm::inos_arena_init(addr, len as u32, 8, 0);
///     inos_wasm::inos_arena_alloc(addr, len as u32, 7, 10, p);
///     assert_eq!(inos_wasm::inos_arena_validate(addr, len as u32, p), 0);
///     r[2] += 1; // another generation
///     assert_eq!(inos_wasm::inos_arena_validate(addr, len as u32, p), inos_wasm::status::ARENA_STALE);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_arena_validate(addr: usize, len: u32, r: usize) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe { with_ref(addr, len, 1, r, |a, rf| a.validate(rf).map(|()| OK)) }
}

/// Marks `party`'s exclusive block at `r` as in transit (arena.md §3.4): then send the reference.
/// Returns 0 or a negative status.
///
/// # Safety
/// As for [`inos_arena_init`]; `r` must be a caller-private buffer.
///
/// ```
/// let len = inos_arena::required_len(8, 2).unwrap();
/// let buf = inos_layout::RegionBuf::new(len).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let mut r = [0u32; 4];
/// let p = r.as_mut_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol; `r` is private.
/// unsafe {
///     inos_wasm::inos_arena_init(addr, len as u32, 8, 0);
///     inos_wasm::inos_arena_alloc(addr, len as u32, 7, 10, p);
///     assert_eq!(inos_wasm::inos_arena_send(addr, len as u32, 8, p), inos_wasm::status::ARENA_NOT_OWNER);
///     assert_eq!(inos_wasm::inos_arena_send(addr, len as u32, 7, p), 0);
///     assert_eq!(inos_wasm::inos_arena_open(addr, len as u32, 8, p), 0); // party 8 owns it now
///     assert_eq!(inos_wasm::inos_arena_open(addr, len as u32, 8, p), inos_wasm::status::ARENA_NOT_SENT);
///     assert_eq!(inos_wasm::inos_arena_free(addr, len as u32, 8, p), 0);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_arena_send(addr: usize, len: u32, party: u32, r: usize) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe { with_ref(addr, len, party, r, |a, rf| a.send(rf).map(|()| OK)) }
}

/// Opens the reference at `r` for `party` (arena.md §3.4, §3.5): takes a sent exclusive block
/// (returns 0; it is `party`'s now) or holds one reference of a shared block (returns 1; release
/// it with [`inos_arena_release`]). Else a negative status.
///
/// # Safety
/// As for [`inos_arena_init`]; `r` must be a caller-private buffer.
///
/// ```
/// let len = inos_arena::required_len(8, 2).unwrap();
/// let buf = inos_layout::RegionBuf::new(len).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let mut r = [0u32; 4];
/// let p = r.as_mut_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol; `r` is private.
/// unsafe {
///     inos_wasm::inos_arena_init(addr, len as u32, 8, 0);
///     inos_wasm::inos_arena_alloc(addr, len as u32, 7, 10, p);
///     assert_eq!(inos_wasm::inos_arena_open(addr, len as u32, 8, p), inos_wasm::status::ARENA_NOT_SENT);
///     assert_eq!(inos_wasm::inos_arena_share(addr, len as u32, 7, p, 2), 0);
///     assert_eq!(inos_wasm::inos_arena_open(addr, len as u32, 8, p), 1);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_arena_open(addr: usize, len: u32, party: u32, r: usize) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe {
        with_ref(addr, len, party, r, |a, rf| {
            // The reference stays the caller's handle: leak the block instead of dropping it.
            a.open(rf).map(|b| {
                let shared = b.is_shared();
                b.leak();
                i32::from(shared)
            })
        })
    }
}

/// Turns `party`'s exclusive block at `r` into a shared block with `refs` (1..=255) anonymous
/// references (arena.md §3.5). Returns 0 or a negative status.
///
/// # Safety
/// As for [`inos_arena_init`]; `r` must be a caller-private buffer.
///
/// ```
/// let len = inos_arena::required_len(8, 2).unwrap();
/// let buf = inos_layout::RegionBuf::new(len).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let mut r = [0u32; 4];
/// let p = r.as_mut_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol; `r` is private.
/// unsafe {
///     inos_wasm::inos_arena_init(addr, len as u32, 8, 0);
///     inos_wasm::inos_arena_alloc(addr, len as u32, 7, 10, p);
///     assert_eq!(inos_wasm::inos_arena_share(addr, len as u32, 7, p, 0), inos_wasm::status::ARENA_TOO_MANY_REFS);
///     assert_eq!(inos_wasm::inos_arena_share(addr, len as u32, 7, p, 1), 0);
///     assert_eq!(inos_wasm::inos_arena_release(addr, len as u32, 9, p), 0); // the last reference frees it
///     assert_eq!(inos_wasm::inos_arena_release(addr, len as u32, 9, p), inos_wasm::status::ARENA_STALE);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_arena_share(
    addr: usize,
    len: u32,
    party: u32,
    r: usize,
    refs: u32,
) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe { with_ref(addr, len, party, r, |a, rf| a.share(rf, refs).map(|()| OK)) }
}

/// Frees `party`'s exclusive block at `r` (arena.md §3.4). Returns 0 or a negative status
/// ([`ARENA_STALE`](crate::status::ARENA_STALE) if already freed,
/// [`ARENA_NOT_OWNER`](crate::status::ARENA_NOT_OWNER) if another party's, in transit or shared).
///
/// # Safety
/// As for [`inos_arena_init`]; `r` must be a caller-private buffer.
///
/// ```
/// let len = inos_arena::required_len(8, 2).unwrap();
/// let buf = inos_layout::RegionBuf::new(len).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let mut r = [0u32; 4];
/// let p = r.as_mut_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol; `r` is private.
/// unsafe {
///     inos_wasm::inos_arena_init(addr, len as u32, 8, 0);
///     inos_wasm::inos_arena_alloc(addr, len as u32, 7, 10, p);
///     assert_eq!(inos_wasm::inos_arena_free(addr, len as u32, 7, p), 0);
///     assert_eq!(inos_wasm::inos_arena_free(addr, len as u32, 7, p), inos_wasm::status::ARENA_STALE);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_arena_free(addr: usize, len: u32, party: u32, r: usize) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe { with_ref(addr, len, party, r, |a, rf| a.free(rf).map(|()| OK)) }
}

/// Releases one reference of the shared block at `r` (arena.md §3.5); the last one frees it.
/// Returns 0 or a negative status. (References are anonymous: `party` is only checked to be
/// non-zero.)
///
/// # Safety
/// As for [`inos_arena_init`]; `r` must be a caller-private buffer.
///
/// ```
/// let len = inos_arena::required_len(8, 2).unwrap();
/// let buf = inos_layout::RegionBuf::new(len).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let mut r = [0u32; 4];
/// let p = r.as_mut_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol; `r` is private.
/// unsafe {
///     inos_wasm::inos_arena_init(addr, len as u32, 8, 0);
///     inos_wasm::inos_arena_alloc(addr, len as u32, 7, 10, p);
///     assert_eq!(inos_wasm::inos_arena_release(addr, len as u32, 7, p), inos_wasm::status::ARENA_NOT_OWNER);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_arena_release(addr: usize, len: u32, party: u32, r: usize) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe { with_ref(addr, len, party, r, |a, rf| a.release(rf).map(|()| OK)) }
}

/// Copies `n` bytes from the caller-private buffer `src` into the block at `r`, from byte `at`
/// of the block. The reference is validated first (arena.md §3.3); `at + n` beyond the block's
/// length is [`INVALID`]. Returns 0 or a negative status.
///
/// # Safety
/// As for [`inos_arena_init`]; `r` and `src` must be caller-private buffers.
///
/// ```
/// let len = inos_arena::required_len(8, 2).unwrap();
/// let buf = inos_layout::RegionBuf::new(len).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let mut r = [0u32; 4];
/// let p = r.as_mut_ptr() as usize;
/// let mut back = [0u8; 5];
/// // SAFETY: the buffer is only accessed through the protocol; `r`, the source and `back` are private.
/// unsafe {
///     inos_wasm::inos_arena_init(addr, len as u32, 8, 0);
///     inos_wasm::inos_arena_alloc(addr, len as u32, 7, 10, p);
///     assert_eq!(inos_wasm::inos_arena_write(addr, len as u32, p, 5, b"hello".as_ptr() as usize, 5), 0);
///     assert_eq!(inos_wasm::inos_arena_write(addr, len as u32, p, 6, b"hello".as_ptr() as usize, 5), inos_wasm::status::INVALID);
///     assert_eq!(inos_wasm::inos_arena_read(addr, len as u32, p, 5, back.as_mut_ptr() as usize, 5), 0);
/// }
/// assert_eq!(&back, b"hello");
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_arena_write(
    addr: usize,
    len: u32,
    r: usize,
    at: u32,
    src: usize,
    n: u32,
) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe { copy(addr, len, r, at, src, n, true) }
}

/// Copies `n` bytes of the block at `r`, from byte `at`, into the caller-private buffer `dst`.
/// As [`inos_arena_write`] otherwise.
///
/// # Safety
/// As for [`inos_arena_init`]; `r` and `dst` must be caller-private buffers.
///
/// ```
/// let len = inos_arena::required_len(8, 2).unwrap();
/// let buf = inos_layout::RegionBuf::new(len).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let mut r = [0u32; 4];
/// let p = r.as_mut_ptr() as usize;
/// let mut back = [0u8; 4];
/// // SAFETY: the buffer is only accessed through the protocol; `r` and `back` are private.
/// unsafe {
///     inos_wasm::inos_arena_init(addr, len as u32, 8, 0);
///     inos_wasm::inos_arena_alloc(addr, len as u32, 7, 4, p);
///     inos_wasm::inos_arena_free(addr, len as u32, 7, p);
///     assert_eq!(inos_wasm::inos_arena_read(addr, len as u32, p, 0, back.as_mut_ptr() as usize, 4), inos_wasm::status::ARENA_STALE);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_arena_read(
    addr: usize,
    len: u32,
    r: usize,
    at: u32,
    dst: usize,
    n: u32,
) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe { copy(addr, len, r, at, dst, n, false) }
}

/// [`inos_arena_write`] (`into_block`) or [`inos_arena_read`].
///
/// # Safety
/// As for [`inos_arena_write`].
unsafe fn copy(
    addr: usize,
    len: u32,
    r: usize,
    at: u32,
    buf: usize,
    n: u32,
    into_block: bool,
) -> i32 {
    let call = (addr, len as usize);
    // SAFETY: forwarded to the caller.
    let a = match unsafe { arena(addr, len) } {
        Ok(a) => a,
        Err(e) => return e,
    };
    // SAFETY: forwarded to the caller.
    let rf = match unsafe { read_ref(r, call) } {
        Ok(rf) => rf,
        Err(e) => return e,
    };
    if let Err(e) = a.validate(rf) {
        return status::arena(e);
    }
    if u64::from(at) + u64::from(n) > u64::from(rf.len) {
        return INVALID;
    }
    // The validated block lies inside the region (arena.md §3.3); `bytes` checks it again.
    let bytes = match a
        .region()
        .bytes(rf.offset as usize + at as usize, n as usize)
    {
        Ok(b) => b,
        Err(e) => return status::access(e),
    };
    // SAFETY: caller-private per the contract (checked against the protocol regions by `scratch`).
    let private = match unsafe { mem::scratch(buf, n as usize, call) } {
        Ok(s) => s,
        Err(e) => return e,
    };
    if into_block {
        bytes.copy_from_slice(private);
    } else {
        bytes.copy_to_slice(private);
    }
    OK
}

/// Frees every exclusive block of the dead party `party` and rolls back its unfinished large
/// claims (arena.md §3.7). Returns the number given back, or a negative status
/// ([`ARENA_ANONYMOUS_PARTY`](crate::status::ARENA_ANONYMOUS_PARTY) for party 1).
///
/// # Safety
/// As for [`inos_arena_init`].
///
/// ```
/// let len = inos_arena::required_len(8, 2).unwrap();
/// let buf = inos_layout::RegionBuf::new(len).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let mut r = [0u32; 4];
/// // SAFETY: the buffer is only accessed through the protocol; `r` is private.
/// unsafe {
///     inos_wasm::inos_arena_init(addr, len as u32, 8, 0);
///     inos_wasm::inos_arena_alloc(addr, len as u32, 42, 10, r.as_mut_ptr() as usize);
///     assert_eq!(inos_wasm::inos_arena_reclaim(addr, len as u32, 42), 1);
///     assert_eq!(inos_wasm::inos_arena_reclaim(addr, len as u32, 1), inos_wasm::status::ARENA_ANONYMOUS_PARTY);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_arena_reclaim(addr: usize, len: u32, party: u32) -> i32 {
    let Some(p) = PartyId::new(party) else {
        return INVALID;
    };
    // SAFETY: forwarded to the caller.
    match unsafe { arena(addr, len) }.and_then(|a| a.reclaim_party(p).map_err(status::arena)) {
        Ok(n) => i32::try_from(n).unwrap_or(status::OTHER),
        Err(e) => e,
    }
}

/// Writes the arena's statistics (arena.md §3.8, one pass, not a snapshot under concurrency) to
/// `out` (8-aligned, caller-private): [`ARENA_STATS_LEN`] bytes, little-endian: `u32` chunks,
/// chunk length, free chunks, large blocks, chunks in large blocks, corrupt chunks, then `u64`
/// bytes in use, free bytes, claiming bytes. Returns 0 or a negative status.
///
/// # Safety
/// As for [`inos_arena_init`]; `out` must be a caller-private buffer.
///
/// ```
/// let len = inos_arena::required_len(8, 2).unwrap();
/// let buf = inos_layout::RegionBuf::new(len).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let mut r = [0u32; 4];
/// let mut st = [0u64; 6];
/// // SAFETY: the buffer is only accessed through the protocol; `r` and `st` are private.
/// unsafe {
///     inos_wasm::inos_arena_init(addr, len as u32, 8, 0);
///     inos_wasm::inos_arena_alloc(addr, len as u32, 7, 10, r.as_mut_ptr() as usize);
///     assert_eq!(inos_wasm::inos_arena_stats(addr, len as u32, st.as_mut_ptr() as usize), 0);
/// }
/// assert_eq!((st[3], st[4]), (64, 512 - 64)); // bytes in use, free bytes
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_arena_stats(addr: usize, len: u32, out: usize) -> i32 {
    let call = (addr, len as usize);
    if let Err(e) = mem::check_private(out, ARENA_STATS_LEN, 8, call) {
        return e;
    }
    // SAFETY: forwarded to the caller.
    let s = match unsafe { arena(addr, len) } {
        Ok(a) => a.stats(),
        Err(e) => return e,
    };
    let mut bytes = [0u8; ARENA_STATS_LEN];
    let words = [
        s.chunks,
        s.chunk_len,
        s.free_chunks,
        s.large_blocks,
        s.large_chunks,
        s.corrupt_chunks,
    ];
    for (i, w) in words.iter().enumerate() {
        bytes[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
    }
    for (i, w) in [s.bytes_in_use, s.free_bytes, s.claiming_bytes]
        .iter()
        .enumerate()
    {
        bytes[24 + i * 8..32 + i * 8].copy_from_slice(&w.to_le_bytes());
    }
    // SAFETY: checked above; caller-private per the contract.
    status::code(unsafe { mem::write_out(out, &bytes, call) })
}
