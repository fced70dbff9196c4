//! The `processes` example as a CI test: producer processes (this test binary re-executed, finding
//! its orders in an environment variable) on one region file, producer 0 `SIGKILL`ed inside a
//! reservation and producer 1 at a seeded random moment; every check of `inos_examples::procs`
//! must hold. Bounded by `Config::timeout` (and the producers' own push deadline); the children
//! are killed and reaped, and the region file removed, on every path out of `procs::run`.
#![cfg(unix)]

use std::time::Duration;

use inos_examples::procs::{self, Config, Fate, Launcher};

const CHILD: &str = "INOS_EXAMPLES_PROCESSES_PRODUCER";
const TEST_NAME: &str = "producers_killed_with_sigkill_lose_nothing";

#[test]
fn producers_killed_with_sigkill_lose_nothing() {
    // In a re-executed child: be the producer, and nothing else.
    if let Some(cfg) = procs::producer_from_env(CHILD).unwrap() {
        if let Err(e) = procs::run_producer(&cfg) {
            eprintln!("producer {}: {e}", cfg.id);
            std::process::exit(1);
        }
        std::process::exit(0);
    }

    let launcher = Launcher::TestHarness {
        exe: std::env::current_exe().unwrap(),
        test_name: TEST_NAME.into(),
        var: CHILD.into(),
    };
    for seed in [7, 2024] {
        let cfg = Config {
            producers: 3,
            messages: 3_000,
            seed,
            unblock_after: Duration::from_millis(100),
            timeout: Duration::from_secs(120),
            progress: false,
        };
        let report = procs::run(&cfg, &launcher).unwrap();
        println!("{report}");
        for c in &report.checks {
            assert!(c.ok, "seed {seed}: check failed: {}: {}", c.name, c.detail);
        }

        // The checks, spelled out.
        let [dying, victim, live] = &report.rows[..] else {
            panic!("3 rows expected");
        };
        assert_eq!(dying.fate, Fate::KilledInReservation);
        assert_eq!(dying.committed, 3_000 / 4);
        assert_eq!(dying.delivered, dying.committed);
        assert_eq!(dying.paid, i64::from(dying.committed));
        assert_eq!(dying.seen_dead, Some(true));

        // The random kill comes after the recovery and after a seeded number of its messages;
        // producer 1 cannot finish before it (the ring holds far fewer than the rest).
        assert_eq!(victim.fate, Fate::KilledAtRandom);
        assert!(victim.killed_after_delivered.is_some());
        assert!(victim.delivered == victim.committed || victim.delivered == victim.committed + 1);
        assert!(i64::from(victim.delivered) - 1 <= victim.paid);
        assert!(victim.paid <= i64::from(victim.committed));
        assert!(victim.delivered < 3_000);
        assert_eq!(victim.seen_dead, Some(true));

        assert_eq!(live.fate, Fate::Finished);
        assert_eq!((live.committed, live.delivered), (3_000, 3_000));
        assert_eq!(live.paid, 3_000);

        let l = &report.ledger;
        assert_eq!(l.minted, 9_000);
        assert!(l.in_flight == 0 || l.in_flight == 1, "{l:?}");
        assert_eq!(l.balanced, l.in_flight == 0);
        assert_eq!(l.sink, report.paid() - l.in_flight);
        assert_eq!(l.balances, i128::from(l.minted - l.in_flight));

        assert!(report.unblocked >= 1);
        let recovery = report.recovery_ms.expect("the stuck record was recovered");
        assert!(recovery < 60_000.0, "recovery took {recovery} ms");
        assert_eq!(report.forgotten, 2);
        assert_eq!(report.producers_attached_at_end, 0);
        assert_eq!(report.consumer_holder, Some(std::process::id()));
        assert!(report.consumer_kept);
        assert!(report.file_removed);
        assert!(!std::path::Path::new(&report.region).exists());

        // The JSON form carries the same results.
        let json: serde_json::Value = serde_json::to_value(&report).unwrap();
        assert_eq!(json["rows"][0]["fate"], "killed_in_reservation");
        assert_eq!(json["rows"][1]["fate"], "killed_at_random");
        assert_eq!(json["rows"][2]["delivered"], 3_000);
    }
}
