//! The main demo's story (`inos_examples::main_demo`, the `demo` example), run by CI through
//! `cargo test --workspace`: every count of its results table checked.

use inos_examples::main_demo::{run, JOBS, PRICE};
use inos_registry::RegistryError;

#[test]
fn the_demo_accounts_for_every_job_credit_arena_byte_and_registry_entry() {
    let r = run(false).unwrap();
    assert_eq!((r.jobs, r.processed, r.settled), (JOBS, JOBS, JOBS));
    assert_eq!(r.host_updates, 10);
    assert_eq!(
        (r.requester_balance, r.requester_held, r.provider_balance),
        (0, 0, JOBS as i64 * PRICE)
    );
    assert!(r.audit_balanced);
    assert_eq!((r.inbox.dropped, r.inbox.aborted), (0, 0));

    // Every input went by reference and every block came back.
    assert_eq!(r.arena_blocks_handed_off, JOBS);
    assert_eq!(r.arena_results_handed_back, JOBS);
    assert!(r.arena_bytes_moved_by_ref >= JOBS * 64 * 1024);
    assert!(r.arena_peak_bytes_in_use >= 64 * 1024);
    assert_eq!(r.arena_bytes_in_use_after, 0);

    // The module registered, beat and unregistered; the kernel's handle to it is stale.
    assert_eq!(r.registry_modules_registered, 1);
    // The settler last looked at 900 settlements: by then the module had beaten at least 899 times.
    assert!(r.registry_heartbeat_seen >= 899);
    // Module register and unregister, supervisor register and unregister.
    assert_eq!(r.registry_epoch, 4);
    assert_eq!(r.registry_live_after, 0);
    assert_eq!(r.registry_stale_handle, RegistryError::Stale);

    let refused: Vec<_> = r.hostile_refused.iter().map(|(what, _)| *what).collect();
    assert_eq!(
        refused,
        [
            "header",
            "record length",
            "stale block ref",
            "forged block ref"
        ]
    );
}
