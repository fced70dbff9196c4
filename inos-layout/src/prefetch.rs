//! Write prefetch: a cache hint with no effect on memory ([`Region::prefetch_write`]).
//!
//! [`Region::prefetch_write`]: crate::Region::prefetch_write

/// The cache line size the prefetches step by (64 bytes on every processor that has
/// `PREFETCHW`; a wrong guess would cost speed only).
pub(crate) const LINE: usize = 64;

/// Hints the processor to bring the cache line holding `p` into this core's cache in a state
/// ready for writing. `p` may be any address: the hint reads and writes nothing, cannot fault,
/// and is skipped where it is not known to exist.
#[inline(always)]
pub(crate) fn for_write(p: *const u8) {
    #[cfg(all(target_arch = "x86_64", not(miri), not(target_env = "sgx")))]
    if x86::has_prefetchw() {
        // SAFETY: PREFETCHW (present: checked by CPUID just above) is a hint: in the abstract
        // machine it does nothing (no access, so no race with any party), it never faults, not
        // even on an unmapped address, and it changes no register or flag. `readonly` only keeps
        // the compiler from assuming it writes.
        unsafe {
            core::arch::asm!(
                "prefetchw byte ptr [{p}]",
                p = in(reg) p,
                options(readonly, nostack, preserves_flags)
            )
        };
    }
    #[cfg(not(all(target_arch = "x86_64", not(miri), not(target_env = "sgx"))))]
    let _ = p;
}

#[cfg(all(target_arch = "x86_64", not(miri), not(target_env = "sgx")))]
mod x86 {
    use core::sync::atomic::{AtomicU8, Ordering::Relaxed};

    /// 0: not asked yet, 1: absent, 2: present.
    static PREFETCHW: AtomicU8 = AtomicU8::new(0);

    /// Whether the processor has PREFETCHW (CPUID leaf 0x8000_0001, ECX bit 8: `PRFCHW` /
    /// `3DNowPrefetch`), asked once per process.
    #[inline(always)]
    pub(super) fn has_prefetchw() -> bool {
        match PREFETCHW.load(Relaxed) {
            0 => ask(),
            v => v == 2,
        }
    }

    #[cold]
    fn ask() -> bool {
        // SAFETY: CPUID exists on every x86-64 processor (outside SGX enclaves, excluded above);
        // leaf 0x8000_0000 returns the highest extended leaf, so 0x8000_0001 is asked only if
        // it exists. (`__cpuid` is a safe function since Rust 1.87, an unsafe one before.)
        #[allow(unused_unsafe)]
        let has = unsafe {
            core::arch::x86_64::__cpuid(0x8000_0000).eax >= 0x8000_0001
                && core::arch::x86_64::__cpuid(0x8000_0001).ecx & (1 << 8) != 0
        };
        // Relaxed: any thread may race to store the same answer.
        PREFETCHW.store(if has { 2 } else { 1 }, Relaxed);
        has
    }
}

#[cfg(test)]
mod tests {
    use crate::RegionBuf;

    #[test]
    fn a_prefetch_changes_nothing_anywhere() {
        let buf = RegionBuf::new(256).unwrap();
        let region = buf.region();
        region.write(0, &[0xA5; 256]).unwrap();
        for off in [0, 1, 63, 64, 255, 256, 4096, usize::MAX] {
            region.prefetch_write(off);
            for len in [0, 1, 64, 300, usize::MAX] {
                region.prefetch_write_range(off, len); // clipped, never overflowing
            }
        }
        // And raw addresses that belong to nobody: a hint never faults.
        super::for_write(core::ptr::null());
        super::for_write(core::ptr::null::<u8>().wrapping_add(usize::MAX));
        let mut out = [0; 256];
        region.read(0, &mut out).unwrap();
        assert_eq!(out, [0xA5; 256]);
    }

    /// The CPUID bit read is the one Linux reports as `3dnowprefetch` (PREFETCHW).
    #[cfg(all(
        target_arch = "x86_64",
        target_os = "linux",
        not(miri),
        not(target_env = "sgx")
    ))]
    #[test]
    fn cpuid_agrees_with_the_kernel() {
        let Ok(info) = std::fs::read_to_string("/proc/cpuinfo") else {
            return;
        };
        let Some(flags) = info.lines().find(|l| l.starts_with("flags")) else {
            return;
        };
        let kernel = flags.split_whitespace().any(|f| f == "3dnowprefetch");
        assert_eq!(super::x86::has_prefetchw(), kernel);
        assert_eq!(super::x86::has_prefetchw(), kernel, "the cached answer");
    }

    #[test]
    fn long_copies_with_prefetch_copy_every_byte() {
        // Around the prefetch threshold and distance, at unaligned and aligned offsets.
        for len in [1020, 1024, 1028, 1536, 4096, 4100] {
            for at in [0, 4, 60, 128] {
                let buf = RegionBuf::new(8192).unwrap();
                let src: std::vec::Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
                buf.region().write(at, &src).unwrap();
                let mut out = std::vec![0; len];
                buf.region().read(at, &mut out).unwrap();
                assert_eq!(out, src, "len {len} at {at}");
                let mut around = [0; 4];
                buf.region().read(at + len, &mut around).unwrap();
                assert_eq!(around, [0; 4], "nothing written past the copy");
            }
        }
    }
}
