//! Exports for the region header: format or attach the standard INOS layout, look regions up.

use inos_epoch::Flag;
use inos_layout::standard::{self, epochs, StandardRegion};
use inos_layout::{Region, Role, WaitPolicy};
use inos_ledger::Ledger;
use inos_ring::{layout::HEADER_LEN as RING_HEADER_LEN, Mpsc, Ring};

use crate::mem;
use crate::status::{self, INVALID, NOT_FOUND};

/// Version of this ABI (the export names, argument lists and status codes). 4 added
/// [`inos_ring_init_fixed`](crate::inos_ring_init_fixed): fixed-size rings (ring.md §3.3).
pub const ABI_VERSION: u32 = 4;

/// Accounts the standard ledger region is formatted with.
pub const STANDARD_LEDGER_ACCOUNTS: u32 = 512;
/// Concurrent holds the standard ledger region is formatted with.
pub const STANDARD_LEDGER_HOLDS: u32 = 510;

/// Spins an attach waits for a region another party is formatting.
const ATTACH_SPINS: u32 = 1 << 16;

/// Returns [`ABI_VERSION`].
///
/// ```
/// assert_eq!(inos_wasm::inos_abi_version(), inos_wasm::ABI_VERSION);
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub extern "C" fn inos_abi_version() -> u32 {
    ABI_VERSION
}

/// The smallest region [`inos_format_standard`] accepts (the fixed regions plus a 64 KiB arena).
///
/// ```
/// assert_eq!(inos_wasm::inos_standard_min_size(), 0x16_0000);
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub extern "C" fn inos_standard_min_size() -> u32 {
    standard::MIN_TOTAL_SIZE as u32
}

/// The largest power of two that fits a ring's data area in a region of `len` bytes.
fn ring_capacity_for(len: u32) -> u32 {
    let data = len.saturating_sub(RING_HEADER_LEN as u32);
    if data == 0 {
        0
    } else {
        1 << (31 - data.leading_zeros())
    }
}

/// Formats the standard INOS layout of `len` bytes at `base`, or attaches if another party
/// already did. Returns 0 if this call formatted it, 1 if it attached, or a negative status.
///
/// The formatter also formats the payload regions the protocol crates own: the three rings
/// (`inbox`, `outbox_host`, `outbox_kernel`) as MPSC rings with the largest power-of-two capacity
/// that fits, and the `ledger` with [`STANDARD_LEDGER_ACCOUNTS`] accounts and
/// [`STANDARD_LEDGER_HOLDS`] holds. Then, last, it sets the `kernel_ready` flag (epoch slot 0):
/// parties that attach concurrently wait for that flag before using rings or the ledger.
///
/// # Safety
/// `base..base + len` must be memory that only protocol parties access (in the wasm module:
/// linear memory above `__heap_base` that is no worker's stack or scratch area).
///
/// ```
/// let buf = inos_layout::RegionBuf::new(inos_wasm::inos_standard_min_size() as usize).unwrap();
/// let base = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let len = buf.region().len() as u32;
/// // SAFETY: the buffer is only accessed through the protocol.
/// unsafe {
///     assert_eq!(inos_wasm::inos_format_standard(base, len), 0);
///     assert_eq!(inos_wasm::inos_format_standard(base, len), 1); // already formatted
///     assert!(inos_wasm::inos_attach_standard(base, len) > 0); // the boot generation
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_format_standard(base: usize, len: u32) -> i32 {
    // SAFETY: forwarded to the caller.
    let r = unsafe { format_standard(base, len) };
    match r {
        Ok(Role::Formatted) => 0,
        Ok(_) => 1,
        Err(e) => e,
    }
}

/// # Safety
/// As for [`inos_format_standard`].
unsafe fn format_standard(base: usize, len: u32) -> Result<Role, i32> {
    // SAFETY: forwarded to the caller.
    let region = unsafe { mem::region(base, len as usize) }?;
    let layout = standard::standard(u64::from(len)).map_err(|_| status::TOO_SMALL)?;
    let (att, role) =
        inos_layout::create_or_attach(region, &layout, WaitPolicy::spins(ATTACH_SPINS))
            .map_err(status::attach)?;
    if role != Role::Formatted {
        return Ok(role);
    }
    for ring in [
        StandardRegion::Inbox,
        StandardRegion::OutboxHost,
        StandardRegion::OutboxKernel,
    ] {
        let r = att.get(ring).ok_or(NOT_FOUND)?;
        Ring::<Mpsc>::init(r, ring_capacity_for(r.len() as u32)).map_err(status::ring)?;
    }
    let ledger = att.get(StandardRegion::Ledger).ok_or(NOT_FOUND)?;
    Ledger::init(ledger, STANDARD_LEDGER_ACCOUNTS, STANDARD_LEDGER_HOLDS)
        .map_err(status::ledger)?;
    Flag::new(region, epochs::KERNEL_READY.offset())
        .map_err(status::access)?
        .set();
    Ok(role)
}

/// Attaches to a standard layout of `len` bytes at `base` that another party formatted, checking
/// the header, the directory and the layout fingerprint. Returns the boot generation (> 0) or a
/// negative status ([`NOT_READY`](crate::status::NOT_READY) while it is being formatted).
///
/// # Safety
/// As for [`inos_format_standard`].
///
/// ```
/// let buf = inos_layout::RegionBuf::new(inos_wasm::inos_standard_min_size() as usize).unwrap();
/// let base = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol.
/// let st = unsafe { inos_wasm::inos_attach_standard(base, buf.region().len() as u32) };
/// assert_eq!(st, inos_wasm::status::NOT_READY); // zeroed memory: nobody formatted it
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_attach_standard(base: usize, len: u32) -> i32 {
    // SAFETY: forwarded to the caller.
    let region = match unsafe { mem::region(base, len as usize) } {
        Ok(r) => r,
        Err(e) => return e,
    };
    let Ok(layout) = standard::standard(u64::from(len)) else {
        return status::TOO_SMALL;
    };
    match inos_layout::attach(region, &layout, WaitPolicy::NO_WAIT) {
        Ok(a) => a.generation() as i32 & i32::MAX,
        Err(e) => status::attach(e),
    }
}

/// Looks up the region named by the UTF-8 bytes at `name_ptr..name_ptr + name_len` in the
/// directory of any inos region of `len` bytes at `base`, and writes three little-endian `u32`s
/// to `out` (4-aligned, 12 bytes): its offset from `base`, its size and its kind. Returns 0 or a
/// negative status ([`NOT_FOUND`](crate::status::NOT_FOUND)).
///
/// # Safety
/// As for [`inos_format_standard`]; `name_ptr` and `out` must be caller-private buffers.
///
/// ```
/// let buf = inos_layout::RegionBuf::new(inos_wasm::inos_standard_min_size() as usize).unwrap();
/// let base = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let len = buf.region().len() as u32;
/// let name = b"ledger";
/// let mut out = [0u32; 3];
/// // SAFETY: the buffer is only accessed through the protocol; `name` and `out` are private.
/// unsafe {
///     inos_wasm::inos_format_standard(base, len);
///     let st = inos_wasm::inos_region_find(base, len, name.as_ptr() as usize, 6, out.as_mut_ptr() as usize);
///     assert_eq!(st, 0);
/// }
/// assert_eq!(out, [0x2_0000, 0x1_0000, 5]);
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_region_find(
    base: usize,
    len: u32,
    name_ptr: usize,
    name_len: u32,
    out: usize,
) -> i32 {
    // SAFETY: forwarded to the caller.
    status::code(unsafe { region_find(base, len, name_ptr, name_len, out) })
}

/// # Safety
/// As for [`inos_region_find`].
unsafe fn region_find(
    base: usize,
    len: u32,
    name_ptr: usize,
    name_len: u32,
    out: usize,
) -> Result<(), i32> {
    // SAFETY: forwarded to the caller.
    let region: Region<'static> = unsafe { mem::region(base, len as usize) }?;
    // SAFETY: caller-private per the contract.
    let name = unsafe { mem::scratch(name_ptr, name_len as usize, mem::span(&region)) }?;
    let name = core::str::from_utf8(name).map_err(|_| INVALID)?;
    let att = inos_layout::attach_any(region, WaitPolicy::NO_WAIT).map_err(status::attach)?;
    let e = att.entry(name).ok_or(NOT_FOUND)?;
    mem::check_private(out, 12, 4, mem::span(&region))?;
    let mut bytes = [0u8; 12];
    bytes[..4].copy_from_slice(&e.offset.to_le_bytes());
    bytes[4..8].copy_from_slice(&e.size.to_le_bytes());
    bytes[8..].copy_from_slice(&e.kind.0.to_le_bytes());
    // SAFETY: caller-private per the contract.
    unsafe { mem::write_out(out, &bytes, mem::span(&region)) }?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ring_capacity_for;

    #[test]
    fn ring_capacity_is_the_largest_power_of_two_that_fits() {
        assert_eq!(ring_capacity_for(512 * 1024), 256 * 1024);
        assert_eq!(ring_capacity_for(512 + 4096), 4096);
        assert_eq!(ring_capacity_for(100), 0);
    }
}
