//! Shared-memory files (feature `shm`): [`ShmRegion`] maps a named region in `/dev/shm`, or any
//! file, read-write and shared, so that processes mapping the same file share its bytes.
//!
//! ```
//! use inos_layout::shm::ShmRegion;
//! use inos_layout::{standard::STANDARD_32MIB, Role, WaitPolicy};
//!
//! let path = std::env::temp_dir().join(format!("inos-doc-shm-{}", std::process::id()));
//! let len = STANDARD_32MIB.total_size();
//!
//! // Every process runs the same two lines; the first to get here creates the file, and exactly
//! // one formats the region.
//! let kernel = ShmRegion::open_or_create(&path, len).unwrap().remove_on_drop(true);
//! let (_, role) = kernel.create_or_attach(&STANDARD_32MIB, WaitPolicy::default()).unwrap();
//! assert_eq!(role, Role::Formatted);
//!
//! // Here a second mapping of the same file stands in for another process.
//! let module = ShmRegion::open_or_create(&path, len).unwrap();
//! let (a, role) = module.create_or_attach(&STANDARD_32MIB, WaitPolicy::default()).unwrap();
//! assert_eq!(role, Role::Attached);
//! a.get("inbox").unwrap().write(0, b"job").unwrap();
//! let inbox = kernel.create_or_attach(&STANDARD_32MIB, WaitPolicy::NO_WAIT).unwrap().0.get("inbox").unwrap();
//! assert!(inbox.bytes(0, 3).unwrap().eq_slice(b"job"));
//!
//! drop(module);
//! drop(kernel); // remove_on_drop: the file is unlinked
//! assert!(!path.exists());
//! ```
//!
//! # The file's life
//!
//! The bytes live in the file, not in any process: when every process has exited (or unmapped
//! it), the file **stays**, with its contents, until it is removed — in `/dev/shm` (a tmpfs, in
//! RAM) until it is unlinked or the machine reboots. A later `open_or_create` of the same path
//! therefore finds the old region: [`create_or_attach`](ShmRegion::create_or_attach) attaches to
//! it (and a header left half-written by a crashed formatter needs [`reformat`](crate::reformat)).
//! Remove the file when the system shuts down: [`ShmRegion::unlink`] removes its name at once
//! (processes that mapped it keep their mapping; new `open`s fail), and
//! [`ShmRegion::remove_on_drop`] unlinks it when that handle is dropped (give it to the creator or
//! supervisor, not to every process). A process killed with `SIGKILL` runs no drop: a supervisor,
//! or the next start, must unlink.
//!
//! # Caveats
//! - Never shrink a mapped file (`truncate`, `ftruncate`): touching a page past the new end
//!   raises `SIGBUS` in every process that mapped it. These functions never change the size of
//!   an existing file, and [`open_or_create`](ShmRegion::open_or_create) refuses a file of the
//!   wrong size.
//! - The file is created with mode `0o666` minus the umask (like `shm_open`): any user that can
//!   open it can read and write the region.
//! - Two mappings of one file in one process (as in the tests) alias the same memory at two
//!   addresses; that is sound because every access through a [`Region`] is atomic.
//! - Outside Linux there is no `/dev/shm`: [`ShmRegion::path_for`] uses the temporary directory,
//!   where the file may be written back to disk by the OS (it is still shared memory).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering as StdOrdering};

use memmap2::{MmapOptions, MmapRaw};

use crate::attach::{create_or_attach, Attachment, Role};
use crate::attach_error::AttachError;
use crate::layout::Layout;
use crate::owned::{RegionOwner, SharedRegion};
use crate::region::{Region, CACHE_LINE_PAIR};
use crate::wait::WaitPolicy;

/// Why a shared-memory file could not be created, opened or mapped.
///
/// ```
/// use inos_layout::shm::{ShmError, ShmRegion};
/// let path = std::env::temp_dir().join(format!("inos-doc-shmerror-{}", std::process::id()));
/// let first = ShmRegion::create(&path, 4096).unwrap().remove_on_drop(true);
/// let err = ShmRegion::create(&path, 4096).unwrap_err();
/// assert!(matches!(err, ShmError::Exists { .. }));
/// let err = ShmRegion::open_or_create(&path, 8192).unwrap_err();
/// assert!(matches!(err, ShmError::WrongSize { expected: 8192, found: 4096, .. }));
/// println!("{err}");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ShmError {
    /// A system call failed.
    Io {
        /// What was being done (`"open"`, `"create"`, `"map"`, ...).
        op: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// [`ShmRegion::create`] found the file already there.
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The file's size is not the size asked for.
    WrongSize {
        /// The file.
        path: PathBuf,
        /// The size asked for, in bytes.
        expected: u64,
        /// The file's size, in bytes.
        found: u64,
    },
    /// A zero-length region was asked for, or the file is empty.
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The size does not fit this platform's address space (`isize::MAX`).
    TooLarge {
        /// The size asked for (or found), in bytes.
        len: u64,
    },
    /// [`ShmRegion::path_for`] was given a name that is empty, `.`/`..`, or contains `/`, `\` or
    /// NUL.
    BadName {
        /// The name.
        name: String,
    },
    /// The mapping is not aligned to [`CACHE_LINE_PAIR`] (never seen: mappings are page-aligned).
    Misaligned {
        /// The file.
        path: PathBuf,
    },
}

impl std::fmt::Display for ShmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io { op, path, source } => {
                write!(
                    f,
                    "shared-memory file {}: {op} failed: {source}",
                    path.display()
                )
            }
            Self::Exists { path } => write!(
                f,
                "shared-memory file {} already exists (open it, or remove it if a previous run \
                 left it behind)",
                path.display()
            ),
            Self::WrongSize {
                path,
                expected,
                found,
            } => write!(
                f,
                "shared-memory file {} is {found} bytes, expected {expected} (made for another \
                 layout? remove it, or open it with the size it has)",
                path.display()
            ),
            Self::Empty { path } => write!(
                f,
                "shared-memory file {}: a region needs at least one byte",
                path.display()
            ),
            Self::TooLarge { len } => {
                write!(f, "a shared region of {len} bytes does not fit in memory")
            }
            Self::BadName { name } => write!(
                f,
                "{name:?} is not a shared-memory name (non-empty, not `.`/`..`, without `/`, `\\` \
                 or NUL)"
            ),
            Self::Misaligned { path } => write!(
                f,
                "shared-memory file {}: mapping is not {CACHE_LINE_PAIR}-byte aligned",
                path.display()
            ),
        }
    }
}

impl std::error::Error for ShmError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A shared, read-write mapping of a whole file: the memory behind a cross-process [`Region`].
///
/// Borrow a [`Region`] with [`region`](Self::region), format or attach with
/// [`create_or_attach`](Self::create_or_attach), or turn it into a [`SharedRegion`] with
/// [`into_shared`](Self::into_shared) to keep it in a struct together with the rings, epochs and
/// ledgers built on it ([`Owned`](crate::Owned)). The base address is page-aligned (so
/// [`CACHE_LINE_PAIR`]-aligned). Unmapped on drop; the file stays unless
/// [`remove_on_drop`](Self::remove_on_drop) is set (see the [module docs](self)).
///
/// ```
/// use inos_layout::shm::ShmRegion;
/// let path = std::env::temp_dir().join(format!("inos-doc-shmregion-{}", std::process::id()));
/// let shm = ShmRegion::create(&path, 4096).unwrap();
/// shm.region().write(0, b"hello").unwrap();
/// let again = ShmRegion::open(&path).unwrap();
/// assert!(again.region().bytes(0, 5).unwrap().eq_slice(b"hello"));
/// shm.unlink().unwrap();
/// ```
pub struct ShmRegion {
    map: MmapRaw,
    path: PathBuf,
    /// The mapped file's identity (device, inode) where the platform has one, so that
    /// [`unlink`](Self::unlink) never removes another file that took the name since.
    id: Option<(u64, u64)>,
    created: bool,
    remove_on_drop: bool,
}

impl std::fmt::Debug for ShmRegion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShmRegion")
            .field("path", &self.path)
            .field("len", &self.map.len())
            .field("created", &self.created)
            .field("remove_on_drop", &self.remove_on_drop)
            .finish()
    }
}

fn io_err<'p>(op: &'static str, path: &'p Path) -> impl FnOnce(io::Error) -> ShmError + 'p {
    move |source| ShmError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// A length given as any integer type (a layout's `u64` `total_size`, a crate's `usize`
/// `required_len`, a literal): one that does not fit a `u64` (a negative literal) reads as
/// `u64::MAX`, which [`checked_len`] refuses as [`ShmError::TooLarge`].
fn as_u64(len: impl TryInto<u64>) -> u64 {
    len.try_into().unwrap_or(u64::MAX)
}

fn checked_len(len: u64, path: &Path) -> Result<usize, ShmError> {
    if len == 0 {
        return Err(ShmError::Empty {
            path: path.to_path_buf(),
        });
    }
    match usize::try_from(len) {
        Ok(n) if n <= isize::MAX as usize => Ok(n),
        _ => Err(ShmError::TooLarge { len }),
    }
}

/// A name for the scratch file a region is built in before it is linked under its real name.
fn scratch_path(path: &Path) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = NEXT.fetch_add(1, StdOrdering::Relaxed);
    path.with_file_name(format!(".{name}.{}.{n}.inos-tmp", std::process::id()))
}

impl ShmRegion {
    /// The path of the shared-memory object `name`: `/dev/shm/<name>` where `/dev/shm` exists
    /// (Linux), otherwise `<temp dir>/<name>`.
    ///
    /// # Errors
    /// [`ShmError::BadName`] if `name` is empty, `.` or `..`, or contains `/`, `\` or NUL.
    ///
    /// ```
    /// use inos_layout::shm::ShmRegion;
    /// let p = ShmRegion::path_for("inos-demo").unwrap();
    /// assert!(p.ends_with("inos-demo"));
    /// # #[cfg(target_os = "linux")]
    /// assert_eq!(p, std::path::Path::new("/dev/shm/inos-demo"));
    /// assert!(ShmRegion::path_for("a/b").is_err());
    /// ```
    pub fn path_for(name: &str) -> Result<PathBuf, ShmError> {
        if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\', '\0']) {
            return Err(ShmError::BadName {
                name: name.to_owned(),
            });
        }
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        Ok(dir.join(name))
    }

    /// Creates the file `path` with `len` zero bytes and maps it; fails if it exists.
    ///
    /// `len` may be any integer type (a layout's `total_size()`, a crate's `required_len`).
    ///
    /// The file appears under its name already at full size (it is built under a scratch name in
    /// the same directory and hard-linked into place), so a concurrent [`open`](Self::open) never
    /// sees it half-made.
    ///
    /// # Errors
    /// [`ShmError::Exists`], [`ShmError::Empty`] (`len == 0`), [`ShmError::TooLarge`], or
    /// [`ShmError::Io`].
    ///
    /// ```
    /// use inos_layout::shm::ShmRegion;
    /// let path = std::env::temp_dir().join(format!("inos-doc-create-{}", std::process::id()));
    /// let shm = ShmRegion::create(&path, 1 << 20).unwrap().remove_on_drop(true);
    /// assert_eq!(shm.len(), 1 << 20);
    /// assert!(shm.created());
    /// ```
    pub fn create(path: impl AsRef<Path>, len: impl TryInto<u64>) -> Result<Self, ShmError> {
        let path = path.as_ref();
        let len = as_u64(len);
        let n = checked_len(len, path)?;
        let scratch = scratch_path(path);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&scratch)
            .map_err(io_err("create", &scratch))?;
        let built = file
            .set_len(len)
            .map_err(io_err("set_len", &scratch))
            .and_then(|()| {
                std::fs::hard_link(&scratch, path).map_err(|e| {
                    if e.kind() == io::ErrorKind::AlreadyExists {
                        ShmError::Exists {
                            path: path.to_path_buf(),
                        }
                    } else {
                        io_err("link", path)(e)
                    }
                })
            });
        // The scratch name goes in every case; the file lives on under `path` (if linked).
        let _ = std::fs::remove_file(&scratch);
        built?;
        Self::map(&file, path, n, true)
    }

    /// Opens the existing file `path` and maps all of it.
    ///
    /// # Errors
    /// [`ShmError::Io`] (`NotFound` if there is no such file), [`ShmError::Empty`] or
    /// [`ShmError::TooLarge`].
    ///
    /// ```
    /// use inos_layout::shm::{ShmError, ShmRegion};
    /// let path = std::env::temp_dir().join(format!("inos-doc-open-{}", std::process::id()));
    /// assert!(matches!(ShmRegion::open(&path), Err(ShmError::Io { .. })));
    /// let _creator = ShmRegion::create(&path, 8192).unwrap().remove_on_drop(true);
    /// assert_eq!(ShmRegion::open(&path).unwrap().len(), 8192);
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ShmError> {
        let path = path.as_ref();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(io_err("open", path))?;
        let found = file.metadata().map_err(io_err("stat", path))?.len();
        let n = checked_len(found, path)?;
        Self::map(&file, path, n, false)
    }

    /// Opens `path` if it exists and is `len` bytes, or creates it: what every process of a
    /// system runs at start-up. Follow it with [`create_or_attach`](Self::create_or_attach) so
    /// that exactly one process formats.
    ///
    /// # Errors
    /// [`ShmError::WrongSize`] if the file exists with another size (made for another layout, or
    /// not an inos region), and those of [`create`](Self::create) and [`open`](Self::open).
    ///
    /// ```
    /// use inos_layout::shm::ShmRegion;
    /// let path = std::env::temp_dir().join(format!("inos-doc-ooc-{}", std::process::id()));
    /// let a = ShmRegion::open_or_create(&path, 4096).unwrap().remove_on_drop(true);
    /// let b = ShmRegion::open_or_create(&path, 4096).unwrap();
    /// assert!(a.created() && !b.created());
    /// ```
    pub fn open_or_create(
        path: impl AsRef<Path>,
        len: impl TryInto<u64>,
    ) -> Result<Self, ShmError> {
        let path = path.as_ref();
        let len = as_u64(len);
        checked_len(len, path)?;
        loop {
            match Self::open(path) {
                Ok(shm) => {
                    let found = shm.map.len() as u64;
                    if found != len {
                        return Err(ShmError::WrongSize {
                            path: path.to_path_buf(),
                            expected: len,
                            found,
                        });
                    }
                    return Ok(shm);
                }
                Err(ShmError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            match Self::create(path, len) {
                // Lost a race with another creator: open theirs.
                Err(ShmError::Exists { .. }) => continue,
                other => return other,
            }
        }
    }

    fn map(file: &File, path: &Path, len: usize, created: bool) -> Result<Self, ShmError> {
        let map = MmapOptions::new()
            .len(len)
            .map_raw(file)
            .map_err(io_err("map", path))?;
        let id = file_id(&file.metadata().map_err(io_err("stat", path))?);
        if map.as_mut_ptr() as usize % CACHE_LINE_PAIR != 0 {
            return Err(ShmError::Misaligned {
                path: path.to_path_buf(),
            });
        }
        Ok(Self {
            map,
            path: path.to_path_buf(),
            id,
            created,
            remove_on_drop: false,
        })
    }

    /// Unlinks the file when this handle is dropped (`true`), or not (`false`, the default).
    /// Give it to the process that owns the system's lifetime (the creator or a supervisor).
    ///
    /// ```
    /// use inos_layout::shm::ShmRegion;
    /// let path = std::env::temp_dir().join(format!("inos-doc-rod-{}", std::process::id()));
    /// drop(ShmRegion::create(&path, 4096).unwrap().remove_on_drop(true));
    /// assert!(!path.exists());
    /// ```
    #[must_use]
    pub fn remove_on_drop(mut self, remove: bool) -> Self {
        self.remove_on_drop = remove;
        self
    }

    /// Removes the file's name now, if it still names this mapping's file; returns whether it
    /// did (`false` if the name is gone, or, on Unix, names a file made since). Mappings (in this
    /// and other processes) stay valid; new [`open`](Self::open)s fail, and a later
    /// `open_or_create` makes a new, separate region.
    ///
    /// # Errors
    /// [`ShmError::Io`] if the file could not be checked or removed.
    ///
    /// ```
    /// use inos_layout::shm::ShmRegion;
    /// let path = std::env::temp_dir().join(format!("inos-doc-unlink-{}", std::process::id()));
    /// let shm = ShmRegion::create(&path, 4096).unwrap();
    /// assert_eq!(shm.unlink().unwrap(), true);
    /// assert_eq!(shm.unlink().unwrap(), false);
    /// shm.region().write(0, b"still mapped").unwrap();
    /// assert!(!path.exists());
    /// ```
    pub fn unlink(&self) -> Result<bool, ShmError> {
        let meta = match std::fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(io_err("stat", &self.path)(e)),
        };
        if self.id.is_some() && file_id(&meta) != self.id {
            return Ok(false);
        }
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_err("unlink", &self.path)(e)),
        }
    }

    /// The region over the whole mapping.
    ///
    /// ```
    /// use inos_layout::shm::ShmRegion;
    /// let path = std::env::temp_dir().join(format!("inos-doc-region-{}", std::process::id()));
    /// let shm = ShmRegion::create(&path, 4096).unwrap().remove_on_drop(true);
    /// assert_eq!(shm.region().len(), 4096);
    /// ```
    pub fn region(&self) -> Region<'_> {
        // SAFETY: the mapping is valid for reads and writes of `len` bytes until `self` is dropped
        // (`MmapRaw` unmaps only in its `Drop`, and these functions never shrink the file); it is
        // only ever accessed through `Region`s (atomics), `MmapRaw` never forms a reference to it,
        // and other processes are outside this process's memory model. The base is page-aligned.
        unsafe { Region::from_raw_parts(self.map.as_mut_ptr(), self.map.len()) }
            .expect("a mapping is aligned and at most isize::MAX bytes")
    }

    /// Formats the region with `layout` if nobody has yet, or attaches to it:
    /// [`create_or_attach`](fn@crate::create_or_attach) on [`region`](Self::region). Of any number of
    /// processes racing here, exactly one gets [`Role::Formatted`].
    ///
    /// # Errors
    /// Those of [`create_or_attach`](fn@crate::create_or_attach): [`AttachError::TooSmall`] if the
    /// file is smaller than the layout, a fingerprint mismatch if it was formatted with another
    /// layout, [`AttachError::NotReady`] if a formatter died half-way (then
    /// [`reformat`](crate::reformat)).
    ///
    /// ```
    /// use inos_layout::shm::ShmRegion;
    /// use inos_layout::{standard::STANDARD_32MIB, AttachError, WaitPolicy};
    /// let path = std::env::temp_dir().join(format!("inos-doc-coa-{}", std::process::id()));
    /// let small = ShmRegion::create(&path, 4096).unwrap().remove_on_drop(true);
    /// let err = small.create_or_attach(&STANDARD_32MIB, WaitPolicy::NO_WAIT).unwrap_err();
    /// assert!(matches!(err, AttachError::TooSmall { len: 4096, .. }));
    /// ```
    pub fn create_or_attach(
        &self,
        layout: &Layout,
        wait: WaitPolicy,
    ) -> Result<(Attachment<'_>, Role), AttachError> {
        create_or_attach(self.region(), layout, wait)
    }

    /// Length of the mapping in bytes.
    ///
    /// ```
    /// use inos_layout::shm::ShmRegion;
    /// let path = std::env::temp_dir().join(format!("inos-doc-len-{}", std::process::id()));
    /// assert_eq!(ShmRegion::create(&path, 4096).unwrap().remove_on_drop(true).len(), 4096);
    /// ```
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Always `false`: a mapping has at least one byte.
    ///
    /// ```
    /// use inos_layout::shm::ShmRegion;
    /// let path = std::env::temp_dir().join(format!("inos-doc-empty-{}", std::process::id()));
    /// assert!(!ShmRegion::create(&path, 4096).unwrap().remove_on_drop(true).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.map.len() == 0
    }

    /// The file's path.
    ///
    /// ```
    /// use inos_layout::shm::ShmRegion;
    /// let path = std::env::temp_dir().join(format!("inos-doc-path-{}", std::process::id()));
    /// assert_eq!(ShmRegion::create(&path, 4096).unwrap().remove_on_drop(true).path(), path);
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this handle created the file (rather than opening an existing one). Creating the
    /// file is not formatting it: that is decided by [`create_or_attach`](Self::create_or_attach).
    ///
    /// ```
    /// use inos_layout::shm::ShmRegion;
    /// let path = std::env::temp_dir().join(format!("inos-doc-created-{}", std::process::id()));
    /// let shm = ShmRegion::create(&path, 4096).unwrap().remove_on_drop(true);
    /// assert!(shm.created());
    /// assert!(!ShmRegion::open(&path).unwrap().created());
    /// ```
    pub fn created(&self) -> bool {
        self.created
    }

    /// A reference-counted owner of this mapping, from which [`Owned`](crate::Owned) rings,
    /// epochs, ledgers and attachments are built and kept in one struct with it.
    ///
    /// ```
    /// use inos_layout::shm::ShmRegion;
    /// use inos_layout::{standard::STANDARD_32MIB, Attachment, Owned, WaitPolicy};
    ///
    /// // `ShmRegion::path_for("inos")` is `/dev/shm/inos` on Linux; a temporary path keeps this runnable.
    /// let path = std::env::temp_dir().join(format!("inos-readme-{}", std::process::id()));
    /// let shm = ShmRegion::open_or_create(&path, STANDARD_32MIB.total_size()).unwrap();
    /// let (attachment, role) = shm.create_or_attach(&STANDARD_32MIB, WaitPolicy::default()).unwrap();
    /// println!("{role:?} generation {}", attachment.generation());
    ///
    /// // A struct that owns the mapping and what is built on it: `Owned<T>` keeps `T<'_>` together
    /// // with a reference-counted `SharedRegion`, drops the handle first, then the mapping.
    /// struct Kernel {
    ///     attachment: Owned<Attachment<'static>>,
    /// }
    /// let kernel = Kernel {
    ///     attachment: shm.remove_on_drop(true).into_shared().try_own(|r| {
    ///         inos_layout::attach(r, &STANDARD_32MIB, WaitPolicy::NO_WAIT)
    ///     }).unwrap(),
    /// };
    /// kernel.attachment.get().get("inbox").unwrap().write(0, b"job").unwrap();
    /// drop(kernel); // unmapped, and (remove_on_drop) the file is unlinked
    /// assert!(!path.exists());
    /// ```
    pub fn into_shared(self) -> SharedRegion {
        SharedRegion::new(self)
    }
}

impl Drop for ShmRegion {
    fn drop(&mut self) {
        if self.remove_on_drop {
            // Best effort: someone may have unlinked (or replaced) it already.
            let _ = self.unlink();
        }
    }
}

// SAFETY: `region` returns the whole mapping, the same on every call; it stays mapped until the
// `ShmRegion` is dropped (moving it moves only the handle) and is accessed only through `Region`s.
unsafe impl RegionOwner for ShmRegion {
    fn region(&self) -> Region<'_> {
        ShmRegion::region(self)
    }
}

impl From<ShmRegion> for SharedRegion {
    /// ```
    /// use inos_layout::{shm::ShmRegion, SharedRegion};
    /// let path = std::env::temp_dir().join(format!("inos-doc-from-{}", std::process::id()));
    /// let shared: SharedRegion = ShmRegion::create(&path, 4096).unwrap().remove_on_drop(true).into();
    /// assert_eq!(shared.len(), 4096);
    /// ```
    fn from(shm: ShmRegion) -> Self {
        shm.into_shared()
    }
}
