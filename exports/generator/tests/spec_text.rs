//! Statements of docs/PROTOCOL.md that a foreign party relies on and that no table carries.

const SPEC: &str = include_str!("../../../docs/PROTOCOL.md");

/// §1 "Go parties": Go version, futex operation numbers, 64-bit alignment.
#[test]
fn go_party_rules_are_stated() {
    for needle in [
        "Go ≥ 1.19",
        "sequentially consistent",
        "**`FUTEX_WAIT` = 0**",
        "**`FUTEX_WAKE` = 1**",
        "never with `FUTEX_PRIVATE_FLAG` (128, i.e. never 128 or 129)",
        "8-aligned **relative to the region base**, and the base is page-aligned",
    ] {
        assert!(SPEC.contains(needle), "PROTOCOL.md lacks `{needle}`");
    }
}

/// §2.3: `init_state` has no waiter word; attachers poll it.
#[test]
fn init_state_polling_is_stated() {
    assert!(SPEC.contains("**No waiter word: attachers poll `init_state`.**"));
    assert!(SPEC.contains("must never\nrely on being woken"));
    // The header really has no waiter word: no header field is named like one.
    assert!(inos_layout::header::FIELDS
        .iter()
        .all(|f| !f.name.contains("waiter")));
}
