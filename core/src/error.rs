//! The one error type, its stable codes and its messages.

use core::fmt;

use crate::Scheme;

/// Why a webhook was rejected: one variant per stable code of the contract.
///
/// The codes (`code()`) and numbers (`number()`) are frozen: a code is never renamed and a number is
/// never reused. New variants may be added, so match with a wildcard arm.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The secret is empty (or too many secrets were given). Raised when the verifier is built.
    InvalidSecret,
    /// The signature header is absent, empty, or only spaces and tabs.
    MissingHeader,
    /// The header is present but not of the documented form, or longer than
    /// [`MAX_HEADER_LEN`](crate::MAX_HEADER_LEN) bytes.
    MalformedHeader,
    /// The business header has no `t` item.
    MissingTimestamp,
    /// The business header has no `v1` item.
    MissingSignature,
    /// The timestamp is older than the tolerance allows.
    TimestampTooOld,
    /// The timestamp is further in the future than the tolerance allows.
    TimestampInFuture,
    /// The header is well-formed and in the window, but no secret produces any of its signatures.
    SignatureMismatch,
}

impl ErrorKind {
    /// Every kind, in the order of their numbers.
    pub const ALL: [ErrorKind; 8] = [
        ErrorKind::InvalidSecret,
        ErrorKind::MissingHeader,
        ErrorKind::MalformedHeader,
        ErrorKind::MissingTimestamp,
        ErrorKind::MissingSignature,
        ErrorKind::TimestampTooOld,
        ErrorKind::TimestampInFuture,
        ErrorKind::SignatureMismatch,
    ];

    /// The stable code: the same string in every binding (`"signature_mismatch"`, ...).
    ///
    /// ```
    /// use qonto_webhooks::ErrorKind;
    /// assert_eq!(ErrorKind::TimestampTooOld.code(), "timestamp_too_old");
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidSecret => "invalid_secret",
            ErrorKind::MissingHeader => "missing_header",
            ErrorKind::MalformedHeader => "malformed_header",
            ErrorKind::MissingTimestamp => "missing_timestamp",
            ErrorKind::MissingSignature => "missing_signature",
            ErrorKind::TimestampTooOld => "timestamp_too_old",
            ErrorKind::TimestampInFuture => "timestamp_in_future",
            ErrorKind::SignatureMismatch => "signature_mismatch",
        }
    }

    /// The frozen number of this kind (1 to 8), as used by the C ABI's status enum.
    pub const fn number(self) -> u32 {
        match self {
            ErrorKind::InvalidSecret => 1,
            ErrorKind::MissingHeader => 2,
            ErrorKind::MalformedHeader => 3,
            ErrorKind::MissingTimestamp => 4,
            ErrorKind::MissingSignature => 5,
            ErrorKind::TimestampTooOld => 6,
            ErrorKind::TimestampInFuture => 7,
            ErrorKind::SignatureMismatch => 8,
        }
    }

    /// The kind with this code, if any.
    ///
    /// ```
    /// use qonto_webhooks::ErrorKind;
    /// assert_eq!(ErrorKind::from_code("missing_header"), Some(ErrorKind::MissingHeader));
    /// assert_eq!(ErrorKind::from_code("nope"), None);
    /// ```
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// A one-line description of the kind, without the details of a particular failure.
    pub const fn description(self) -> &'static str {
        match self {
            ErrorKind::InvalidSecret => "the webhook secret is empty",
            ErrorKind::MissingHeader => "the signature header is absent or empty",
            ErrorKind::MalformedHeader => "the signature header is not of the documented form",
            ErrorKind::MissingTimestamp => "the signature header has no t= timestamp",
            ErrorKind::MissingSignature => "the signature header has no v1= signature",
            ErrorKind::TimestampTooOld => "the timestamp is outside the tolerance, in the past",
            ErrorKind::TimestampInFuture => "the timestamp is outside the tolerance, in the future",
            ErrorKind::SignatureMismatch => "no secret matches the signature",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What exactly was wrong: feeds the message, never exposed as API (it may grow).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Detail {
    EmptySecret,
    NoSecret,
    TooManySecrets,
    Missing,
    /// Neither header, where both schemes are accepted.
    MissingEither,
    /// The configured scheme's header is absent, the other scheme's is there.
    OtherSchemeOnly,
    TooLong {
        len: usize,
    },
    ItemWithoutEquals {
        item: usize,
    },
    TimestampNotDigits,
    TimestampOverflow,
    DuplicateTimestamp,
    SignatureNotHex,
    NoTimestamp,
    NoSignature,
    TooOld {
        age: u64,
        tolerance: u64,
    },
    InFuture {
        ahead: u64,
        tolerance: u64,
    },
    Mismatch {
        secrets: usize,
        candidates: usize,
    },
}

/// A rejected webhook (or a rejected secret): a stable [`kind`](Error::kind) and a helpful message.
///
/// The message (`Display`) says what was wrong and what to do about it. It never contains the
/// secret or the expected signature, and how a signature differed is never reported.
///
/// ```
/// use qonto_webhooks::{ErrorKind, Verifier};
///
/// let verifier = Verifier::new("test-secret")?;
/// let err = verifier.verify(b"{}", "t=1704110400", 1704110400).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::MissingSignature);
/// assert_eq!(err.code(), "missing_signature");
/// println!("{err}");
/// # Ok::<(), qonto_webhooks::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    scheme: Scheme,
    detail: Detail,
}

impl Error {
    pub(crate) const fn new(kind: ErrorKind, scheme: Scheme, detail: Detail) -> Error {
        Error {
            kind,
            scheme,
            detail,
        }
    }

    /// Why the webhook was rejected.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable code of [`kind`](Error::kind), e.g. `"signature_mismatch"`.
    pub const fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The scheme whose verification failed.
    pub const fn scheme(&self) -> Scheme {
        self.scheme
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = self.scheme.header_name();
        match self.detail {
            Detail::EmptySecret => f.write_str(
                "the webhook secret is empty: pass the secret Qonto returned when the \
                 subscription was created, exactly as given (a whsec_ prefix included)",
            ),
            Detail::NoSecret => f.write_str("no webhook secret was given: pass at least one"),
            Detail::TooManySecrets => write!(
                f,
                "too many webhook secrets: a verifier holds at most {} (keep only the secrets \
                 still in rotation)",
                crate::MAX_SECRETS
            ),
            Detail::Missing => write!(
                f,
                "the {header} header is missing or empty: read it from the request headers \
                 (header names are case-insensitive)"
            ),
            Detail::MissingEither => write!(
                f,
                "the {} and {} headers are both missing or empty: read them from the request \
                 headers (header names are case-insensitive)",
                crate::BUSINESS_HEADER,
                crate::ONBOARDING_HEADER
            ),
            Detail::OtherSchemeOnly => write!(
                f,
                "the {header} header is missing: the request carries {} instead, but this \
                 endpoint accepts {} webhooks only (accepting the other scheme must be \
                 configured explicitly, with its own secret)",
                crate::request::other_header(self.scheme),
                self.scheme.as_str()
            ),
            Detail::TooLong { len } => write!(
                f,
                "the {header} header is {len} bytes long, more than the {} allowed",
                crate::MAX_HEADER_LEN
            ),
            Detail::ItemWithoutEquals { item } => write!(
                f,
                "the {header} header is malformed: item {item} is not of the form key=value \
                 (expected t=<unix seconds>,v1=<64 hex digits>)"
            ),
            Detail::TimestampNotDigits => write!(
                f,
                "the {header} header is malformed: t must be ASCII digits only (unix seconds, \
                 no sign, no fraction)"
            ),
            Detail::TimestampOverflow => write!(
                f,
                "the {header} header is malformed: the t value does not fit in 64 bits"
            ),
            Detail::DuplicateTimestamp => write!(
                f,
                "the {header} header is malformed: it has more than one t item"
            ),
            Detail::SignatureNotHex => match self.scheme {
                Scheme::Business => write!(
                    f,
                    "the {header} header is malformed: each v1 must be exactly 64 hex digits \
                     (the hex HMAC-SHA256; not base64)"
                ),
                Scheme::Onboarding => write!(
                    f,
                    "the {header} header is malformed: it must be exactly 64 hex digits (the hex \
                     HMAC-SHA256; no prefix such as sha256=, not base64)"
                ),
            },
            Detail::NoTimestamp => write!(
                f,
                "the {header} header has no t item: expected t=<unix seconds>,v1=<signature> \
                 (an onboarding webhook carries Qonto-SHA256-Signature instead)"
            ),
            Detail::NoSignature => write!(
                f,
                "the {header} header has no v1 item: expected t=<unix seconds>,v1=<signature>"
            ),
            Detail::TooOld { age, tolerance } => write!(
                f,
                "the timestamp is {age} s old, more than the {tolerance} s tolerance: the \
                 webhook may be a replay; if it is not, check this server's clock (NTP)"
            ),
            Detail::InFuture { ahead, tolerance } => write!(
                f,
                "the timestamp is {ahead} s in the future, more than the {tolerance} s \
                 tolerance: check this server's clock (NTP)"
            ),
            Detail::Mismatch {
                secrets,
                candidates,
            } => {
                write!(
                    f,
                    "the signature does not match ({secrets} secret(s) tried against \
                     {candidates} signature(s)): pass the raw request body, byte for byte, \
                     before any JSON parsing, and the subscription's webhook secret (not the \
                     API key)"
                )?;
                if let Scheme::Business = self.scheme {
                    f.write_str(
                        "; the signed bytes are the t value as sent, then '.', then the body",
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl core::error::Error for Error {}
