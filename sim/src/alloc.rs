//! The `redsim` binary's allocator: mimalloc for ordinary sizes, and the kernel's own
//! pages (`mmap`) for very large blocks, as glibc's malloc does above its mmap threshold.
//!
//! Why: a SETRANGE or APPEND near the 512 MB string limit allocates one huge zeroed
//! buffer. mimalloc zeroes such a block with `memset` (touching every page: 3.3 s for
//! 512 MB on the reference machine, where Redis takes 0.5 s) and keeps the pages after
//! the key is deleted, so `redsim serve`'s RSS stayed at 540 MB after DEL. Fresh anonymous
//! pages are already zero, so a mapped block costs nothing until it is written; `munmap`
//! gives the pages back at once; growing it is an `mremap`, which moves page tables, not
//! bytes.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};
use std::ptr;

/// Blocks of this size or more are mapped (glibc's largest dynamic mmap threshold).
const MAPPED_FROM: usize = 32 << 20;
/// Mapped blocks start on a page, so they serve alignments up to a page.
const PAGE: usize = 4096;

pub struct Allocator;

static SMALL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn is_mapped(layout: &Layout) -> bool {
    layout.size() >= MAPPED_FROM && layout.align() <= PAGE
}

unsafe fn map(size: usize) -> *mut u8 {
    // SAFETY: an anonymous private mapping has no preconditions.
    let p = unsafe {
        libc::mmap(
            ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        ptr::null_mut()
    } else {
        p.cast()
    }
}

unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if is_mapped(&layout) {
            unsafe { map(layout.size()) }
        } else {
            unsafe { SMALL.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if is_mapped(&layout) {
            // New anonymous pages read as zero: nothing to write.
            unsafe { map(layout.size()) }
        } else {
            unsafe { SMALL.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        if is_mapped(&layout) {
            // SAFETY: `p` came from `map` with this size (the layout decides the path).
            unsafe { libc::munmap(p.cast(), layout.size()) };
        } else {
            unsafe { SMALL.dealloc(p, layout) }
        }
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (is_mapped(&layout), is_mapped(&new_layout)) {
            (false, false) => unsafe { SMALL.realloc(p, layout, new_size) },
            (true, true) => {
                // SAFETY: `p` is a mapping of `layout.size()` bytes; the kernel may move it.
                let q = unsafe {
                    libc::mremap(p.cast(), layout.size(), new_size, libc::MREMAP_MAYMOVE)
                };
                if q == libc::MAP_FAILED {
                    ptr::null_mut()
                } else {
                    q.cast()
                }
            }
            _ => {
                // Crossing the threshold: a new block of the other kind and a copy.
                let q = unsafe { self.alloc(new_layout) };
                if !q.is_null() {
                    unsafe {
                        ptr::copy_nonoverlapping(p, q, layout.size().min(new_size));
                        self.dealloc(p, layout);
                    }
                }
                q
            }
        }
    }
}
