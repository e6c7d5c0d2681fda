//! The verifier (its secrets, window and accepted schemes) and one-shot verification: by scheme,
//! or at request level where the endpoint's schemes pick the header.

use qonto_webhooks::{Scheme, Schemes, Tolerance, Verified, Verifier};

use super::ffi::{bytes, drop_wiped, guard, qw_bytes};
use super::status::{fail, invalid, qw_status};
use super::{QW_MAX_SECRETS, QW_MAX_TOLERANCE_SECS};

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
    pub(crate) inner: Verifier,
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

/// # Safety
/// `out` is non-NULL, aligned and valid for a write.
pub(crate) unsafe fn write_verified(out: *mut qw_verified, verified: Verified) -> qw_status {
    let value = qw_verified {
        secret_index: verified.secret_index,
        has_timestamp: verified.timestamp.is_some(),
        timestamp: verified.timestamp.unwrap_or(0),
        scheme: match verified.scheme {
            Scheme::Business => qw_scheme::Business,
            Scheme::Onboarding => qw_scheme::Onboarding,
        },
    };
    // SAFETY: `out` is non-NULL, aligned and valid for a write (this function's contract);
    // `qw_verified` is plain data, so overwriting whatever was there drops nothing.
    unsafe { out.write(value) };
    qw_status::Ok
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
pub(crate) enum Mode {
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
    // SAFETY: `verify_with` requires exactly this function's contract, which the caller upholds,
    // and the pointers and lengths are passed unchanged.
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
    let now = qonto_webhooks::unix_now();
    // SAFETY: `verify_with` requires exactly this function's contract, which the caller upholds,
    // and the pointers and lengths are passed unchanged.
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
    // SAFETY: `verify_with` requires exactly this function's contract, which the caller upholds,
    // and the pointers and lengths are passed unchanged.
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
    // SAFETY: `verify_request_with` requires exactly this function's contract, which the caller upholds,
    // and the pointers and lengths are passed unchanged.
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
    let now = qonto_webhooks::unix_now();
    // SAFETY: `verify_request_with` requires exactly this function's contract, which the caller upholds,
    // and the pointers and lengths are passed unchanged.
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
