//! The allocation behind a `raw` string, as Redis's `sds.c` sizes it, so that MEMORY USAGE
//! of a string changed in place (APPEND, SETRANGE, SETBIT, BITFIELD) follows its history.
//!
//! `sdsnewlen` allocates header + length + terminator, and jemalloc rounds that up to a
//! size class; the slack becomes free room (except for the 1-byte "type 5" header, which
//! cannot record any). `sdsMakeRoomFor` does nothing while the room suffices, otherwise
//! asks for twice the new length (plus 1 MB past 1 MB) under the header type that length
//! needs (never type 5).

use super::footprint::jemalloc_class;

/// An SDS allocation: its header size (which names its type) and the bytes jemalloc gave.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sds {
    header: u8,
    bytes: u32,
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
    fn with(header: u8, requested: usize) -> Sds {
        let bytes = jemalloc_class(header as usize + requested + 1);
        Sds {
            header,
            bytes: u32::try_from(bytes).unwrap_or(u32::MAX),
        }
    }

    /// `sdsnewlen` of `len` bytes (an empty one gets a type 8 header).
    pub(crate) fn exact(len: usize) -> Sds {
        let header = if len == 0 { 3 } else { header_for(len) };
        Sds::with(header, len)
    }

    /// How many bytes the string may hold without growing (`sdsalloc`): a type 5 header
    /// records none beyond the length `len`.
    fn room(self, len: usize) -> usize {
        if self.header == 1 {
            return len;
        }
        (self.bytes as usize)
            .saturating_sub(self.header as usize + 1)
            .min(type_max(self.header))
    }

    /// The allocation after making room for `new_len` bytes in a string of `len`
    /// (`sdsMakeRoomFor`, greedy; `sdsgrowzero` and `sdscatlen` go through it).
    pub(crate) fn grown(self, len: usize, new_len: usize) -> Sds {
        if new_len <= self.room(len) {
            return self;
        }
        let wanted = if new_len < MAX_PREALLOC {
            new_len * 2
        } else {
            new_len + MAX_PREALLOC
        };
        let header = header_for(wanted).max(3);
        Sds::with(header, wanted)
    }

    /// The bytes allocated (`sdsZmallocSize`), at least what `len` bytes need now.
    pub(crate) fn bytes(self, len: usize) -> usize {
        (self.bytes as usize).max(Sds::exact(len).bytes as usize)
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
}
