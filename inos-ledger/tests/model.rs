//! Random operation sequences against a simple sequential model (BTreeMap): the ledger must
//! return the same results and the same error codes, and agree on every field afterwards.
//!
//! The model keeps the abstract fields (balance, held, pending, earned, spent); the ledger stores
//! format 2's `credited`/`debited` and derives them. In format 2 only `credited` (= earned) can
//! overflow on an inflow: balance and spent never exceed earned, so the model adds them with a
//! plain `+`, which panics (debug build) if that invariant is ever broken.

use std::collections::BTreeMap;

use inos_layout::RegionBuf;
use inos_ledger::{required_len, AccountId, AccountState, HoldId, Ledger, LedgerError as E};
use proptest::prelude::*;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Acct {
    balance: i64,
    held: i64,
    pending: i64,
    earned: i64,
    spent: i64,
    state: u8, // 0 free, 1 open, 2 frozen, 3 closed
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    generation: u32,
    pending: Option<(u32, i64)>,
}

struct Model {
    accounts: BTreeMap<u32, Acct>,
    slots: Vec<Slot>,
    minted: i64,
    burned: i64,
}

fn add(v: i64, a: i64, e: E) -> Result<i64, E> {
    v.checked_add(a).ok_or(e)
}

impl Model {
    fn new(cap: u32, holds: u32) -> Self {
        Self {
            accounts: (0..cap).map(|i| (i, Acct::default())).collect(),
            slots: vec![
                Slot {
                    generation: 0,
                    pending: None
                };
                holds as usize
            ],
            minted: 0,
            burned: 0,
        }
    }

    fn get(&self, id: u32) -> Result<Acct, E> {
        self.accounts.get(&id).copied().ok_or(E::NoSuchAccount)
    }

    fn gate_out(a: &Acct) -> Result<(), E> {
        match a.state {
            1 => Ok(()),
            2 => Err(E::AccountFrozen),
            3 => Err(E::AccountClosed),
            _ => Err(E::AccountNotOpen),
        }
    }

    fn gate_in(a: &Acct) -> Result<(), E> {
        match a.state {
            1 | 2 => Ok(()),
            3 => Err(E::AccountClosed),
            _ => Err(E::AccountNotOpen),
        }
    }

    fn pos(amount: i64) -> Result<(), E> {
        if amount > 0 {
            Ok(())
        } else {
            Err(E::AmountNotPositive)
        }
    }

    fn open(&mut self) -> Result<u32, E> {
        for (i, a) in self.accounts.iter_mut() {
            if a.state == 0 {
                a.state = 1;
                return Ok(*i);
            }
        }
        Err(E::AccountCapacityExhausted)
    }

    fn set_state(&mut self, id: u32, f: impl Fn(u8) -> Result<u8, E>) -> Result<(), E> {
        let a = self.get(id)?;
        let s = f(a.state)?;
        self.accounts.get_mut(&id).unwrap().state = s;
        Ok(())
    }

    fn mint(&mut self, id: u32, amount: i64) -> Result<(), E> {
        Self::pos(amount)?;
        let mut a = self.get(id)?;
        Self::gate_in(&a)?;
        let minted = add(self.minted, amount, E::MintedOverflow)?;
        a.earned = add(a.earned, amount, E::EarnedOverflow)?;
        a.balance += amount;
        self.minted = minted;
        self.accounts.insert(id, a);
        Ok(())
    }

    fn burn(&mut self, id: u32, amount: i64) -> Result<(), E> {
        Self::pos(amount)?;
        let mut a = self.get(id)?;
        Self::gate_out(&a)?;
        if a.balance < amount {
            return Err(E::InsufficientFunds);
        }
        a.balance -= amount;
        a.spent += amount;
        self.burned = add(self.burned, amount, E::BurnedOverflow)?;
        self.accounts.insert(id, a);
        Ok(())
    }

    fn transfer(&mut self, from: u32, to: u32, amount: i64) -> Result<(), E> {
        Self::pos(amount)?;
        if from == to {
            return Err(E::SameAccount);
        }
        let mut f = self.get(from)?;
        let mut t = self.get(to)?;
        Self::gate_out(&f)?;
        Self::gate_in(&t)?;
        if f.balance < amount {
            return Err(E::InsufficientFunds);
        }
        f.balance -= amount;
        f.spent += amount;
        t.earned = add(t.earned, amount, E::EarnedOverflow)?;
        t.balance += amount;
        self.accounts.insert(from, f);
        self.accounts.insert(to, t);
        Ok(())
    }

    fn accrue(&mut self, id: u32, amount: i64) -> Result<(), E> {
        Self::pos(amount)?;
        let mut a = self.get(id)?;
        Self::gate_in(&a)?;
        let minted = add(self.minted, amount, E::MintedOverflow)?;
        a.pending = add(a.pending, amount, E::PendingOverflow)?;
        self.minted = minted;
        self.accounts.insert(id, a);
        Ok(())
    }

    fn claim(&mut self, id: u32) -> Result<i64, E> {
        let mut a = self.get(id)?;
        Self::gate_in(&a)?;
        let p = a.pending;
        if p == 0 {
            return Err(E::NothingToClaim);
        }
        a.pending = 0;
        a.earned = add(a.earned, p, E::EarnedOverflow)?;
        a.balance += p;
        self.accounts.insert(id, a);
        Ok(p)
    }

    fn hold(&mut self, payer: u32, amount: i64) -> Result<HoldId, E> {
        Self::pos(amount)?;
        let mut a = self.get(payer)?;
        Self::gate_out(&a)?;
        let n = self.slots.len() as u64;
        if n == 0 {
            return Err(E::HoldCapacityExhausted);
        }
        // Documented slot choice: scan upwards from `(payer * 0x9E3779B9 mod 2^32) mod n`.
        let start = u64::from(payer.wrapping_mul(0x9E37_79B9)) % n;
        let Some(index) = (0..n)
            .map(|k| ((start + k) % n) as usize)
            .find(|&i| self.slots[i].pending.is_none())
        else {
            return Err(E::HoldCapacityExhausted);
        };
        let generation = self.slots[index].generation.wrapping_add(1);
        self.slots[index].generation = generation;
        if a.balance < amount {
            return Err(E::InsufficientFunds);
        }
        a.balance -= amount;
        a.held = add(a.held, amount, E::HeldOverflow)?;
        self.accounts.insert(payer, a);
        self.slots[index].pending = Some((payer, amount));
        Ok(HoldId::from_u64(((generation as u64) << 32) | index as u64))
    }

    fn pending(&self, id: HoldId) -> Result<(u32, i64), E> {
        let slot = self.slots.get(id.index() as usize).ok_or(E::NoSuchHold)?;
        if slot.generation != id.generation() {
            return Err(E::HoldStale);
        }
        slot.pending.ok_or(E::HoldNotPending)
    }

    fn settle(&mut self, id: HoldId, payee: u32, amount: i64) -> Result<(), E> {
        Self::pos(amount)?;
        let (payer, total) = self.pending(id)?;
        if amount > total {
            return Err(E::SettleExceedsHold);
        }
        let t = self.get(payee)?;
        Self::gate_in(&t)?;
        let mut p = self.get(payer)?;
        p.held -= total;
        p.spent += amount;
        if payee == payer {
            p.earned = add(p.earned, amount, E::EarnedOverflow)?;
            p.balance += total;
        } else {
            let mut t = t;
            t.earned = add(t.earned, amount, E::EarnedOverflow)?;
            t.balance += amount;
            p.balance += total - amount;
            self.accounts.insert(payee, t);
        }
        self.accounts.insert(payer, p);
        self.slots[id.index() as usize].pending = None;
        Ok(())
    }

    fn void(&mut self, id: HoldId) -> Result<(), E> {
        let (payer, total) = self.pending(id)?;
        let mut p = self.get(payer)?;
        p.held -= total;
        p.balance += total;
        self.accounts.insert(payer, p);
        self.slots[id.index() as usize].pending = None;
        Ok(())
    }
}

#[derive(Debug, Clone)]
enum Op {
    Open,
    Freeze(u32),
    Unfreeze(u32),
    Close(u32),
    Mint(u32, i64),
    Burn(u32, i64),
    Transfer(u32, u32, i64),
    Accrue(u32, i64),
    Claim(u32),
    Hold(u32, i64),
    /// Settle the n-th hold ever made (or a made-up id when there is none).
    Settle(usize, u32, i64),
    Void(usize),
    /// An id that was never issued.
    VoidForged(u32, u32),
}

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![
        6 => 1i64..50,
        1 => Just(0i64),
        1 => Just(-3i64),
        2 => (i64::MAX / 3)..=i64::MAX,
    ]
}

fn op(cap: u32) -> impl Strategy<Value = Op> {
    let acct = 0..cap + 1; // one past the end exercises NoSuchAccount
    prop_oneof![
        3 => Just(Op::Open),
        1 => acct.clone().prop_map(Op::Freeze),
        1 => acct.clone().prop_map(Op::Unfreeze),
        1 => acct.clone().prop_map(Op::Close),
        4 => (acct.clone(), amount()).prop_map(|(a, x)| Op::Mint(a, x)),
        2 => (acct.clone(), amount()).prop_map(|(a, x)| Op::Burn(a, x)),
        6 => (acct.clone(), acct.clone(), amount()).prop_map(|(a, b, x)| Op::Transfer(a, b, x)),
        2 => (acct.clone(), amount()).prop_map(|(a, x)| Op::Accrue(a, x)),
        2 => acct.clone().prop_map(Op::Claim),
        4 => (acct.clone(), amount()).prop_map(|(a, x)| Op::Hold(a, x)),
        4 => (any::<usize>(), acct.clone(), amount()).prop_map(|(h, a, x)| Op::Settle(h, a, x)),
        3 => any::<usize>().prop_map(Op::Void),
        1 => (0u32..6, 0u32..4).prop_map(|(i, g)| Op::VoidForged(i, g)),
    ]
}

fn scenario() -> impl Strategy<Value = (u32, u32, Vec<Op>)> {
    (1u32..5, 0u32..4).prop_flat_map(|(cap, holds)| {
        let len = if cfg!(miri) { 1..12 } else { 1..80 };
        (
            Just(cap),
            Just(holds),
            proptest::collection::vec(op(cap), len),
        )
    })
}

fn state_code(s: AccountState) -> u8 {
    match s {
        AccountState::Free => 0,
        AccountState::Open => 1,
        AccountState::Frozen => 2,
        AccountState::Closed => 3,
        _ => 255,
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 6 } else { 512 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn ledger_matches_model((cap, holds, ops) in scenario()) {
        let buf = RegionBuf::new(required_len(cap, holds).unwrap()).unwrap();
        let ledger = Ledger::init(buf.region(), cap, holds).unwrap();
        let mut m = Model::new(cap, holds);
        let mut issued: Vec<HoldId> = Vec::new();
        let id = AccountId::from_index;
        for op in ops {
            match op {
                Op::Open => prop_assert_eq!(ledger.open().map(|a| a.index()), m.open()),
                Op::Freeze(a) => prop_assert_eq!(ledger.freeze(id(a)), m.set_state(a, |s| match s {
                    1 => Ok(2), 2 => Err(E::AccountFrozen), 3 => Err(E::AccountClosed), _ => Err(E::AccountNotOpen),
                })),
                Op::Unfreeze(a) => prop_assert_eq!(ledger.unfreeze(id(a)), m.set_state(a, |s| match s {
                    2 => Ok(1), 1 => Err(E::AccountNotFrozen), 3 => Err(E::AccountClosed), _ => Err(E::AccountNotOpen),
                })),
                Op::Close(a) => prop_assert_eq!(ledger.close(id(a)), m.set_state(a, |s| match s {
                    1 | 2 => Ok(3), 3 => Err(E::AccountClosed), _ => Err(E::AccountNotOpen),
                })),
                Op::Mint(a, x) => prop_assert_eq!(ledger.mint(id(a), x), m.mint(a, x)),
                Op::Burn(a, x) => prop_assert_eq!(ledger.burn(id(a), x), m.burn(a, x)),
                Op::Transfer(a, b, x) => prop_assert_eq!(ledger.transfer(id(a), id(b), x), m.transfer(a, b, x)),
                Op::Accrue(a, x) => prop_assert_eq!(ledger.accrue(id(a), x), m.accrue(a, x)),
                Op::Claim(a) => prop_assert_eq!(ledger.claim(id(a)), m.claim(a)),
                Op::Hold(a, x) => {
                    let got = ledger.hold(id(a), x);
                    prop_assert_eq!(got, m.hold(a, x));
                    if let Ok(h) = got { issued.push(h); }
                }
                Op::Settle(h, a, x) => {
                    let h = issued.get(h % issued.len().max(1)).copied().unwrap_or(HoldId::from_u64(1 << 32));
                    prop_assert_eq!(ledger.settle(h, id(a), x), m.settle(h, a, x));
                }
                Op::Void(h) => {
                    let h = issued.get(h % issued.len().max(1)).copied().unwrap_or(HoldId::from_u64(1 << 32));
                    prop_assert_eq!(ledger.void(h), m.void(h));
                }
                Op::VoidForged(i, g) => {
                    let h = HoldId::from_u64(((g as u64) << 32) | i as u64);
                    prop_assert_eq!(ledger.void(h), m.void(h));
                    prop_assert_eq!(ledger.pending_hold(h).map(|(p, x)| (p.index(), x)), m.pending(h));
                }
            }
            // Quiescent after every op: the conservation law holds exactly.
            prop_assert!(ledger.audit().unwrap().is_balanced());
        }
        for (i, a) in &m.accounts {
            let got = ledger.account(id(*i)).unwrap();
            prop_assert_eq!(
                (got.balance, got.held, got.pending, got.earned, got.spent, state_code(got.state)),
                (a.balance, a.held, a.pending, a.earned, a.spent, a.state)
            );
        }
        prop_assert_eq!((ledger.total_minted(), ledger.total_burned()), (m.minted, m.burned));
    }
}
