//! `qw_diagnose`: which known mistake explains a failure.

use core::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

use qonto_webhooks::{Scheme, Tolerance};

use super::{QW_MAX_SECRETS, QW_MAX_TOLERANCE_SECS};

use super::ffi::{bytes, guard, qw_bytes};
use super::status::{invalid, qw_status, status_of};
use super::verify::{qw_verified, write_verified};

/// The result of `qw_diagnose`: the verdict for the input as given and, when it is a failure, the
/// known mistakes that explain it (the same findings and codes as the CLI's `diagnose` and every
/// other binding). Read it with the `qw_diagnosis_*` functions; free it with `qw_diagnosis_free`.
/// The strings it returns live as long as it does. It holds no secret.
pub struct qw_diagnosis {
    status: qw_status,
    verified: qw_verified,
    message: std::ffi::CString,
    explained: bool,
    findings: Vec<(std::ffi::CString, std::ffi::CString)>,
}

/// `text` as a C string (a NUL inside, which no message has, becomes U+FFFD).
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
        let d = qonto_webhooks::diagnose::diagnose(&slices, scheme, header, body, now, tolerance);
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
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_diagnosis_message(diagnosis: *const qw_diagnosis) -> *const c_char {
    read_diagnosis(diagnosis, c"".as_ptr(), |d| d.message.as_ptr())
}

/// Whether a known mistake (other than `wrong_secret`, which means none applies) explains the
/// failure. False for a NULL `diagnosis`.
///
/// # Safety
/// `diagnosis` is NULL or comes from `qw_diagnose` and was not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_diagnosis_explained(diagnosis: *const qw_diagnosis) -> bool {
    read_diagnosis(diagnosis, false, |d| d.explained)
}

/// How many findings the diagnosis has (most specific first); 0 when it verifies, when no
/// mistake applies to a malformed header, or for a NULL `diagnosis`.
///
/// # Safety
/// `diagnosis` is NULL or comes from `qw_diagnose` and was not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_diagnosis_findings_len(diagnosis: *const qw_diagnosis) -> usize {
    read_diagnosis(diagnosis, 0, |d| d.findings.len())
}

/// The stable code of finding `index` (`"secret_base64"`, `"body_reserialized"`, ...,
/// `"wrong_secret"`), or NULL when `index` is out of range. Lives as long as the diagnosis.
///
/// # Safety
/// `diagnosis` is NULL or comes from `qw_diagnose` and was not freed.
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
