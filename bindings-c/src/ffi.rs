//! Crossing the boundary: byte views of the caller's pointers, the `try_*` argument checks, the
//! panic guard, and freeing heap values with their memory wiped.

use std::mem::MaybeUninit;
use std::panic::{AssertUnwindSafe, catch_unwind};

use zeroize::Zeroize;

use super::status::{abi_error, qw_status};

/// A byte string: `len` bytes at `data` (`data` may be NULL when `len` is 0).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct qw_bytes {
    /// The first byte.
    pub data: *const u8,
    /// How many bytes.
    pub len: usize,
}

/// Runs `body` inside the panic boundary: a panic becomes `QW_STATUS_INTERNAL_ERROR`.
#[inline(always)]
pub(crate) fn guard(body: impl FnOnce() -> qw_status) -> qw_status {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| {
        abi_error(
            qw_status::InternalError,
            "internal error: a panic was caught at the C boundary (a bug in qonto-webhooks)",
        )
    })
}

/// The bytes at `ptr`, or `None` when they cannot be read safely as a slice.
///
/// # Safety
/// When `len > 0` and `ptr` is not NULL, `ptr` must be valid for reads of `len` bytes for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
    if len == 0 {
        return Some(&[]);
    }
    if ptr.is_null() || isize::try_from(len).is_err() {
        return None;
    }
    // SAFETY: non-NULL, length within isize::MAX; validity is the caller's contract.
    Some(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// `try_bytes!(ptr, len, "name")`: the slice, or return `QW_STATUS_INVALID_ARGUMENT`.
macro_rules! try_bytes {
    ($ptr:expr, $len:expr, $name:literal) => {
        // SAFETY: used only in exported functions whose contract makes `$ptr` valid for reads of
        // `$len` bytes for the whole call when it is not NULL: what `bytes` requires.
        match unsafe { bytes($ptr, $len) } {
            Some(slice) => slice,
            None => {
                return invalid(concat!(
                    $name,
                    " is NULL with a non-zero length, or its length is above PTRDIFF_MAX"
                ))
            }
        }
    };
}

/// `try_mut!(ptr, "name")`: `&mut *ptr`, or return `QW_STATUS_INVALID_ARGUMENT`.
macro_rules! try_mut {
    ($ptr:expr, $name:literal) => {
        if $ptr.is_null() || !$ptr.is_aligned() {
            return invalid(concat!($name, " is NULL or misaligned"));
        } else {
            // SAFETY: non-NULL and aligned; validity is the caller's contract.
            unsafe { &mut *$ptr }
        }
    };
}

/// `try_ref!(ptr, "name")`: `&*ptr`, or return `QW_STATUS_INVALID_ARGUMENT`.
macro_rules! try_ref {
    ($ptr:expr, $name:literal) => {
        if $ptr.is_null() || !$ptr.is_aligned() {
            return invalid(concat!($name, " is NULL or misaligned"));
        } else {
            // SAFETY: non-NULL and aligned; validity is the caller's contract.
            unsafe { &*$ptr }
        }
    };
}

/// `try_out!(ptr, "name")`: `ptr` checked for a write, or return `QW_STATUS_INVALID_ARGUMENT`.
/// No reference is made: the caller's struct may hold anything (it is only written).
macro_rules! try_out {
    ($ptr:expr, $name:literal) => {
        if $ptr.is_null() || !$ptr.is_aligned() {
            return invalid(concat!($name, " is NULL or misaligned"));
        } else {
            $ptr
        }
    };
}

/// `try_header!(ptr, len, "name")`: `None` for a NULL pointer with a zero length (an absent
/// header), else the slice, or return `QW_STATUS_INVALID_ARGUMENT`.
macro_rules! try_header {
    ($ptr:expr, $len:expr, $name:literal) => {
        if $ptr.is_null() && $len == 0 {
            None
        } else {
            Some(try_bytes!($ptr, $len, $name))
        }
    };
}

/// Drops a heap value and wipes its memory before freeing it: the verifier and the incremental
/// state hold HMAC key schedules (ring's `hmac::Key` and `hmac::Context`), which cannot wipe
/// themselves and are as good as the secret for forging signatures.
///
/// # Safety
/// `ptr` was made by `Box::into_raw` and is not used again.
pub(crate) unsafe fn drop_wiped<T>(ptr: *mut T) {
    // SAFETY: made by Box::into_raw (the contract); MaybeUninit<T> has T's layout.
    let mut boxed = unsafe { Box::from_raw(ptr.cast::<MaybeUninit<T>>()) };
    // SAFETY: initialised until now, and never read after this drop.
    unsafe { boxed.assume_init_drop() };
    // Volatile zero writes over the whole allocation, then the allocation is freed.
    boxed.zeroize();
}

/// Moves a heap value out, then wipes and frees its allocation (see `drop_wiped`).
///
/// # Safety
/// `ptr` was made by `Box::into_raw` and is not used again.
pub(crate) unsafe fn take_wiped<T>(ptr: *mut T) -> T {
    // SAFETY: made by Box::into_raw (the contract); MaybeUninit<T> has T's layout.
    let mut boxed = unsafe { Box::from_raw(ptr.cast::<MaybeUninit<T>>()) };
    // SAFETY: initialised; read once, and the box is then only wiped and freed, never dropped as T.
    let value = unsafe { boxed.assume_init_read() };
    boxed.zeroize();
    value
}
