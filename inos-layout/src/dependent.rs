//! [`Dependent`]: a type with one lifetime, so that [`Owned`](crate::Owned) can keep a handle
//! `T<'_>` next to the region it borrows (see the `owned` module docs). Unlike `Owned`, it needs
//! no allocator: `no_std` crates implement it for their handles.

use crate::attach::Attachment;
use crate::region::Region;

/// A type with one lifetime parameter, named at `'static`: `T<'static>` implements it with
/// `type Of<'a> = T<'a>`. It lets [`Owned`](crate::Owned) store a `T<'_>` next to the region it borrows.
///
/// The trait is safe to implement: [`shorten`](Dependent::shorten) must be written without
/// `unsafe` (its body is the compiler-checked proof that `T` is covariant in its lifetime), and
/// [`Owned`](crate::Owned) never exposes a value at the `'static` placeholder.
///
/// ```
/// use inos_layout::{Dependent, Region};
///
/// /// Two views of one region, kept together.
/// pub struct Pair<'a> {
///     pub flags: Region<'a>,
///     pub data: Region<'a>,
/// }
///
/// impl Dependent for Pair<'static> {
///     type Of<'a> = Pair<'a>;
///     fn shorten<'s, 'l: 's>(long: &'s Pair<'l>) -> &'s Pair<'s> {
///         long
///     }
/// }
///
/// let buf = inos_layout::RegionBuf::new(256).unwrap();
/// let shared = inos_layout::SharedRegion::new(buf);
/// let pair: inos_layout::Owned<Pair<'static>> = inos_layout::Owned::new(shared, |r| Pair {
///     flags: r.sub(0, 128).unwrap(),
///     data: r.sub(128, 128).unwrap(),
/// });
/// assert_eq!(pair.get().data.len(), 128);
/// ```
pub trait Dependent {
    /// The type at lifetime `'a` (`Self` is `Of<'static>`).
    type Of<'a>;

    /// Shortens the lifetime behind a shared reference: the proof that `Of` is covariant.
    ///
    /// Implement it as `{ long }`; it compiles only if `Of<'l>` coerces to `Of<'s>`, i.e. if the
    /// type is covariant in its lifetime (no `Cell<&'a _>`, no `&'a mut Region<'a>`, ...).
    ///
    /// ```
    /// use inos_layout::{Dependent, Region, RegionBuf};
    /// let buf = RegionBuf::new(8).unwrap();
    /// let r = buf.region();
    /// let short: &Region<'_> = <Region<'static> as Dependent>::shorten(&r);
    /// assert_eq!(short.len(), 8);
    /// ```
    fn shorten<'s, 'l: 's>(long: &'s Self::Of<'l>) -> &'s Self::Of<'s>;
}

impl Dependent for Region<'static> {
    type Of<'a> = Region<'a>;
    fn shorten<'s, 'l: 's>(long: &'s Region<'l>) -> &'s Region<'s> {
        long
    }
}

impl Dependent for Attachment<'static> {
    type Of<'a> = Attachment<'a>;
    fn shorten<'s, 'l: 's>(long: &'s Attachment<'l>) -> &'s Attachment<'s> {
        long
    }
}

impl Dependent for crate::Bytes<'static> {
    type Of<'a> = crate::Bytes<'a>;
    fn shorten<'s, 'l: 's>(long: &'s crate::Bytes<'l>) -> &'s crate::Bytes<'s> {
        long
    }
}
