//! The allocation behind a `raw` string, as Redis's `sds.c` sizes it, so that MEMORY USAGE
//! of a string changed in place (APPEND, SETRANGE, SETBIT, BITFIELD, the HyperLogLog
//! commands) follows its history exactly.
//!
//! `sdsnewlen` allocates header + length + terminator, and jemalloc rounds that up to a
//! size class; the slack becomes free room (`alloc`), except under the 1-byte "type 5"
//! header, which records none. `sdsMakeRoomFor` does nothing while the room suffices,
//! otherwise asks for twice the new length (plus 1 MB past 1 MB) under the header type
//! that length needs (never type 5). A raw string SET stores was trimmed by
//! `tryObjectEncoding` when more than a tenth of it was free.

use super::footprint::jemalloc_class;

/// An SDS allocation: its header size (which names its type), the length it may hold
/// (`sdsalloc`), and the byte just past the string (its terminator slot), which Redis's
/// HyperLogLog code can read and, in one case, write: normally zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sds {
    header: u8,
    alloc: u32,
    pub(crate) tail: u8,
}

/// `SDS_MAX_PREALLOC`: past it, growth adds 1 MB instead of doubling.
const MAX_PREALLOC: usize = 1024 * 1024;

/// The header size of the type `sdsReqType` picks for `len` bytes.
fn header_for(len: usize) -> u8 {
    match len {
        0..=31 => 1,
        32..=255 => 3,
        256..=65535 => 5,
        _ if (len as u64) < 1 << 32 => 9,
        _ => 17,
    }
}

/// The largest length a header type can record (`sdsTypeMaxSize`).
fn type_max(header: u8) -> usize {
    match header {
        1 => 31,
        3 => 255,
        5 => 65535,
        9 => u32::MAX as usize,
        _ => usize::MAX,
    }
}

impl Sds {
    /// A new allocation for `requested` bytes under `header`: jemalloc's slack is room.
    fn with(header: u8, requested: usize) -> Sds {
        let alloc = if header == 1 {
            requested
        } else {
            (jemalloc_class(header as usize + requested + 1) - header as usize - 1)
                .min(type_max(header))
        };
        Sds {
            header,
            alloc: u32::try_from(alloc).unwrap_or(u32::MAX),
            tail: 0,
        }
    }

    /// `sdsnewlen` of `len` bytes (an empty one gets a type 8 header).
    pub(crate) fn exact(len: usize) -> Sds {
        let header = if len == 0 { 3 } else { header_for(len) };
        Sds::with(header, len)
    }

    /// A raw string as SET and its kin store it: `tryObjectEncoding` trims an SDS with
    /// more than a tenth of its length free (`trimStringObjectIfNeeded`), leaving none.
    pub(crate) fn stored(len: usize) -> Sds {
        let mut sds = Sds::exact(len);
        if sds.alloc as usize - len > len / 10 {
            sds.alloc = len as u32;
        }
        sds
    }

    /// The allocation after making room for `new_len` bytes in a string of `len`
    /// (`sdsMakeRoomFor`, greedy; `sdsgrowzero` and `sdscatlen` go through it).
    pub(crate) fn grown(self, len: usize, new_len: usize) -> Sds {
        let room = if self.header == 1 {
            len
        } else {
            self.alloc as usize
        };
        if new_len <= room {
            return self;
        }
        let wanted = if new_len < MAX_PREALLOC {
            new_len * 2
        } else {
            new_len + MAX_PREALLOC
        };
        Sds {
            tail: self.tail,
            ..Sds::with(header_for(wanted).max(3), wanted)
        }
    }

    /// The bytes allocated (`sdsZmallocSize`) for a string of `len` bytes.
    pub(crate) fn bytes(self, len: usize) -> usize {
        let alloc = if self.header == 1 {
            len
        } else {
            (self.alloc as usize).max(len)
        };
        jemalloc_class(self.header as usize + alloc + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_grow_greedily_and_reuse_the_slack() {
        // SETBIT k 24 0: 4 bytes under a type 5 header, no room to spare.
        let s = Sds::exact(4);
        assert_eq!(s.bytes(4), 8);
        // APPEND of 3 bytes: asks for 14 under a type 8 header, jemalloc gives 32.
        let s = s.grown(4, 7);
        assert_eq!(s.bytes(7), 32);
        // Growing to 15 bytes fits in the 28 bytes of room.
        assert_eq!(s.grown(7, 15), s);
        assert_eq!(s.grown(7, 29).bytes(29), 64);
    }

    #[test]
    fn past_one_megabyte_growth_adds_a_megabyte() {
        let s = Sds::exact(10).grown(10, 2 * MAX_PREALLOC);
        assert!(s.bytes(0) >= 3 * MAX_PREALLOC);
    }

    #[test]
    fn a_stored_string_with_much_slack_is_trimmed() {
        // 60 bytes: type 8, 3 + 60 + 1 = 64, a size class: nothing free, nothing to trim.
        assert_eq!(Sds::stored(60), Sds::exact(60));
        // 33 bytes: 3 + 33 + 1 = 37 → 48, 11 free > 3: trimmed, so one more byte
        // reallocates (to twice 34 under a type 8 header: 3 + 68 + 1 → 80).
        assert_eq!(Sds::stored(33).grown(33, 34).bytes(34), 80);
        assert_eq!(Sds::exact(33).grown(33, 34), Sds::exact(33));
    }
}
