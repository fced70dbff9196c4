//! Turning the integer addresses the host passes into checked [`Region`]s and buffers.
//!
//! In the wasm module an address *is* an offset into linear memory (the `SharedArrayBuffer`), so
//! the host computes `base + offset` with plain integer arithmetic. Every address is checked
//! before use: not null, aligned where the protocol needs it, inside the current memory, and not
//! below `__heap_base` (so a wrong offset cannot format over the module's own stack, statics or
//! handle table). On the host (tests) only the null and alignment checks apply: the caller's
//! `# Safety` contract covers the rest.
//!
//! Caller-private buffers (message scratch, names, `out` addresses) are checked further before a
//! slice is formed over them ([`check_private`]): they must not overlap the module's stack and
//! statics, the protocol region the call works on, or (in the wasm module) any protocol region
//! the module has been handed so far; an overlap gives [`OVERLAP`].

use core::sync::atomic::{AtomicUsize, Ordering};

use inos_layout::Region;

use crate::status::{INVALID, OVERLAP};

#[cfg(target_arch = "wasm32")]
extern "C" {
    /// Defined by the linker: the first byte after the module's stack and static data.
    static __heap_base: u8;
}

/// The lowest address the module lets a region or buffer start at.
#[inline]
pub(crate) fn heap_base() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        // Only the symbol's address is taken; the byte itself is never read.
        core::ptr::addr_of!(__heap_base) as usize
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        1
    }
}

/// Bytes of linear memory right now (`usize::MAX` off wasm, where the caller's contract rules).
#[inline]
pub(crate) fn memory_len() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size::<0>().saturating_mul(65536)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        usize::MAX
    }
}

/// Checks that `addr..addr + len` is a plausible buffer: not null, at or above `__heap_base`,
/// inside linear memory, and `addr` a multiple of `align`.
#[inline]
pub(crate) fn check(addr: usize, len: usize, align: usize) -> Result<(), i32> {
    let end = addr.checked_add(len).ok_or(INVALID)?;
    if addr == 0 || addr < heap_base() || end > memory_len() || addr % align != 0 {
        return Err(INVALID);
    }
    Ok(())
}

/// Protocol regions the module has been handed (every [`region`] call records its range, unless
/// an earlier one already covers it): caller-private buffers must not overlap them.
///
/// Only in the wasm module, where linear memory is never freed, so a region stays a region for
/// the life of the program. On the host (tests, doc examples) buffers are freed and their memory
/// reused, so a recorded range could later be a caller's legitimate buffer; there only the
/// per-call check applies (the buffer against the region the call works on).
static PROTOCOL: Ranges<16> = Ranges::new();

/// Up to `N` address ranges, appended lock-free and never removed.
///
/// A range being added concurrently with a check may be missed by that check (it is published
/// only once complete); once `add` has returned, every later check sees it. When all `N` entries
/// are used, further ranges are not recorded (the standard memory plan has one protocol region,
/// and regions inside a recorded one take no entry).
pub(crate) struct Ranges<const N: usize> {
    start: [AtomicUsize; N],
    /// Exclusive end; 0 while the entry is unused or not yet published.
    end: [AtomicUsize; N],
}

impl<const N: usize> Ranges<N> {
    pub(crate) const fn new() -> Self {
        Self {
            start: [const { AtomicUsize::new(0) }; N],
            end: [const { AtomicUsize::new(0) }; N],
        }
    }

    /// The published ranges.
    fn each(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.start.iter().zip(&self.end).filter_map(|(s, e)| {
            // SYNC: Acquire, pairs with the Release store of `end` in `add`: the entry's start
            // was written before.
            let end = e.load(Ordering::Acquire);
            (end != 0).then(|| (s.load(Ordering::Relaxed), end))
        })
    }

    /// Records `start..end` (`start > 0`) unless a recorded range already covers it.
    pub(crate) fn add(&self, start: usize, end: usize) {
        if start == 0 || start >= end || self.each().any(|(s, e)| s <= start && end <= e) {
            return;
        }
        for (s, e) in self.start.iter().zip(&self.end) {
            // Claim an unused entry (its start is 0) for this thread.
            if s.compare_exchange(0, start, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
            {
                // SYNC: Release, pairs with the Acquire load in `each`.
                e.store(end, Ordering::Release);
                return;
            }
        }
    }

    /// Whether `start..end` overlaps a recorded range.
    pub(crate) fn overlaps(&self, start: usize, end: usize) -> bool {
        self.each().any(|(s, e)| s < end && start < e)
    }
}

/// A [`Region`] over `addr..addr + len` after [`check`] (8-aligned base). In the wasm module the
/// range is recorded as a protocol region (see [`PROTOCOL`]).
///
/// # Safety
/// The bytes must stay valid for the life of the program (true of wasm linear memory, which
/// never shrinks), be accessed by other parties only atomically or under the protocol, and no
/// `&`/`&mut` to them may exist in this module.
#[inline]
pub(crate) unsafe fn region(addr: usize, len: usize) -> Result<Region<'static>, i32> {
    check(addr, len, 8)?;
    // SAFETY: forwarded to the caller; `check` proved non-null, aligned and in memory.
    let region =
        unsafe { Region::from_raw_parts(addr as *mut u8, len) }.map_err(crate::status::access)?;
    if cfg!(target_arch = "wasm32") {
        PROTOCOL.add(addr, addr + len);
    }
    Ok(region)
}

/// The address range `(start, len)` of a region, for [`check_private`].
pub(crate) fn span(region: &Region<'_>) -> (usize, usize) {
    let start = region.u32_at(0).map_or(0, |w| w.as_ptr() as usize);
    (start, region.len())
}

/// Checks that `addr..addr + len` may be a caller-private buffer: [`check`]'s checks (null,
/// misaligned or outside memory: [`INVALID`]), and no overlap ([`OVERLAP`]) with the module's
/// stack and statics (below `__heap_base`), with `call` (the region the call works on, as
/// `(start, len)`), or, in the wasm module, with any protocol region recorded so far. A zero
/// length is always fine (nothing is accessed).
pub(crate) fn check_private(
    addr: usize,
    len: usize,
    align: usize,
    call: (usize, usize),
) -> Result<(), i32> {
    if len == 0 {
        return Ok(());
    }
    let end = addr.checked_add(len).ok_or(INVALID)?;
    if addr == 0 || end > memory_len() || addr % align != 0 {
        return Err(INVALID);
    }
    let (c0, clen) = call;
    if addr < heap_base()
        || (c0 < end && addr < c0.saturating_add(clen))
        || (cfg!(target_arch = "wasm32") && PROTOCOL.overlaps(addr, end))
    {
        return Err(OVERLAP);
    }
    Ok(())
}

/// The caller-private bytes `addr..addr + len` (a worker's scratch buffer) as a slice, after
/// [`check_private`] against `call` (the region the call works on) and the recorded protocol
/// regions: the slice is formed only over bytes that are not shared protocol memory.
///
/// A zero length gives an empty slice whatever `addr` is.
///
/// # Safety
/// The bytes must be private to the calling worker for the duration of the call (its own scratch
/// area): no other thread may read or write them meanwhile.
#[inline]
pub(crate) unsafe fn scratch<'a>(
    addr: usize,
    len: usize,
    call: (usize, usize),
) -> Result<&'a mut [u8], i32> {
    if len == 0 {
        return Ok(&mut []);
    }
    check_private(addr, len, 1, call)?;
    // SAFETY: in memory, non-null and outside the protocol regions the module knows (checked);
    // exclusive for the call per the caller's contract.
    Ok(unsafe { core::slice::from_raw_parts_mut(addr as *mut u8, len) })
}

/// Writes `bytes` to the caller-private `out` address if it is not 0 (checked as by [`scratch`]).
///
/// # Safety
/// As for [`scratch`].
pub(crate) unsafe fn write_out(out: usize, bytes: &[u8], call: (usize, usize)) -> Result<(), i32> {
    if out == 0 {
        return Ok(());
    }
    // SAFETY: forwarded to the caller.
    let dst = unsafe { scratch(out, bytes.len(), call) }?;
    dst.copy_from_slice(bytes);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_record_and_report_overlaps() {
        let r: Ranges<2> = Ranges::new();
        assert!(!r.overlaps(0, usize::MAX));
        r.add(100, 200);
        r.add(120, 130); // covered: takes no entry
        r.add(0, 50); // 0 is never a range start
        assert!(r.overlaps(199, 201) && r.overlaps(50, 101) && r.overlaps(120, 121));
        assert!(!r.overlaps(200, 300) && !r.overlaps(10, 100));
        r.add(300, 400);
        r.add(500, 600); // full: not recorded
        assert!(r.overlaps(350, 351));
        assert!(!r.overlaps(500, 600));
    }

    #[test]
    fn private_buffers_must_not_overlap_the_calls_region() {
        let call = (1000, 100);
        assert_eq!(check_private(900, 100, 1, call), Ok(()));
        assert_eq!(check_private(1104, 8, 8, call), Ok(()));
        assert_eq!(check_private(901, 100, 1, call), Err(OVERLAP));
        assert_eq!(check_private(1099, 1, 1, call), Err(OVERLAP));
        assert_eq!(check_private(500, 1000, 1, call), Err(OVERLAP));
        assert_eq!(check_private(0, 4, 1, call), Err(INVALID));
        assert_eq!(check_private(1201, 8, 8, call), Err(INVALID));
        assert_eq!(check_private(1050, 0, 1, call), Ok(()));
    }
}
