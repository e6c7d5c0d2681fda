//! The verifier: precomputed keys, the replay window, one-shot and incremental verification.

use core::fmt;

use ring::hmac;
use subtle::Choice;

use crate::ct::tag_eq;
use crate::error::{Detail, Error, ErrorKind};
use crate::header::{Signature, SignatureHeader};
use crate::{MAX_HEADER_LEN, MAX_SECRETS, SIGNATURE_LEN, Scheme, Schemes};

/// The default replay window: Qonto documents rejecting timestamps older than 5 minutes.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;

/// How far a business webhook's timestamp may be from `now`, either way.
///
/// The default is 300 seconds. The window can only be switched off by saying so
/// ([`Tolerance::Disabled`]), e.g. to re-verify archived events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tolerance {
    /// Reject a timestamp more than this many seconds before or after `now`. Exactly this many
    /// seconds is accepted.
    Seconds(u64),
    /// Accept any timestamp. Only for re-verifying archived events: a live endpoint without a
    /// window accepts replays forever.
    Disabled,
}

impl Default for Tolerance {
    fn default() -> Tolerance {
        Tolerance::Seconds(DEFAULT_TOLERANCE_SECS)
    }
}

impl Tolerance {
    /// Checks `timestamp` against `now` (both unix seconds).
    ///
    /// # Errors
    /// `timestamp_too_old` when `now - timestamp > tolerance`, `timestamp_in_future` when
    /// `timestamp - now > tolerance`.
    ///
    /// ```
    /// use qonto_webhooks::{ErrorKind, Tolerance};
    ///
    /// let window = Tolerance::Seconds(300);
    /// assert!(window.check(1_000, 1_300).is_ok());
    /// assert_eq!(window.check(1_000, 1_301).unwrap_err().kind(), ErrorKind::TimestampTooOld);
    /// assert!(Tolerance::Disabled.check(0, u64::MAX).is_ok());
    /// ```
    pub const fn check(self, timestamp: u64, now: u64) -> Result<(), Error> {
        let Tolerance::Seconds(tolerance) = self else {
            return Ok(());
        };
        if now >= timestamp {
            let age = now - timestamp;
            if age > tolerance {
                return Err(Error::new(
                    ErrorKind::TimestampTooOld,
                    Scheme::Business,
                    Detail::TooOld { age, tolerance },
                ));
            }
        } else {
            let ahead = timestamp - now;
            if ahead > tolerance {
                return Err(Error::new(
                    ErrorKind::TimestampInFuture,
                    Scheme::Business,
                    Detail::InFuture { ahead, tolerance },
                ));
            }
        }
        Ok(())
    }
}

/// A successful verification.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Verified {
    /// Which secret matched: the index of the first one, in the order given, that produces one of
    /// the header's signatures.
    pub secret_index: usize,
    /// The header's `t`, for the business scheme; `None` for onboarding webhooks, which carry no
    /// timestamp.
    pub timestamp: Option<u64>,
    /// The scheme the webhook was verified under.
    pub scheme: Scheme,
}

/// Verifies Qonto webhook signatures with one or more secrets.
///
/// Each secret's HMAC key schedule runs once, here; verification then allocates nothing and
/// compares in constant time. A `Verifier` is immutable, `Send` and `Sync`: build it once at
/// start-up and share it.
///
/// ```
/// use qonto_webhooks::{Tolerance, Verifier};
///
/// // Rotation: the new secret first, the old one until every sender has switched.
/// let verifier = Verifier::with_secrets(["new-secret", "test-secret"])?
///     .with_tolerance(Tolerance::Seconds(300));
/// let header = "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805";
/// let verified = verifier.verify(br#"{"test":"data"}"#, header, 1704110400)?;
/// assert_eq!(verified.secret_index, 1);
/// # Ok::<(), qonto_webhooks::Error>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    keys: [Option<hmac::Key>; MAX_SECRETS],
    len: usize,
    tolerance: Tolerance,
    schemes: Schemes,
}

impl fmt::Debug for Verifier {
    /// Redacted: shows how many secrets, never their bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &self.len)
            .field("tolerance", &self.tolerance)
            .field("schemes", &self.schemes)
            .finish_non_exhaustive()
    }
}

const fn secret_err(detail: Detail) -> Error {
    Error::new(ErrorKind::InvalidSecret, Scheme::Business, detail)
}

impl Verifier {
    /// A verifier for one secret, with the default 300-second window.
    ///
    /// The secret's bytes are the key, exactly as given: a `whsec_...` secret is used whole,
    /// prefix included, and is not base64-decoded.
    ///
    /// # Errors
    /// `invalid_secret` when the secret is empty.
    pub fn new<S: AsRef<[u8]>>(secret: S) -> Result<Verifier, Error> {
        Verifier::with_secrets([secret])
    }

    /// A verifier for several secrets (rotation), tried in the order given.
    ///
    /// # Errors
    /// `invalid_secret` when there is no secret, one is empty, or there are more than
    /// [`MAX_SECRETS`].
    pub fn with_secrets<I, S>(secrets: I) -> Result<Verifier, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut keys = [const { None }; MAX_SECRETS];
        let mut len = 0;
        for secret in secrets {
            let secret = secret.as_ref();
            if secret.is_empty() {
                return Err(secret_err(Detail::EmptySecret));
            }
            let slot = keys
                .get_mut(len)
                .ok_or(secret_err(Detail::TooManySecrets))?;
            *slot = Some(hmac::Key::new(hmac::HMAC_SHA256, secret));
            len += 1;
        }
        if len == 0 {
            return Err(secret_err(Detail::NoSecret));
        }
        Ok(Verifier {
            keys,
            len,
            tolerance: Tolerance::default(),
            schemes: Schemes::Business,
        })
    }

    /// The same verifier with another replay window.
    #[must_use]
    pub const fn with_tolerance(mut self, tolerance: Tolerance) -> Verifier {
        self.tolerance = tolerance;
        self
    }

    /// The replay window.
    pub const fn tolerance(&self) -> Tolerance {
        self.tolerance
    }

    /// The same verifier, accepting other schemes in [`verify_request`](Verifier::verify_request).
    /// The default is [`Schemes::Business`]; the explicit `verify` and `verify_onboarding` calls
    /// are not affected (the caller names the scheme there).
    #[must_use]
    pub const fn with_schemes(mut self, schemes: Schemes) -> Verifier {
        self.schemes = schemes;
        self
    }

    /// The schemes [`verify_request`](Verifier::verify_request) accepts.
    pub const fn schemes(&self) -> Schemes {
        self.schemes
    }

    /// Verifies a request from the two signature headers it may carry (`None`: absent), under
    /// the schemes this verifier accepts ([`with_schemes`](Verifier::with_schemes); business only
    /// by default). [`Schemes::select`] picks the header; the request never picks the scheme.
    ///
    /// ```
    /// use qonto_webhooks::{ErrorKind, Scheme, Schemes, Verifier};
    ///
    /// let verifier = Verifier::new("test-secret")?;
    /// let header = "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805";
    /// let verified = verifier.verify_request(Some(header.as_bytes()), None, br#"{"test":"data"}"#, 1704110400)?;
    /// assert_eq!(verified.scheme, Scheme::Business);
    ///
    /// // A business webhook reframed as an onboarding one (its body `t.body`): refused, since
    /// // this endpoint accepts business webhooks only.
    /// let reframed = br#"1704110400.{"test":"data"}"#;
    /// let sig = header.as_bytes().get(16..).unwrap_or_default();
    /// let err = verifier.verify_request(None, Some(sig), reframed, 1704110400).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::MissingHeader);
    /// # Ok::<(), qonto_webhooks::Error>(())
    /// ```
    ///
    /// # Errors
    /// `missing_header` when no accepted header is present, then the errors of
    /// [`verify`](Verifier::verify) or [`verify_onboarding`](Verifier::verify_onboarding).
    pub fn verify_request(
        &self,
        business: Option<&[u8]>,
        onboarding: Option<&[u8]>,
        body: &[u8],
        now: u64,
    ) -> Result<Verified, Error> {
        match self.schemes.select(business, onboarding)? {
            (Scheme::Business, header) => self.verify(body, header, now),
            (Scheme::Onboarding, header) => self.verify_onboarding(body, header),
        }
    }

    /// Starts verifying a request whose body arrives in pieces, choosing the header as
    /// [`verify_request`](Verifier::verify_request) does.
    ///
    /// # Errors
    /// `missing_header` when no accepted header is present, then the errors of
    /// [`start`](Verifier::start) or [`start_onboarding`](Verifier::start_onboarding).
    pub fn start_request(
        &self,
        business: Option<&[u8]>,
        onboarding: Option<&[u8]>,
        now: u64,
    ) -> Result<Incremental, Error> {
        match self.schemes.select(business, onboarding)? {
            (Scheme::Business, header) => self.start(header, now),
            (Scheme::Onboarding, header) => self.start_onboarding(header),
        }
    }

    /// How many secrets this verifier holds.
    pub const fn secret_count(&self) -> usize {
        self.len
    }

    fn keys(&self) -> impl Iterator<Item = &hmac::Key> {
        self.keys.iter().take(self.len).flatten()
    }

    /// Verifies a business webhook (`X-Qonto-Signature`) at time `now` (unix seconds).
    ///
    /// `body` is the raw request body, byte for byte as received: parsing the JSON and
    /// serialising it again changes the bytes and breaks the signature. `header` is the
    /// `X-Qonto-Signature` value.
    ///
    /// # Errors
    /// In the contract's order: a header error (`missing_header`, `malformed_header`,
    /// `missing_timestamp`, `missing_signature`), then the window (`timestamp_too_old`,
    /// `timestamp_in_future`, checked before any HMAC is computed), then
    /// `signature_mismatch`.
    pub fn verify<H: AsRef<[u8]> + ?Sized>(
        &self,
        body: &[u8],
        header: &H,
        now: u64,
    ) -> Result<Verified, Error> {
        let header = SignatureHeader::parse(header)?;
        self.verify_parsed(body, &header, now)
    }

    /// [`verify`](Verifier::verify) with an already parsed header.
    ///
    /// # Errors
    /// As [`verify`](Verifier::verify), less the header errors.
    pub fn verify_parsed(
        &self,
        body: &[u8],
        header: &SignatureHeader<'_>,
        now: u64,
    ) -> Result<Verified, Error> {
        self.tolerance.check(header.timestamp(), now)?;
        let prefix = header.timestamp_bytes();
        let tags = self.keys().map(|key| {
            let mut ctx = hmac::Context::with_key(key);
            ctx.update(prefix);
            ctx.update(b".");
            ctx.update(body);
            ctx.sign()
        });
        let secret_index = first_match(tags, || header.candidates())
            .ok_or_else(|| self.mismatch(Scheme::Business, header.signature_count()))?;
        Ok(Verified {
            secret_index,
            timestamp: Some(header.timestamp()),
            scheme: Scheme::Business,
        })
    }

    /// Verifies a business webhook against the system clock.
    ///
    /// # Errors
    /// As [`verify`](Verifier::verify).
    #[cfg(feature = "std")]
    pub fn verify_now<H: AsRef<[u8]> + ?Sized>(
        &self,
        body: &[u8],
        header: &H,
    ) -> Result<Verified, Error> {
        self.verify(body, header, crate::unix_now())
    }

    /// Verifies an onboarding webhook (`Qonto-SHA256-Signature`): the HMAC of the body alone.
    ///
    /// Onboarding webhooks carry no timestamp, so there is no replay window: a captured request
    /// stays valid forever. Deduplicate on the event `id`.
    ///
    /// ```
    /// use qonto_webhooks::Verifier;
    ///
    /// let body = br#"{"id":"75341dcb-0376-474d-97d7-d2c03ff3973c","event_type":"registrations.pending","resource_type":"registration","resource_id":"525817f7-93e8-4f31-a83d-20319778b4b0","created_at":"2022-08-29T13:17:32Z"}"#;
    /// let header = "b0d249e653f1310fa5b7f26d5682548afa1799353b92fcafd4cacbd90312023e";
    /// let verified = Verifier::new("secret_key")?.verify_onboarding(body, header)?;
    /// assert_eq!(verified.timestamp, None);
    /// # Ok::<(), qonto_webhooks::Error>(())
    /// ```
    ///
    /// # Errors
    /// `missing_header`, `malformed_header`, then `signature_mismatch`.
    pub fn verify_onboarding<H: AsRef<[u8]> + ?Sized>(
        &self,
        body: &[u8],
        header: &H,
    ) -> Result<Verified, Error> {
        let candidate = Signature::parse_onboarding(header)?.to_bytes();
        let tags = self.keys().map(|key| hmac::sign(key, body));
        let secret_index = first_match(tags, || core::iter::once(candidate))
            .ok_or_else(|| self.mismatch(Scheme::Onboarding, 1))?;
        Ok(Verified {
            secret_index,
            timestamp: None,
            scheme: Scheme::Onboarding,
        })
    }

    /// Starts verifying a business webhook whose body arrives in pieces.
    ///
    /// The header and the window are checked now, so a stale or malformed request is refused
    /// before its body is read. Feed the body with [`Incremental::update`], then call
    /// [`Incremental::finish`]: the result is the one [`verify`](Verifier::verify) gives for
    /// the whole body.
    ///
    /// ```
    /// use qonto_webhooks::Verifier;
    ///
    /// let verifier = Verifier::new("test-secret")?;
    /// let header = "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805";
    /// let mut state = verifier.start(header, 1704110400)?;
    /// state.update(br#"{"test":"#);
    /// state.update(br#""data"}"#);
    /// assert_eq!(state.finish()?.secret_index, 0);
    /// # Ok::<(), qonto_webhooks::Error>(())
    /// ```
    ///
    /// # Errors
    /// The header and window errors of [`verify`](Verifier::verify).
    pub fn start<H: AsRef<[u8]> + ?Sized>(
        &self,
        header: &H,
        now: u64,
    ) -> Result<Incremental, Error> {
        let parsed = SignatureHeader::parse(header)?;
        self.tolerance.check(parsed.timestamp(), now)?;
        let mut state = self.incremental(Scheme::Business, header.as_ref());
        state.update(parsed.timestamp_bytes());
        state.update(b".");
        Ok(state)
    }

    /// Starts verifying an onboarding webhook whose body arrives in pieces.
    ///
    /// # Errors
    /// `missing_header`, `malformed_header`.
    pub fn start_onboarding<H: AsRef<[u8]> + ?Sized>(
        &self,
        header: &H,
    ) -> Result<Incremental, Error> {
        Signature::parse_onboarding(header)?;
        Ok(self.incremental(Scheme::Onboarding, header.as_ref()))
    }

    /// A state for a header already validated (so at most `MAX_HEADER_LEN` bytes long).
    fn incremental(&self, scheme: Scheme, header: &[u8]) -> Incremental {
        let mut contexts = [const { None }; MAX_SECRETS];
        for (slot, key) in contexts.iter_mut().zip(self.keys()) {
            *slot = Some(hmac::Context::with_key(key));
        }
        let mut header_buf = [0u8; MAX_HEADER_LEN];
        let header_len = header.len().min(MAX_HEADER_LEN);
        if let (Some(dst), Some(src)) = (header_buf.get_mut(..header_len), header.get(..header_len))
        {
            dst.copy_from_slice(src);
        }
        Incremental {
            contexts,
            secrets: self.len,
            scheme,
            header: header_buf,
            header_len,
        }
    }

    fn mismatch(&self, scheme: Scheme, candidates: usize) -> Error {
        Error::new(
            ErrorKind::SignatureMismatch,
            scheme,
            Detail::Mismatch {
                secrets: self.len,
                candidates,
            },
        )
    }
}

/// The index of the first tag equal to any candidate. Each comparison is constant-time, and
/// every tag is compared with every candidate, so the time does not depend on where they differ.
fn first_match<T, C, F>(tags: T, candidates: F) -> Option<usize>
where
    T: Iterator<Item = hmac::Tag>,
    C: Iterator<Item = [u8; SIGNATURE_LEN]>,
    F: Fn() -> C,
{
    let mut found = None;
    for (index, tag) in tags.enumerate() {
        let mut matched = Choice::from(0);
        for candidate in candidates() {
            matched |= tag_eq(tag.as_ref(), &candidate);
        }
        if found.is_none() && bool::from(matched) {
            found = Some(index);
        }
    }
    found
}

/// A verification in progress, for bodies that arrive in pieces. Made by [`Verifier::start`] or
/// [`Verifier::start_onboarding`].
///
/// It owns everything it needs (the verifier may be dropped meanwhile) and allocates nothing.
#[derive(Clone)]
pub struct Incremental {
    contexts: [Option<hmac::Context>; MAX_SECRETS],
    secrets: usize,
    scheme: Scheme,
    /// The header, kept to compare against at the end (signatures are parsed again then).
    header: [u8; MAX_HEADER_LEN],
    header_len: usize,
}

impl fmt::Debug for Incremental {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Incremental")
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

impl Incremental {
    /// Feeds the next piece of the raw body.
    pub fn update(&mut self, chunk: &[u8]) {
        for ctx in self.contexts.iter_mut().flatten() {
            ctx.update(chunk);
        }
    }

    /// Finishes: the verdict [`Verifier::verify`] (or `verify_onboarding`) gives for the whole
    /// body.
    ///
    /// # Errors
    /// `signature_mismatch`.
    pub fn finish(self) -> Result<Verified, Error> {
        let tags = self.contexts.into_iter().flatten().map(hmac::Context::sign);
        let header = self.header.get(..self.header_len).unwrap_or_default();
        let (found, count, timestamp) = match self.scheme {
            Scheme::Business => {
                let parsed = SignatureHeader::parse(header)?;
                let found = first_match(tags, || parsed.candidates());
                (found, parsed.signature_count(), Some(parsed.timestamp()))
            }
            Scheme::Onboarding => {
                let candidate = Signature::parse_onboarding(header)?.to_bytes();
                (first_match(tags, || core::iter::once(candidate)), 1, None)
            }
        };
        let secret_index = found.ok_or(Error::new(
            ErrorKind::SignatureMismatch,
            self.scheme,
            Detail::Mismatch {
                secrets: self.secrets,
                candidates: count,
            },
        ))?;
        Ok(Verified {
            secret_index,
            timestamp,
            scheme: self.scheme,
        })
    }
}
