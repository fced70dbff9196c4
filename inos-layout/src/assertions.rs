//! Compile-time checks of the type-level guarantees and wire constants this crate documents
//! (`static_assertions`; compiled with the tests, a failure is a build error).

use static_assertions::{assert_impl_all, const_assert, const_assert_eq};

use crate::header::{self, off};
use crate::{Bytes, Region, CACHE_LINE_PAIR, REGION_ALIGN};

// `Region` is handed by copy to any number of threads; its byte views likewise.
assert_impl_all!(Region<'static>: Send, Sync, Copy);
assert_impl_all!(Bytes<'static>: Send, Sync, Copy);
// An owned buffer may be shared (`Arc<RegionBuf>`) and moved between threads.
#[cfg(feature = "alloc")]
assert_impl_all!(crate::RegionBuf: Send, Sync);

// The fixed header: 128 bytes, every field inside it, the directory entries 32 bytes.
const_assert_eq!(header::HEADER_LEN, 128);
const_assert_eq!(header::DIR_ENTRY_LEN, 32);
const_assert!(off::RESERVED + 4 <= header::HEADER_LEN);
const_assert!(header::HEADER_LEN <= header::MAX_HEADER_LEN);
const_assert_eq!(header::HEADER_LEN % CACHE_LINE_PAIR, 0);
// Region bases hold 8-byte words; `RegionBuf` allocations keep hot words on their own line pair.
const_assert_eq!(REGION_ALIGN, 8);
const_assert_eq!(CACHE_LINE_PAIR, 128);
const_assert_eq!(CACHE_LINE_PAIR % REGION_ALIGN, 0);
const_assert_eq!(off::TOTAL_SIZE % 8, 0);
const_assert_eq!(off::FEATURES % 8, 0);
const_assert_eq!(off::FINGERPRINT % 8, 0);
