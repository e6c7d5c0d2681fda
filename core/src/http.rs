//! The HTTP layer's stable codes: what a webhook middleware answers when a request fails before
//! or after verification, one spelling and one status per code, the same in every binding.
//!
//! A middleware answers a failure with that status and the JSON body
//! `{"error": <code>, "message": <what was wrong>}`. A request that does not verify is answered
//! [`VERIFICATION_STATUS`] (400) with the verification code ([`ErrorKind::code`]) and the
//! [`Error`](crate::Error)'s message. The other failures are the [`HttpCode`]s below.
//!
//! ```
//! use qonto_webhooks::http::HttpCode;
//!
//! assert_eq!(HttpCode::BodyTooLarge.code(), "body_too_large");
//! assert_eq!(HttpCode::BodyTooLarge.status(), 413);
//! assert_eq!(HttpCode::from_code("duplicate_in_progress"), Some(HttpCode::DuplicateInProgress));
//! ```
//!
//! [`ErrorKind::code`]: crate::ErrorKind::code

/// The status of a request that does not verify: 400, whatever its
/// [`ErrorKind`](crate::ErrorKind) (Qonto retries every non-2xx answer).
pub const VERIFICATION_STATUS: u16 = 400;

/// A failure of the HTTP layer around verification: one variant per stable code.
///
/// The codes are frozen: a code is never renamed. New variants may be added, so match with a
/// wildcard arm.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpCode {
    /// 413: the body is larger than the middleware's limit; it is not read further.
    BodyTooLarge,
    /// 400: the body could not be read (the client went away, a read error).
    BodyUnreadable,
    /// 400: a framework parser consumed the body first: the raw bytes Qonto signed are gone.
    BodyAlreadyParsed,
    /// 400: the webhook verified, but its body is not an event of the expected shape (not JSON,
    /// or no string `id` to deduplicate on).
    InvalidPayload,
    /// 409: another delivery of the same event is being processed (with `Retry-After`).
    DuplicateInProgress,
    /// 503: the idempotency store failed; the handler was not run.
    IdempotencyStoreUnavailable,
    /// 503: the verifier was closed before the request was handled.
    VerifierClosed,
}

impl HttpCode {
    /// Every code, in the order of a request's life: reading the body, parsing it, deduplicating
    /// it, and the verifier's own state.
    pub const ALL: [HttpCode; 7] = [
        HttpCode::BodyTooLarge,
        HttpCode::BodyUnreadable,
        HttpCode::BodyAlreadyParsed,
        HttpCode::InvalidPayload,
        HttpCode::DuplicateInProgress,
        HttpCode::IdempotencyStoreUnavailable,
        HttpCode::VerifierClosed,
    ];

    /// The stable code: the `error` of the JSON answer in every binding.
    pub const fn code(self) -> &'static str {
        match self {
            HttpCode::BodyTooLarge => "body_too_large",
            HttpCode::BodyUnreadable => "body_unreadable",
            HttpCode::BodyAlreadyParsed => "body_already_parsed",
            HttpCode::InvalidPayload => "invalid_payload",
            HttpCode::DuplicateInProgress => "duplicate_in_progress",
            HttpCode::IdempotencyStoreUnavailable => "idempotency_store_unavailable",
            HttpCode::VerifierClosed => "verifier_closed",
        }
    }

    /// The HTTP status of the answer.
    pub const fn status(self) -> u16 {
        match self {
            HttpCode::BodyTooLarge => 413,
            HttpCode::BodyUnreadable | HttpCode::BodyAlreadyParsed | HttpCode::InvalidPayload => {
                400
            }
            HttpCode::DuplicateInProgress => 409,
            HttpCode::IdempotencyStoreUnavailable | HttpCode::VerifierClosed => 503,
        }
    }

    /// The code spelled `code`, if any (verification codes are [`ErrorKind`](crate::ErrorKind)s,
    /// not `HttpCode`s).
    pub fn from_code(code: &str) -> Option<HttpCode> {
        HttpCode::ALL.into_iter().find(|c| c.code() == code)
    }

    /// A one-line description of the code: when a middleware answers it.
    pub const fn description(self) -> &'static str {
        match self {
            HttpCode::BodyTooLarge => {
                "the request body is larger than the middleware's limit; it is not read further"
            }
            HttpCode::BodyUnreadable => "the request body could not be read",
            HttpCode::BodyAlreadyParsed => {
                "a body parser ran before the middleware: the raw bytes Qonto signed are gone"
            }
            HttpCode::InvalidPayload => {
                "the webhook verified, but its body is not an event (not JSON, or no string id)"
            }
            HttpCode::DuplicateInProgress => {
                "another delivery of this event is being processed; retry after the lease"
            }
            HttpCode::IdempotencyStoreUnavailable => {
                "the idempotency store failed; the handler was not run"
            }
            HttpCode::VerifierClosed => "the verifier was closed before the request was handled",
        }
    }
}

impl core::fmt::Display for HttpCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use std::format;

    #[test]
    fn codes_statuses_and_lookup() {
        let table: [(&str, u16); 7] = [
            ("body_too_large", 413),
            ("body_unreadable", 400),
            ("body_already_parsed", 400),
            ("invalid_payload", 400),
            ("duplicate_in_progress", 409),
            ("idempotency_store_unavailable", 503),
            ("verifier_closed", 503),
        ];
        for (c, (code, status)) in HttpCode::ALL.into_iter().zip(table) {
            assert_eq!((c.code(), c.status()), (code, status));
            assert_eq!(HttpCode::from_code(code), Some(c));
            assert_eq!(format!("{c}"), code);
            assert!(!c.description().is_empty());
        }
        assert_eq!(HttpCode::from_code("Body_Too_Large"), None);
        assert_eq!(HttpCode::from_code(""), None);
        assert_eq!(VERIFICATION_STATUS, 400);
    }

    #[test]
    fn descriptions_are_distinct_and_codes_do_not_overlap_verification() {
        for (i, a) in HttpCode::ALL.into_iter().enumerate() {
            for b in HttpCode::ALL.into_iter().skip(i + 1) {
                assert_ne!(a.description(), b.description());
                assert_ne!(a.code(), b.code());
            }
            assert_eq!(ErrorKind::from_code(a.code()), None);
        }
        for kind in ErrorKind::ALL {
            assert_eq!(HttpCode::from_code(kind.code()), None);
        }
    }
}
