//! The `http` feature: a request's signature headers read from an [`http::HeaderMap`], the
//! header type of axum, hyper, reqwest, tonic and most of Rust's HTTP stack.
//!
//! This is an optional integration: it adds [`Verifier::verify_headers`] and
//! [`Verifier::start_headers`], which read `X-Qonto-Signature` and `Qonto-SHA256-Signature` and
//! apply [`Verifier::verify_request`]'s rule (the endpoint's [`Schemes`](crate::Schemes) pick
//! the header, never the request). Nothing else of the crate depends on it.

use ::http::{HeaderMap, HeaderName};

use crate::{Error, Incremental, Verified, Verifier};

/// `X-Qonto-Signature`, as the `http` crate stores names (lower case).
const BUSINESS: HeaderName = HeaderName::from_static("x-qonto-signature");
/// `Qonto-SHA256-Signature`, lower case.
const ONBOARDING: HeaderName = HeaderName::from_static("qonto-sha256-signature");

/// A header's first value, as its raw bytes (`None`: absent). The bytes are not decoded: a value
/// that is not visible ASCII reaches the verifier as sent, which refuses it with its own code.
/// A repeated header counts by its first value, as the Go binding's `headerValue` and the
/// frameworks' `headers.get` in the Python integrations do.
fn first<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<&'h [u8]> {
    headers.get(name).map(::http::HeaderValue::as_bytes)
}

impl Verifier {
    /// Verifies a request from its headers and raw body, under the schemes this verifier accepts
    /// ([`with_schemes`](Verifier::with_schemes); business only by default): the same rule as
    /// [`verify_request`](Verifier::verify_request), with the two signature headers read from
    /// `headers` (names are case-insensitive; a repeated header counts by its first value).
    ///
    /// `now` is the unix time in seconds ([`unix_now`](crate::unix_now) with the `std`
    /// feature), as in [`verify`](Verifier::verify). Feature `http`.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue};
    /// use qonto_webhooks::{sign, ErrorKind, Scheme, Verifier};
    ///
    /// let body = br#"{"id":"e1","type":"v1/transactions"}"#;
    /// let verifier = Verifier::new("s3cret")?;
    /// let mut headers = HeaderMap::new();
    /// let header = sign("s3cret", body, 1_700_000_000)?;
    /// headers.insert("x-qonto-signature", HeaderValue::from_bytes(header.as_bytes()).unwrap());
    /// let verified = verifier.verify_headers(&headers, body, 1_700_000_000)?;
    /// assert_eq!(verified.scheme, Scheme::Business);
    ///
    /// // An onboarding header alone is not read by a business-only endpoint.
    /// let mut onboarding = HeaderMap::new();
    /// onboarding.insert("qonto-sha256-signature", HeaderValue::from_static("56aff06d"));
    /// let err = verifier.verify_headers(&onboarding, body, 1_700_000_000).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::MissingHeader);
    /// # Ok::<(), qonto_webhooks::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`verify_request`](Verifier::verify_request): `missing_header` when no accepted header
    /// is present, then the errors of [`verify`](Verifier::verify) or
    /// [`verify_onboarding`](Verifier::verify_onboarding).
    #[cfg_attr(docsrs, doc(cfg(feature = "http")))]
    pub fn verify_headers(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: u64,
    ) -> Result<Verified, Error> {
        self.verify_request(
            first(headers, &BUSINESS),
            first(headers, &ONBOARDING),
            body,
            now,
        )
    }

    /// Starts verifying a request whose body arrives in pieces, reading its signature headers
    /// from `headers` as [`verify_headers`](Verifier::verify_headers) does: the header and the
    /// window are checked before any of the body is read. Feature `http`.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue};
    /// use qonto_webhooks::{sign, Verifier};
    ///
    /// let body = vec![b'x'; 100_000];
    /// let verifier = Verifier::new("s3cret")?;
    /// let mut headers = HeaderMap::new();
    /// let header = sign("s3cret", &body, 1_700_000_000)?;
    /// headers.insert("X-Qonto-Signature", HeaderValue::from_bytes(header.as_bytes()).unwrap());
    ///
    /// let mut state = verifier.start_headers(&headers, 1_700_000_000)?;
    /// for chunk in body.chunks(8192) {
    ///     state.update(chunk);
    /// }
    /// assert_eq!(state.finish()?.timestamp, Some(1_700_000_000));
    /// # Ok::<(), qonto_webhooks::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`start_request`](Verifier::start_request).
    #[cfg_attr(docsrs, doc(cfg(feature = "http")))]
    pub fn start_headers(&self, headers: &HeaderMap, now: u64) -> Result<Incremental, Error> {
        self.start_request(first(headers, &BUSINESS), first(headers, &ONBOARDING), now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BUSINESS_HEADER, ONBOARDING_HEADER};

    #[test]
    fn the_names_are_the_contracts_headers() {
        assert!(BUSINESS.as_str().eq_ignore_ascii_case(BUSINESS_HEADER));
        assert!(ONBOARDING.as_str().eq_ignore_ascii_case(ONBOARDING_HEADER));
    }
}
