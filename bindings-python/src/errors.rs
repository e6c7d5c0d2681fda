//! The Python exceptions: defined in `qonto_webhooks/exceptions.py`, raised from here.

use pyo3::prelude::*;

use qonto_webhooks as core_;
use qonto_webhooks::ErrorKind;

pyo3::import_exception!(qonto_webhooks.exceptions, WebhookVerificationError);
pyo3::import_exception!(qonto_webhooks.exceptions, InvalidSecretError);
pyo3::import_exception!(qonto_webhooks.exceptions, MissingHeaderError);
pyo3::import_exception!(qonto_webhooks.exceptions, MalformedHeaderError);
pyo3::import_exception!(qonto_webhooks.exceptions, MissingTimestampError);
pyo3::import_exception!(qonto_webhooks.exceptions, MissingSignatureError);
pyo3::import_exception!(qonto_webhooks.exceptions, TimestampTooOldError);
pyo3::import_exception!(qonto_webhooks.exceptions, TimestampInFutureError);
pyo3::import_exception!(qonto_webhooks.exceptions, SignatureMismatchError);

/// The Python exception for a core error: one class per stable code, message from the core.
pub(crate) fn to_py_err(err: core_::Error) -> PyErr {
    // A secret is refused before any scheme is involved.
    let scheme = match err.kind() {
        ErrorKind::InvalidSecret => None,
        _ => Some(err.scheme().as_str()),
    };
    let args = (err.to_string(), scheme);
    match err.kind() {
        ErrorKind::InvalidSecret => InvalidSecretError::new_err(args),
        ErrorKind::MissingHeader => MissingHeaderError::new_err(args),
        ErrorKind::MalformedHeader => MalformedHeaderError::new_err(args),
        ErrorKind::MissingTimestamp => MissingTimestampError::new_err(args),
        ErrorKind::MissingSignature => MissingSignatureError::new_err(args),
        ErrorKind::TimestampTooOld => TimestampTooOldError::new_err(args),
        ErrorKind::TimestampInFuture => TimestampInFutureError::new_err(args),
        ErrorKind::SignatureMismatch => SignatureMismatchError::new_err(args),
        // A kind added to the core later: the base class, with the new code.
        kind => WebhookVerificationError::new_err((args.0, args.1, kind.code())),
    }
}
