//! [`SharedRegion`], [`Owned`] and [`RegionOwner`]: owning a region and the handles built on it
//! in one value (the overview and the soundness argument are on [`Owned`]).

use alloc::sync::Arc;
use core::marker::PhantomData;

use crate::region::Region;
use crate::{Dependent, RegionBuf};

/// Memory that can back a [`SharedRegion`]: a [`RegionBuf`], an `shm` mapping
/// (`shm::ShmRegion`, feature `shm`), or your own.
///
/// # Safety
/// An implementation promises that [`region`](RegionOwner::region):
/// - returns a region over the same bytes (same base and length) on every call;
/// - whose bytes stay valid for reads and writes, and are neither freed, unmapped, remapped nor
///   shrunk, for as long as `self` is alive (until its `drop` starts), not only for the `&self`
///   borrow it was called with;
/// - and that, in this process, those bytes are accessed only atomically (the contract of
///   [`Region::from_raw_parts`]): no `&[u8]`/`&mut [u8]` over them is ever formed.
///
/// ```
/// use inos_layout::{Region, RegionBuf, RegionOwner, SharedRegion};
///
/// /// A region over a `'static` buffer (e.g. a linker-placed shared section).
/// struct Static(RegionBuf);
///
/// // SAFETY: `RegionBuf::region` returns the same heap allocation on every call, freed only when
/// // the buffer is dropped, and accessed only through `Region`s.
/// unsafe impl RegionOwner for Static {
///     fn region(&self) -> Region<'_> {
///         self.0.region()
///     }
/// }
///
/// let shared = SharedRegion::new(Static(RegionBuf::new(64).unwrap()));
/// assert_eq!(shared.len(), 64);
/// ```
pub unsafe trait RegionOwner: Send + Sync + 'static {
    /// The region over the owned bytes.
    ///
    /// ```
    /// use inos_layout::{RegionBuf, RegionOwner};
    /// let buf = RegionBuf::new(32).unwrap();
    /// assert_eq!(RegionOwner::region(&buf).len(), 32);
    /// ```
    fn region(&self) -> Region<'_>;
}

// SAFETY: a `RegionBuf` is a heap allocation made in `new` and freed only in `drop`; `region`
// returns a region over exactly that allocation on every call, and the buffer never forms a
// reference over its bytes.
unsafe impl RegionOwner for RegionBuf {
    fn region(&self) -> Region<'_> {
        RegionBuf::region(self)
    }
}

/// A reference-counted owner of a shared region: clone it freely (one atomic increment), lend a
/// [`Region`] from it, build [`Owned`] handles on it. The bytes are freed (or unmapped) when the
/// last clone, and the last `Owned` built on it, is dropped.
///
/// ```
/// use inos_layout::{create_or_attach, standard::STANDARD_32MIB, RegionBuf, SharedRegion, WaitPolicy};
///
/// let shared = SharedRegion::new(RegionBuf::new(32 << 20).unwrap());
/// let worker = {
///     let shared = shared.clone();
///     std::thread::spawn(move || {
///         let (a, _) = create_or_attach(shared.region(), &STANDARD_32MIB, WaitPolicy::default()).unwrap();
///         a.generation()
///     })
/// };
/// let (a, _) = create_or_attach(shared.region(), &STANDARD_32MIB, WaitPolicy::default()).unwrap();
/// assert_eq!(worker.join().unwrap(), a.generation());
/// ```
#[derive(Clone)]
pub struct SharedRegion {
    owner: Arc<dyn RegionOwner>,
}

impl core::fmt::Debug for SharedRegion {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SharedRegion")
            .field("len", &self.len())
            .field("owners", &Arc::strong_count(&self.owner))
            .finish()
    }
}

impl SharedRegion {
    /// Takes ownership of `owner` (a [`RegionBuf`], an `shm::ShmRegion`, ...).
    ///
    /// ```
    /// let shared = inos_layout::SharedRegion::new(inos_layout::RegionBuf::new(128).unwrap());
    /// assert_eq!(shared.region().len(), 128);
    /// ```
    pub fn new(owner: impl RegionOwner) -> Self {
        Self {
            owner: Arc::new(owner),
        }
    }

    /// Shares an owner you also keep a typed `Arc` to (e.g. to call
    /// `shm::ShmRegion::unlink` later).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let buf = Arc::new(inos_layout::RegionBuf::new(64).unwrap());
    /// let shared = inos_layout::SharedRegion::from_arc(Arc::clone(&buf));
    /// shared.region().write(0, b"x").unwrap();
    /// assert_eq!(buf.region().load_u8(0), Ok(b'x'));
    /// ```
    pub fn from_arc<O: RegionOwner>(owner: Arc<O>) -> Self {
        Self { owner }
    }

    /// The region, borrowed for as long as this handle is.
    ///
    /// ```
    /// let shared = inos_layout::SharedRegion::new(inos_layout::RegionBuf::new(64).unwrap());
    /// shared.region().write(0, b"hi").unwrap();
    /// assert_eq!(shared.region().load_u8(1), Ok(b'i'));
    /// ```
    #[inline]
    pub fn region(&self) -> Region<'_> {
        self.owner.region()
    }

    /// Length of the region in bytes.
    ///
    /// ```
    /// let shared = inos_layout::SharedRegion::new(inos_layout::RegionBuf::new(64).unwrap());
    /// assert_eq!(shared.len(), 64);
    /// ```
    pub fn len(&self) -> usize {
        self.region().len()
    }

    /// Whether the region has no bytes.
    ///
    /// ```
    /// let shared = inos_layout::SharedRegion::new(inos_layout::RegionBuf::new(0).unwrap());
    /// assert!(shared.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether two handles share one owner.
    ///
    /// ```
    /// use inos_layout::{RegionBuf, SharedRegion};
    /// let a = SharedRegion::new(RegionBuf::new(8).unwrap());
    /// assert!(SharedRegion::ptr_eq(&a, &a.clone()));
    /// assert!(!SharedRegion::ptr_eq(&a, &SharedRegion::new(RegionBuf::new(8).unwrap())));
    /// ```
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        Arc::ptr_eq(&a.owner, &b.owner)
    }

    /// Builds a handle that keeps this region alive: shorthand for [`Owned::try_new`] with a
    /// clone of `self`.
    ///
    /// # Errors
    /// Whatever `f` returns.
    ///
    /// ```
    /// use inos_layout::{Owned, Region, RegionBuf, SharedRegion};
    /// let shared = SharedRegion::new(RegionBuf::new(64).unwrap());
    /// let sub: Owned<Region<'static>> = shared.try_own(|r| r.sub(8, 8)).unwrap();
    /// assert!(shared.try_own::<Region<'static>, _>(|r| r.sub(64, 8)).is_err());
    /// assert_eq!(sub.get().len(), 8);
    /// ```
    pub fn try_own<T: Dependent, E>(
        &self,
        f: impl for<'a> FnOnce(Region<'a>) -> Result<T::Of<'a>, E>,
    ) -> Result<Owned<T>, E> {
        Owned::try_new(self.clone(), f)
    }
}

impl From<RegionBuf> for SharedRegion {
    /// ```
    /// let shared: inos_layout::SharedRegion = inos_layout::RegionBuf::new(8).unwrap().into();
    /// assert_eq!(shared.len(), 8);
    /// ```
    fn from(buf: RegionBuf) -> Self {
        Self::new(buf)
    }
}

/// A handle `T<'_>` built on a [`SharedRegion`], stored together with (a clone of) that region,
/// so that a struct can own both: `Owned<Producer<'static, Mpsc>>` is a ring producer that keeps
/// its memory alive. The `'static` is a placeholder for "the region inside"; the handle is only
/// ever reached at a shorter lifetime (see *Why this is sound* below).
///
/// The handle is dropped before the region, so its `Drop` (releasing a ring role, for example)
/// runs while the bytes are still there.
///
/// ```
/// use inos_layout::{create, standard::STANDARD_32MIB, Attachment, Owned, RegionBuf, SharedRegion};
///
/// struct Kernel {
///     attachment: Owned<Attachment<'static>>,
/// }
///
/// let kernel = Kernel {
///     attachment: Owned::try_new(RegionBuf::new(32 << 20).unwrap().into(), |r| {
///         create(r, &STANDARD_32MIB)
///     })
///     .unwrap(),
/// };
/// let inbox = kernel.attachment.get().get("inbox").unwrap();
/// inbox.write(0, b"job").unwrap();
/// ```
///
/// # Owning a region and its handles
///
/// A [`Region<'a>`](Region) borrows its bytes, and so does everything built on it (a ring's
/// `Producer<'a, K>`, an `Epoch<'a>`, a `Ledger<'a>`, an [`Attachment<'a>`](crate::Attachment)).
/// That is right for scoped code but leaves a long-lived service with no place to keep the memory
/// and its handles together. This closes that gap without `unsafe` in user code and
/// without ever handing out a `Region<'static>`:
///
/// - [`SharedRegion`] is a cheap-to-clone, reference-counted owner of the bytes (a
///   [`RegionBuf`], an `shm` mapping, or any [`RegionOwner`]); [`SharedRegion::region`] lends a
///   `Region<'_>` tied to the borrow of the `SharedRegion`. Short-lived views (epochs, ledger,
///   attachments) can simply be rebuilt from it on demand.
/// - [`Owned<T>`] keeps one handle that must live as long as its owner (a producer or consumer
///   holding its ring role) *together with* a clone of the `SharedRegion` it borrows. The handle
///   is dropped first, the region after. You reach it through [`Owned::get`] (`&T<'_>`) and
///   [`Owned::with_mut`] (a closure over `&mut T<'_>`, generic in the lifetime).
/// - [`Dependent`] names a type with one lifetime (`T<'static>` implements it with
///   `type Of<'a> = T<'a>`); the crates implement it for their handles.
///
/// ```
/// use inos_layout::{Owned, Region, RegionBuf, SharedRegion};
///
/// struct Service {
///     // The region and a view of it in one struct: no borrow, no leak, no unsafe.
///     flags: Owned<Region<'static>>,
/// }
///
/// let shared = SharedRegion::new(RegionBuf::new(4096).unwrap());
/// let svc = Service { flags: Owned::new(shared.clone(), |r| r.sub(0, 64).unwrap()) };
/// drop(shared); // the Owned keeps the bytes alive
/// svc.flags.get().write(0, b"up").unwrap();
/// assert_eq!(svc.flags.get().load_u8(1), Ok(b'p'));
/// ```
///
/// # Why this is sound
///
/// `Owned<T>` stores the handle at the placeholder lifetime `'static` next to a `SharedRegion`
/// clone, and the handle is never seen at that lifetime: it is built by a closure generic over
/// the region's lifetime (`for<'a> FnOnce(Region<'a>) -> T::Of<'a>`), so the closure cannot keep
/// the region anywhere but in the value it returns; [`get`](Owned::get) returns
/// `&'s T::Of<'s>` through [`Dependent::shorten`], which the compiler accepts only for a
/// covariant `T` (so nothing can be written into the handle through a shared reference);
/// [`with_mut`](Owned::with_mut) and [`derive`](Owned::derive) pass the handle to closures
/// generic over its lifetime `'a` (`for<'a, 'b> FnOnce(&'b mut T::Of<'a>) -> R`), which can
/// neither return anything naming `'a` (`R` is chosen outside the binder) nor store a shorter
/// borrow into it (that would need the borrow to outlive *every* `'a`), nor swap handles of two
/// `Owned`s (their `'a`s are distinct). The fields drop in declaration order, handle first, so a
/// handle's `Drop` (releasing a ring role) runs while the bytes are still there; `Send`/`Sync`
/// follow the handle at *every* lifetime, not at `'static`. The single `unsafe` block extends the
/// `Region<'s>` lent by the `SharedRegion` to the placeholder lifetime, justified by the clone
/// the `Owned` holds.
///
/// The misuses are compile errors. A handle cannot be taken out of `with_mut`:
///
/// ```compile_fail
/// # use inos_layout::{Owned, Region, RegionBuf, SharedRegion};
/// let mut o: Owned<Region<'static>> = Owned::new(RegionBuf::new(64).unwrap().into(), |r| r);
/// let escaped = o.with_mut(|r| *r); // error: the region's lifetime would escape the closure
/// ```
///
/// nor outlive the `Owned` through `get`:
///
/// ```compile_fail,E0505
/// # use inos_layout::{Owned, Region, RegionBuf, SharedRegion};
/// let o: Owned<Region<'static>> = Owned::new(RegionBuf::new(64).unwrap().into(), |r| r);
/// let r = *o.get();
/// drop(o); // error: `o` is still borrowed by `r`
/// r.len();
/// ```
///
/// nor be replaced by one borrowing memory that may die first:
///
/// ```compile_fail,E0597
/// # use inos_layout::{Owned, Region, RegionBuf, SharedRegion};
/// let mut o: Owned<Region<'static>> = Owned::new(RegionBuf::new(64).unwrap().into(), |r| r);
/// let local = RegionBuf::new(64).unwrap();
/// o.with_mut(|r| *r = local.region()); // error: `local` does not live long enough
/// ```
///
/// nor swapped with the handle of another `Owned`:
///
/// ```compile_fail,E0521
/// # use inos_layout::{Owned, Region, RegionBuf, SharedRegion};
/// let mut a: Owned<Region<'static>> = Owned::new(RegionBuf::new(64).unwrap().into(), |r| r);
/// let mut b: Owned<Region<'static>> = Owned::new(RegionBuf::new(64).unwrap().into(), |r| r);
/// a.with_mut(|x| b.with_mut(|y| core::mem::swap(x, y))); // error: lifetime mismatch
/// ```
pub struct Owned<T: Dependent> {
    // Field order is drop order: the handle first, then the region it borrows.
    value: T::Of<'static>,
    region: SharedRegion,
    /// Opts out of the auto traits the `'static` placeholder would give; `Send`/`Sync` are
    /// implemented below from `T::Of<'a>` at every lifetime.
    _not_auto: PhantomData<*const ()>,
}

// SAFETY: moving an `Owned` to another thread moves the handle (`Send` at every lifetime, so at
// the region's real one) and a `SharedRegion` (an `Arc` of a `Send + Sync` owner).
unsafe impl<T: Dependent> Send for Owned<T> where for<'a> T::Of<'a>: Send {}
// SAFETY: `&Owned` gives `&T::Of<'_>` (`Sync` at every lifetime) and `&SharedRegion` (`Sync`).
unsafe impl<T: Dependent> Sync for Owned<T> where for<'a> T::Of<'a>: Sync {}

impl<T: Dependent> core::fmt::Debug for Owned<T>
where
    for<'a> T::Of<'a>: core::fmt::Debug,
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Owned")
            .field("value", self.get())
            .field("region", &self.region)
            .finish()
    }
}

impl<T: Dependent> Owned<T> {
    /// Builds the handle from the region with `f` (which must work for any lifetime of the
    /// region, so it cannot keep the region anywhere but in the handle it returns).
    ///
    /// ```
    /// use inos_layout::{Owned, Region, RegionBuf};
    /// let o: Owned<Region<'static>> = Owned::new(RegionBuf::new(16).unwrap().into(), |r| r);
    /// assert_eq!(o.get().len(), 16);
    /// ```
    pub fn new(region: SharedRegion, f: impl for<'a> FnOnce(Region<'a>) -> T::Of<'a>) -> Self {
        match Self::try_new(region, |r| Ok::<_, core::convert::Infallible>(f(r))) {
            Ok(o) => o,
            Err(never) => match never {},
        }
    }

    /// Builds the handle from the region with a fallible `f`.
    ///
    /// # Errors
    /// Whatever `f` returns.
    ///
    /// ```
    /// use inos_layout::{AccessError, Owned, Region, RegionBuf};
    /// let r = Owned::<Region<'static>>::try_new(RegionBuf::new(16).unwrap().into(), |r| r.sub(0, 32));
    /// assert!(matches!(r, Err(AccessError::OutOfBounds { .. })));
    /// ```
    pub fn try_new<E>(
        region: SharedRegion,
        f: impl for<'a> FnOnce(Region<'a>) -> Result<T::Of<'a>, E>,
    ) -> Result<Self, E> {
        let lent = region.region();
        // SAFETY: the bytes stay valid for as long as `region` (an owner clone) lives
        // (`RegionOwner` contract), and it is moved into the `Owned` below, which drops it only
        // after the handle. The extended region is given only to `f`, which is generic over the
        // lifetime and so can keep it only inside the handle it returns; if `f` fails, nothing
        // built from it outlives this call except through `E`, which cannot name that lifetime.
        let extended = unsafe { core::mem::transmute::<Region<'_>, Region<'static>>(lent) };
        let value = f(extended)?;
        Ok(Self {
            value,
            region,
            _not_auto: PhantomData,
        })
    }

    /// The handle, borrowed for as long as the `Owned` is.
    ///
    /// ```
    /// use inos_layout::{Owned, Region, RegionBuf};
    /// let o: Owned<Region<'static>> = Owned::new(RegionBuf::new(16).unwrap().into(), |r| r);
    /// o.get().write(0, b"abc").unwrap();
    /// assert_eq!(o.get().load_u8(2), Ok(b'c'));
    /// ```
    #[inline]
    pub fn get(&self) -> &T::Of<'_> {
        T::shorten(&self.value)
    }

    /// Runs `f` on the handle mutably (e.g. `producer.with_mut(|p| p.try_push(msg))`) and returns
    /// its result. `f` must work for any lifetime `'a` of the handle, so it can read and change the
    /// handle but neither take anything borrowing the region out of it nor put a shorter borrow in.
    ///
    /// ```
    /// use inos_layout::{Owned, Region, RegionBuf};
    /// let mut o: Owned<Region<'static>> = Owned::new(RegionBuf::new(16).unwrap().into(), |r| r);
    /// let msg = vec![1u8, 2, 3]; // borrowed data may be used inside
    /// let len = o.with_mut(|r| {
    ///     r.write(0, &msg).unwrap();
    ///     *r = r.sub(8, 8).unwrap(); // narrow the view, in place
    ///     r.len()
    /// });
    /// assert_eq!(len, 8);
    /// assert_eq!(o.region().region().load_u8(2), Ok(3));
    /// ```
    #[inline]
    pub fn with_mut<R>(&mut self, f: impl for<'a, 'b> FnOnce(&'b mut T::Of<'a>) -> R) -> R {
        f(&mut self.value)
    }

    /// A second handle built from this one (a producer from a ring, a sub-region from an
    /// attachment), owning another clone of the same region. `f` gets the handle and the whole
    /// region (at the same lifetime, which it cannot name).
    ///
    /// ```
    /// use inos_layout::{create, standard::STANDARD_32MIB, Attachment, Owned, Region, RegionBuf};
    /// let a: Owned<Attachment<'static>> =
    ///     Owned::try_new(RegionBuf::new(32 << 20).unwrap().into(), |r| create(r, &STANDARD_32MIB)).unwrap();
    /// let inbox: Owned<Region<'static>> = a.derive(|a, _| a.get("inbox").unwrap());
    /// drop(a);
    /// assert_eq!(inbox.get().len(), 512 * 1024);
    /// ```
    pub fn derive<U: Dependent>(
        &self,
        f: impl for<'a, 'b> FnOnce(&'b T::Of<'a>, Region<'a>) -> U::Of<'a>,
    ) -> Owned<U> {
        match self.try_derive(|v, r| Ok::<_, core::convert::Infallible>(f(v, r))) {
            Ok(o) => o,
            Err(never) => match never {},
        }
    }

    /// A second handle built from this one with a fallible `f`.
    ///
    /// # Errors
    /// Whatever `f` returns.
    ///
    /// ```
    /// use inos_layout::{create, standard::STANDARD_32MIB, Attachment, Owned, Region, RegionBuf};
    /// let a: Owned<Attachment<'static>> =
    ///     Owned::try_new(RegionBuf::new(32 << 20).unwrap().into(), |r| create(r, &STANDARD_32MIB)).unwrap();
    /// let nope = a.try_derive::<Region<'static>, _>(|a, _| a.get("nonexistent").ok_or("no such region"));
    /// assert_eq!(nope.unwrap_err(), "no such region");
    /// ```
    pub fn try_derive<U: Dependent, E>(
        &self,
        f: impl for<'a, 'b> FnOnce(&'b T::Of<'a>, Region<'a>) -> Result<U::Of<'a>, E>,
    ) -> Result<Owned<U>, E> {
        let lent = self.region.region();
        // SAFETY: as in `try_new`: the bytes live as long as the `SharedRegion` clone moved into
        // the new `Owned`, which drops it after the handle; `f` is generic over the lifetime, so
        // what it returns borrows only the region (kept alive) or the handle's own `'a` data (the
        // same region), never `self` (that would need `'b: 'a`).
        let extended = unsafe { core::mem::transmute::<Region<'_>, Region<'static>>(lent) };
        let value = f(&self.value, extended)?;
        Ok(Owned {
            value,
            region: self.region.clone(),
            _not_auto: PhantomData,
        })
    }

    /// The region this handle keeps alive.
    ///
    /// ```
    /// use inos_layout::{Owned, Region, RegionBuf};
    /// let o: Owned<Region<'static>> = Owned::new(RegionBuf::new(16).unwrap().into(), |r| r.sub(8, 8).unwrap());
    /// assert_eq!(o.region().len(), 16);
    /// ```
    pub fn region(&self) -> &SharedRegion {
        &self.region
    }

    /// Drops the handle (running its `Drop`, e.g. releasing a ring role) and returns the region.
    ///
    /// ```
    /// use inos_layout::{Owned, Region, RegionBuf};
    /// let o: Owned<Region<'static>> = Owned::new(RegionBuf::new(16).unwrap().into(), |r| r);
    /// assert_eq!(o.into_region().len(), 16);
    /// ```
    pub fn into_region(self) -> SharedRegion {
        let Owned { value, region, .. } = self;
        drop(value);
        region
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::sync::{AtomicU32, Ordering};
    use crate::Attachment;
    use std::sync::atomic::AtomicUsize;

    /// An owner that counts drops, so tests can see when the bytes are released.
    struct Counted {
        buf: RegionBuf,
        drops: Arc<AtomicUsize>,
    }

    // SAFETY: delegates to `RegionBuf` (a heap allocation freed only on drop).
    unsafe impl RegionOwner for Counted {
        fn region(&self) -> Region<'_> {
            self.buf.region()
        }
    }

    impl Drop for Counted {
        fn drop(&mut self) {
            self.drops.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A handle whose `Drop` writes to the region (like a ring role release).
    struct Role<'a> {
        word: &'a AtomicU32,
        log: Arc<std::sync::Mutex<std::vec::Vec<&'static str>>>,
        owner_drops: Arc<AtomicUsize>,
    }

    impl Drop for Role<'_> {
        fn drop(&mut self) {
            // The owner must still be there; Miri also reports a use-after-free of the store
            // below if it were not.
            assert_eq!(self.owner_drops.load(Ordering::Relaxed), 0);
            self.word.store(0, Ordering::Release);
            self.log.lock().unwrap().push("role released");
        }
    }

    impl Dependent for Role<'static> {
        type Of<'a> = Role<'a>;
        fn shorten<'s, 'l: 's>(long: &'s Role<'l>) -> &'s Role<'s> {
            long
        }
    }

    fn counted(len: usize) -> (SharedRegion, Arc<AtomicUsize>) {
        let drops = Arc::new(AtomicUsize::new(0));
        let owner = Counted {
            buf: RegionBuf::new(len).unwrap(),
            drops: Arc::clone(&drops),
        };
        (SharedRegion::new(owner), drops)
    }

    #[test]
    fn owned_keeps_the_region_alive_and_drops_the_handle_first() {
        let (shared, drops) = counted(64);
        let log = Arc::new(std::sync::Mutex::new(std::vec::Vec::new()));
        let role: Owned<Role<'static>> = Owned::new(shared, |r| {
            let word = r.u32_at(0).unwrap();
            word.store(1, Ordering::Release);
            Role {
                word,
                log: Arc::clone(&log),
                owner_drops: Arc::clone(&drops),
            }
        });
        // The only other owner handle is gone; the Owned alone keeps the bytes.
        assert_eq!(drops.load(Ordering::Relaxed), 0);
        assert_eq!(role.get().word.load(Ordering::Acquire), 1);
        let witness = role.region().clone();
        drop(role);
        assert_eq!(*log.lock().unwrap(), ["role released"]);
        assert_eq!(
            witness.region().u32_at(0).unwrap().load(Ordering::Acquire),
            0
        );
        assert_eq!(drops.load(Ordering::Relaxed), 0);
        drop(witness);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn the_handle_drops_before_the_owner_when_it_is_the_last() {
        let (shared, drops) = counted(64);
        let log = Arc::new(std::sync::Mutex::new(std::vec::Vec::new()));
        let role: Owned<Role<'static>> = shared
            .try_own(|r| {
                Ok::<_, crate::AccessError>(Role {
                    word: r.u32_at(8)?,
                    log: Arc::clone(&log),
                    owner_drops: Arc::clone(&drops),
                })
            })
            .unwrap();
        drop(shared);
        drop(role); // Role::drop asserts the owner is alive and writes to the bytes
        assert_eq!(*log.lock().unwrap(), ["role released"]);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn last_handle_frees_the_owner() {
        let (shared, drops) = counted(64);
        let a: Owned<Region<'static>> = shared.try_own(|r| r.sub(0, 32)).unwrap();
        let b: Owned<Region<'static>> = a.derive(|r, _| r.sub(8, 8).unwrap());
        drop(shared);
        drop(a);
        assert_eq!(drops.load(Ordering::Relaxed), 0);
        b.get().write(0, b"12345678").unwrap();
        let region = b.into_region();
        assert_eq!(region.region().load_u8(15), Ok(b'8'));
        drop(region);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn failed_builds_release_the_region() {
        let (shared, drops) = counted(64);
        let e = Owned::<Region<'static>>::try_new(shared, |r| r.sub(0, 128)).unwrap_err();
        assert!(matches!(e, crate::AccessError::OutOfBounds { .. }));
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn owned_moves_across_threads() {
        let (shared, drops) = counted(64);
        let mut o: Owned<Region<'static>> = Owned::new(shared, |r| r);
        let t = std::thread::spawn(move || {
            o.with_mut(|r| r.u32_at(4).unwrap().fetch_add(5, Ordering::AcqRel));
            o
        });
        let o = t.join().unwrap();
        assert_eq!(o.get().u32_at(4).unwrap().load(Ordering::Acquire), 5);
        drop(o);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn auto_traits_follow_the_handle() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<Owned<Region<'static>>>();
        send_sync::<Owned<Attachment<'static>>>();
        send_sync::<SharedRegion>();
        // Not Sync: a Cell.
        #[allow(dead_code)]
        struct NotSync<'a>(Region<'a>, core::cell::Cell<u8>);
        impl Dependent for NotSync<'static> {
            type Of<'a> = NotSync<'a>;
            fn shorten<'s, 'l: 's>(long: &'s NotSync<'l>) -> &'s NotSync<'s> {
                long
            }
        }
        send::<Owned<NotSync<'static>>>();
        static_assertions::assert_not_impl_any!(Owned<NotSync<'static>>: Sync);
    }
}
