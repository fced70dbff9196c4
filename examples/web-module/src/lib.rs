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
//! Rust, beside a pure-JS producer, while the page's main thread consumes with `await`. The
//! example page `examples/web` runs it in its module workers: [`step_particles`] computes each
//! job's slice of the particle simulation into the double-buffered frame in the shared region.
//! The benchmark page `web/pages/bench.mjs` runs it in two workers: [`bench::BenchProducer`] and
//! [`bench::BenchConsumer`] move a million 32-byte messages through an SPSC ring with both loops
//! in Rust (compared with the native bench `ring/spsc_single/32B`).
//!
//! ```js
//! import init, { allocRegion, Ring } from './index.js';  // inos-web's API
//! import { produceTestMessages, stepParticles } from './inos_web.js'; // this crate's exports
//! ```
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use core::sync::atomic::Ordering;

pub mod bench;

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

/// Bytes per particle in a frame buffer: `x, y, vx, vy` as little-endian `f32`.
pub const PARTICLE_LEN: usize = 16;

/// Seconds per simulation step.
const STEP: f64 = 1.0 / 60.0;

/// One particle step: pulled toward an attractor circling the centre at `frame`, bouncing off
/// the walls of the unit square. `[x, y, vx, vy]` in, the next state out.
///
/// ```
/// let p = inos_web_module::particle_step([0.5, 0.5, 0.0, 0.0], 0);
/// assert!(p.iter().all(|v| v.is_finite()) && p[0] > 0.5); // moved toward the attractor
/// ```
pub fn particle_step(p: [f32; 4], frame: u32) -> [f32; 4] {
    let t = f64::from(frame) * STEP;
    let (ax, ay) = (0.5 + 0.3 * (t * 0.9).cos(), 0.5 + 0.3 * (t * 1.3).sin());
    let [mut x, mut y, mut vx, mut vy] = p.map(f64::from);
    let (dx, dy) = (ax - x, ay - y);
    let r2 = dx * dx + dy * dy + 0.01;
    vx = (vx + dx / r2 * 0.02 * STEP) * 0.999;
    vy = (vy + dy / r2 * 0.02 * STEP) * 0.999;
    x += vx * STEP;
    y += vy * STEP;
    if !(0.0..=1.0).contains(&x) {
        vx = -vx;
        x = x.clamp(0.0, 1.0);
    }
    if !(0.0..=1.0).contains(&y) {
        vy = -vy;
        y = y.clamp(0.0, 1.0);
    }
    [x, y, vx, vy].map(|v| v as f32)
}

/// The example page's compute job (JS: `stepParticles`): steps particles `start..start + count`
/// of frame `frame` from buffer `frame % 2` into buffer `(frame + 1) % 2` of the double-buffered
/// state at `state` (two buffers of `particles` × [`PARTICLE_LEN`] bytes, inside one region from
/// `allocRegion`, 4-aligned), in Rust, in place in the shared memory.
///
/// Throws `InosError` `BadRange` for a state range outside an allocated region and `Invalid`
/// for a particle range outside `0..particles`. Never blocks (any thread may call it).
#[wasm_bindgen(js_name = stepParticles)]
pub fn step_particles(
    state: f64,
    particles: u32,
    frame: u32,
    start: u32,
    count: u32,
) -> Result<(), JsValue> {
    let n = particles as usize;
    let (start, count) = (start as usize, count as usize);
    if !matches!(start.checked_add(count), Some(end) if end <= n) {
        return Err(inos_error(
            Code::Invalid,
            format_args!("particles {start}+{count} outside 0..{n}"),
        ));
    }
    let buffer = n
        .checked_mul(PARTICLE_LEN)
        .filter(|&b| b <= u32::MAX as usize / 2)
        .ok_or_else(|| inos_error(Code::Invalid, "too many particles"))?;
    let region = inos_web::shared_region(state, (2 * buffer) as f64, 4)?;
    let (src, dst) = (
        (frame % 2) as usize * buffer,
        ((frame + 1) % 2) as usize * buffer,
    );
    // Every word goes through an atomic (the page reads the buffers while workers write them).
    // SYNC: Relaxed: the order comes from the job ring (the kernel's push of this job after the
    // previous frame was complete, Release/Acquire in inos-ring) and the done ring + frame
    // epoch after it (the page draws a buffer only after its frame epoch moved).
    let word = |at: usize| region.u32_at(at).map_err(|e| inos_error(Code::BadRange, e));
    for i in start..start + count {
        let at = i * PARTICLE_LEN;
        let mut p = [0f32; 4];
        for (k, v) in p.iter_mut().enumerate() {
            *v = f32::from_bits(word(src + at + 4 * k)?.load(Ordering::Relaxed));
        }
        for (k, v) in particle_step(p, frame).into_iter().enumerate() {
            word(dst + at + 4 * k)?.store(v.to_bits(), Ordering::Relaxed);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn particles_stay_in_the_unit_square() {
        let mut p = [0.99, 0.01, 0.5, -0.5];
        for f in 0..10_000 {
            p = particle_step(p, f);
            assert!(
                (0.0..=1.0).contains(&p[0]) && (0.0..=1.0).contains(&p[1]),
                "{f}: {p:?}"
            );
            assert!(p[2].is_finite() && p[3].is_finite());
        }
    }

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
