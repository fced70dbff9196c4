//! Fuzz the ledger over hostile bytes: attach, audit and every operation on a region another
//! party may have scribbled over must give typed errors, never a panic, UB or an out-of-region
//! access.
//!
//! The input's first byte selects a mode: 0 = the raw input is the region; otherwise a valid
//! ledger (4 accounts, 4 holds, with money, holds and rewards in it) is formatted and the rest of
//! the input is XOR-ed over it at an offset chosen by the second byte (this reaches the record
//! checks far more often than raw bytes). Then a script derived from the input runs operations.
#![no_main]
use inos_layout::RegionBuf;
use inos_ledger::{required_len, AccountId, HoldId, Ledger, LedgerError};
use libfuzzer_sys::fuzz_target;

fn populate(l: &Ledger<'_>) -> Vec<HoldId> {
    let a: Vec<AccountId> = (0..4).map(|_| l.open().unwrap()).collect();
    l.mint(a[0], 1000).unwrap();
    l.transfer(a[0], a[1], 300).unwrap();
    l.accrue(a[2], 50).unwrap();
    l.freeze(a[3]).unwrap();
    vec![l.hold(a[0], 100).unwrap(), l.hold(a[1], 20).unwrap()]
}

fn run(l: &Ledger<'_>, script: &[u8], holds: &[HoldId]) {
    if let Ok(r) = l.audit() {
        assert!(r.balance >= 0 && r.held >= 0 && r.pending >= 0);
    }
    for c in script.chunks(4) {
        let [op, x, y, z] = [
            c[0],
            *c.get(1).unwrap_or(&0),
            *c.get(2).unwrap_or(&0),
            *c.get(3).unwrap_or(&1),
        ];
        let a = AccountId::from_index(x as u32 % 6);
        let b = AccountId::from_index(y as u32 % 6);
        let amount = if z & 0x80 != 0 {
            i64::MAX - z as i64
        } else {
            z as i64 - 8
        };
        let h = holds
            .get(y as usize % holds.len().max(1))
            .copied()
            .unwrap_or(HoldId::from_u64(((z as u64) << 32) | x as u64));
        let r: Result<(), LedgerError> = match op % 14 {
            0 => l.open().map(|_| ()),
            1 => l.freeze(a),
            2 => l.unfreeze(a),
            3 => l.close(a),
            4 => l.mint(a, amount),
            5 => l.burn(a, amount),
            6 => l.transfer(a, b, amount),
            7 => l.accrue(a, amount),
            8 => l.claim(a).map(|_| ()),
            9 => l.hold(a, amount).map(|_| ()),
            10 => l.settle(h, b, amount),
            11 => l.void(h),
            12 => l.pending_hold(h).map(|_| ()),
            _ => l.audit().map(|_| ()),
        };
        let _ = r.map_err(|e| e.to_string());
        if let Ok(info) = l.account(a) {
            assert!(info.balance >= 0 && info.held >= 0 && info.pending >= 0);
            // Format 2: balance = credited − debited with 0 ≤ debited ≤ credited (else the read
            // is refused as corruption); spent is clamped at 0.
            assert!(info.balance <= info.earned && info.spent >= 0);
            assert_eq!(info.balance, info.credited - info.debited);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode == 0 {
        let Ok(buf) = RegionBuf::new(rest.len().min(4096)) else {
            return;
        };
        let region = buf.region();
        region.write(0, &rest[..region.len()]).unwrap();
        if let Ok(l) = Ledger::attach(region) {
            run(&l, &rest[rest.len().min(64)..], &[]);
        }
        return;
    }
    let len = required_len(4, 4).unwrap();
    let buf = RegionBuf::new(len).unwrap();
    let holds = populate(&Ledger::init(buf.region(), 4, 4).unwrap());
    let Some((&at, rest)) = rest.split_first() else {
        return;
    };
    let (patch, script) = rest.split_at(rest.len().min(64));
    let start = (at as usize * 8) % len;
    for (i, p) in patch.iter().enumerate() {
        let off = start + i;
        if off >= len {
            break;
        }
        let mut b = [0u8];
        buf.region().read(off, &mut b).unwrap();
        buf.region().write(off, &[b[0] ^ p]).unwrap();
    }
    if let Ok(l) = Ledger::attach(buf.region()) {
        run(&l, script, &holds);
    }
});
