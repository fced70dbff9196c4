//! The owned form across crates: a struct holding a shared-memory mapping with an MPSC ring's
//! consumer and producers (`inos_examples::owned`), run by CI through `cargo test --workspace`.

use std::path::PathBuf;

use inos_examples::owned::{run, Mailbox, RING_CAPACITY};
use inos_layout::{attach, Role, WaitPolicy};
use inos_ring::{Error, Mpsc, Ring};

struct TempPath(PathBuf);

impl TempPath {
    fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        Self(std::env::temp_dir().join(format!(
            "inos-examples-{tag}-{}-{nanos}",
            std::process::id()
        )))
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn the_example_delivers_everything_once_and_removes_its_file() {
    let path = TempPath::new("run");
    let report = run(&path.0, 3, 2_000).unwrap();
    assert_eq!(report.per_producer, [2_000; 3]);
    assert_eq!(report.delivered, 6_000);
    assert_eq!(report.signals, 6_000);
    assert!(!path.0.exists(), "the creator's mapping unlinks the file");
}

#[test]
fn a_sender_keeps_the_mapping_after_the_mailbox_is_gone() {
    let path = TempPath::new("keep");
    let (mailbox, role) = Mailbox::open(&path.0).unwrap();
    assert_eq!(role, Role::Formatted);
    let mut sender = mailbox.sender().unwrap();
    drop(mailbox); // its consumer role is released; the sender still holds the mapping
    assert!(path.0.exists());

    sender.send(b"after the mailbox").unwrap();
    // A new consumer on the same mapping takes the released role and finds the message.
    let region = sender.region().clone();
    let a = attach(
        region.region(),
        &inos_examples::owned::LAYOUT,
        WaitPolicy::NO_WAIT,
    )
    .unwrap();
    let ring = Ring::<Mpsc>::attach(a.get("ring").unwrap()).unwrap();
    assert_eq!(ring.capacity(), RING_CAPACITY);
    let mut c = ring.consumer().unwrap();
    let mut buf = [0u8; 32];
    let n = c.try_pop(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"after the mailbox");
    drop(c);
    drop(region);
    drop(sender); // the last owner: unmapped, and the creator's file unlinked
    assert!(!path.0.exists());
}

#[test]
fn a_second_mailbox_attaches_but_the_consumer_role_is_taken() {
    let path = TempPath::new("second");
    let (first, role) = Mailbox::open(&path.0).unwrap();
    assert_eq!(role, Role::Formatted);
    let err = Mailbox::open(&path.0).unwrap_err();
    assert_eq!(
        err.downcast_ref::<Error>(),
        Some(&Error::RoleTaken(inos_ring::Role::Consumer)),
        "{err}"
    );
    drop(first);
    // With the first gone (and its file unlinked), a new mailbox formats a fresh region.
    assert!(!path.0.exists());
    let (_again, role) = Mailbox::open(&path.0).unwrap();
    assert_eq!(role, Role::Formatted);
}
