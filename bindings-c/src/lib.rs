//! The C ABI of qonto-webhooks: `libqonto_webhooks` and `include/qonto_webhooks.h`.
//!
//! This crate only translates: every rule lives in the core (`qonto-webhooks`). The header is
//! generated from this file by cbindgen (see `bindings-c/gen-header.sh`), so the doc comments
//! below are the C documentation.
//!
//! Conventions (those of rustls-ffi): bytes go as pointer + length and never need a NUL; a NULL
//! pointer is accepted with a zero length; inputs come before outputs; outputs are written only
//! when the call returns `QW_STATUS_OK` (the one exception, the needed length of a too-small
//! buffer, is documented on the function); every body runs inside a panic boundary.

#![allow(non_camel_case_types)]

use core::ffi::c_char;
use std::cell::Cell;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};

use std::mem::MaybeUninit;

use qw_core::{Error, ErrorKind, Incremental, Scheme, Schemes, Tolerance, Verified, Verifier};
use zeroize::Zeroize;

/// The result of every fallible call. The numbers are frozen: a status is never renumbered and a
/// retired number is never reused. 1 to 8 are the contract's codes (the core's
/// `ErrorKind::number()`); 100 and above belong to the ABI itself.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum qw_status {
    /// Success: the outputs were written.
    Ok = 0,
    /// `invalid_secret`: no secret, an empty secret, or more than `QW_MAX_SECRETS`.
    InvalidSecret = 1,
    /// `missing_header`: the signature header is empty or only spaces and tabs.
    MissingHeader = 2,
    /// `malformed_header`: the header is not of the documented form, or too long.
    MalformedHeader = 3,
    /// `missing_timestamp`: the business header has no `t` item.
    MissingTimestamp = 4,
    /// `missing_signature`: the business header has no `v1` item.
    MissingSignature = 5,
    /// `timestamp_too_old`: the timestamp is outside the tolerance, in the past.
    TimestampTooOld = 6,
    /// `timestamp_in_future`: the timestamp is outside the tolerance, in the future.
    TimestampInFuture = 7,
    /// `signature_mismatch`: well-formed and in the window, but no secret matches.
    SignatureMismatch = 8,
    /// `invalid_argument`: a NULL pointer with a non-zero length, a NULL or misaligned
    /// out-parameter or object, a length above `PTRDIFF_MAX`, a tolerance above `INT64_MAX` (a
    /// negative number converted to `uint64_t`), or a `qw_schemes` value out of range. A bug in
    /// the caller (or in its configuration).
    InvalidArgument = 100,
    /// `buffer_too_small`: the output buffer cannot hold the result; the needed length was
    /// written to the length out-parameter.
    BufferTooSmall = 101,
    /// `internal_error`: a panic was caught at the boundary. A bug in this library: please
    /// report it.
    InternalError = 102,
}

/// Which signature scheme a webhook was verified under (`qw_verified.scheme`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum qw_scheme {
    /// A business webhook: `X-Qonto-Signature: t=...,v1=...`, with a replay window.
    #[default]
    Business = 0,
    /// An onboarding webhook: `Qonto-SHA256-Signature: <hex>`, no timestamp, no window.
    Onboarding = 1,
}

/// The schemes an endpoint accepts in `qw_verify_request` and `qw_verify_start_request`, set with
/// `qw_verifier_set_schemes`. The two schemes' MACs overlap (the business MAC of `(t, body)` is the
/// onboarding MAC of the body `t.body`), so the endpoint's configuration picks the header, never
/// the request. The default is business only: accepting onboarding webhooks must be said.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum qw_schemes {
    /// Business webhooks only (`X-Qonto-Signature`). The default.
    Business = 0,
    /// Onboarding webhooks only (`Qonto-SHA256-Signature`).
    Onboarding = 1,
    /// Both: the business header is verified when present and not blank, else the onboarding
    /// one. Use a different secret for each scheme (they are separate registrations at Qonto):
    /// with one secret for both, a captured business webhook can be replayed as an onboarding one.
    Both = 2,
}

/// A verifier: one or more secrets (tried in order, for rotation), a replay window and the schemes
/// it accepts.
///
/// Configure it right after `qw_verifier_new` (`qw_verifier_set_schemes`,
/// `qw_verifier_disable_tolerance`), before sharing it; from then on it is only read: one verifier
/// may be used by any number of threads at once, without locking. Only the configuring calls and
/// `qw_verifier_free` must not run while another call uses it.
pub struct qw_verifier {
    inner: Verifier,
}

/// A verification in progress, for a body read in pieces: made by `qw_verify_start*`, fed with
/// `qw_verify_update`, ended by `qw_verify_finish` (which frees it) or `qw_verify_state_free`.
///
/// It owns everything it needs: the verifier may be freed meanwhile. It may move between threads
/// but must not be used by two threads at once.
pub struct qw_verify_state {
    inner: Incremental,
}

/// A byte string: `len` bytes at `data` (`data` may be NULL when `len` is 0).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct qw_bytes {
    /// The first byte.
    pub data: *const u8,
    /// How many bytes.
    pub len: usize,
}

/// A successful verification.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct qw_verified {
    /// Which secret matched: the index of the first one, in the order given, that matches.
    pub secret_index: usize,
    /// True for a business webhook (its `t` is in `timestamp`); false for onboarding.
    pub has_timestamp: bool,
    /// The header's `t` (unix seconds) when `has_timestamp`; 0 otherwise.
    pub timestamp: u64,
    /// The scheme the webhook was verified under.
    pub scheme: qw_scheme,
}

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
    assert!(QW_DEFAULT_TOLERANCE_SECS == qw_core::DEFAULT_TOLERANCE_SECS);
    assert!(QW_MAX_SECRETS == qw_core::MAX_SECRETS);
    assert!(QW_MAX_HEADER_LEN == qw_core::MAX_HEADER_LEN);
    assert!(QW_SIGN_MAX_LEN == 2 + 20 + 4 + qw_core::SIGNATURE_HEX_LEN);
};

// --- errors -------------------------------------------------------------------------------------

/// What the last failing call on this thread said. `Error` is `Copy`: recording it allocates
/// nothing, and the message is formatted only when asked for.
#[derive(Clone, Copy)]
enum LastError {
    None,
    Core(Error),
    Abi(&'static str),
}

thread_local! {
    static LAST_ERROR: Cell<LastError> = const { Cell::new(LastError::None) };
}

fn status_of(kind: ErrorKind) -> qw_status {
    match kind {
        ErrorKind::InvalidSecret => qw_status::InvalidSecret,
        ErrorKind::MissingHeader => qw_status::MissingHeader,
        ErrorKind::MalformedHeader => qw_status::MalformedHeader,
        ErrorKind::MissingTimestamp => qw_status::MissingTimestamp,
        ErrorKind::MissingSignature => qw_status::MissingSignature,
        ErrorKind::TimestampTooOld => qw_status::TimestampTooOld,
        ErrorKind::TimestampInFuture => qw_status::TimestampInFuture,
        ErrorKind::SignatureMismatch => qw_status::SignatureMismatch,
        // A kind added to the core without a status here: the unit tests catch it.
        _ => qw_status::InternalError,
    }
}

#[cold]
fn fail(error: Error) -> qw_status {
    LAST_ERROR.set(LastError::Core(error));
    status_of(error.kind())
}

#[cold]
fn abi_error(status: qw_status, message: &'static str) -> qw_status {
    LAST_ERROR.set(LastError::Abi(message));
    status
}

#[cold]
fn invalid(message: &'static str) -> qw_status {
    abi_error(qw_status::InvalidArgument, message)
}

/// Runs `body` inside the panic boundary: a panic becomes `QW_STATUS_INTERNAL_ERROR`.
#[inline(always)]
fn guard(body: impl FnOnce() -> qw_status) -> qw_status {
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
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
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
        // SAFETY: forwarded from the exported function's contract.
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

/// # Safety
/// `out` is non-NULL, aligned and valid for a write.
unsafe fn write_verified(out: *mut qw_verified, verified: Verified) -> qw_status {
    let value = qw_verified {
        secret_index: verified.secret_index,
        has_timestamp: verified.timestamp.is_some(),
        timestamp: verified.timestamp.unwrap_or(0),
        scheme: match verified.scheme {
            Scheme::Business => qw_scheme::Business,
            Scheme::Onboarding => qw_scheme::Onboarding,
        },
    };
    // SAFETY: the function's contract.
    unsafe { out.write(value) };
    qw_status::Ok
}

/// Drops a heap value and wipes its memory before freeing it: the verifier and the incremental
/// state hold HMAC key schedules (ring's `hmac::Key` and `hmac::Context`), which cannot wipe
/// themselves and are as good as the secret for forging signatures.
///
/// # Safety
/// `ptr` was made by `Box::into_raw` and is not used again.
unsafe fn drop_wiped<T>(ptr: *mut T) {
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
unsafe fn take_wiped<T>(ptr: *mut T) -> T {
    // SAFETY: made by Box::into_raw (the contract); MaybeUninit<T> has T's layout.
    let mut boxed = unsafe { Box::from_raw(ptr.cast::<MaybeUninit<T>>()) };
    // SAFETY: initialised; read once, and the box is then only wiped and freed, never dropped as T.
    let value = unsafe { boxed.assume_init_read() };
    boxed.zeroize();
    value
}

// --- the verifier --------------------------------------------------------------------------------

/// Builds a verifier from `secrets_len` secrets (tried in order; the first is index 0) and a
/// replay window of `tolerance_secs` seconds either way (`QW_DEFAULT_TOLERANCE_SECS` is Qonto's 5
/// minutes; 0 is a valid, strict window). It accepts business webhooks only in
/// `qw_verify_request` until `qw_verifier_set_schemes` says otherwise. Each secret is used byte for
/// byte: a `whsec_...` secret is passed whole, not base64-decoded; the library keeps no copy of
/// it, only the HMAC key schedules, wiped by `qw_verifier_free`.
///
/// No tolerance value switches the window off: `qw_verifier_disable_tolerance` does, for
/// re-verifying archived events only. A tolerance above `QW_MAX_TOLERANCE_SECS` (`INT64_MAX`), as
/// a `-1` read from configuration becomes, is `QW_STATUS_INVALID_ARGUMENT`.
///
/// On success `*verifier_out` is a new verifier, to free with `qw_verifier_free`.
///
/// Errors: `QW_STATUS_INVALID_SECRET` (no secret, an empty one, or more than `QW_MAX_SECRETS`),
/// `QW_STATUS_INVALID_ARGUMENT` (`verifier_out` NULL, `secrets` NULL with a non-zero count, a
/// secret's `data` NULL with a non-zero `len`, `tolerance_secs` above `QW_MAX_TOLERANCE_SECS`).
///
/// # Safety
/// `secrets` points to `secrets_len` `qw_bytes` (only the first `QW_MAX_SECRETS + 1` are read),
/// each valid for reads of its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verifier_new(
    secrets: *const qw_bytes,
    secrets_len: usize,
    tolerance_secs: u64,
    verifier_out: *mut *mut qw_verifier,
) -> qw_status {
    guard(|| {
        let out = try_mut!(verifier_out, "verifier_out");
        // More than MAX_SECRETS + 1 entries are never read: the core rejects the count anyway.
        let count = secrets_len.min(QW_MAX_SECRETS + 1);
        let entries: &[qw_bytes] = if count == 0 {
            &[]
        } else if secrets.is_null() || !secrets.is_aligned() {
            return invalid("secrets is NULL or misaligned with a non-zero count");
        } else {
            // SAFETY: non-NULL, aligned, `count <= secrets_len` entries (the caller's contract).
            unsafe { std::slice::from_raw_parts(secrets, count) }
        };
        let mut slices: [&[u8]; QW_MAX_SECRETS + 1] = [&[]; QW_MAX_SECRETS + 1];
        for (slot, entry) in slices.iter_mut().zip(entries) {
            *slot = try_bytes!(entry.data, entry.len, "a secret's data");
        }
        if tolerance_secs > QW_MAX_TOLERANCE_SECS {
            return invalid(
                "tolerance_secs is above INT64_MAX: a negative number converted to uint64_t (a -1 \
                 read from configuration?). Pass seconds (QW_DEFAULT_TOLERANCE_SECS is Qonto's 5 \
                 minutes); to switch the window off, call qw_verifier_disable_tolerance",
            );
        }
        match Verifier::with_secrets(slices.iter().take(count)) {
            Ok(verifier) => {
                let inner = verifier.with_tolerance(Tolerance::Seconds(tolerance_secs));
                *out = Box::into_raw(Box::new(qw_verifier { inner }));
                qw_status::Ok
            }
            Err(e) => fail(e),
        }
    })
}

/// Sets the schemes `qw_verify_request` and `qw_verify_start_request` accept: one of the
/// `qw_schemes` values (`QW_SCHEMES_BUSINESS`, the default; `QW_SCHEMES_ONBOARDING`;
/// `QW_SCHEMES_BOTH`). The explicit calls (`qw_verify`, `qw_verify_onboarding`, ...) are not
/// affected: the caller names the scheme there.
///
/// Call it right after `qw_verifier_new`, before the verifier is shared.
///
/// Errors: `INVALID_ARGUMENT` (`verifier` NULL, `schemes` not a `qw_schemes` value; the verifier
/// is then unchanged).
///
/// # Safety
/// `verifier` comes from `qw_verifier_new` and was not freed; no other call may be using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verifier_set_schemes(
    verifier: *mut qw_verifier,
    schemes: u32,
) -> qw_status {
    guard(|| {
        let verifier = try_mut!(verifier, "verifier");
        let schemes = match schemes {
            0 => Schemes::Business,
            1 => Schemes::Onboarding,
            2 => Schemes::Both,
            _ => {
                return invalid(
                    "schemes is not a qw_schemes value (QW_SCHEMES_BUSINESS, \
                     QW_SCHEMES_ONBOARDING or QW_SCHEMES_BOTH)",
                );
            }
        };
        verifier.inner = verifier.inner.clone().with_schemes(schemes);
        qw_status::Ok
    })
}

/// Switches the replay window off: business webhooks are then accepted whatever their age. Only
/// for re-verifying archived events: a live endpoint without a window accepts a captured webhook
/// forever. No tolerance value passed to `qw_verifier_new` does this.
///
/// Call it right after `qw_verifier_new`, before the verifier is shared.
///
/// Errors: `INVALID_ARGUMENT` (`verifier` NULL).
///
/// # Safety
/// `verifier` comes from `qw_verifier_new` and was not freed; no other call may be using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verifier_disable_tolerance(verifier: *mut qw_verifier) -> qw_status {
    guard(|| {
        let verifier = try_mut!(verifier, "verifier");
        verifier.inner = verifier.inner.clone().with_tolerance(Tolerance::Disabled);
        qw_status::Ok
    })
}

/// Frees a verifier, wiping its HMAC key schedules first. NULL is accepted and ignored.
///
/// # Safety
/// `verifier` is NULL or was returned by `qw_verifier_new` and not freed yet; no other call may
/// be using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verifier_free(verifier: *mut qw_verifier) {
    if !verifier.is_null() {
        guard(|| {
            // SAFETY: made by Box::into_raw in qw_verifier_new (the caller's contract).
            unsafe { drop_wiped(verifier) };
            qw_status::Ok
        });
    }
}

/// When a business webhook is checked against the clock.
#[derive(Clone, Copy)]
enum Mode {
    Business(u64),
    Onboarding,
}

/// # Safety
/// As the exported verify functions.
#[inline(always)]
unsafe fn verify_with(
    verifier: *const qw_verifier,
    body: *const u8,
    body_len: usize,
    header: *const u8,
    header_len: usize,
    mode: Mode,
    verified_out: *mut qw_verified,
) -> qw_status {
    guard(|| {
        let verifier = &try_ref!(verifier, "verifier").inner;
        let out = try_out!(verified_out, "verified_out");
        let body = try_bytes!(body, body_len, "body");
        let header = try_bytes!(header, header_len, "header");
        let result = match mode {
            Mode::Business(now) => verifier.verify(body, header, now),
            Mode::Onboarding => verifier.verify_onboarding(body, header),
        };
        match result {
            // SAFETY: checked by try_out; valid for a write (the caller's contract).
            Ok(verified) => unsafe { write_verified(out, verified) },
            Err(e) => fail(e),
        }
    })
}

/// Verifies a business webhook (`X-Qonto-Signature: t=...,v1=...`) at time `now` (unix seconds).
///
/// `body` is the raw request body, byte for byte as received (before any JSON parsing);
/// `header` is the `X-Qonto-Signature` value. On success `*verified_out` gets the matched secret's
/// index and the timestamp.
///
/// Errors, in this order: a header error (`MISSING_HEADER`, `MALFORMED_HEADER`,
/// `MISSING_TIMESTAMP`, `MISSING_SIGNATURE`), the window (`TIMESTAMP_TOO_OLD`,
/// `TIMESTAMP_IN_FUTURE`, before any HMAC), then `SIGNATURE_MISMATCH`; `INVALID_ARGUMENT` for a
/// NULL `verifier` or `verified_out`, or a NULL pointer with a non-zero length.
///
/// # Safety
/// `verifier` comes from `qw_verifier_new`; `body` and `header` are valid for reads of their
/// lengths; `verified_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verify(
    verifier: *const qw_verifier,
    body: *const u8,
    body_len: usize,
    header: *const u8,
    header_len: usize,
    now: u64,
    verified_out: *mut qw_verified,
) -> qw_status {
    // SAFETY: the same contract.
    unsafe {
        verify_with(
            verifier,
            body,
            body_len,
            header,
            header_len,
            Mode::Business(now),
            verified_out,
        )
    }
}

/// `qw_verify` against the system clock.
///
/// # Safety
/// As `qw_verify`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verify_now(
    verifier: *const qw_verifier,
    body: *const u8,
    body_len: usize,
    header: *const u8,
    header_len: usize,
    verified_out: *mut qw_verified,
) -> qw_status {
    let now = qw_core::unix_now();
    // SAFETY: the same contract.
    unsafe {
        verify_with(
            verifier,
            body,
            body_len,
            header,
            header_len,
            Mode::Business(now),
            verified_out,
        )
    }
}

/// Verifies an onboarding webhook (`Qonto-SHA256-Signature: <64 hex>`): the HMAC of the body
/// alone. Onboarding webhooks carry no timestamp, so there is no replay window: deduplicate on the
/// event id. On success `has_timestamp` is false.
///
/// Errors: `MISSING_HEADER`, `MALFORMED_HEADER`, then `SIGNATURE_MISMATCH`; `INVALID_ARGUMENT` as
/// for `qw_verify`.
///
/// # Safety
/// As `qw_verify`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verify_onboarding(
    verifier: *const qw_verifier,
    body: *const u8,
    body_len: usize,
    header: *const u8,
    header_len: usize,
    verified_out: *mut qw_verified,
) -> qw_status {
    // SAFETY: the same contract.
    unsafe {
        verify_with(
            verifier,
            body,
            body_len,
            header,
            header_len,
            Mode::Onboarding,
            verified_out,
        )
    }
}

// --- request level: the endpoint's schemes pick the header ----------------------------------------

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

/// # Safety
/// As `qw_verify_request`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn verify_request_with(
    verifier: *const qw_verifier,
    body: *const u8,
    body_len: usize,
    business_header: *const u8,
    business_len: usize,
    onboarding_header: *const u8,
    onboarding_len: usize,
    now: u64,
    verified_out: *mut qw_verified,
) -> qw_status {
    guard(|| {
        let verifier = &try_ref!(verifier, "verifier").inner;
        let out = try_out!(verified_out, "verified_out");
        let body = try_bytes!(body, body_len, "body");
        let business = try_header!(business_header, business_len, "business_header");
        let onboarding = try_header!(onboarding_header, onboarding_len, "onboarding_header");
        match verifier.verify_request(business, onboarding, body, now) {
            // SAFETY: checked by try_out; valid for a write (the caller's contract).
            Ok(verified) => unsafe { write_verified(out, verified) },
            Err(e) => fail(e),
        }
    })
}

/// Verifies a request from the two signature headers it may carry, under the schemes the
/// verifier accepts (`qw_verifier_set_schemes`; business only by default): the endpoint's
/// configuration picks the header, never the request. `business_header` is the
/// `X-Qonto-Signature` value, `onboarding_header` the `Qonto-SHA256-Signature` value; a NULL
/// pointer (with a zero length) is an absent header. `now` (unix seconds) is the clock for a
/// business webhook.
///
/// The rule (the core's, the same in every binding): only the accepted schemes' headers are
/// read; with `QW_SCHEMES_BOTH` the business header wins when present and not blank; when no
/// accepted header is there, `MISSING_HEADER`, whose message says when the request carries the
/// other scheme's header instead. So a business webhook resent as an onboarding one (its `v1` as
/// `Qonto-SHA256-Signature` over the body `<t>.<body>`) is refused by a default verifier.
///
/// On success `*verified_out` gets the matched secret's index, the scheme and, for a business
/// webhook, the timestamp.
///
/// Errors: `MISSING_HEADER` (no accepted header), then those of `qw_verify` or
/// `qw_verify_onboarding`; `INVALID_ARGUMENT` as for `qw_verify` (a NULL header with a non-zero
/// length included).
///
/// # Safety
/// `verifier` comes from `qw_verifier_new`; `body` and the headers are NULL or valid for reads of
/// their lengths; `verified_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verify_request(
    verifier: *const qw_verifier,
    body: *const u8,
    body_len: usize,
    business_header: *const u8,
    business_len: usize,
    onboarding_header: *const u8,
    onboarding_len: usize,
    now: u64,
    verified_out: *mut qw_verified,
) -> qw_status {
    // SAFETY: the same contract.
    unsafe {
        verify_request_with(
            verifier,
            body,
            body_len,
            business_header,
            business_len,
            onboarding_header,
            onboarding_len,
            now,
            verified_out,
        )
    }
}

/// `qw_verify_request` against the system clock.
///
/// # Safety
/// As `qw_verify_request`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verify_request_now(
    verifier: *const qw_verifier,
    body: *const u8,
    body_len: usize,
    business_header: *const u8,
    business_len: usize,
    onboarding_header: *const u8,
    onboarding_len: usize,
    verified_out: *mut qw_verified,
) -> qw_status {
    let now = qw_core::unix_now();
    // SAFETY: the same contract.
    unsafe {
        verify_request_with(
            verifier,
            body,
            body_len,
            business_header,
            business_len,
            onboarding_header,
            onboarding_len,
            now,
            verified_out,
        )
    }
}

// --- incremental -----------------------------------------------------------------------------------

/// # Safety
/// As the exported start functions.
unsafe fn start_with(
    verifier: *const qw_verifier,
    header: *const u8,
    header_len: usize,
    mode: Mode,
    state_out: *mut *mut qw_verify_state,
) -> qw_status {
    guard(|| {
        let verifier = &try_ref!(verifier, "verifier").inner;
        let out = try_mut!(state_out, "state_out");
        let header = try_bytes!(header, header_len, "header");
        let started = match mode {
            Mode::Business(now) => verifier.start(header, now),
            Mode::Onboarding => verifier.start_onboarding(header),
        };
        match started {
            Ok(inner) => {
                *out = Box::into_raw(Box::new(qw_verify_state { inner }));
                qw_status::Ok
            }
            Err(e) => fail(e),
        }
    })
}

/// Starts verifying a business webhook whose body arrives in pieces. The header and the window
/// are checked now, so a stale or malformed request is refused before its body is read.
///
/// On success `*state_out` is a new state: feed it with `qw_verify_update`, then call
/// `qw_verify_finish` (or `qw_verify_state_free` to abandon it).
///
/// Errors: the header and window errors of `qw_verify`; `INVALID_ARGUMENT`.
///
/// # Safety
/// `verifier` comes from `qw_verifier_new`; `header` is valid for reads of `header_len` bytes;
/// `state_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verify_start(
    verifier: *const qw_verifier,
    header: *const u8,
    header_len: usize,
    now: u64,
    state_out: *mut *mut qw_verify_state,
) -> qw_status {
    // SAFETY: the same contract.
    unsafe { start_with(verifier, header, header_len, Mode::Business(now), state_out) }
}

/// `qw_verify_start` against the system clock.
///
/// # Safety
/// As `qw_verify_start`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verify_start_now(
    verifier: *const qw_verifier,
    header: *const u8,
    header_len: usize,
    state_out: *mut *mut qw_verify_state,
) -> qw_status {
    let now = qw_core::unix_now();
    // SAFETY: the same contract.
    unsafe { start_with(verifier, header, header_len, Mode::Business(now), state_out) }
}

/// Starts verifying an onboarding webhook whose body arrives in pieces.
///
/// Errors: `MISSING_HEADER`, `MALFORMED_HEADER`; `INVALID_ARGUMENT`.
///
/// # Safety
/// As `qw_verify_start`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verify_start_onboarding(
    verifier: *const qw_verifier,
    header: *const u8,
    header_len: usize,
    state_out: *mut *mut qw_verify_state,
) -> qw_status {
    // SAFETY: the same contract.
    unsafe { start_with(verifier, header, header_len, Mode::Onboarding, state_out) }
}

/// # Safety
/// As `qw_verify_start_request`.
unsafe fn start_request_with(
    verifier: *const qw_verifier,
    business_header: *const u8,
    business_len: usize,
    onboarding_header: *const u8,
    onboarding_len: usize,
    now: u64,
    state_out: *mut *mut qw_verify_state,
) -> qw_status {
    guard(|| {
        let verifier = &try_ref!(verifier, "verifier").inner;
        let out = try_mut!(state_out, "state_out");
        let business = try_header!(business_header, business_len, "business_header");
        let onboarding = try_header!(onboarding_header, onboarding_len, "onboarding_header");
        match verifier.start_request(business, onboarding, now) {
            Ok(inner) => {
                *out = Box::into_raw(Box::new(qw_verify_state { inner }));
                qw_status::Ok
            }
            Err(e) => fail(e),
        }
    })
}

/// Starts verifying a request whose body arrives in pieces, choosing the header as
/// `qw_verify_request` does (a NULL header is absent). A business header and its window are
/// checked now, so a stale or malformed request is refused before its body is read.
///
/// On success `*state_out` is a new state, used as the one `qw_verify_start` makes.
///
/// Errors: `MISSING_HEADER` (no accepted header), then the header and window errors of
/// `qw_verify_start` or `qw_verify_start_onboarding`; `INVALID_ARGUMENT`.
///
/// # Safety
/// `verifier` comes from `qw_verifier_new`; the headers are NULL or valid for reads of their
/// lengths; `state_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verify_start_request(
    verifier: *const qw_verifier,
    business_header: *const u8,
    business_len: usize,
    onboarding_header: *const u8,
    onboarding_len: usize,
    now: u64,
    state_out: *mut *mut qw_verify_state,
) -> qw_status {
    // SAFETY: the same contract.
    unsafe {
        start_request_with(
            verifier,
            business_header,
            business_len,
            onboarding_header,
            onboarding_len,
            now,
            state_out,
        )
    }
}

/// `qw_verify_start_request` against the system clock.
///
/// # Safety
/// As `qw_verify_start_request`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verify_start_request_now(
    verifier: *const qw_verifier,
    business_header: *const u8,
    business_len: usize,
    onboarding_header: *const u8,
    onboarding_len: usize,
    state_out: *mut *mut qw_verify_state,
) -> qw_status {
    let now = qw_core::unix_now();
    // SAFETY: the same contract.
    unsafe {
        start_request_with(
            verifier,
            business_header,
            business_len,
            onboarding_header,
            onboarding_len,
            now,
            state_out,
        )
    }
}

/// Feeds the next piece of the raw body.
///
/// Errors: `INVALID_ARGUMENT` (NULL `state`, or `chunk` NULL with a non-zero length).
///
/// # Safety
/// `state` comes from a `qw_verify_start*` function and was not finished or freed; `chunk` is
/// valid for reads of `chunk_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verify_update(
    state: *mut qw_verify_state,
    chunk: *const u8,
    chunk_len: usize,
) -> qw_status {
    guard(|| {
        let state = try_mut!(state, "state");
        let chunk = try_bytes!(chunk, chunk_len, "chunk");
        state.inner.update(chunk);
        qw_status::Ok
    })
}

/// Finishes: the verdict `qw_verify` (or `qw_verify_onboarding`) gives for the whole body.
///
/// The state is always freed, whatever the status (even `INVALID_ARGUMENT` for a NULL
/// `verified_out`): never use it again.
///
/// Errors: `SIGNATURE_MISMATCH`; `INVALID_ARGUMENT` (NULL `state` or `verified_out`).
///
/// # Safety
/// `state` comes from a `qw_verify_start*` function and was not finished or freed;
/// `verified_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verify_finish(
    state: *mut qw_verify_state,
    verified_out: *mut qw_verified,
) -> qw_status {
    guard(|| {
        if state.is_null() {
            return invalid("state is NULL");
        }
        // SAFETY: made by Box::into_raw in a start function (the caller's contract); freed here.
        let state = unsafe { take_wiped(state) };
        let out = try_out!(verified_out, "verified_out");
        match state.inner.finish() {
            // SAFETY: checked by try_out; valid for a write (the caller's contract).
            Ok(verified) => unsafe { write_verified(out, verified) },
            Err(e) => fail(e),
        }
    })
}

/// Frees a state without finishing it (a body abandoned half way). NULL is accepted and ignored.
///
/// # Safety
/// `state` is NULL or comes from a `qw_verify_start*` function and was not finished or freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verify_state_free(state: *mut qw_verify_state) {
    if !state.is_null() {
        guard(|| {
            // SAFETY: made by Box::into_raw in a start function (the caller's contract).
            unsafe { drop_wiped(state) };
            qw_status::Ok
        });
    }
}

// --- diagnose --------------------------------------------------------------------------------------

/// The result of `qw_diagnose`: the verdict for the input as given and, when it is a failure, the
/// known mistakes that explain it (the same findings and codes as the CLI's `diagnose` and every
/// other binding). Read it with the `qw_diagnosis_*` functions; free it with `qw_diagnosis_free`.
/// The strings it returns live as long as it does. It holds no secret.
#[cfg(feature = "diagnose")]
pub struct qw_diagnosis {
    status: qw_status,
    verified: qw_verified,
    message: std::ffi::CString,
    explained: bool,
    findings: Vec<(std::ffi::CString, std::ffi::CString)>,
}

/// `text` as a C string (a NUL inside, which no message has, becomes U+FFFD).
#[cfg(feature = "diagnose")]
fn c_string(text: &str) -> std::ffi::CString {
    std::ffi::CString::new(text.replace('\0', "\u{fffd}")).unwrap_or_default()
}

/// Says which known mistake explains why a webhook does not verify: re-runs the verification
/// under the mistakes developers are known to make (a secret base64-decoded or stripped of its
/// `whsec_` prefix, a re-serialised body, a trailing newline, the other scheme's header, a
/// timestamp in milliseconds, a skewed clock, ...) and reports the ones that reproduce the
/// header's signature. Findings never contain the secret or the expected signature. Meant for
/// debugging an integration, not for the request path (it tries many variants).
///
/// `scheme` is a `qw_scheme` (`QW_SCHEME_BUSINESS` or `QW_SCHEME_ONBOARDING`), the scheme the
/// header belongs to; `now` is the clock (unix seconds) for a business webhook;
/// `tolerance_secs` the window (at most `QW_MAX_TOLERANCE_SECS`), ignored when
/// `disable_tolerance` is true (no window: archived events only).
///
/// On `QW_STATUS_OK`, `*diagnosis_out` is a new diagnosis, whatever the verdict (an empty secret
/// is the verdict `QW_STATUS_INVALID_SECRET`, with no finding): read the verdict with
/// `qw_diagnosis_result`.
///
/// Errors: `INVALID_ARGUMENT` (`diagnosis_out` NULL, a NULL pointer with a non-zero length, a
/// `scheme` out of range, `tolerance_secs` above `QW_MAX_TOLERANCE_SECS`).
///
/// # Safety
/// `secrets` points to `secrets_len` `qw_bytes` (only the first `QW_MAX_SECRETS + 1` are read),
/// each valid for reads of its length; `header` and `body` are valid for reads of their lengths.
#[cfg(feature = "diagnose")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_diagnose(
    secrets: *const qw_bytes,
    secrets_len: usize,
    scheme: u32,
    header: *const u8,
    header_len: usize,
    body: *const u8,
    body_len: usize,
    now: u64,
    tolerance_secs: u64,
    disable_tolerance: bool,
    diagnosis_out: *mut *mut qw_diagnosis,
) -> qw_status {
    guard(|| {
        let out = try_mut!(diagnosis_out, "diagnosis_out");
        let count = secrets_len.min(QW_MAX_SECRETS + 1);
        let entries: &[qw_bytes] = if count == 0 {
            &[]
        } else if secrets.is_null() || !secrets.is_aligned() {
            return invalid("secrets is NULL or misaligned with a non-zero count");
        } else {
            // SAFETY: non-NULL, aligned, `count <= secrets_len` entries (the caller's contract).
            unsafe { std::slice::from_raw_parts(secrets, count) }
        };
        let mut slices: Vec<&[u8]> = Vec::with_capacity(count);
        for entry in entries {
            slices.push(try_bytes!(entry.data, entry.len, "a secret's data"));
        }
        let scheme = match scheme {
            0 => Scheme::Business,
            1 => Scheme::Onboarding,
            _ => return invalid("scheme is not a qw_scheme (QW_SCHEME_BUSINESS or _ONBOARDING)"),
        };
        let tolerance = if disable_tolerance {
            Tolerance::Disabled
        } else if tolerance_secs > QW_MAX_TOLERANCE_SECS {
            return invalid(
                "tolerance_secs is above INT64_MAX: a negative number converted to uint64_t; to \
                 switch the window off, pass disable_tolerance",
            );
        } else {
            Tolerance::Seconds(tolerance_secs)
        };
        let header = try_bytes!(header, header_len, "header");
        let body = try_bytes!(body, body_len, "body");
        let d = qw_core::diagnose::diagnose(&slices, scheme, header, body, now, tolerance);
        let explained = d.explained();
        let mut verified = qw_verified::default();
        let (status, message) = match d.result {
            Ok(v) => {
                // SAFETY: a local, valid for a write.
                unsafe { write_verified(&mut verified, v) };
                (qw_status::Ok, std::ffi::CString::default())
            }
            Err(e) => (status_of(e.kind()), c_string(&e.to_string())),
        };
        let findings = d
            .findings
            .into_iter()
            .map(|f| (c_string(f.mistake.code()), c_string(&f.message)))
            .collect();
        *out = Box::into_raw(Box::new(qw_diagnosis {
            status,
            verified,
            message,
            explained,
            findings,
        }));
        qw_status::Ok
    })
}

/// The verdict of a diagnosis: `QW_STATUS_OK` (then `*verified_out`, when not NULL, is written)
/// or the contract's status (`QW_STATUS_SIGNATURE_MISMATCH`, ...). `INVALID_ARGUMENT` for a
/// NULL or misaligned `diagnosis`.
///
/// # Safety
/// `diagnosis` comes from `qw_diagnose` and was not freed; `verified_out` is NULL or valid for a
/// write.
#[cfg(feature = "diagnose")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_diagnosis_result(
    diagnosis: *const qw_diagnosis,
    verified_out: *mut qw_verified,
) -> qw_status {
    guard(|| {
        let d = try_ref!(diagnosis, "diagnosis");
        if d.status == qw_status::Ok && !verified_out.is_null() {
            let out = try_out!(verified_out, "verified_out");
            // SAFETY: non-NULL and aligned; validity is the caller's contract.
            unsafe { out.write(d.verified) };
        }
        d.status
    })
}

/// Runs `body` on the diagnosis, or gives `default` for a NULL one or a panic.
#[cfg(feature = "diagnose")]
fn read_diagnosis<T: Copy>(
    diagnosis: *const qw_diagnosis,
    default: T,
    body: impl FnOnce(&qw_diagnosis) -> T,
) -> T {
    if diagnosis.is_null() || !diagnosis.is_aligned() {
        return default;
    }
    // SAFETY: non-NULL and aligned; made by qw_diagnose (the caller's contract).
    let d = unsafe { &*diagnosis };
    catch_unwind(AssertUnwindSafe(|| body(d))).unwrap_or(default)
}

/// The detailed message of the verdict (what the CLI prints after `error[<code>]:`); `""` when
/// it verifies or `diagnosis` is NULL. Lives as long as the diagnosis.
///
/// # Safety
/// `diagnosis` is NULL or comes from `qw_diagnose` and was not freed.
#[cfg(feature = "diagnose")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_diagnosis_message(diagnosis: *const qw_diagnosis) -> *const c_char {
    read_diagnosis(diagnosis, c"".as_ptr(), |d| d.message.as_ptr())
}

/// Whether a known mistake (other than `wrong_secret`, which means none applies) explains the
/// failure. False for a NULL `diagnosis`.
///
/// # Safety
/// `diagnosis` is NULL or comes from `qw_diagnose` and was not freed.
#[cfg(feature = "diagnose")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_diagnosis_explained(diagnosis: *const qw_diagnosis) -> bool {
    read_diagnosis(diagnosis, false, |d| d.explained)
}

/// How many findings the diagnosis has (most specific first); 0 when it verifies, when no
/// mistake applies to a malformed header, or for a NULL `diagnosis`.
///
/// # Safety
/// `diagnosis` is NULL or comes from `qw_diagnose` and was not freed.
#[cfg(feature = "diagnose")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_diagnosis_findings_len(diagnosis: *const qw_diagnosis) -> usize {
    read_diagnosis(diagnosis, 0, |d| d.findings.len())
}

/// The stable code of finding `index` (`"secret_base64"`, `"body_reserialized"`, ...,
/// `"wrong_secret"`), or NULL when `index` is out of range. Lives as long as the diagnosis.
///
/// # Safety
/// `diagnosis` is NULL or comes from `qw_diagnose` and was not freed.
#[cfg(feature = "diagnose")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_diagnosis_finding_mistake(
    diagnosis: *const qw_diagnosis,
    index: usize,
) -> *const c_char {
    read_diagnosis(diagnosis, std::ptr::null(), |d| {
        d.findings
            .get(index)
            .map_or(std::ptr::null(), |f| f.0.as_ptr())
    })
}

/// What finding `index` found and how to fix it (never the secret or the expected signature), or
/// NULL when `index` is out of range. Lives as long as the diagnosis.
///
/// # Safety
/// `diagnosis` is NULL or comes from `qw_diagnose` and was not freed.
#[cfg(feature = "diagnose")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_diagnosis_finding_message(
    diagnosis: *const qw_diagnosis,
    index: usize,
) -> *const c_char {
    read_diagnosis(diagnosis, std::ptr::null(), |d| {
        d.findings
            .get(index)
            .map_or(std::ptr::null(), |f| f.1.as_ptr())
    })
}

/// Frees a diagnosis (and every string it returned). NULL is ignored.
///
/// # Safety
/// `diagnosis` is NULL or comes from `qw_diagnose` and was not freed.
#[cfg(feature = "diagnose")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_diagnosis_free(diagnosis: *mut qw_diagnosis) {
    if !diagnosis.is_null() {
        guard(|| {
            // SAFETY: made by Box::into_raw in qw_diagnose (the caller's contract).
            drop(unsafe { Box::from_raw(diagnosis) });
            qw_status::Ok
        });
    }
}

// --- signing ---------------------------------------------------------------------------------------

/// Copies a header value into the caller's buffer, or reports the length it needs.
fn write_out(value: &str, out: *mut u8, out_cap: usize, out_len: &mut usize) -> qw_status {
    let value = value.as_bytes();
    *out_len = value.len();
    if out_cap < value.len() || (out.is_null() && !value.is_empty()) {
        return abi_error(
            qw_status::BufferTooSmall,
            "the output buffer is too small: the needed length was written to out_len \
             (QW_SIGN_MAX_LEN bytes always suffice)",
        );
    }
    // SAFETY: `out` is non-NULL and valid for `out_cap >= value.len()` bytes (the caller's
    // contract); the value is our own buffer, so they do not overlap.
    unsafe { std::ptr::copy_nonoverlapping(value.as_ptr(), out, value.len()) };
    qw_status::Ok
}

/// Signs a business webhook as Qonto does: writes the `X-Qonto-Signature` value
/// `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` into `out` (no NUL is written)
/// and its length into `*out_len`.
///
/// When `out_cap` is too small (`out` may then be NULL with `out_cap` 0, to ask for the length),
/// returns `QW_STATUS_BUFFER_TOO_SMALL`, leaves `out` untouched and writes the needed length into
/// `*out_len`. `QW_SIGN_MAX_LEN` bytes always suffice.
///
/// Errors: `INVALID_SECRET` (empty secret), `BUFFER_TOO_SMALL`, `INVALID_ARGUMENT` (NULL `out_len`,
/// a NULL pointer with a non-zero length).
///
/// # Safety
/// `secret` and `body` are valid for reads of their lengths, `out` for writes of `out_cap` bytes,
/// `out_len` for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_sign(
    secret: *const u8,
    secret_len: usize,
    body: *const u8,
    body_len: usize,
    timestamp: u64,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> qw_status {
    guard(|| {
        let out_len = try_mut!(out_len, "out_len");
        let secret = try_bytes!(secret, secret_len, "secret");
        let body = try_bytes!(body, body_len, "body");
        match qw_core::sign(secret, body, timestamp) {
            Ok(value) => write_out(&value, out, out_cap, out_len),
            Err(e) => fail(e),
        }
    })
}

/// Signs an onboarding webhook: writes the `Qonto-SHA256-Signature` value (the 64 hex digits of
/// the HMAC-SHA256 of the body) into `out`, as `qw_sign` does.
///
/// # Safety
/// As `qw_sign`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_sign_onboarding(
    secret: *const u8,
    secret_len: usize,
    body: *const u8,
    body_len: usize,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> qw_status {
    guard(|| {
        let out_len = try_mut!(out_len, "out_len");
        let secret = try_bytes!(secret, secret_len, "secret");
        let body = try_bytes!(body, body_len, "body");
        match qw_core::sign_onboarding(secret, body) {
            Ok(value) => write_out(&value, out, out_cap, out_len),
            Err(e) => fail(e),
        }
    })
}

// --- statuses, messages, version -----------------------------------------------------------------

const TEXT_CAP: usize = 96;

/// `text` NUL-terminated in a fixed buffer, at compile time (too long a text fails the build).
#[allow(clippy::indexing_slicing)]
const fn c_text(text: &str) -> [u8; TEXT_CAP] {
    let bytes = text.as_bytes();
    assert!(bytes.len() < TEXT_CAP, "status text too long");
    let mut out = [0u8; TEXT_CAP];
    let mut i = 0;
    while i < bytes.len() {
        assert!(bytes[i] != 0, "NUL in a status text");
        out[i] = bytes[i];
        i += 1;
    }
    out
}

/// The core's code and description of every kind, NUL-terminated, built from the core itself.
#[allow(clippy::indexing_slicing)]
static KIND_TEXT: [[[u8; TEXT_CAP]; 2]; ErrorKind::ALL.len()] = {
    let mut table = [[[0u8; TEXT_CAP]; 2]; ErrorKind::ALL.len()];
    let mut i = 0;
    while i < ErrorKind::ALL.len() {
        table[i] = [
            c_text(ErrorKind::ALL[i].code()),
            c_text(ErrorKind::ALL[i].description()),
        ];
        i += 1;
    }
    table
};

/// (code, message) of a status, NUL-terminated.
fn status_text(status: u32) -> (*const c_char, *const c_char) {
    let abi = match status {
        0 => Some((c"ok", c"success")),
        100 => Some((
            c"invalid_argument",
            c"invalid argument: a NULL pointer with a non-zero length, a NULL or misaligned \
              out-parameter or object, or a length above PTRDIFF_MAX",
        )),
        101 => Some((
            c"buffer_too_small",
            c"the output buffer is too small: the needed length was written to the length \
              out-parameter",
        )),
        102 => Some((
            c"internal_error",
            c"internal error: a panic was caught at the C boundary (a bug in qonto-webhooks)",
        )),
        _ => None,
    };
    if let Some((code, message)) = abi {
        return (code.as_ptr(), message.as_ptr());
    }
    let kind = ErrorKind::ALL.iter().position(|k| k.number() == status);
    match kind.and_then(|i| KIND_TEXT.get(i)) {
        Some([code, message]) => (code.as_ptr().cast(), message.as_ptr().cast()),
        None => (c"unknown".as_ptr(), c"unknown status".as_ptr()),
    }
}

/// The stable code of a status: `"ok"`, the contract's codes (`"signature_mismatch"`, ...), then
/// `"invalid_argument"`, `"buffer_too_small"`, `"internal_error"`; `"unknown"` for any other
/// number. A static, NUL-terminated string: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn qw_status_code(status: u32) -> *const c_char {
    status_text(status).0
}

/// A one-line description of a status, without the details of a particular failure (for those,
/// see `qw_last_error_message`). A static, NUL-terminated string: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn qw_status_message(status: u32) -> *const c_char {
    status_text(status).1
}

/// Writes into at most `buf_len` bytes (always NUL-terminated)...
struct Truncating<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl std::fmt::Write for Truncating<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let room = self.buf.len().saturating_sub(1).saturating_sub(self.len);
        let take = s.len().min(room);
        if let (Some(dst), Some(src)) = (
            self.buf.get_mut(self.len..self.len + take),
            s.as_bytes().get(..take),
        ) {
            dst.copy_from_slice(src);
        }
        self.len += s.len();
        Ok(())
    }
}

/// The detailed message of the last call on this thread that did not return `QW_STATUS_OK`
/// (e.g. "the timestamp is 301 s old, more than the 300 s tolerance: ..."). It says what was
/// wrong and what to do, and never contains a secret or an expected signature. Successful calls
/// leave it unchanged.
///
/// Works like `snprintf`: writes at most `buf_len - 1` bytes and a NUL into `buf` (nothing when
/// `buf` is NULL or `buf_len` is 0) and returns the full length of the message, without the NUL;
/// 0 when no call on this thread has failed.
///
/// # Safety
/// `buf` is NULL or valid for writes of `buf_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_last_error_message(buf: *mut c_char, buf_len: usize) -> usize {
    let mut empty = [0u8; 0];
    let target: &mut [u8] = if buf.is_null() || buf_len == 0 || isize::try_from(buf_len).is_err() {
        &mut empty
    } else {
        // SAFETY: non-NULL and valid for `buf_len` bytes (the caller's contract).
        unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), buf_len) }
    };
    let mut writer = Truncating {
        buf: target,
        len: 0,
    };
    let _ = match LAST_ERROR.get() {
        LastError::None => Ok(()),
        LastError::Core(e) => write!(writer, "{e}"),
        LastError::Abi(message) => writer.write_str(message),
    };
    let end = writer.len.min(writer.buf.len().saturating_sub(1));
    if let Some(nul) = writer.buf.get_mut(end) {
        *nul = 0;
    }
    writer.len
}

/// The library's version, e.g. `"0.1.0"`. A static, NUL-terminated string.
#[unsafe(no_mangle)]
pub extern "C" fn qw_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    fn text(ptr: *const c_char) -> &'static str {
        // SAFETY: every status text is a static NUL-terminated string.
        unsafe { CStr::from_ptr(ptr) }.to_str().unwrap()
    }

    #[test]
    fn a_null_output_buffer_is_too_small_for_any_header() {
        let mut len = 0;
        // A NULL buffer with a capacity that would fit: still refused, never written to.
        let status = write_out("t=1,v1=ab", std::ptr::null_mut(), 64, &mut len);
        assert_eq!(status, qw_status::BufferTooSmall);
        assert_eq!(len, 9);
        // Nothing to write: a NULL buffer is fine.
        assert_eq!(
            write_out("", std::ptr::null_mut(), 0, &mut len),
            qw_status::Ok
        );
        assert_eq!(len, 0);
        let mut buf = [0u8; 16];
        assert_eq!(
            write_out("abc", buf.as_mut_ptr(), buf.len(), &mut len),
            qw_status::Ok
        );
        assert_eq!((len, &buf[..3]), (3, &b"abc"[..]));
    }

    #[test]
    fn every_kind_has_the_status_of_its_number() {
        for kind in ErrorKind::ALL {
            let status = status_of(kind);
            assert_eq!(status as u32, kind.number(), "{kind:?}");
            assert_eq!(text(qw_status_code(status as u32)), kind.code());
            assert_eq!(text(qw_status_message(status as u32)), kind.description());
        }
        assert_eq!(text(qw_status_code(0)), "ok");
        assert_eq!(text(qw_status_code(9)), "unknown");
        assert_eq!(text(qw_status_code(u32::MAX)), "unknown");
    }

    #[test]
    fn a_panic_becomes_internal_error_with_a_message() {
        let status = guard(|| panic!("planted"));
        assert_eq!(status, qw_status::InternalError);
        let mut buf = [0 as c_char; 128];
        // SAFETY: a valid buffer of its length.
        let len = unsafe { qw_last_error_message(buf.as_mut_ptr(), buf.len()) };
        let message = text(buf.as_ptr());
        assert_eq!(message.len(), len);
        assert!(message.starts_with("internal error"), "{message}");
    }

    /// A test allocator that, for the one allocation this thread watches, records on free whether
    /// every byte was zero: the key schedules must be wiped before their memory is handed back.
    mod wipe_check {
        use std::alloc::{GlobalAlloc, Layout, System};
        use std::cell::Cell;

        pub(super) struct Checking;

        thread_local! {
            static WATCHED: Cell<usize> = const { Cell::new(0) };
            static WIPED: Cell<Option<bool>> = const { Cell::new(None) };
        }

        // SAFETY: forwards to System; the check only reads the block being freed.
        unsafe impl GlobalAlloc for Checking {
            unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
                // SAFETY: forwarded.
                unsafe { System.alloc(layout) }
            }
            unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
                if WATCHED.try_with(Cell::get) == Ok(ptr as usize) {
                    // SAFETY: the block is still allocated and `layout.size()` bytes long.
                    let bytes = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
                    let _ = WIPED.try_with(|w| w.set(Some(bytes.iter().all(|&b| b == 0))));
                    let _ = WATCHED.try_with(|w| w.set(0));
                }
                // SAFETY: forwarded.
                unsafe { System.dealloc(ptr, layout) }
            }
        }

        /// Runs `free` on `ptr` and says whether its block was all zeros when freed.
        pub(super) fn wiped_on_free<T>(ptr: *mut T, free: impl FnOnce(*mut T)) -> bool {
            WIPED.set(None);
            WATCHED.set(ptr as usize);
            free(ptr);
            WIPED.take().expect("the watched block was not freed")
        }
    }

    #[global_allocator]
    static ALLOC: wipe_check::Checking = wipe_check::Checking;

    const SECRET: &[u8] = b"test-secret";
    const HEADER: &[u8] =
        b"t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805";

    fn new_verifier() -> *mut qw_verifier {
        let secret = qw_bytes {
            data: SECRET.as_ptr(),
            len: SECRET.len(),
        };
        let mut v = std::ptr::null_mut();
        // SAFETY: valid pointers.
        let status = unsafe { qw_verifier_new(&secret, 1, 300, &mut v) };
        assert_eq!(status, qw_status::Ok);
        v
    }

    fn start(v: *mut qw_verifier) -> *mut qw_verify_state {
        let mut state = std::ptr::null_mut();
        // SAFETY: valid pointers.
        let status =
            unsafe { qw_verify_start(v, HEADER.as_ptr(), HEADER.len(), 1704110400, &mut state) };
        assert_eq!(status, qw_status::Ok);
        state
    }

    #[test]
    fn key_schedules_are_wiped_when_freed() {
        let v = new_verifier();
        let wiped = wipe_check::wiped_on_free(v, |p| {
            // SAFETY: made by qw_verifier_new.
            unsafe { qw_verifier_free(p) }
        });
        assert!(
            wiped,
            "qw_verifier_free left the verifier's key schedules in freed memory"
        );

        let v = new_verifier();
        let state = start(v);
        let wiped = wipe_check::wiped_on_free(state, |p| {
            // SAFETY: made by qw_verify_start.
            unsafe { qw_verify_state_free(p) }
        });
        assert!(
            wiped,
            "qw_verify_state_free left the HMAC contexts in freed memory"
        );

        let state = start(v);
        let wiped = wipe_check::wiped_on_free(state, |p| {
            let mut out = qw_verified::default();
            // SAFETY: made by qw_verify_start; finish frees it.
            let status = unsafe { qw_verify_finish(p, &mut out) };
            assert_eq!(status, qw_status::SignatureMismatch);
        });
        assert!(
            wiped,
            "qw_verify_finish left the HMAC contexts in freed memory"
        );
        // SAFETY: made by qw_verifier_new.
        unsafe { qw_verifier_free(v) };
    }

    #[test]
    fn a_tolerance_above_int64_max_is_invalid_argument_never_disabled() {
        let secret = qw_bytes {
            data: SECRET.as_ptr(),
            len: SECRET.len(),
        };
        for tolerance in [u64::MAX, 1 << 63, u64::MAX - 299] {
            let mut v = std::ptr::null_mut();
            // SAFETY: valid pointers.
            let status = unsafe { qw_verifier_new(&secret, 1, tolerance, &mut v) };
            assert_eq!(status, qw_status::InvalidArgument, "{tolerance}");
            assert!(v.is_null());
        }
        let mut v = std::ptr::null_mut();
        // SAFETY: valid pointers.
        let status = unsafe { qw_verifier_new(&secret, 1, QW_MAX_TOLERANCE_SECS, &mut v) };
        assert_eq!(status, qw_status::Ok);
        // SAFETY: made by qw_verifier_new.
        unsafe { qw_verifier_free(v) };
    }

    #[test]
    fn diagnose_checks_its_arguments_and_reads_back() {
        let secret = qw_bytes {
            data: SECRET.as_ptr(),
            len: SECRET.len(),
        };
        let body = b"{}";
        let mut d = std::ptr::null_mut();
        let call = |scheme: u32, tolerance: u64, out: *mut *mut qw_diagnosis| {
            // SAFETY: valid pointers and lengths.
            unsafe {
                qw_diagnose(
                    &secret,
                    1,
                    scheme,
                    HEADER.as_ptr(),
                    HEADER.len(),
                    body.as_ptr(),
                    body.len(),
                    1704110400,
                    tolerance,
                    false,
                    out,
                )
            }
        };
        assert_eq!(call(2, 300, &mut d), qw_status::InvalidArgument);
        assert_eq!(call(0, u64::MAX, &mut d), qw_status::InvalidArgument);
        assert_eq!(
            call(0, 300, std::ptr::null_mut()),
            qw_status::InvalidArgument
        );
        assert!(d.is_null());
        assert_eq!(call(0, 300, &mut d), qw_status::Ok);
        let mut verified = qw_verified::default();
        // SAFETY: made by qw_diagnose, freed once below.
        unsafe {
            assert_eq!(
                qw_diagnosis_result(d, &mut verified),
                qw_status::SignatureMismatch
            );
            assert_eq!(qw_diagnosis_findings_len(d), 1);
            assert_eq!(text(qw_diagnosis_finding_mistake(d, 0)), "wrong_secret");
            assert!(qw_diagnosis_finding_mistake(d, 1).is_null());
            assert!(qw_diagnosis_finding_message(d, 1).is_null());
            assert!(!qw_diagnosis_explained(d));
            assert!(text(qw_diagnosis_message(d)).contains("raw"));
            assert_eq!(qw_diagnosis_findings_len(std::ptr::null()), 0);
            assert_eq!(text(qw_diagnosis_message(std::ptr::null())), "");
            qw_diagnosis_free(d);
            qw_diagnosis_free(std::ptr::null_mut());
        }
    }

    #[test]
    fn version_is_the_crate_version() {
        assert_eq!(text(qw_version()), env!("CARGO_PKG_VERSION"));
    }
}
