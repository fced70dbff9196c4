//! # inos-web-module
//!
//! An example **Rust compute module** for the browser: a wasm-bindgen `cdylib` that depends on
//! [`inos_web`] as an rlib (so every inos-web export — `allocRegion`, `Ring`, `Epoch`, `Ledger`, …
//! — is in the same module, on the same shared memory) and adds its own `#[wasm_bindgen]`
//! exports whose loops run in Rust over the shared regions.
//!
//! Built by `examples/web-module/build.sh` into `target/web-module/pkg` with inos-web's pinned
//! toolchain and flags (see `inos-web/README.md`). The browser test `rustMpsc` in `web/` runs it
//! in a Web Worker: [`produce_test_messages`] pushes thousands of messages into an MPSC ring from
//! Rust, beside a pure-JS producer, while the page's main thread consumes with `await`.
//!
//! ```js
//! import init, { allocRegion, Ring } from './index.js';  // inos-web's API
//! import { produceTestMessages } from './inos_web.js';   // this crate's exports (same module)
//! ```
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use inos_web::{inos_error, Code, Ring};
use wasm_bindgen::prelude::*;

/// The largest `max_body` [`produce_test_messages`] accepts (bytes).
pub const MAX_BODY: u32 = 65_536;

/// Header of a test message: `[tag u32][seq u32][fnv1a32(body) u32]`, little-endian.
pub const HEADER_LEN: usize = 12;

/// 32-bit FNV-1a of `bytes` (the test messages' checksum).
///
/// ```
/// assert_eq!(inos_web_module::fnv1a32(b""), 0x811c_9dc5);
/// assert_eq!(inos_web_module::fnv1a32(b"a"), 0xe40c_292c);
/// ```
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// Writes test message `seq` of producer `tag` into `out` (cleared first), in the format of
/// `inos-wasm/js/messages.mjs` (which the consumer checks byte by byte):
/// `[tag][seq][fnv1a32(body)][body]`, the body's length `(seq·37 + tag·11) mod (max_body + 1)`
/// and its byte `i` equal to `(seq·31 + tag·7 + i) mod 256`.
///
/// ```
/// let mut m = Vec::new();
/// inos_web_module::test_message(11, 1, 400, &mut m);
/// assert_eq!(m.len(), 12 + (37 + 121) % 401);
/// assert_eq!(&m[..8], &[11, 0, 0, 0, 1, 0, 0, 0]);
/// assert_eq!(m[12], (31 + 77) as u8);
/// ```
pub fn test_message(tag: u32, seq: u32, max_body: u32, out: &mut Vec<u8>) {
    let n = (seq.wrapping_mul(37).wrapping_add(tag.wrapping_mul(11))) % (max_body + 1);
    out.clear();
    out.extend_from_slice(&tag.to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    let first = seq.wrapping_mul(31).wrapping_add(tag.wrapping_mul(7));
    out.extend((0..n).map(|i| first.wrapping_add(i) as u8));
    let sum = fnv1a32(&out[HEADER_LEN..]);
    out[8..HEADER_LEN].copy_from_slice(&sum.to_le_bytes());
}

/// Attaches a producer to the ring at `offset..offset + length` (JS: `produceTestMessages`) and
/// pushes test messages `0..count` of producer `tag` ([`test_message`]), waiting while the ring
/// is full — all in Rust, one call from JS. Returns how many were pushed: `count`, or fewer if
/// one push found no space within `timeoutMs` (`undefined`: no limit).
///
/// Blocking is for workers: on the browser main thread a full ring throws `InosError`
/// `WouldBlock` (inos-web's rule, which holds for Rust code in the module too). Bad ranges and
/// rings throw as `Ring.producer` does; `max_body` above [`MAX_BODY`] throws `Invalid`.
#[wasm_bindgen(js_name = produceTestMessages)]
pub fn produce_test_messages(
    offset: f64,
    length: f64,
    tag: u32,
    count: u32,
    max_body: u32,
    timeout_ms: Option<f64>,
) -> Result<u32, JsValue> {
    if max_body > MAX_BODY {
        return Err(inos_error(
            Code::Invalid,
            format_args!("max_body must be at most {MAX_BODY}, got {max_body}"),
        ));
    }
    let mut producer = Ring::producer(offset, length)?;
    let mut msg = Vec::with_capacity(HEADER_LEN + max_body as usize);
    let mut sent = 0;
    for seq in 0..count {
        test_message(tag, seq, max_body, &mut msg);
        if !producer.push_slice_wait(&msg, timeout_ms)? {
            break;
        }
        sent += 1;
    }
    producer.close();
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JS reference (`messages.mjs`), transcribed with f64 arithmetic as JS computes it.
    fn js_message(tag: u32, seq: u32, max_body: u32) -> Vec<u8> {
        let (t, s, m) = (f64::from(tag), f64::from(seq), f64::from(max_body));
        let n = ((s * 37.0 + t * 11.0) % (m + 1.0)) as usize;
        let body: Vec<u8> = (0..n)
            .map(|i| ((s * 31.0 + t * 7.0 + i as f64) as u64 & 0xff) as u8)
            .collect();
        let mut v = Vec::new();
        v.extend_from_slice(&tag.to_le_bytes());
        v.extend_from_slice(&seq.to_le_bytes());
        v.extend_from_slice(&fnv1a32(&body).to_le_bytes());
        v.extend_from_slice(&body);
        v
    }

    #[test]
    fn messages_match_the_js_format() {
        let mut m = Vec::new();
        for tag in [0, 10, 11, 1000] {
            for seq in (0..300).chain([65_535, 1 << 20]) {
                for max_body in [0, 1, 400, MAX_BODY] {
                    test_message(tag, seq, max_body, &mut m);
                    assert_eq!(m, js_message(tag, seq, max_body), "{tag} {seq} {max_body}");
                }
            }
        }
    }
}
