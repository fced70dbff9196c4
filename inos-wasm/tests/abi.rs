//! The exports called as plain Rust functions on the host: the same code paths the wasm module
//! runs, with native threads standing in for workers.

use inos_layout::sync::Ordering;
use inos_layout::RegionBuf;
use inos_wasm::status::*;
use inos_wasm::*;

fn addr(buf: &RegionBuf) -> usize {
    buf.region().u32_at(0).unwrap().as_ptr() as usize
}

fn find(base: usize, len: u32, name: &str) -> (usize, u32) {
    let mut out = [0u32; 3];
    // SAFETY: the region is only accessed through the protocol; `name` and `out` are private.
    let st = unsafe {
        inos_region_find(
            base,
            len,
            name.as_ptr() as usize,
            name.len() as u32,
            out.as_mut_ptr() as usize,
        )
    };
    assert_eq!(st, OK, "{name}");
    (base + out[0] as usize, out[1])
}

#[test]
fn standard_layout_rings_and_ledger_work_across_threads() {
    let len = inos_standard_min_size();
    let buf = RegionBuf::new(len as usize).unwrap();
    let base = addr(&buf);
    // SAFETY: the buffer is only accessed through the protocol.
    unsafe {
        assert_eq!(inos_format_standard(base, len), 0);
        assert!(inos_attach_standard(base, len) > 0);
        // A party that believes the region is shorter than its header says refuses it.
        assert_eq!(inos_attach_standard(base, len - 65536), TOO_SMALL);
    }
    let (ring, ring_len) = find(base, len, "outbox_host");
    let n = 10_000u32;
    std::thread::scope(|s| {
        s.spawn(move || {
            // SAFETY: as above; `msg` is this thread's private buffer.
            unsafe {
                let p = inos_ring_producer(ring, ring_len);
                assert!(p > 0);
                for i in 0..n {
                    let msg = [i.to_le_bytes(), (!i).to_le_bytes()].concat();
                    assert_eq!(
                        inos_ring_push_wait(p, msg.as_ptr() as usize, 8, FOREVER),
                        OK
                    );
                }
                assert_eq!(inos_ring_close(p), OK);
            }
        });
        // SAFETY: as above; `out` is this thread's private buffer.
        unsafe {
            let c = inos_ring_consumer(ring, ring_len);
            assert!(c > 0);
            assert_eq!(inos_ring_consumer(ring, ring_len), ROLE_TAKEN);
            let mut out = [0u8; 16];
            for i in 0..n {
                assert_eq!(
                    inos_ring_pop_wait(c, out.as_mut_ptr() as usize, 16, FOREVER),
                    8
                );
                assert_eq!(out[..4], i.to_le_bytes());
                assert_eq!(out[4..8], (!i).to_le_bytes());
            }
            assert_eq!(inos_ring_pop(c, out.as_mut_ptr() as usize, 16), EMPTY);
            assert_eq!(inos_ring_close(c), OK);
            assert_eq!(inos_ring_close(c), BAD_HANDLE);
        }
    });

    let (ledger, ledger_len) = find(base, len, "ledger");
    // SAFETY: as above.
    unsafe {
        let accounts: Vec<u32> = (0..4)
            .map(|_| inos_ledger_open(ledger, ledger_len) as u32)
            .collect();
        for &a in &accounts {
            assert_eq!(inos_ledger_mint(ledger, ledger_len, a, 1_000), OK);
        }
        std::thread::scope(|s| {
            for t in 0..2u32 {
                let accounts = &accounts;
                s.spawn(move || {
                    for i in 0..5_000u32 {
                        let from = accounts[((i + t) % 4) as usize];
                        let to = accounts[((i * 3 + 1 + t) % 4) as usize];
                        let st = inos_ledger_transfer(
                            ledger,
                            ledger_len,
                            from,
                            to,
                            i64::from(i % 90 + 1),
                        );
                        assert!(
                            st == OK
                                || st == LEDGER_INSUFFICIENT_FUNDS
                                || st == LEDGER_SAME_ACCOUNT,
                            "{st}"
                        );
                    }
                });
            }
        });
        let mut report = [0i64; 8];
        assert_eq!(
            inos_ledger_audit(ledger, ledger_len, report.as_mut_ptr() as usize),
            OK
        );
        assert_eq!((report[0], report[3]), (4_000, 4_000));
        let sum: i64 = accounts
            .iter()
            .map(|&a| inos_ledger_balance(ledger, ledger_len, a))
            .sum();
        assert_eq!(sum, 4_000);
    }
}

#[test]
fn bad_addresses_and_hostile_bytes_give_statuses_not_panics() {
    let buf = RegionBuf::new(4096).unwrap();
    let a = addr(&buf);
    let mut out = [0u8; 8];
    let o = out.as_mut_ptr() as usize;
    // SAFETY: the buffer is only accessed through the protocol; `out` is private.
    unsafe {
        assert_eq!(inos_ring_init(0, 4096, 64, 1), INVALID);
        assert_eq!(inos_ring_init(a + 4, 1024, 64, 1), INVALID);
        assert_eq!(inos_epoch_signal(0), i64::from(INVALID));
        assert_eq!(inos_ledger_open(a, 4096), LEDGER_BAD_MAGIC);
        assert_eq!(inos_attach_standard(a, 4096), TOO_SMALL);
        assert_eq!(inos_ring_producer(a, 4096), NOT_FORMATTED);

        // A ring whose positions another party scribbled over.
        assert_eq!(inos_ring_init(a, 1024, 512, 2), OK);
        let c = inos_ring_consumer(a, 1024);
        assert!(c > 0);
        buf.region()
            .u32_at(inos_ring::layout::HEADER_LEN + 4)
            .unwrap()
            .store(0x1234_5678, Ordering::Relaxed);
        assert_eq!(inos_ring_pop(c, o, 8), CORRUPT);
        assert_eq!(inos_ring_pop_wait(c, o, 8, 0), CORRUPT);
        inos_ring_close(c);
        buf.region()
            .u32_at(inos_ring::layout::TAIL)
            .unwrap()
            .store(7, Ordering::Relaxed);
        assert_eq!(inos_ring_consumer(a, 1024), CORRUPT);

        // A ring header with a non-zero reserved word (ring.md §2): refused by both roles.
        assert_eq!(inos_ring_init(a, 1024, 512, 1), OK);
        let reserved = buf.region().u32_at(200).unwrap();
        reserved.store(1, Ordering::Relaxed);
        assert_eq!(inos_ring_consumer(a, 1024), NOT_FORMATTED);
        assert_eq!(inos_ring_producer(a, 1024), NOT_FORMATTED);
        reserved.store(0, Ordering::Relaxed);
        let p = inos_ring_producer(a, 1024);
        assert!(p > 0);
        inos_ring_close(p);

        // A fixed-size ring (ring.md §3.3) gets fixed-size ends; a MESSAGE_SIZE no ring may have
        // (non-zero on MPSC, above max_message) is refused, NOT_FORMATTED.
        inos_ring::Ring::<inos_ring::Spsc>::init_fixed(buf.region().sub(0, 1024).unwrap(), 512, 8)
            .unwrap();
        let (c, p) = (inos_ring_consumer(a, 1024), inos_ring_producer(a, 1024));
        assert!(c > 0 && p > 0, "{c} {p}");
        assert_eq!((inos_ring_close(c), inos_ring_close(p)), (OK, OK));
        let message_size = buf
            .region()
            .u32_at(inos_ring::layout::MESSAGE_SIZE)
            .unwrap();
        message_size.store(249, Ordering::Relaxed); // max_message(512) = 248
        assert_eq!(inos_ring_consumer(a, 1024), NOT_FORMATTED);
        assert_eq!(inos_ring_init(a, 1024, 512, 2), OK);
        message_size.store(8, Ordering::Relaxed);
        assert_eq!(inos_ring_producer(a, 1024), NOT_FORMATTED);
        message_size.store(0, Ordering::Relaxed);
        let p = inos_ring_producer(a, 1024);
        assert!(p > 0);
        inos_ring_close(p);

        // A ledger whose capacity word claims more than the region holds.
        assert_eq!(inos_ledger_init(a, 4096, 4, 4), OK);
        buf.region()
            .u32_at(8)
            .unwrap()
            .store(u32::MAX, Ordering::Relaxed);
        assert_eq!(inos_ledger_open(a, 4096), LEDGER_REGION_TOO_SMALL);
    }
}

#[test]
fn epoch_wait_sees_a_signal_from_another_thread() {
    let buf = RegionBuf::new(8).unwrap();
    let e = addr(&buf);
    let region = buf.region();
    std::thread::scope(|s| {
        // SAFETY: the slot is only accessed atomically.
        s.spawn(move || unsafe {
            // Signal only once the waiter is registered, so the wake-up is needed.
            while region.u32_at(4).unwrap().load(Ordering::SeqCst) == 0 {
                inos_layout::sync::spin_loop();
            }
            inos_epoch_signal(e)
        });
        // SAFETY: as above.
        assert_eq!(unsafe { inos_epoch_wait_changed(e, 0, FOREVER) }, 1);
    });
}

#[test]
fn a_hold_with_a_bad_out_buffer_is_refused_before_any_money_moves() {
    let buf = RegionBuf::new(4096).unwrap();
    let a = addr(&buf);
    let mut out = [0u64; 8];
    let o = out.as_mut_ptr() as usize;
    // SAFETY: the buffer is only accessed through the protocol; `out` is private.
    unsafe {
        assert_eq!(inos_ledger_init(a, 4096, 2, 2), OK);
        let payer = inos_ledger_open(a, 4096) as u32;
        assert_eq!(inos_ledger_mint(a, 4096, payer, 10), OK);
        // A misaligned `out`: the id could not be returned, so no hold may be taken.
        assert_eq!(inos_ledger_hold(a, 4096, payer, 6, o + 1), INVALID);
        assert_eq!(inos_ledger_balance(a, 4096, payer), 10);
        assert_eq!(inos_ledger_audit(a, 4096, o + 4), INVALID);
        assert_eq!(inos_ledger_audit(a, 4096, o), OK);
    }
    // Σ pending holds 0; then u32 holds in progress 0, u32 accounts in use 1.
    assert_eq!(out[5], 0);
    assert_eq!(out[6], 1 << 32);
    // The refused audit did not count: one audit run.
    let ledger = inos_ledger::Ledger::attach(buf.region()).unwrap();
    assert_eq!(ledger.audit_counts(), (1, 0));
}

/// A producer handle kept after `inos_ring_close` is refused, even when the next handle reuses
/// its table slot for another ring's producer (before handles carried a generation, the stale
/// handle silently pushed into the other ring).
#[test]
fn a_stale_ring_handle_is_refused_after_its_slot_is_reused() {
    let a = RegionBuf::new(512 + 64).unwrap();
    let b = RegionBuf::new(512 + 64).unwrap();
    let (ra, rb) = (addr(&a), addr(&b));
    let mut out = [0u8; 8];
    // SAFETY: the buffers are only accessed through the protocol; `out` and the messages are
    // private to this thread.
    unsafe {
        assert_eq!(inos_ring_init(ra, 576, 64, 1), OK);
        assert_eq!(inos_ring_init(rb, 576, 64, 1), OK);
        let cb = inos_ring_consumer(rb, 576);
        assert!(cb > 0);
        // Other tests share the handle table, so reopen until the slot is reused (the first try
        // almost always does: the table hands out the lowest free slot).
        let mut reused = false;
        for _ in 0..MAX_RING_HANDLES {
            let stale = inos_ring_producer(ra, 576);
            assert!(stale > 0);
            assert_eq!(inos_ring_close(stale), OK);
            let pb = inos_ring_producer(rb, 576);
            assert!(pb > 0);
            // The low 8 bits of a handle are its slot (README, "Ring handles").
            reused = (stale & 0xff) == (pb & 0xff);
            assert_ne!(stale, pb);
            assert_eq!(
                inos_ring_push(stale, b"stale".as_ptr() as usize, 5),
                BAD_HANDLE
            );
            assert_eq!(inos_ring_close(stale), BAD_HANDLE);
            assert_eq!(inos_ring_pop(cb, out.as_mut_ptr() as usize, 8), EMPTY);
            assert_eq!(inos_ring_push(pb, b"fresh".as_ptr() as usize, 5), OK);
            assert_eq!(inos_ring_pop(cb, out.as_mut_ptr() as usize, 8), 5);
            assert_eq!(&out[..5], b"fresh");
            assert_eq!(inos_ring_close(pb), OK);
            if reused {
                break;
            }
        }
        assert!(reused, "the handle table never reused a slot");
        assert_eq!(inos_ring_close(cb), OK);
    }
}

/// A scratch / name / `out` buffer inside the protocol region the call works on is refused with
/// `OVERLAP` before any slice is formed over it or any state changes (before, a push copied from
/// the ring's own bytes, a pop wrote into them, and `out`s were written into the ledger and the
/// directory).
#[test]
fn private_buffers_inside_the_protocol_region_are_refused() {
    let ring = RegionBuf::new(512 + 64).unwrap();
    let r = addr(&ring);
    let mut out = [0u8; 64];
    let o = out.as_mut_ptr() as usize;
    // SAFETY: the buffers are only accessed through the protocol; `out` is private. The calls
    // that name protocol bytes as private buffers are refused before touching them.
    unsafe {
        assert_eq!(inos_ring_init(r, 576, 64, 1), OK);
        let p = inos_ring_producer(r, 576);
        let c = inos_ring_consumer(r, 576);
        assert_eq!(inos_ring_push(p, r + 512, 8), OVERLAP);
        assert_eq!(inos_ring_push(p, r + 570, 16), OVERLAP); // straddles the end
        assert_eq!(inos_ring_push_wait(p, r, 4, 0), OVERLAP);
        assert_eq!(inos_ring_pop(c, r + 512, 64), OVERLAP);
        assert_eq!(inos_ring_push(p, o, 8), OK);
        assert_eq!(inos_ring_pop(c, r + 100, 64), OVERLAP);
        assert_eq!(inos_ring_pop_wait(c, r - 8, 64, 0), OVERLAP);
        assert_eq!(
            inos_ring_pop(c, o, 64),
            8,
            "the refused pops consumed nothing"
        );
        inos_ring_close(p);
        inos_ring_close(c);

        let len = inos_standard_min_size();
        let std = RegionBuf::new(len as usize).unwrap();
        let base = addr(&std);
        assert_eq!(inos_format_standard(base, len), 0);
        let name = "inbox";
        out[..5].copy_from_slice(name.as_bytes());
        let st = inos_region_find(base, len, o, 5, base + 4096);
        assert_eq!(st, OVERLAP);
        let (ledger, ledger_len) = find(base, len, "ledger");
        let a = inos_ledger_open(ledger, ledger_len) as u32;
        assert_eq!(inos_ledger_mint(ledger, ledger_len, a, 10), OK);
        assert_eq!(
            inos_ledger_hold(ledger, ledger_len, a, 4, ledger + 64),
            OVERLAP
        );
        assert_eq!(inos_ledger_audit(ledger, ledger_len, ledger), OVERLAP);
        assert_eq!(
            inos_ledger_balance(ledger, ledger_len, a),
            10,
            "no hold was taken"
        );
        let mut report = [0i64; 8];
        let rep = report.as_mut_ptr() as usize;
        assert_eq!(inos_ledger_audit(ledger, ledger_len, rep), OK);
        assert_eq!(report[0], 10);
    }
}
