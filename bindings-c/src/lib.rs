//! The C ABI of qonto-webhooks: `libqonto_webhooks` and `include/qonto_webhooks.h`.
//!
//! This crate only translates: every rule lives in the core (`qonto-webhooks`). The header is
//! generated from this crate by cbindgen (see `bindings-c/gen-header.sh`), so the doc comments of
//! its exported items are the C documentation.
//!
//! Conventions (those of rustls-ffi): bytes go as pointer + length and never need a NUL; a NULL
//! pointer is accepted with a zero length; inputs come before outputs; outputs are written only
//! when the call returns `QW_STATUS_OK` (the one exception, the needed length of a too-small
//! buffer, is documented on the function); every body runs inside a panic boundary.

#![allow(non_camel_case_types)]
// A C ABI is unsafe by nature: raw pointers in, `no_mangle` symbols out. Every block says why it
// is sound.
#![allow(unsafe_code)]

// cbindgen writes the header's items in the order it reads them, module by module in the order
// declared here (rustfmt would sort them: hence one declaration per group). Keep it: the header
// must not change when code moves between these files.
mod status;

#[macro_use]
mod ffi;

mod verify;

mod incremental;

#[cfg(feature = "diagnose")]
mod diagnose;

mod sign;

mod messages;

#[cfg(feature = "diagnose")]
pub use diagnose::*;
pub use ffi::*;
pub use incremental::*;
pub use messages::*;
pub use sign::*;
pub use status::*;
pub use verify::*;

/// The default replay window, in seconds (Qonto documents 5 minutes).
pub const QW_DEFAULT_TOLERANCE_SECS: u64 = 300;

/// The widest replay window `qw_verifier_new` takes, in seconds (`INT64_MAX`). A larger value is
/// a negative number converted to `uint64_t` (e.g. a `-1` read from configuration) and is
/// `QW_STATUS_INVALID_ARGUMENT`: no value switches the window off, only
/// `qw_verifier_disable_tolerance` does.
pub const QW_MAX_TOLERANCE_SECS: u64 = i64::MAX as u64;

/// The most secrets one verifier holds.
pub const QW_MAX_SECRETS: usize = 8;

/// The longest signature header accepted, in bytes.
pub const QW_MAX_HEADER_LEN: usize = 4096;

/// A buffer of this many bytes always holds what `qw_sign` or `qw_sign_onboarding` writes
/// (`t=` + 20 digits + `,v1=` + 64 hex digits).
pub const QW_SIGN_MAX_LEN: usize = 90;

// The header needs literal values (cbindgen does not read the core); the build checks them.
const _: () = {
    assert!(QW_DEFAULT_TOLERANCE_SECS == qonto_webhooks::DEFAULT_TOLERANCE_SECS);
    assert!(QW_MAX_SECRETS == qonto_webhooks::MAX_SECRETS);
    assert!(QW_MAX_HEADER_LEN == qonto_webhooks::MAX_HEADER_LEN);
    assert!(QW_SIGN_MAX_LEN == 2 + 20 + 4 + qonto_webhooks::SIGNATURE_HEX_LEN);
};

#[cfg(test)]
mod tests;
