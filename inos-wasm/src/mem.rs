//! Turning the integer addresses the host passes into checked [`Region`]s and buffers.
//!
//! In the wasm module an address *is* an offset into linear memory (the `SharedArrayBuffer`), so
//! the host computes `base + offset` with plain integer arithmetic. Every address is checked
//! before use: not null, aligned where the protocol needs it, inside the current memory, and not
//! below `__heap_base` (so a wrong offset cannot format over the module's own stack, statics or
//! handle table). On the host (tests) only the null and alignment checks apply: the caller's
//! `# Safety` contract covers the rest.

use inos_layout::Region;

use crate::status::INVALID;

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

/// A [`Region`] over `addr..addr + len` after [`check`] (8-aligned base).
///
/// # Safety
/// The bytes must stay valid for the life of the program (true of wasm linear memory, which
/// never shrinks), be accessed by other parties only atomically or under the protocol, and no
/// `&`/`&mut` to them may exist in this module.
#[inline]
pub(crate) unsafe fn region(addr: usize, len: usize) -> Result<Region<'static>, i32> {
    check(addr, len, 8)?;
    // SAFETY: forwarded to the caller; `check` proved non-null, aligned and in memory.
    unsafe { Region::from_raw_parts(addr as *mut u8, len) }.map_err(crate::status::access)
}

/// The caller-private bytes `addr..addr + len` (a worker's scratch buffer) as a slice.
///
/// A zero length gives an empty slice whatever `addr` is.
///
/// # Safety
/// The bytes must be private to the calling worker for the duration of the call (its own scratch
/// area): no other thread may read or write them meanwhile.
#[inline]
pub(crate) unsafe fn scratch<'a>(addr: usize, len: usize) -> Result<&'a mut [u8], i32> {
    if len == 0 {
        return Ok(&mut []);
    }
    check(addr, len, 1)?;
    // SAFETY: in memory and non-null (checked); exclusive for the call per the caller's contract.
    Ok(unsafe { core::slice::from_raw_parts_mut(addr as *mut u8, len) })
}

/// Writes `bytes` to the caller-private `out` address if it is not 0.
///
/// # Safety
/// As for [`scratch`].
pub(crate) unsafe fn write_out(out: usize, bytes: &[u8]) -> Result<(), i32> {
    if out == 0 {
        return Ok(());
    }
    // SAFETY: forwarded to the caller.
    let dst = unsafe { scratch(out, bytes.len()) }?;
    dst.copy_from_slice(bytes);
    Ok(())
}
