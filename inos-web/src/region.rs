//! Regions: zeroed allocations in the module's own (shared) memory, recorded so that every
//! offset+length JS passes in is checked against them before a [`Region`] is formed.
//!
//! The record is a fixed, append-only, lock-free table in shared memory (every worker sees it):
//! no lock, so the browser main thread never waits on one.

use core::sync::atomic::{AtomicUsize, Ordering};

use inos_layout::Region;
use wasm_bindgen::prelude::*;

use crate::error::{err, Code};

/// How many regions [`alloc_region`] can hand out over the program's life.
pub const MAX_REGIONS: usize = 64;

/// Alignment of every region (a cache line; more than any protocol structure needs).
const ALIGN: usize = 64;

static START: [AtomicUsize; MAX_REGIONS] = [const { AtomicUsize::new(0) }; MAX_REGIONS];
/// Exclusive end, 0 while unpublished.
static END: [AtomicUsize; MAX_REGIONS] = [const { AtomicUsize::new(0) }; MAX_REGIONS];

/// Allocates `len` zeroed bytes (64-aligned) that live for the rest of the program and returns
/// their offset in the module's memory (JS: `allocRegion(len)`). Pass the offset (and length, or
/// any sub-range) to `Ring`, `Epoch` and `Ledger`, in this thread or any worker.
///
/// Throws `InosError` `Invalid` for a zero length, `OutOfMemory` when the allocator or the
/// region table ([`MAX_REGIONS`]) is exhausted.
#[wasm_bindgen(js_name = allocRegion)]
pub fn alloc_region(len: u32) -> Result<u32, JsValue> {
    let len = len as usize;
    if len == 0 {
        return Err(err(Code::Invalid, "a region needs at least one byte"));
    }
    let layout = std::alloc::Layout::from_size_align(len, ALIGN)
        .map_err(|_| err(Code::Invalid, "length too large"))?;
    let slot = START
        .iter()
        .position(|s| {
            s.compare_exchange(0, usize::MAX, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        })
        .ok_or_else(|| err(Code::OutOfMemory, "region table full"))?;
    // SAFETY: `layout` has a non-zero size (checked above).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
    if ptr.is_null() {
        // The slot stays claimed but unpublished (END is 0): it never matches a lookup.
        return Err(err(Code::OutOfMemory, "allocation failed"));
    }
    let start = ptr as usize;
    START[slot].store(start, Ordering::Relaxed);
    // SYNC: Release, pairs with the Acquire load of END in `region`: the start (and the zeroed
    // bytes) are visible to any thread that sees the end.
    END[slot].store(start + len, Ordering::Release);
    u32::try_from(start).map_err(|_| err(Code::OutOfMemory, "offset beyond 4 GiB"))
}

/// How many regions have been allocated (JS: `regionCount()`).
#[wasm_bindgen(js_name = regionCount)]
pub fn region_count() -> u32 {
    // SYNC: Acquire, as in `region`.
    END.iter()
        .filter(|e| e.load(Ordering::Acquire) != 0)
        .count() as u32
}

/// `offset..offset + len` of the module's memory as a [`Region`], for a wasm-bindgen module that
/// embeds this crate and works on a region JS hands in (as `examples/web-module` does): checked
/// exactly as every JS call checks its range — inside one region from [`alloc_region`], `offset`
/// `align`-aligned (a power of two), not empty — else `InosError` `BadRange` (`Invalid` for a
/// number that is not an integer in `0..2^32`). Not exported to JS.
///
/// ```no_run
/// # fn main() -> Result<(), wasm_bindgen::JsValue> {
/// let r = inos_web::shared_region(4096.0, 64.0, 4)?; // offset and length from JS
/// let first = r.u32_at(0).map_err(|_| wasm_bindgen::JsValue::NULL)?;
/// # let _ = first; Ok(()) }
/// ```
pub fn shared_region(offset: f64, len: f64, align: usize) -> Result<Region<'static>, JsValue> {
    if !align.is_power_of_two() {
        return Err(err(Code::Invalid, "alignment must be a power of two"));
    }
    region(offset, len, align)
}

/// `offset..offset + len` as a [`Region`], if it lies inside one allocated region and `offset`
/// is `align`-aligned; `InosError` `BadRange` otherwise.
pub(crate) fn region(offset: f64, len: f64, align: usize) -> Result<Region<'static>, JsValue> {
    let (offset, len) = (index(offset, "offset")?, index(len, "length")?);
    let end = offset
        .checked_add(len)
        .ok_or_else(|| err(Code::BadRange, "offset + length overflows"))?;
    if len == 0 || offset % align != 0 {
        return Err(err(
            Code::BadRange,
            format_args!("range {offset}+{len}: empty or not {align}-aligned"),
        ));
    }
    let inside = START.iter().zip(&END).any(|(s, e)| {
        // SYNC: Acquire, pairs with the Release store in `alloc_region`.
        let e = e.load(Ordering::Acquire);
        e != 0 && s.load(Ordering::Relaxed) <= offset && end <= e
    });
    if !inside {
        return Err(err(
            Code::BadRange,
            format_args!("range {offset}+{len} is not inside an allocated region"),
        ));
    }
    // SAFETY: the range lies inside an allocation that is never freed (so valid for 'static),
    // non-null and aligned (checked); its bytes are accessed only through the protocol crates
    // (atomics) and by other parties through atomics or JS typed arrays, never through a Rust
    // reference.
    unsafe { Region::from_raw_parts(offset as *mut u8, len) }.map_err(|e| err(Code::BadRange, e))
}

/// A JS number that must be a non-negative integer below 2^32.
pub(crate) fn index(v: f64, what: &str) -> Result<usize, JsValue> {
    if v.fract() != 0.0 || !(0.0..4_294_967_296.0).contains(&v) {
        return Err(err(
            Code::Invalid,
            format_args!("{what} must be an integer in 0..2^32, got {v}"),
        ));
    }
    Ok(v as usize)
}

/// The byte offset of a region in the module's memory.
pub(crate) fn base(region: &Region<'_>) -> usize {
    region.u32_at(0).map_or(0, |w| w.as_ptr() as usize)
}
