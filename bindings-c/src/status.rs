//! The status codes and the last error of each thread.

use std::cell::Cell;

use qonto_webhooks::{Error, ErrorKind};

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

/// What the last failing call on this thread said. `Error` is `Copy`: recording it allocates
/// nothing, and the message is formatted only when asked for.
#[derive(Clone, Copy)]
pub(crate) enum LastError {
    None,
    Core(Error),
    Abi(&'static str),
}

thread_local! {
    pub(crate) static LAST_ERROR: Cell<LastError> = const { Cell::new(LastError::None) };
}

pub(crate) fn status_of(kind: ErrorKind) -> qw_status {
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
pub(crate) fn fail(error: Error) -> qw_status {
    LAST_ERROR.set(LastError::Core(error));
    status_of(error.kind())
}

#[cold]
pub(crate) fn abi_error(status: qw_status, message: &'static str) -> qw_status {
    LAST_ERROR.set(LastError::Abi(message));
    status
}

#[cold]
pub(crate) fn invalid(message: &'static str) -> qw_status {
    abi_error(qw_status::InvalidArgument, message)
}
