//! The global allocator: mimalloc, called without an alignment where none is needed.
//!
//! The readers allocate many small, short-lived strings per record, and glibc's
//! allocator spent a fifth of EVTX reading time on them. The `mimalloc` crate passes
//! every request to mimalloc's aligned API; mimalloc 3 serves an aligned request from
//! its ordinary size classes only when the rounded size is a power of two, and
//! over-allocates and realigns every other one (a 1.5 KB vector of an event's fields
//! took that path ten times per Windows record). Every block mimalloc hands out is
//! aligned to a machine word (its size classes are multiples of 8 bytes and pages start
//! aligned), so requests aligned to 8 or less take the plain API: 2.7 % fewer
//! instructions per event in the Sigma benchmark (BENCHMARKS.md, session 15).
//! The same fix is proposed upstream (purpleprotocol/mimalloc_rust#170).

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc,
    mi_zalloc_aligned,
};

/// The alignment every mimalloc block has.
const WORD: usize = 8;

pub struct Mimalloc;

// SAFETY: every call goes to mimalloc, which returns null on failure and otherwise a
// block of at least `layout.size()` bytes; blocks of the plain API are aligned to
// `WORD` (see the module's doc), so they satisfy any layout aligned to `WORD` or less,
// and the aligned API serves the rest. `mi_free` and `mi_realloc` take blocks from
// either API.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            mi_malloc(layout.size()).cast()
        } else {
            mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            mi_zalloc(layout.size()).cast()
        } else {
            mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi_free(ptr.cast::<c_void>());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD {
            mi_realloc(ptr.cast::<c_void>(), new_size).cast()
        } else {
            mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every size from 1 byte to 64 KB at every alignment up to 4 KB comes back
    /// aligned, and holds what was written to it through a reallocation.
    #[test]
    fn blocks_are_aligned_as_asked() {
        let sizes = (1..=256).chain((257..=65536).step_by(97));
        for size in sizes {
            for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: a non-zero size; the block is freed with its layout.
                unsafe {
                    let p = Mimalloc.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    p.write_bytes(0xa5, size);
                    let q = Mimalloc.realloc(p, layout, size * 2 + 1);
                    assert_eq!(q as usize % align, 0, "realloc {size} align {align}");
                    assert_eq!(*q.add(size - 1), 0xa5);
                    Mimalloc.dealloc(q, Layout::from_size_align(size * 2 + 1, align).unwrap());
                    let z = Mimalloc.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0);
                    assert!((0..size).all(|i| *z.add(i) == 0));
                    Mimalloc.dealloc(z, layout);
                }
            }
        }
    }
}
