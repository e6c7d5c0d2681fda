//! The Node.js binding of `qonto-webhooks`: a thin napi-rs layer over the core.
//!
//! This module is the private native half of the npm package. The public API (argument checks,
//! the `WebhookVerificationError` class, `constructEvent`, `verifyRequest`, the Express
//! middleware) lives in `index.js`, which calls these functions with arguments it has already
//! checked. The six verify functions (`verifyBytes`, `verifyString`, `verifyOnboardingBytes`,
//! `verifyOnboardingString`, `verifyRequestBytes`, `verifyRequestString`) are written against
//! Node-API directly in [`fast`], as the hot path;
//! being added at load time, they are not in the generated `binding.d.ts`. Verifier handles are
//! made and read by [`handle`].
//!
//! A verification returns one number: the packed success, or `NaN` for a rejection, whose code
//! and message [`take_rejection`] then gives (`index.js` builds the `WebhookVerificationError`).
//! Failures outside verification (a bad secret when a verifier is made, a malformed header given
//! to `start`) are thrown as an `Error` whose `code` is the contract's stable code.

// Node-API is a C API: raw handles and pointers in and out. Every block says why it is sound.
#![allow(unsafe_code)]

use std::cell::Cell;

use napi::bindgen_prelude::{Either, Unknown};
use napi_derive::napi;

mod args;

// Test builds leave out module registration, the only caller of the fast path.
#[cfg_attr(test, allow(dead_code))]
mod fast;
mod handle;

use args::{BodyArg, SecretArg};
use handle::NewHandle;
use qonto_webhooks::{
    ErrorKind, Incremental, Scheme, Schemes, SignatureHeader, Tolerance, Verified, Verifier,
};

fn fail(err: qonto_webhooks::Error) -> napi::Error<String> {
    napi::Error::new(err.code().to_owned(), err.to_string())
}

std::thread_local! {
    /// The last rejection on this thread, read by [`take_rejection`] right after a verify function
    /// returned `NaN`. Each JavaScript thread (main or worker) runs on its own OS thread.
    static REJECTION: Cell<Option<qonto_webhooks::Error>> = const { Cell::new(None) };
}

/// A verification result as one number: the packed success (see [`packed`]), or `NaN` for a
/// rejection, whose error [`take_rejection`] returns. Throwing from native code costs about 8 µs
/// in V8, several times a whole verification; a rejected webhook is a normal outcome, and
/// `index.js` builds the one `WebhookVerificationError` itself.
pub(crate) fn outcome(result: Result<Verified, qonto_webhooks::Error>) -> f64 {
    match result {
        Ok(verified) => packed(verified),
        Err(err) => {
            REJECTION.with(|r| r.set(Some(err)));
            f64::NAN
        }
    }
}

/// A request's verification result as one number (see [`outcome`]): a business success packed as
/// by [`packed`] (so `>= 0`, or `-1` to `-8`), an onboarding one as `-(9 + secret index)`, or `NaN`.
pub(crate) fn outcome_request(result: Result<Verified, qonto_webhooks::Error>) -> f64 {
    match result {
        Ok(verified) if verified.scheme == Scheme::Onboarding => {
            // At most MAX_SECRETS (8): exact in a double.
            #[allow(clippy::cast_precision_loss)]
            let index = verified.secret_index as f64;
            -(9.0 + index)
        }
        other => outcome(other),
    }
}

/// Why the last verification on this thread was rejected.
#[napi(object)]
pub struct NativeRejection {
    /// The stable code, e.g. `signature_mismatch`.
    pub code: String,
    /// What was wrong and what to do (never the secret or the expected signature).
    pub message: String,
    /// `business` or `onboarding`: the scheme whose check failed.
    pub scheme: String,
}

/// The rejection behind the last `NaN` a verify function returned on this thread (cleared).
#[napi(catch_unwind)]
pub fn take_rejection() -> napi::Result<NativeRejection, String> {
    let err = REJECTION
        .with(Cell::take)
        .ok_or_else(|| invalid_arg("no rejection to report"))?;
    Ok(NativeRejection {
        code: err.code().to_owned(),
        message: err.to_string(),
        scheme: err.scheme().as_str().to_owned(),
    })
}

fn invalid_arg(message: &str) -> napi::Error<String> {
    napi::Error::new("InvalidArg".to_owned(), message.to_owned())
}

/// A whole number of seconds from JavaScript, already checked by `index.js`; checked again here
/// so that no input can wrap around.
fn seconds(value: f64, what: &str) -> napi::Result<u64, String> {
    // `u64::MAX as f64` is 2^64 (rounded up), itself out of range: hence `<`.
    #[allow(clippy::cast_precision_loss)]
    let limit = u64::MAX as f64;
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value < limit {
        // Checked above: a non-negative whole number in range.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(value as u64)
    } else {
        Err(invalid_arg(&format!(
            "{what} must be a non-negative whole number of seconds"
        )))
    }
}

/// The one value that disables the replay window, as JavaScript spells it.
const DISABLED: &str = "disabled";

/// A replay window as `index.js` passes it: seconds, or the string `'disabled'`. Nothing else
/// (`null`, a negative number) switches the window off.
fn window(tolerance: Either<f64, String>) -> napi::Result<Tolerance, String> {
    match tolerance {
        Either::A(t) => Ok(Tolerance::Seconds(seconds(t, "tolerance")?)),
        Either::B(s) if s == DISABLED => Ok(Tolerance::Disabled),
        Either::B(_) => Err(invalid_arg(
            "tolerance must be a non-negative whole number of seconds or 'disabled'",
        )),
    }
}

/// `now` as `index.js` passes it: unix seconds, or -1 for the system clock, read here (the core's
/// `unix_now`, the coarse wall clock on Linux) because `Date.now()` costs about 35 ns more.
pub(crate) fn now_or_clock(now: f64) -> napi::Result<u64, String> {
    if now == -1.0 {
        Ok(qonto_webhooks::unix_now())
    } else {
        seconds(now, "now")
    }
}

/// A timestamp below this is packed exactly with the secret index into one double (2^50 seconds is
/// some 35 million years from now).
const PACKED_TIMESTAMP_LIMIT: u64 = 1 << 50;

// The secret index takes the low 3 bits of a packed result.
const _: () = assert!(qonto_webhooks::MAX_SECRETS <= 8);

/// A success as one JavaScript number, which costs far less to return than an object:
///
/// - onboarding: the secret index;
/// - business: `timestamp * 8 + secret index` while the timestamp is below 2^50, exact in a double;
///   above (only accepted with the window disabled), `-(secret index + 1)`, and `index.js` reads
///   the timestamp with [`header_timestamp`].
fn packed(verified: Verified) -> f64 {
    // At most MAX_SECRETS (8) and below 2^50: both exact in a double.
    #[allow(clippy::cast_precision_loss)]
    let index = verified.secret_index as f64;
    #[allow(clippy::cast_precision_loss)]
    match verified.timestamp {
        None => index,
        Some(t) if t < PACKED_TIMESTAMP_LIMIT => (t * 8) as f64 + index,
        Some(_) => -(index + 1.0),
    }
}

/// Makes a verifier: an opaque handle (see [`handle`]) holding the secrets' key schedules
/// (computed once) and the replay window. Free functions take it, which costs less per call than
/// a class method. `secrets`: 1 to 8 non-empty secrets (copied, and wiped once the key schedules
/// are made). `tolerance`: seconds, or `'disabled'`. `schemes`: what `verifyRequest*` accepts,
/// `'business'`, `'onboarding'` or `'both'`.
#[napi(
    catch_unwind,
    ts_args_type = "secrets: Array<string | Uint8Array>, tolerance: number | 'disabled', schemes: 'business' | 'onboarding' | 'both'",
    ts_return_type = "ExternalObject<'Verifier'>"
)]
pub fn new_verifier(
    secrets: Vec<SecretArg>,
    tolerance: Either<f64, String>,
    schemes: String,
) -> napi::Result<NewHandle, String> {
    let tolerance = window(tolerance)?;
    let schemes = Schemes::from_name(&schemes)
        .ok_or_else(|| invalid_arg("schemes must be 'business', 'onboarding' or 'both'"))?;
    let verifier = Verifier::with_secrets(secrets.iter().map(SecretArg::bytes))
        .map_err(fail)?
        .with_tolerance(tolerance)
        .with_schemes(schemes);
    Ok(NewHandle(verifier))
}

/// The replay window in seconds, or `'disabled'`.
#[napi(
    catch_unwind,
    ts_args_type = "verifier: ExternalObject<'Verifier'>",
    ts_return_type = "number | 'disabled'"
)]
pub fn verifier_tolerance(
    verifier: Unknown<'_>,
) -> napi::Result<Either<f64, &'static str>, String> {
    Ok(match handle::from_arg(&verifier)?.tolerance() {
        // A tolerance came from a JavaScript number, so it fits.
        #[allow(clippy::cast_precision_loss)]
        Tolerance::Seconds(s) => Either::A(s as f64),
        Tolerance::Disabled => Either::B(DISABLED),
    })
}

/// The schemes `verifyRequest*` accepts: `'business'`, `'onboarding'` or `'both'`.
#[napi(
    catch_unwind,
    ts_args_type = "verifier: ExternalObject<'Verifier'>",
    ts_return_type = "'business' | 'onboarding' | 'both'"
)]
pub fn verifier_schemes(verifier: Unknown<'_>) -> napi::Result<&'static str, String> {
    Ok(handle::from_arg(&verifier)?.schemes().as_str())
}

/// How many secrets the verifier holds.
#[napi(catch_unwind, ts_args_type = "verifier: ExternalObject<'Verifier'>")]
pub fn verifier_secret_count(verifier: Unknown<'_>) -> napi::Result<u32, String> {
    let count = handle::from_arg(&verifier)?.secret_count();
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// Starts verifying a business webhook whose body arrives in pieces: the header and the window
/// are checked now, before any body is read.
#[napi(
    catch_unwind,
    ts_args_type = "verifier: ExternalObject<'Verifier'>, header: string, now: number"
)]
pub fn start(
    verifier: Unknown<'_>,
    header: String,
    now: f64,
) -> napi::Result<NativeIncremental, String> {
    let verifier = handle::from_arg(&verifier)?;
    started(verifier.start(&header, now_or_clock(now)?))
}

/// Starts verifying an onboarding webhook whose body arrives in pieces.
#[napi(
    catch_unwind,
    ts_args_type = "verifier: ExternalObject<'Verifier'>, header: string"
)]
pub fn start_onboarding(
    verifier: Unknown<'_>,
    header: String,
) -> napi::Result<NativeIncremental, String> {
    started(handle::from_arg(&verifier)?.start_onboarding(&header))
}

/// A started verification for JavaScript, or the error that refused the header.
fn started(
    state: Result<Incremental, qonto_webhooks::Error>,
) -> napi::Result<NativeIncremental, String> {
    Ok(NativeIncremental {
        state: Some(Box::new(state.map_err(fail)?)),
    })
}

/// The timestamp of a valid `X-Qonto-Signature` value, rounded to the nearest double: how
/// `index.js` reads a timestamp too large to be packed.
#[napi(catch_unwind)]
pub fn header_timestamp(header: String) -> napi::Result<f64, String> {
    let parsed = SignatureHeader::parse(&header).map_err(fail)?;
    // Only reached for timestamps of 2^50 and more: the nearest double is the documented answer.
    #[allow(clippy::cast_precision_loss)]
    Ok(parsed.timestamp() as f64)
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
    /// Feeds the next piece of the body (bytes, read in place; a detached or shared buffer is
    /// refused).
    #[napi(catch_unwind, ts_args_type = "chunk: Uint8Array")]
    pub fn update_bytes(&mut self, chunk: BodyArg<'_>) -> napi::Result<(), String> {
        self.state
            .as_mut()
            .ok_or_else(finished)?
            .update(chunk.bytes());
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

    /// Checks the signature over everything fed. Returns the packed result, or `NaN` for a
    /// rejection (see [`outcome`]).
    #[napi(catch_unwind)]
    pub fn finish(&mut self) -> napi::Result<f64, String> {
        Ok(outcome(self.state.take().ok_or_else(finished)?.finish()))
    }
}

/// The `X-Qonto-Signature` value for `body` signed with `secret` at `timestamp`.
#[napi(
    catch_unwind,
    ts_args_type = "secret: string | Uint8Array, body: string | Uint8Array, timestamp: number"
)]
pub fn native_sign(
    secret: SecretArg,
    body: BodyArg<'_>,
    timestamp: f64,
) -> napi::Result<String, String> {
    let timestamp = seconds(timestamp, "timestamp")?;
    qonto_webhooks::sign(secret.bytes(), body.bytes(), timestamp)
        .map(|h| h.to_string())
        .map_err(fail)
}

/// The `Qonto-SHA256-Signature` value for `body` signed with `secret`.
#[napi(
    catch_unwind,
    ts_args_type = "secret: string | Uint8Array, body: string | Uint8Array"
)]
pub fn native_sign_onboarding(
    secret: SecretArg,
    body: BodyArg<'_>,
) -> napi::Result<String, String> {
    qonto_webhooks::sign_onboarding(secret.bytes(), body.bytes())
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
#[napi(
    catch_unwind,
    ts_args_type = "secrets: Array<string | Uint8Array>, onboarding: boolean, header: string, body: string | Uint8Array, now: number, tolerance: number | 'disabled'"
)]
pub fn native_diagnose(
    secrets: Vec<SecretArg>,
    onboarding: bool,
    header: String,
    body: BodyArg<'_>,
    now: f64,
    tolerance: Either<f64, String>,
) -> napi::Result<NativeDiagnosis, String> {
    let now = seconds(now, "now")?;
    let tolerance = window(tolerance)?;
    let secrets: Vec<&[u8]> = secrets.iter().map(SecretArg::bytes).collect();
    let scheme = if onboarding {
        qonto_webhooks::Scheme::Onboarding
    } else {
        qonto_webhooks::Scheme::Business
    };
    let d = qonto_webhooks::diagnose::diagnose(
        &secrets,
        scheme,
        header.as_bytes(),
        body.bytes(),
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
