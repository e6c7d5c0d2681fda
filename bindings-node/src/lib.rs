//! The Node.js binding of `qonto-webhooks`: a thin napi-rs layer over the core.
//!
//! This module is the private native half of the npm package. The public API (argument checks,
//! the `WebhookVerificationError` class, `constructEvent`, `verifyRequest`, the Express
//! middleware) lives in `index.js`, which calls these functions with arguments it has already
//! checked. Every verification failure is thrown as an `Error` whose `code` is the contract's
//! stable code (`signature_mismatch`, ...), which `index.js` turns into a
//! `WebhookVerificationError`.

use napi::bindgen_prelude::{BufferSlice, Either, Null};
use napi_derive::napi;
use qonto_webhooks::{ErrorKind, Incremental, Tolerance, Verified, Verifier};

/// A body or a secret as JavaScript gives it: a string (used as its UTF-8 bytes) or bytes
/// (read in place, without a copy).
type Bytes<'a> = Either<String, &'a [u8]>;

fn bytes<'b>(value: &'b Bytes<'_>) -> &'b [u8] {
    match value {
        Either::A(s) => s.as_bytes(),
        Either::B(b) => b,
    }
}

fn fail(err: qonto_webhooks::Error) -> napi::Error<String> {
    napi::Error::new(err.code().to_owned(), err.to_string())
}

fn invalid_arg(message: &str) -> napi::Error<String> {
    napi::Error::new("InvalidArg".to_owned(), message.to_owned())
}

/// A whole number of seconds from JavaScript, already checked by `index.js`; checked again here
/// so that no input can wrap around.
fn seconds(value: f64, what: &str) -> napi::Result<u64, String> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= u64::MAX as f64 {
        // Checked above: a non-negative whole number in range.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(value as u64)
    } else {
        Err(invalid_arg(&format!(
            "{what} must be a non-negative whole number of seconds"
        )))
    }
}

/// Writes a success into the caller's 16-byte result slot: the secret index, then the timestamp
/// (`NaN` for onboarding webhooks), as two little-endian doubles.
///
/// Returning a JavaScript object from native code costs more than the HMAC of a small body, so
/// `index.js` hands every call the same small buffer and builds the result object itself.
fn write_result(out: &mut [u8], verified: Verified) -> napi::Result<(), String> {
    // At most MAX_SECRETS (8): exact.
    #[allow(clippy::cast_precision_loss)]
    let index = verified.secret_index as f64;
    // Unix timestamps are far below 2^53; a larger t is rounded to the nearest double.
    #[allow(clippy::cast_precision_loss)]
    let timestamp = verified.timestamp.map_or(f64::NAN, |t| t as f64);
    match out.get_mut(..16) {
        Some(slot) => {
            let (a, b) = slot.split_at_mut(8);
            a.copy_from_slice(&index.to_le_bytes());
            b.copy_from_slice(&timestamp.to_le_bytes());
            Ok(())
        }
        None => Err(invalid_arg("the result slot must be at least 16 bytes")),
    }
}

/// The native verifier: the secrets' key schedules, computed once, and the replay window.
#[napi]
pub struct NativeVerifier {
    inner: Verifier,
}

#[napi]
impl NativeVerifier {
    /// `secrets`: 1 to 8 non-empty secrets. `tolerance`: seconds, or `null` to disable the window.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        secrets: Vec<Either<String, &[u8]>>,
        tolerance: Either<f64, Null>,
    ) -> napi::Result<Self, String> {
        let tolerance = match tolerance {
            Either::A(t) => Tolerance::Seconds(seconds(t, "tolerance")?),
            Either::B(Null) => Tolerance::Disabled,
        };
        let inner = Verifier::with_secrets(secrets.iter().map(bytes))
            .map_err(fail)?
            .with_tolerance(tolerance);
        Ok(NativeVerifier { inner })
    }

    fn business(
        &self,
        body: &[u8],
        header: &str,
        now: Option<f64>,
        out: &mut [u8],
    ) -> napi::Result<(), String> {
        let result = match now {
            Some(now) => self.inner.verify(body, header, seconds(now, "now")?),
            None => self.inner.verify_now(body, header),
        };
        write_result(out, result.map_err(fail)?)
    }

    /// Verifies a business webhook whose body is bytes (read in place), at `now` (unix seconds;
    /// the system clock when absent). The result goes to `out`.
    #[napi(catch_unwind)]
    pub fn verify_bytes(
        &self,
        body: &[u8],
        header: String,
        now: Option<f64>,
        mut out: BufferSlice<'_>,
    ) -> napi::Result<(), String> {
        self.business(body, &header, now, &mut out)
    }

    /// [`verify_bytes`](NativeVerifier::verify_bytes) for a body given as a string (its UTF-8
    /// bytes).
    #[napi(catch_unwind)]
    pub fn verify_string(
        &self,
        body: String,
        header: String,
        now: Option<f64>,
        mut out: BufferSlice<'_>,
    ) -> napi::Result<(), String> {
        self.business(body.as_bytes(), &header, now, &mut out)
    }

    /// Verifies an onboarding webhook (no timestamp, no window) whose body is bytes.
    #[napi(catch_unwind)]
    pub fn verify_onboarding_bytes(
        &self,
        body: &[u8],
        header: String,
        mut out: BufferSlice<'_>,
    ) -> napi::Result<(), String> {
        let verified = self.inner.verify_onboarding(body, &header).map_err(fail)?;
        write_result(&mut out, verified)
    }

    /// Verifies an onboarding webhook whose body is a string.
    #[napi(catch_unwind)]
    pub fn verify_onboarding_string(
        &self,
        body: String,
        header: String,
        mut out: BufferSlice<'_>,
    ) -> napi::Result<(), String> {
        let verified = self
            .inner
            .verify_onboarding(body.as_bytes(), &header)
            .map_err(fail)?;
        write_result(&mut out, verified)
    }

    /// Starts verifying a business webhook whose body arrives in pieces: the header and the
    /// window are checked now, before any body is read.
    #[napi(catch_unwind)]
    pub fn start(
        &self,
        header: String,
        now: Option<f64>,
    ) -> napi::Result<NativeIncremental, String> {
        let state = match now {
            Some(now) => self.inner.start(&header, seconds(now, "now")?),
            None => self.inner.start(&header, qonto_webhooks::unix_now()),
        };
        Ok(NativeIncremental {
            state: Some(Box::new(state.map_err(fail)?)),
        })
    }

    /// Starts verifying an onboarding webhook whose body arrives in pieces.
    #[napi(catch_unwind)]
    pub fn start_onboarding(&self, header: String) -> napi::Result<NativeIncremental, String> {
        let state = self.inner.start_onboarding(&header).map_err(fail)?;
        Ok(NativeIncremental {
            state: Some(Box::new(state)),
        })
    }

    /// The replay window in seconds, or `null` when disabled.
    #[napi(getter)]
    pub fn tolerance(&self) -> Option<f64> {
        match self.inner.tolerance() {
            // A tolerance came from a JavaScript number, so it fits.
            #[allow(clippy::cast_precision_loss)]
            Tolerance::Seconds(s) => Some(s as f64),
            Tolerance::Disabled => None,
        }
    }

    /// How many secrets this verifier holds.
    #[napi(getter)]
    pub fn secret_count(&self) -> u32 {
        u32::try_from(self.inner.secret_count()).unwrap_or(u32::MAX)
    }
}

/// A verification in progress: feed the body with `update`, then call `finish` once.
#[napi]
pub struct NativeIncremental {
    /// Boxed: the state (about 7 KB, the header included) is freed by `finish`, not when V8
    /// finally collects the JavaScript object.
    state: Option<Box<Incremental>>,
}

fn finished() -> napi::Error<String> {
    napi::Error::new(
        "ERR_INVALID_STATE".to_owned(),
        "this verification is already finished: start a new one".to_owned(),
    )
}

#[napi]
impl NativeIncremental {
    /// Feeds the next piece of the body (bytes, read in place).
    #[napi(catch_unwind)]
    pub fn update_bytes(&mut self, chunk: &[u8]) -> napi::Result<(), String> {
        self.state.as_mut().ok_or_else(finished)?.update(chunk);
        Ok(())
    }

    /// Feeds the next piece of the body, given as a string (its UTF-8 bytes).
    #[napi(catch_unwind)]
    pub fn update_string(&mut self, chunk: String) -> napi::Result<(), String> {
        self.state
            .as_mut()
            .ok_or_else(finished)?
            .update(chunk.as_bytes());
        Ok(())
    }

    /// Checks the signature over everything fed; the result goes to `out`.
    #[napi(catch_unwind)]
    pub fn finish(&mut self, mut out: BufferSlice<'_>) -> napi::Result<(), String> {
        let verified = self
            .state
            .take()
            .ok_or_else(finished)?
            .finish()
            .map_err(fail)?;
        write_result(&mut out, verified)
    }
}

/// The `X-Qonto-Signature` value for `body` signed with `secret` at `timestamp`.
#[napi(catch_unwind)]
pub fn native_sign(
    secret: Either<String, &[u8]>,
    body: Either<String, &[u8]>,
    timestamp: f64,
) -> napi::Result<String, String> {
    let timestamp = seconds(timestamp, "timestamp")?;
    qonto_webhooks::sign(bytes(&secret), bytes(&body), timestamp)
        .map(|h| h.to_string())
        .map_err(fail)
}

/// The `Qonto-SHA256-Signature` value for `body` signed with `secret`.
#[napi(catch_unwind)]
pub fn native_sign_onboarding(
    secret: Either<String, &[u8]>,
    body: Either<String, &[u8]>,
) -> napi::Result<String, String> {
    qonto_webhooks::sign_onboarding(bytes(&secret), bytes(&body))
        .map(|h| h.to_string())
        .map_err(fail)
}

/// One known mistake found by `diagnose`.
#[napi(object)]
pub struct NativeFinding {
    /// The mistake's stable code, e.g. `body_reserialized`.
    pub mistake: String,
    /// What was found and how to fix it (never the secret or the expected signature).
    pub message: String,
}

/// What `diagnose` found.
#[napi(object)]
pub struct NativeDiagnosis {
    /// Whether the webhook verifies as given.
    pub ok: bool,
    /// The matching secret's index, when it verifies.
    pub secret_index: Option<u32>,
    /// The error code, when it does not.
    pub code: Option<String>,
    /// The error message, when it does not.
    pub message: Option<String>,
    /// Whether a known mistake (other than a wrong secret) explains the failure.
    pub explained: bool,
    /// The explanations, most specific first.
    pub findings: Vec<NativeFinding>,
}

/// Says which known mistake explains why a webhook does not verify.
#[napi(catch_unwind)]
pub fn native_diagnose(
    secrets: Vec<Either<String, &[u8]>>,
    onboarding: bool,
    header: String,
    body: Either<String, &[u8]>,
    now: f64,
    tolerance: Either<f64, Null>,
) -> napi::Result<NativeDiagnosis, String> {
    let now = seconds(now, "now")?;
    let tolerance = match tolerance {
        Either::A(secs) => Tolerance::Seconds(seconds(secs, "tolerance")?),
        Either::B(Null) => Tolerance::Disabled,
    };
    let secrets: Vec<&[u8]> = secrets.iter().map(bytes).collect();
    let scheme = if onboarding {
        qonto_webhooks::Scheme::Onboarding
    } else {
        qonto_webhooks::Scheme::Business
    };
    let d = qonto_webhooks::diagnose::diagnose(
        &secrets,
        scheme,
        header.as_bytes(),
        bytes(&body),
        now,
        tolerance,
    );
    let explained = d.explained();
    let findings = d
        .findings
        .into_iter()
        .map(|f| NativeFinding {
            mistake: f.mistake.code().to_owned(),
            message: f.message,
        })
        .collect();
    Ok(match d.result {
        Ok(v) => NativeDiagnosis {
            ok: true,
            secret_index: u32::try_from(v.secret_index).ok(),
            code: None,
            message: None,
            explained,
            findings,
        },
        Err(e) => NativeDiagnosis {
            ok: false,
            secret_index: None,
            code: Some(e.code().to_owned()),
            message: Some(e.to_string()),
            explained,
            findings,
        },
    })
}

/// The system clock in unix seconds, as the verifier reads it.
#[napi]
pub fn unix_now() -> f64 {
    // Unix seconds are far below 2^53.
    #[allow(clippy::cast_precision_loss)]
    let now = qonto_webhooks::unix_now() as f64;
    now
}

/// Every stable error code, in the order of their frozen numbers.
#[napi]
pub fn error_codes() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|k| k.code()).collect()
}

/// The default replay window, in seconds.
#[napi]
pub const DEFAULT_TOLERANCE_SECS: u32 = 300;

/// The most secrets one verifier holds.
#[napi]
pub const MAX_SECRETS: u32 = 8;

/// The longest signature header accepted, in bytes.
#[napi]
pub const MAX_HEADER_LEN: u32 = 4096;

#[cfg(test)]
mod tests {
    #[test]
    fn constants_match_the_core() {
        assert_eq!(
            u64::from(super::DEFAULT_TOLERANCE_SECS),
            qonto_webhooks::DEFAULT_TOLERANCE_SECS
        );
        assert_eq!(super::MAX_SECRETS as usize, qonto_webhooks::MAX_SECRETS);
        assert_eq!(
            super::MAX_HEADER_LEN as usize,
            qonto_webhooks::MAX_HEADER_LEN
        );
    }
}
