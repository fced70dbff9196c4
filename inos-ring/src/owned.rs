//! Rings, producers and consumers kept together with the memory they live in: the
//! [`Dependent`](inos_layout::Dependent) impls that let an
//! [`inos_layout::Owned`] hold them, and the aliases [`OwnedRing`], [`OwnedProducer`] and
//! [`OwnedConsumer`] (with `std`).
//!
//! A `Producer<'a, K>` borrows its region and holds its role for its whole life, so rebuilding it
//! per call (as one can an `Epoch` or a `Ledger` view) would claim and release the role each time;
//! an `Owned` producer is built once and stored beside the mapping instead:
//!
//! ```
//! use inos_layout::{RegionBuf, SharedRegion};
//! use inos_ring::{layout, Mpsc, OwnedConsumer, OwnedProducer, Ring};
//!
//! struct Inbox {
//!     rx: OwnedConsumer<Mpsc>,
//! }
//!
//! let shared = SharedRegion::new(RegionBuf::new(layout::required_len(1024)).unwrap());
//! Ring::<Mpsc>::init(shared.region(), 1024).unwrap();
//! let mut tx: OwnedProducer<Mpsc> = shared.try_own(|r| Ring::<Mpsc>::attach(r)?.producer()).unwrap();
//! let mut inbox = Inbox { rx: shared.try_own(|r| Ring::<Mpsc>::attach(r)?.consumer()).unwrap() };
//! drop(shared); // the handles keep the memory alive
//!
//! let msg = b"hello".to_vec();
//! tx.with_mut(|p| p.try_push(&msg)).unwrap();
//! let mut out = [0u8; 16];
//! let n = inbox.rx.with_mut(|c| c.try_pop(&mut out)).unwrap();
//! assert_eq!(&out[..n], b"hello");
//!
//! // Dropping an owned consumer releases its role (while the memory is still there).
//! let region = inbox.rx.into_region();
//! assert!(Ring::<Mpsc>::attach(region.region()).unwrap().consumer().is_ok());
//! ```

use inos_layout::Dependent;

use crate::{Consumer, Kind, Producer, Ring};

impl<K: Kind> Dependent for Ring<'static, K> {
    type Of<'a> = Ring<'a, K>;
    fn shorten<'s, 'l: 's>(long: &'s Ring<'l, K>) -> &'s Ring<'s, K> {
        long
    }
}

impl<K: Kind> Dependent for Producer<'static, K> {
    type Of<'a> = Producer<'a, K>;
    fn shorten<'s, 'l: 's>(long: &'s Producer<'l, K>) -> &'s Producer<'s, K> {
        long
    }
}

impl<K: Kind> Dependent for Consumer<'static, K> {
    type Of<'a> = Consumer<'a, K>;
    fn shorten<'s, 'l: 's>(long: &'s Consumer<'l, K>) -> &'s Consumer<'s, K> {
        long
    }
}

/// A [`Ring`] stored with the memory it lives in (see [`inos_layout::Owned`]).
///
/// ```
/// use inos_layout::{Owned, RegionBuf, SharedRegion};
/// use inos_ring::{layout, OwnedProducer, OwnedRing, Ring, Spsc};
/// let shared = SharedRegion::new(RegionBuf::new(layout::required_len(256)).unwrap());
/// let ring: OwnedRing<Spsc> = shared.try_own(|r| Ring::<Spsc>::init(r, 256)).unwrap();
/// let p: OwnedProducer<Spsc> = ring.try_derive(|ring, _| ring.producer()).unwrap();
/// assert_eq!(ring.get().capacity(), 256);
/// # drop(p);
/// ```
#[cfg(all(feature = "std", not(loom)))]
pub type OwnedRing<K> = inos_layout::Owned<Ring<'static, K>>;

/// A [`Producer`] stored with the memory it writes to; it holds its role until dropped. Use it
/// through [`with_mut`](inos_layout::Owned::with_mut).
///
/// ```
/// use inos_layout::{RegionBuf, SharedRegion};
/// use inos_ring::{layout, Mpsc, OwnedProducer, Ring};
/// let shared = SharedRegion::new(RegionBuf::new(layout::required_len(256)).unwrap());
/// let ring = Ring::<Mpsc>::init(shared.region(), 256).unwrap();
/// let mut p: OwnedProducer<Mpsc> = shared.try_own(|r| Ring::<Mpsc>::attach(r)?.producer()).unwrap();
/// p.with_mut(|p| p.try_push(b"x")).unwrap();
/// let mut c = ring.consumer().unwrap();
/// assert_eq!(c.try_pop(&mut [0u8; 4]), Ok(1));
/// ```
#[cfg(all(feature = "std", not(loom)))]
pub type OwnedProducer<K> = inos_layout::Owned<Producer<'static, K>>;

/// A [`Consumer`] stored with the memory it reads from; it holds the consumer role until dropped.
///
/// ```
/// use inos_layout::{RegionBuf, SharedRegion};
/// use inos_ring::{layout, Error, OwnedConsumer, Ring, Spsc};
/// let shared = SharedRegion::new(RegionBuf::new(layout::required_len(256)).unwrap());
/// Ring::<Spsc>::init(shared.region(), 256).unwrap();
/// let c: OwnedConsumer<Spsc> = shared.try_own(|r| Ring::<Spsc>::attach(r)?.consumer()).unwrap();
/// // The role is held: a second consumer is refused until `c` is dropped.
/// assert!(matches!(Ring::<Spsc>::attach(shared.region()).unwrap().consumer(), Err(Error::RoleTaken(_))));
/// drop(c);
/// assert!(Ring::<Spsc>::attach(shared.region()).unwrap().consumer().is_ok());
/// ```
#[cfg(all(feature = "std", not(loom)))]
pub type OwnedConsumer<K> = inos_layout::Owned<Consumer<'static, K>>;
