//! The typed JS error: every failure becomes an `InosError` (defined in `js/errors.js`).

use core::fmt::Display;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(raw_module = "./errors.js")]
extern "C" {
    /// `class InosError extends Error { code: string }` from `js/errors.js`.
    #[wasm_bindgen(js_name = InosError)]
    type JsInosError;

    #[wasm_bindgen(constructor, js_class = "InosError")]
    fn new(code: &str, message: &str) -> JsInosError;
}

/// The `code` of an `InosError` that is not a protocol crate's error variant.
///
/// Protocol errors use their variant's name as the code (`"Full"`, `"RoleTaken"`,
/// `"InsufficientFunds"`, …); these are the API's own.
///
/// ```
/// assert_eq!(inos_web::Code::BadRange.as_str(), "BadRange");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// An offset/length that is not inside one allocated region, misaligned, or too small.
    BadRange,
    /// A handle used after `close()`.
    Closed,
    /// A `Uint8Array` whose buffer was detached (transferred).
    Detached,
    /// A blocking wait on a thread that may not block (the browser main thread).
    WouldBlock,
    /// A bad argument (unknown ring kind, negative or non-integer number, …).
    Invalid,
    /// `allocRegion` could not allocate or record the region.
    OutOfMemory,
    /// `peek()` while a view is already out, or `release()` with none.
    NoView,
}

impl Code {
    /// The code string JS sees.
    ///
    /// ```
    /// assert_eq!(inos_web::Code::WouldBlock.as_str(), "WouldBlock");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::BadRange => "BadRange",
            Code::Closed => "Closed",
            Code::Detached => "Detached",
            Code::WouldBlock => "WouldBlock",
            Code::Invalid => "Invalid",
            Code::OutOfMemory => "OutOfMemory",
            Code::NoView => "NoView",
        }
    }
}

/// A JS `InosError` with one of the API's own codes, for a wasm-bindgen module that embeds this
/// crate and throws from its own exports (as `examples/web-module` does); off wasm32, `null`.
///
/// ```
/// use inos_web::{inos_error, Code};
/// let e = inos_error(Code::Invalid, "max_body above 65536");
/// # let _ = e;
/// ```
pub fn inos_error(code: Code, message: impl Display) -> JsValue {
    err(code, message)
}

/// An `InosError` with one of the API's own codes.
pub(crate) fn err(code: Code, message: impl Display) -> JsValue {
    raise(code.as_str(), message)
}

/// A protocol error with a stable variant name (the crates' `name()`), the `InosError` code.
pub(crate) trait Named: Display {
    fn name(&self) -> &'static str;
}

impl Named for inos_ring::Error {
    fn name(&self) -> &'static str {
        inos_ring::Error::name(self)
    }
}

impl Named for inos_ledger::LedgerError {
    fn name(&self) -> &'static str {
        inos_ledger::LedgerError::name(self)
    }
}

impl Named for inos_layout::AccessError {
    fn name(&self) -> &'static str {
        inos_layout::AccessError::name(self)
    }
}

/// An `InosError` named after a protocol error's variant, with its `Display` as the message.
pub(crate) fn protocol<E: Named>(e: E) -> JsValue {
    raise(e.name(), e)
}

fn raise(code: &str, message: impl Display) -> JsValue {
    if cfg!(target_arch = "wasm32") {
        JsInosError::new(code, &format!("{code}: {message}")).into()
    } else {
        JsValue::NULL
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_their_names() {
        use super::Code::*;
        for c in [
            BadRange,
            Closed,
            Detached,
            WouldBlock,
            Invalid,
            OutOfMemory,
            NoView,
        ] {
            assert_eq!(c.as_str(), format!("{c:?}"));
        }
    }
}
