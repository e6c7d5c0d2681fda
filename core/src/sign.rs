//! Making valid signature headers, for tests, fixtures and the CLI.

use core::fmt;
use core::ops::Deref;

use ring::hmac;

use crate::error::{Detail, Error, ErrorKind};
use crate::{SIGNATURE_HEX_LEN, Scheme};

/// `t=` + 20 digits (u64::MAX) + `,v1=` + 64 hex digits. A literal, checked below at compile
/// time: a larger buffer would behave the same, so only the exact figure can be tested.
const CAPACITY: usize = 90;
const _: () = assert!(CAPACITY == 2 + 20 + 4 + SIGNATURE_HEX_LEN);

/// A header value made by [`sign`] or [`sign_onboarding`]: a fixed-size buffer that derefs to
/// `&str`, so signing never allocates.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeaderValue {
    buf: [u8; CAPACITY],
    len: usize,
}

impl HeaderValue {
    const fn new() -> HeaderValue {
        HeaderValue {
            buf: [0; CAPACITY],
            len: 0,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
            self.len = end;
        }
    }

    fn push_hex(&mut self, bytes: &[u8]) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for &b in bytes {
            let hi = DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            let lo = DIGITS.get(usize::from(b & 0x0f)).copied().unwrap_or(b'0');
            self.push(&[hi, lo]);
        }
    }

    fn push_decimal(&mut self, mut value: u64) {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            if let Some(d) = digits.get_mut(start) {
                // `value % 10` is below 10.
                *d = b'0' + (value % 10) as u8;
            }
            value /= 10;
            if value == 0 || start == 0 {
                break;
            }
        }
        if let Some(text) = digits.get(start..) {
            self.push(text);
        }
    }

    /// The header value.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever pushed.
        self.buf
            .get(..self.len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

impl Deref for HeaderValue {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for HeaderValue {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<[u8]> for HeaderValue {
    fn as_ref(&self) -> &[u8] {
        self.as_str().as_bytes()
    }
}

impl fmt::Display for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

fn key(secret: &[u8], scheme: Scheme) -> Result<hmac::Key, Error> {
    if secret.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidSecret,
            scheme,
            Detail::EmptySecret,
        ));
    }
    Ok(hmac::Key::new(hmac::HMAC_SHA256, secret))
}

/// Signs a business webhook as Qonto does: the `X-Qonto-Signature` value
/// `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
///
/// ```
/// use qonto_webhooks::{sign, Verifier};
///
/// let header = sign("test-secret", br#"{"test":"data"}"#, 1704110400)?;
/// assert_eq!(
///     &*header,
///     "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805"
/// );
/// Verifier::new("test-secret")?.verify(br#"{"test":"data"}"#, &*header, 1704110400)?;
/// # Ok::<(), qonto_webhooks::Error>(())
/// ```
///
/// # Errors
/// `invalid_secret` when the secret is empty.
pub fn sign<S: AsRef<[u8]>>(secret: S, body: &[u8], timestamp: u64) -> Result<HeaderValue, Error> {
    let key = key(secret.as_ref(), Scheme::Business)?;
    let mut out = HeaderValue::new();
    out.push(b"t=");
    out.push_decimal(timestamp);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(out.as_str().as_bytes().get(2..).unwrap_or_default());
    ctx.update(b".");
    ctx.update(body);
    out.push(b",v1=");
    out.push_hex(ctx.sign().as_ref());
    Ok(out)
}

/// Signs an onboarding webhook: the `Qonto-SHA256-Signature` value, the hex HMAC-SHA256 of the
/// body alone.
///
/// ```
/// let header = qonto_webhooks::sign_onboarding("secret_key", b"{}")?;
/// assert_eq!(header.len(), 64);
/// # Ok::<(), qonto_webhooks::Error>(())
/// ```
///
/// # Errors
/// `invalid_secret` when the secret is empty.
pub fn sign_onboarding<S: AsRef<[u8]>>(secret: S, body: &[u8]) -> Result<HeaderValue, Error> {
    let key = key(secret.as_ref(), Scheme::Onboarding)?;
    let mut out = HeaderValue::new();
    out.push_hex(hmac::sign(&key, body).as_ref());
    Ok(out)
}
