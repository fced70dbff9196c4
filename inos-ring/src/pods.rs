//! Where the batched SPSC calls take their values from and put them: a slice
//! ([`Producer::push_pods`](crate::Producer::push_pods),
//! [`Consumer::pop_pods`](crate::Consumer::pop_pods)) or a closure, value by value, with no
//! staging array ([`Producer::push_pods_with`](crate::Producer::push_pods_with),
//! [`Consumer::pop_pods_with`](crate::Consumer::pop_pods_with)).

use bytemuck::Pod;
use inos_layout::Region;

/// Values for `push_pods`: `len()` of them, written on demand.
pub(crate) trait Source<T: Pod> {
    /// How many values there are.
    fn len(&self) -> usize;

    /// Writes values `i .. i + k` at region offset `dst`, one every `stride` bytes.
    ///
    /// # Safety
    /// `i + k <= len()`; `dst` is 4-aligned, `stride` a multiple of 4 and at least
    /// `size_of::<T>()`; `[dst, dst + k * stride)` lies in the region and nobody else writes it.
    unsafe fn write(&mut self, region: &Region<'_>, dst: usize, i: usize, k: usize, stride: usize);
}

/// A slice of values (`push_pods`).
pub(crate) struct FromSlice<'s, T>(pub(crate) &'s [T]);

impl<T: Pod> Source<T> for FromSlice<'_, T> {
    #[inline(always)]
    fn len(&self) -> usize {
        self.0.len()
    }

    #[inline(always)]
    unsafe fn write(&mut self, region: &Region<'_>, dst: usize, i: usize, k: usize, stride: usize) {
        let values = &self.0[i..i + k];
        if stride == core::mem::size_of::<T>() {
            // SAFETY: per the contract; the values lie back to back (the stride is their size).
            unsafe { region.copy_in_padded(dst, bytemuck::cast_slice(values)) };
        } else {
            for (j, v) in values.iter().enumerate() {
                // SAFETY: per the contract, one value and its padding to 4 at a time.
                unsafe { region.copy_in_padded(dst + j * stride, bytemuck::bytes_of(v)) };
            }
        }
    }
}

/// `n` values made by a closure from their index in the call (`push_pods_with`).
pub(crate) struct FromFn<F> {
    pub(crate) n: usize,
    pub(crate) make: F,
}

impl<T: Pod, F: FnMut(usize) -> T> Source<T> for FromFn<F> {
    #[inline(always)]
    fn len(&self) -> usize {
        self.n
    }

    #[inline(always)]
    unsafe fn write(&mut self, region: &Region<'_>, dst: usize, i: usize, k: usize, stride: usize) {
        for j in 0..k {
            let v = (self.make)(i + j);
            // SAFETY: per the contract, one value and its padding to 4 at a time.
            unsafe { region.copy_in_padded(dst + j * stride, bytemuck::bytes_of(&v)) };
        }
    }
}

/// Where `pop_pods` puts the values it takes.
pub(crate) trait Sink<T: Pod> {
    /// How many values it takes at most.
    fn room(&self) -> usize;

    /// Reads values `i .. i + k` of the call from region offset `src`, one every `stride` bytes.
    ///
    /// # Safety
    /// `i + k <= room()`; `src` is 4-aligned, `stride` a multiple of 4 and at least
    /// `size_of::<T>()`; `[src, src + k * stride)` lies in the region.
    unsafe fn read(&mut self, region: &Region<'_>, src: usize, i: usize, k: usize, stride: usize);
}

/// A slice to fill (`pop_pods`).
pub(crate) struct IntoSlice<'s, T>(pub(crate) &'s mut [T]);

impl<T: Pod> Sink<T> for IntoSlice<'_, T> {
    #[inline(always)]
    fn room(&self) -> usize {
        self.0.len()
    }

    #[inline(always)]
    unsafe fn read(&mut self, region: &Region<'_>, src: usize, i: usize, k: usize, stride: usize) {
        let out = &mut self.0[i..i + k];
        if stride == core::mem::size_of::<T>() {
            // SAFETY: per the contract; the values lie back to back (the stride is their size).
            unsafe { region.copy_out_padded(src, bytemuck::cast_slice_mut(out)) };
        } else {
            for (j, v) in out.iter_mut().enumerate() {
                // SAFETY: per the contract, one value and its padding to 4 at a time.
                unsafe { region.copy_out_padded(src + j * stride, bytemuck::bytes_of_mut(v)) };
            }
        }
    }
}

/// At most `max` values handed to a closure by value (`pop_pods_with`).
pub(crate) struct IntoFn<F> {
    pub(crate) max: usize,
    pub(crate) take: F,
}

impl<T: Pod, F: FnMut(T)> Sink<T> for IntoFn<F> {
    #[inline(always)]
    fn room(&self) -> usize {
        self.max
    }

    #[inline(always)]
    unsafe fn read(&mut self, region: &Region<'_>, src: usize, _: usize, k: usize, stride: usize) {
        for j in 0..k {
            let mut v = T::zeroed();
            // SAFETY: per the contract, one value and its padding to 4 at a time.
            unsafe { region.copy_out_padded(src + j * stride, bytemuck::bytes_of_mut(&mut v)) };
            (self.take)(v);
        }
    }
}
