//! Signing, as Qonto does: `qw_sign` and `qw_sign_onboarding`.

use super::ffi::{bytes, guard};
use super::status::{abi_error, fail, invalid, qw_status};

/// Copies a header value into the caller's buffer, or reports the length it needs.
pub(crate) fn write_out(
    value: &str,
    out: *mut u8,
    out_cap: usize,
    out_len: &mut usize,
) -> qw_status {
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
        match qonto_webhooks::sign(secret, body, timestamp) {
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
        match qonto_webhooks::sign_onboarding(secret, body) {
            Ok(value) => write_out(&value, out, out_cap, out_len),
            Err(e) => fail(e),
        }
    })
}
