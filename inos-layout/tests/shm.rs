//! Shared-memory files (feature `shm`): create / open / create_or_attach across two mappings of
//! one file in this process and across two OS processes, typed errors for wrong sizes, and the
//! owned form keeping a mapping alive.
#![cfg(all(feature = "shm", not(miri), not(loom)))]

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use inos_layout::shm::{ShmError, ShmRegion};
use inos_layout::sync::Ordering;
use inos_layout::{
    attach, AttachError, Attachment, Layout, LayoutBuilder, Owned, Region, RegionKind, Role,
    SharedRegion, WaitPolicy,
};

const SMALL: Layout = LayoutBuilder::new(64 * 1024)
    .region("flags", 128, 128, RegionKind::EPOCHS)
    .rest("data", 128, RegionKind::DATA)
    .build_checked();

/// A unique path in the temporary directory, removed when dropped (even if the test fails).
struct TempPath(PathBuf);

impl TempPath {
    fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!(
            "inos-shm-test-{tag}-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        Self(p)
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn wait() -> WaitPolicy {
    WaitPolicy::timeout(Duration::from_secs(10))
}

#[test]
fn two_mappings_share_bytes_and_exactly_one_formats() {
    let path = TempPath::new("two");
    let a = ShmRegion::open_or_create(&path.0, SMALL.total_size()).unwrap();
    let b = ShmRegion::open_or_create(&path.0, SMALL.total_size()).unwrap();
    assert!(a.created());
    assert!(!b.created());
    assert_eq!(a.region().len(), 64 * 1024);
    // Page-aligned, so 128-aligned.
    let base = a.region().u32_at(0).unwrap() as *const _ as usize;
    assert_eq!(base % inos_layout::CACHE_LINE_PAIR, 0);

    let (fa, ra) = a.create_or_attach(&SMALL, wait()).unwrap();
    let (fb, rb) = b.create_or_attach(&SMALL, wait()).unwrap();
    assert_eq!((ra, rb), (Role::Formatted, Role::Attached));
    assert_eq!(fa.generation(), fb.generation());

    // A word written through one mapping is read through the other.
    fa.get("flags")
        .unwrap()
        .u32_at(0)
        .unwrap()
        .store(42, Ordering::Release);
    let seen = fb.get("flags").unwrap().u32_at(0).unwrap();
    assert_eq!(seen.load(Ordering::Acquire), 42);
    fb.get("data").unwrap().write(0, b"from b").unwrap();
    assert!(fa
        .get("data")
        .unwrap()
        .bytes(0, 6)
        .unwrap()
        .eq_slice(b"from b"));

    // A third mapping made after both are gone finds the formatted region (the file persists).
    drop((a, b));
    let c = ShmRegion::open(&path.0).unwrap();
    assert!(attach(c.region(), &SMALL, WaitPolicy::NO_WAIT).is_ok());
}

#[test]
fn threads_racing_create_or_attach_format_once() {
    let path = TempPath::new("race");
    let roles: Vec<Role> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let shm = ShmRegion::open_or_create(&path.0, SMALL.total_size()).unwrap();
                    let (_, role) = shm.create_or_attach(&SMALL, wait()).unwrap();
                    role
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(roles.iter().filter(|r| **r == Role::Formatted).count(), 1);
}

#[test]
fn sizes_and_names_give_typed_errors() {
    let path = TempPath::new("sizes");
    assert!(matches!(
        ShmRegion::create(&path.0, 0),
        Err(ShmError::Empty { .. })
    ));
    assert!(!path.0.exists());
    assert!(matches!(
        ShmRegion::create(&path.0, u64::MAX),
        Err(ShmError::TooLarge { .. })
    ));
    match ShmRegion::open(&path.0) {
        Err(ShmError::Io {
            op: "open", source, ..
        }) => {
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound)
        }
        other => panic!("{other:?}"),
    }

    // A file too small for the layout: created fine, refused by the header protocol.
    let small = ShmRegion::create(&path.0, 4096).unwrap();
    assert_eq!(
        small
            .create_or_attach(&SMALL, WaitPolicy::NO_WAIT)
            .unwrap_err(),
        AttachError::TooSmall {
            len: 4096,
            needed: 64 * 1024
        }
    );
    assert!(matches!(
        ShmRegion::create(&path.0, 4096),
        Err(ShmError::Exists { .. })
    ));
    // A file of the wrong size for what this process expects.
    let err = ShmRegion::open_or_create(&path.0, SMALL.total_size()).unwrap_err();
    assert!(
        matches!(
            err,
            ShmError::WrongSize {
                expected: 65536,
                found: 4096,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("expected 65536"), "{err}");
    // An empty file (made by something else).
    drop(small);
    std::fs::remove_file(&path.0).unwrap();
    std::fs::File::create(&path.0).unwrap();
    assert!(matches!(
        ShmRegion::open(&path.0),
        Err(ShmError::Empty { .. })
    ));

    for bad in ["", ".", "..", "a/b", "a\\b", "nul\0"] {
        assert!(
            matches!(ShmRegion::path_for(bad), Err(ShmError::BadName { .. })),
            "{bad:?}"
        );
    }
    // No scratch files are left behind in the directory.
    let dir = path.0.parent().unwrap();
    let stem = path.0.file_name().unwrap().to_string_lossy().into_owned();
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.contains(&stem) && n.ends_with(".inos-tmp")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn unlink_and_remove_on_drop() {
    let path = TempPath::new("unlink");
    let creator = ShmRegion::create(&path.0, 4096).unwrap();
    let other = ShmRegion::open(&path.0).unwrap();
    assert!(creator.unlink().unwrap());
    assert!(!path.0.exists());
    // Both mappings still share the (now nameless) bytes.
    creator.region().write(0, b"gone").unwrap();
    assert!(other.region().bytes(0, 4).unwrap().eq_slice(b"gone"));
    // A new region under the same name is a separate one.
    let fresh = ShmRegion::open_or_create(&path.0, 4096).unwrap();
    assert!(fresh.region().bytes(0, 4).unwrap().eq_slice(&[0; 4]));
    // The old handle does not remove the new file that took its name.
    assert!(!creator.unlink().unwrap());
    drop(creator.remove_on_drop(true));
    assert!(path.0.exists());

    let fresh = fresh.remove_on_drop(true);
    drop(fresh);
    assert!(!path.0.exists());
}

/// A handle on the mapping whose `Drop` writes to it, like a ring role being released.
struct Holder<'a> {
    word: &'a inos_layout::sync::AtomicU32,
}

impl Drop for Holder<'_> {
    fn drop(&mut self) {
        self.word.store(0xDEAD, Ordering::Release);
    }
}

impl inos_layout::Dependent for Holder<'static> {
    type Of<'a> = Holder<'a>;
    fn shorten<'s, 'l: 's>(long: &'s Holder<'l>) -> &'s Holder<'s> {
        long
    }
}

#[test]
fn owned_form_keeps_the_mapping_alive_and_drops_in_order() {
    struct Service {
        attachment: Owned<Attachment<'static>>,
        holder: Owned<Holder<'static>>,
    }
    let path = TempPath::new("owned");
    let shared: SharedRegion = ShmRegion::open_or_create(&path.0, SMALL.total_size())
        .unwrap()
        .remove_on_drop(true)
        .into_shared();
    let attachment: Owned<Attachment<'static>> = shared
        .try_own(|r| inos_layout::create_or_attach(r, &SMALL, wait()).map(|(a, _)| a))
        .unwrap();
    let holder: Owned<Holder<'static>> = attachment.derive(|a, _| Holder {
        word: a.get("flags").unwrap().u32_at(4).unwrap(),
    });
    let flags: Owned<Region<'static>> = attachment.derive(|a, _| a.get("flags").unwrap());
    let svc = Service { attachment, holder };
    drop(shared); // the service alone keeps the mapping (and the file) alive
    assert!(path.0.exists());
    svc.holder.get().word.store(7, Ordering::Release);
    assert_eq!(
        svc.attachment
            .get()
            .get("flags")
            .unwrap()
            .u32_at(4)
            .unwrap()
            .load(Ordering::Acquire),
        7
    );
    // Another mapping watches what the holder's Drop writes.
    let observer = ShmRegion::open(&path.0).unwrap();
    let flags_at = SMALL.find("flags").unwrap().1.offset as usize;
    let word = observer.region().u32_at(flags_at + 4).unwrap();
    drop(svc);
    assert_eq!(word.load(Ordering::Acquire), 0xDEAD);
    assert!(path.0.exists(), "`flags` still holds the mapping");
    assert_eq!(
        flags.get().u32_at(4).unwrap().load(Ordering::Acquire),
        0xDEAD
    );
    drop(flags); // the last owner: unmapped, and the file unlinked
    assert!(!path.0.exists());
    assert_eq!(
        word.load(Ordering::Acquire),
        0xDEAD,
        "the observer's mapping stays"
    );
}

/// Two OS processes: this test re-runs its own binary as a child (selected by an environment
/// variable) that opens the file, attaches, and answers through the region.
#[test]
fn two_processes_share_a_region() {
    if let Ok(path) = std::env::var("INOS_SHM_CHILD") {
        child(PathBuf::from(path));
        return;
    }
    let path = TempPath::new("proc");
    let shm = ShmRegion::open_or_create(&path.0, SMALL.total_size()).unwrap();
    let (a, role) = shm.create_or_attach(&SMALL, wait()).unwrap();
    assert_eq!(role, Role::Formatted);
    let flags = a.get("flags").unwrap();
    flags.u32_at(0).unwrap().store(1234, Ordering::Release);

    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "two_processes_share_a_region", "--nocapture"])
        .env("INOS_SHM_CHILD", &path.0)
        .status()
        .unwrap();
    assert!(status.success(), "child failed: {status}");
    // The child answered through shared memory.
    assert_eq!(flags.u32_at(8).unwrap().load(Ordering::Acquire), 1235);
    assert!(a
        .get("data")
        .unwrap()
        .bytes(0, 10)
        .unwrap()
        .eq_slice(b"from child"));
}

fn child(path: PathBuf) {
    let shm = ShmRegion::open_or_create(&path, SMALL.total_size()).unwrap();
    assert!(!shm.created());
    let (a, role) = shm.create_or_attach(&SMALL, wait()).unwrap();
    assert_eq!(role, Role::Attached);
    let flags = a.get("flags").unwrap();
    let seen = flags.u32_at(0).unwrap().load(Ordering::Acquire);
    a.get("data").unwrap().write(0, b"from child").unwrap();
    flags.u32_at(8).unwrap().store(seen + 1, Ordering::Release);
}

/// The README's `shm` example (not compiled there: the README doctests run without the feature)
/// is the doc example of `ShmRegion::into_shared`, line for line.
#[test]
fn readme_shm_example_is_the_tested_doc_example() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{dir}/README.md")).unwrap();
    let source = std::fs::read_to_string(format!("{dir}/src/shm.rs")).unwrap();
    let start = readme.find("```rust,ignore\n").unwrap() + "```rust,ignore\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let doc: String = readme[start..end]
        .lines()
        .map(|l| {
            if l.is_empty() {
                "    ///\n".to_string()
            } else {
                format!("    /// {l}\n")
            }
        })
        .collect();
    assert!(
        source.contains(&doc),
        "README shm example and ShmRegion::into_shared's example differ"
    );
}
