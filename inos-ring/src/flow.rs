//! [`DrainFlow`]: what a [`Consumer::drain`](crate::Consumer::drain) callback may return.

use core::convert::Infallible;
use core::ops::ControlFlow;

mod sealed {
    pub trait Sealed {}
    impl Sealed for () {}
    impl<B> Sealed for core::ops::ControlFlow<B> {}
    impl<E> Sealed for Result<(), E> {}
}

/// What a [`drain`](crate::Consumer::drain) / [`drain_wait`](crate::Consumer::drain_wait)
/// callback returns, and so what the call returns (inside its `Ok`):
///
/// | callback returns | to stop after this message | `drain` returns `Ok(..)` |
/// |---|---|---|
/// | `()` | (never stops) | `usize`: messages consumed |
/// | [`ControlFlow<B>`] | `ControlFlow::Break(b)` | `ControlFlow<B, usize>`: `Continue(n)` (all available consumed, `n` of them) or `Break(b)` |
/// | `Result<(), E>` | `Err(e)` (so `?` works in the callback) | `Result<usize, E>`: `Ok(n)` or `Err(e)` |
///
/// The message on which the callback stops **counts as consumed**: its space is released
/// before `drain` returns and it is never delivered again. The messages after it stay in the
/// ring, unread, and the next read delivers them. (To look at a message and leave it in the
/// ring, use [`Consumer::read`](crate::Consumer::read) and drop the grant.)
///
/// Why a trait rather than one fixed return type: a callback that never stops stays a plain
/// `|m| ...` returning `()` (no type annotations for a break value it never uses), a callback
/// that fails can use `?` on its own error type, and a callback that stops for a reason that is
/// not an error says so with [`ControlFlow`]; each compiles to the same loop, with no per-message
/// cost for the `()` case. Ring errors ([`Error`](crate::Error)) stay in the outer `Result`, so
/// they are never confused with the callback's own.
///
/// The trait is sealed: these three are the only implementations. A callback whose body only
/// diverges (`|_| panic!()`) has no return type to infer from: name it,
/// `c.drain::<(), _>(|_| panic!())`.
///
/// ```
/// use core::ops::ControlFlow;
/// # use inos_ring::{Ring, Spsc};
/// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
/// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
/// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
/// for i in 0..6u32 {
///     p.push_pod(&i).unwrap();
/// }
/// // Stop at the first message that is not a small number; it is consumed, the rest stay.
/// let stop = c.drain(|m| match m.read_u32_le(0) {
///     Ok(v) if v < 2 => ControlFlow::Continue(()),
///     other => ControlFlow::Break(other.ok()),
/// });
/// assert_eq!(stop, Ok(ControlFlow::Break(Some(2))));
/// // A callback that fails: `?` on its own error type.
/// let parsed: Result<Result<usize, String>, _> = c.drain(|m| {
///     let v = m.read_u32_le(0).map_err(|e| e.to_string())?;
///     if v == 4 {
///         return Err(format!("bad value {v}"));
///     }
///     Ok(())
/// });
/// assert_eq!(parsed, Ok(Err("bad value 4".to_string())));
/// // Message 3 was consumed before the failure, 4 with it; 5 is still there.
/// assert_eq!(c.drain(|m| assert_eq!(m.read_u32_le(0), Ok(5))), Ok(1));
/// ```
pub trait DrainFlow: sealed::Sealed {
    /// The value the callback stops with.
    type Break;
    /// What `drain` returns inside its `Ok`.
    type Output;
    /// Whether to take the next message.
    #[doc(hidden)]
    fn branch(self) -> ControlFlow<Self::Break>;
    /// The result of a drain that consumed `consumed` messages and stopped with `stopped`.
    #[doc(hidden)]
    fn finish(consumed: usize, stopped: Option<Self::Break>) -> Self::Output;
}

impl DrainFlow for () {
    type Break = Infallible;
    type Output = usize;
    #[inline(always)]
    fn branch(self) -> ControlFlow<Infallible> {
        ControlFlow::Continue(())
    }
    #[inline(always)]
    fn finish(consumed: usize, _: Option<Infallible>) -> usize {
        consumed
    }
}

impl<B> DrainFlow for ControlFlow<B> {
    type Break = B;
    type Output = ControlFlow<B, usize>;
    #[inline(always)]
    fn branch(self) -> ControlFlow<B> {
        self
    }
    #[inline(always)]
    fn finish(consumed: usize, stopped: Option<B>) -> ControlFlow<B, usize> {
        match stopped {
            Some(b) => ControlFlow::Break(b),
            None => ControlFlow::Continue(consumed),
        }
    }
}

impl<E> DrainFlow for Result<(), E> {
    type Break = E;
    type Output = Result<usize, E>;
    #[inline(always)]
    fn branch(self) -> ControlFlow<E> {
        match self {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => ControlFlow::Break(e),
        }
    }
    #[inline(always)]
    fn finish(consumed: usize, stopped: Option<E>) -> Result<usize, E> {
        match stopped {
            Some(e) => Err(e),
            None => Ok(consumed),
        }
    }
}
