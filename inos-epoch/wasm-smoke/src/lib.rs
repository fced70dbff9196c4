//! Exports for the wasm smoke test (see README.md).
#![no_std]
use inos_epoch::{Deadline, Epoch};
use inos_layout::Region;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

fn epoch(base: *mut u8) -> Epoch<'static> {
    // SAFETY: the JS harness passes a 64-byte, 8-aligned area of the shared memory that lives
    // for the whole run and is only accessed atomically.
    let r = unsafe { Region::from_raw_parts(base, 64) }.unwrap();
    Epoch::new(r, 0).unwrap()
}

#[no_mangle]
pub extern "C" fn sig(base: *mut u8) -> u32 {
    epoch(base).signal()
}

#[no_mangle]
pub extern "C" fn wait(base: *mut u8, last: u32) -> u32 {
    epoch(base).watch_from(last).with_spins(0).wait_changed(Deadline::never()).unwrap()
}

#[no_mangle]
pub extern "C" fn waiters(base: *mut u8) -> u32 {
    epoch(base).waiters()
}
