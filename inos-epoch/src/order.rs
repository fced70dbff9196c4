//! Wrap-aware ordering of `u32` epoch values.

/// Whether epoch value `a` is newer than `b`, across the `u32` wrap.
///
/// `a` is newer when it is ahead of `b` by 1 to 2³¹ − 1 steps: `a.wrapping_sub(b) as i32 > 0`.
/// This stays right across the wrap from `u32::MAX` to `0` (INOS defect 18 used signed and
/// unsigned `>` and broke there), provided the two values are less than 2³¹ signals apart.
///
/// ```
/// use inos_epoch::is_newer;
/// assert!(is_newer(2, 1));
/// assert!(!is_newer(1, 1));
/// assert!(is_newer(0, u32::MAX)); // across the wrap
/// assert!(!is_newer(u32::MAX, 0));
/// ```
#[inline]
pub const fn is_newer(a: u32, b: u32) -> bool {
    distance(b, a) > 0
}

/// Signed number of steps from `from` to `to`, wrap-aware: `to.wrapping_sub(from) as i32`.
///
/// Positive when `to` is newer. The result is exact when the true distance lies in
/// `-2³¹..2³¹`.
///
/// ```
/// use inos_epoch::distance;
/// assert_eq!(distance(5, 8), 3);
/// assert_eq!(distance(u32::MAX - 1, 1), 3);
/// assert_eq!(distance(8, 5), -3);
/// ```
#[inline]
pub const fn distance(from: u32, to: u32) -> i32 {
    to.wrapping_sub(from) as i32
}
