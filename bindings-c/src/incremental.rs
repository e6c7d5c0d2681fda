//! Incremental verification, for a body read in pieces.

use qonto_webhooks::Incremental;

use super::ffi::{bytes, drop_wiped, guard, take_wiped};
use super::status::{fail, invalid, qw_status};
use super::verify::{Mode, qw_verified, qw_verifier, write_verified};

/// A verification in progress, for a body read in pieces (`Incremental` in Rust, Python, Node, Go
/// and the C++ wrapper): made by `qw_verify_start*`, fed with `qw_verify_update`, ended by
/// `qw_verify_finish` (which frees it) or `qw_incremental_free`.
///
/// It owns everything it needs: the verifier may be freed meanwhile. It may move between threads
/// but must not be used by two threads at once.
pub struct qw_incremental {
    inner: Incremental,
}

/// Deprecated: the former name of `qw_incremental`, kept so that existing code compiles.
pub type qw_verify_state = qw_incremental;

/// # Safety
/// As the exported start functions.
unsafe fn start_with(
    verifier: *const qw_verifier,
    header: *const u8,
    header_len: usize,
    mode: Mode,
    state_out: *mut *mut qw_incremental,
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
                *out = Box::into_raw(Box::new(qw_incremental { inner }));
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
/// `qw_verify_finish` (or `qw_incremental_free` to abandon it).
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
    state_out: *mut *mut qw_incremental,
) -> qw_status {
    // SAFETY: `start_with` requires exactly this function's contract, which the caller upholds,
    // and the pointers and lengths are passed unchanged.
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
    state_out: *mut *mut qw_incremental,
) -> qw_status {
    let now = qonto_webhooks::unix_now();
    // SAFETY: `start_with` requires exactly this function's contract, which the caller upholds,
    // and the pointers and lengths are passed unchanged.
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
    state_out: *mut *mut qw_incremental,
) -> qw_status {
    // SAFETY: `start_with` requires exactly this function's contract, which the caller upholds,
    // and the pointers and lengths are passed unchanged.
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
    state_out: *mut *mut qw_incremental,
) -> qw_status {
    guard(|| {
        let verifier = &try_ref!(verifier, "verifier").inner;
        let out = try_mut!(state_out, "state_out");
        let business = try_header!(business_header, business_len, "business_header");
        let onboarding = try_header!(onboarding_header, onboarding_len, "onboarding_header");
        match verifier.start_request(business, onboarding, now) {
            Ok(inner) => {
                *out = Box::into_raw(Box::new(qw_incremental { inner }));
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
    state_out: *mut *mut qw_incremental,
) -> qw_status {
    // SAFETY: `start_request_with` requires exactly this function's contract, which the caller upholds,
    // and the pointers and lengths are passed unchanged.
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
    state_out: *mut *mut qw_incremental,
) -> qw_status {
    let now = qonto_webhooks::unix_now();
    // SAFETY: `start_request_with` requires exactly this function's contract, which the caller upholds,
    // and the pointers and lengths are passed unchanged.
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
    state: *mut qw_incremental,
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
    state: *mut qw_incremental,
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
pub unsafe extern "C" fn qw_incremental_free(state: *mut qw_incremental) {
    if !state.is_null() {
        guard(|| {
            // SAFETY: made by Box::into_raw in a start function (the caller's contract).
            unsafe { drop_wiped(state) };
            qw_status::Ok
        });
    }
}

/// Deprecated: the former name of `qw_incremental_free`, which it calls.
///
/// # Safety
/// As `qw_incremental_free`.
#[deprecated(note = "use qw_incremental_free")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_verify_state_free(state: *mut qw_incremental) {
    // SAFETY: `qw_incremental_free` requires exactly this function's contract, which the caller
    // upholds.
    unsafe { qw_incremental_free(state) }
}
