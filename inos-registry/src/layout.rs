//! The wire format: the table header, the entry words common to every kind, and the records of
//! module entries and supervisor entries, as byte offsets.
//!
//! Everything here is specified in `docs/protocol/registry.md`; a test checks the tables there
//! against these constants, and `exports/inos_registry.*` are generated from them. Entry offsets
//! are relative to the entry's start (`HEADER_LEN + slot * entry_len` from the table base).
//!
//! ```
//! use inos_registry::layout::*;
//! assert_eq!((HEADER_LEN, MODULE_ENTRY_LEN, SUPERVISOR_ENTRY_LEN), (64, 88, 120));
//! assert_eq!((E_CLAIM, E_STATE, E_SEQ, E_RECORD), (0, 4, 8, 16));
//! assert_eq!(fnv1a(b"a"), 0xE40C_292C);
//! ```

/// `b"IREG"` read as a little-endian `u32`: the first word of every registry table.
pub const MAGIC: u32 = u32::from_le_bytes(*b"IREG");
/// The wire-format version this crate reads and writes.
pub const VERSION: u32 = 1;

/// Size of the table header in bytes (one cache line).
pub const HEADER_LEN: usize = 64;

// Header (offsets from the table base).
/// Header: `magic` (u32, [`MAGIC`]).
pub const H_MAGIC: usize = 0;
/// Header: `version` (u32, [`VERSION`]).
pub const H_VERSION: usize = 4;
/// Header: `kind` (u32, [`KIND_MODULE`] or [`KIND_SUPERVISOR`]).
pub const H_KIND: usize = 8;
/// Header: `entry_len` (u32, the kind's entry size).
pub const H_ENTRY_LEN: usize = 12;
/// Header: `entry_count` (u32, number of entries, `1..=MAX_ENTRIES`).
pub const H_ENTRY_COUNT: usize = 16;
/// Header: `probe_limit` (u32, `1..=min(entry_count, MAX_PROBES)`).
pub const H_PROBE_LIMIT: usize = 20;
/// First reserved byte of the header; `H_RESERVED..HEADER_LEN` are zero.
pub const H_RESERVED: usize = 24;

/// `kind` of a module registry.
pub const KIND_MODULE: u32 = 1;
/// `kind` of a supervisor table.
pub const KIND_SUPERVISOR: u32 = 2;

/// Largest entry count a table may declare (keeps every offset far inside `u32`).
pub const MAX_ENTRIES: u32 = 1 << 16;
/// Largest probe limit: no lookup or registration examines more entries than this.
pub const MAX_PROBES: u32 = 64;

// Entry words common to every kind (offsets from the entry start).
/// Entry: `claim` (u32): 0 when unclaimed, else the party id of the holder.
pub const E_CLAIM: usize = 0;
/// Entry: `state` (u32): `generation << 2 | phase`.
pub const E_STATE: usize = 4;
/// Entry: the seqlock sequence word (u32, `docs/protocol/epoch.md` §5): odd while writing.
pub const E_SEQ: usize = 8;
/// Entry: the seqlock's waiter count (u32).
pub const E_SEQ_WAITERS: usize = 12;
/// Entry: first byte of the seqlocked record.
pub const E_RECORD: usize = 16;
/// Record: `id_hash` (u32): FNV-1a of the id bytes ([`fnv1a`]).
pub const E_ID_HASH: usize = 16;
/// Record: `id_len` (u16, `1..=ID_MAX`).
pub const E_ID_LEN: usize = 20;
/// Record: `aux_len` (u16): module entries, the name length; supervisor entries, the number of
/// supervised modules.
pub const E_AUX_LEN: usize = 22;
/// Record: the id bytes (`ID_MAX` bytes, zero after `id_len`).
pub const E_ID: usize = 24;
/// Longest id in bytes.
pub const ID_MAX: usize = 16;

// Module entries.
/// Size of a module entry.
pub const MODULE_ENTRY_LEN: usize = 88;
/// Module record: `version` (u32: `major << 24 | minor << 16 | patch`).
pub const M_VERSION: usize = 40;
/// Module record: `memory_kib` (u32): the memory the module needs, in KiB.
pub const M_MEMORY_KIB: usize = 44;
/// Module record: `capabilities` (u64 bitmask as two u32 words, low word first).
pub const M_CAPABILITIES: usize = 48;
/// Module record: `ring` (u32): the region-directory index of the module's ring, or [`NONE`].
pub const M_RING: usize = 56;
/// Module record: `epoch` (u32): the epoch slot index the module signals, or [`NONE`].
pub const M_EPOCH: usize = 60;
/// Module record: the name bytes (`NAME_MAX` bytes, zero after `aux_len`).
pub const M_NAME: usize = 64;
/// Longest module name in bytes.
pub const NAME_MAX: usize = 16;
/// Module entry: `heartbeat` (u32), outside the record.
pub const M_HEARTBEAT: usize = 80;
/// Module entry: first reserved byte; `M_RESERVED..MODULE_ENTRY_LEN` are zero.
pub const M_RESERVED: usize = 84;
/// Length of the seqlocked module record (`E_RECORD..M_HEARTBEAT`).
pub const MODULE_RECORD_LEN: usize = M_HEARTBEAT - E_RECORD;

// Supervisor entries.
/// Size of a supervisor entry.
pub const SUPERVISOR_ENTRY_LEN: usize = 120;
/// Supervisor record: `status` (u32, supervisor-defined).
pub const S_STATUS: usize = 40;
/// Supervisor record: `epoch` (u32): the supervisor's epoch slot index, or [`NONE`].
pub const S_EPOCH: usize = 44;
/// Supervisor record: the supervised modules, `MAX_SUPERVISED` pairs of
/// (`slot` u32, `generation` u32); pairs past `aux_len` are zero.
pub const S_MODULES: usize = 48;
/// Most modules one supervisor entry lists.
pub const MAX_SUPERVISED: usize = 7;
/// Supervisor entry: `heartbeat` (u32), outside the record.
pub const S_HEARTBEAT: usize = 104;
/// Supervisor entry: first reserved byte; `S_RESERVED..SUPERVISOR_ENTRY_LEN` are zero.
pub const S_RESERVED: usize = 108;
/// Length of the seqlocked supervisor record (`E_RECORD..S_HEARTBEAT`).
pub const SUPERVISOR_RECORD_LEN: usize = S_HEARTBEAT - E_RECORD;

/// The value of an absent `ring` / `epoch` reference.
pub const NONE: u32 = u32::MAX;

// Entry phases (bits 0-1 of the state word; bits 2-31 are the generation).
/// Phase FREE: nobody registered here (the claim word is 0, or its holder is about to write).
pub const PHASE_FREE: u32 = 0;
/// Phase WRITING: the claim holder writes the record; invisible to lookups.
pub const PHASE_WRITING: u32 = 1;
/// Phase PENDING: the record is complete; the holder checks for a duplicate id.
pub const PHASE_PENDING: u32 = 2;
/// Phase LIVE: registered; lookups find it.
pub const PHASE_LIVE: u32 = 3;
/// Mask of the phase bits.
pub const PHASE_MASK: u32 = 3;
/// The generation is `state >> GEN_SHIFT` (30 bits, wrapping).
pub const GEN_SHIFT: u32 = 2;

/// FNV-1a offset basis (32-bit).
pub const FNV_OFFSET: u32 = 0x811C_9DC5;
/// FNV-1a prime (32-bit).
pub const FNV_PRIME: u32 = 0x0100_0193;

/// The 32-bit FNV-1a hash of `bytes`: start from [`FNV_OFFSET`]; for each byte, XOR it in, then
/// multiply by [`FNV_PRIME`] modulo 2³² (`Math.imul` in JS, `uint32` arithmetic in Go).
///
/// ```
/// use inos_registry::layout::fnv1a;
/// assert_eq!(fnv1a(b""), 0x811C_9DC5);
/// assert_eq!(fnv1a(b"foobar"), 0xBF9C_F968); // the FNV reference test vector
/// ```
pub const fn fnv1a(bytes: &[u8]) -> u32 {
    let mut h = FNV_OFFSET;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u32;
        h = h.wrapping_mul(FNV_PRIME);
        i += 1;
    }
    h
}

/// The slot at probe position `pos` of the chain of an id with hash `hash` in a table of
/// `count` entries: `(hash mod count + pos) mod count` (linear probing). `None` if `count` is 0.
///
/// ```
/// use inos_registry::layout::probe_slot;
/// assert_eq!(probe_slot(10, 0, 8), Some(2));
/// assert_eq!(probe_slot(10, 7, 8), Some(1));
/// ```
pub const fn probe_slot(hash: u32, pos: u32, count: u32) -> Option<u32> {
    if count == 0 {
        return None;
    }
    // hash % count < count <= 2^16 and pos < 2^32: the sum fits in u64.
    Some(((hash % count) as u64 + pos as u64).rem_euclid(count as u64) as u32)
}

/// The state word of `generation` (taken modulo 2³⁰) in `phase`.
///
/// ```
/// use inos_registry::layout::{pack_state, PHASE_LIVE};
/// assert_eq!(pack_state(5, PHASE_LIVE), 5 << 2 | 3);
/// ```
pub const fn pack_state(generation: u32, phase: u32) -> u32 {
    (generation << GEN_SHIFT) | (phase & PHASE_MASK)
}

/// The generation of a state word.
///
/// ```
/// assert_eq!(inos_registry::layout::state_generation(23), 5);
/// ```
pub const fn state_generation(state: u32) -> u32 {
    state >> GEN_SHIFT
}

/// The phase of a state word.
///
/// ```
/// assert_eq!(inos_registry::layout::state_phase(23), 3);
/// ```
pub const fn state_phase(state: u32) -> u32 {
    state & PHASE_MASK
}

/// Bytes a table of `count` entries of `entry_len` bytes occupies (`HEADER_LEN + count *
/// entry_len`), or `None` if that overflows `usize`.
///
/// ```
/// use inos_registry::layout::{required_len, MODULE_ENTRY_LEN};
/// assert_eq!(required_len(MODULE_ENTRY_LEN, 64), Some(64 + 64 * 88));
/// ```
pub const fn required_len(entry_len: usize, count: u32) -> Option<usize> {
    match entry_len.checked_mul(count as usize) {
        Some(n) => n.checked_add(HEADER_LEN),
        None => None,
    }
}

/// The region size of a table, in a layout's size type: what to pass to
/// [`LayoutBuilder::sized`](inos_layout::LayoutBuilder::sized).
///
/// ```
/// use inos_registry::layout::{region_size, SUPERVISOR_ENTRY_LEN};
/// assert_eq!(region_size(SUPERVISOR_ENTRY_LEN, 32).bytes(), Some(64 + 32 * 120));
/// ```
pub const fn region_size(entry_len: usize, count: u32) -> inos_layout::RegionSize {
    inos_layout::RegionSize::new(HEADER_LEN as u64 + entry_len as u64 * count as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_end_where_the_heartbeat_starts() {
        assert_eq!(MODULE_RECORD_LEN, 64);
        assert_eq!(SUPERVISOR_RECORD_LEN, 88);
        assert_eq!(M_NAME + NAME_MAX, M_HEARTBEAT);
        assert_eq!(S_MODULES + 8 * MAX_SUPERVISED, S_HEARTBEAT);
        assert_eq!(E_ID + ID_MAX, M_VERSION);
        assert_eq!(E_ID + ID_MAX, S_STATUS);
        assert_eq!(MAGIC.to_le_bytes(), *b"IREG");
    }

    #[test]
    fn probing_wraps() {
        for count in 1..20u32 {
            for hash in [0, 1, 17, u32::MAX] {
                let slots: std::vec::Vec<u32> = (0..count)
                    .map(|p| probe_slot(hash, p, count).unwrap())
                    .collect();
                let mut sorted = slots.clone();
                sorted.sort_unstable();
                sorted.dedup();
                assert_eq!(
                    sorted.len(),
                    count as usize,
                    "a chain visits every slot once"
                );
            }
        }
        assert_eq!(probe_slot(1, 1, 0), None);
    }
}
