//! Zero-copy parsers for `X-Qonto-Signature` and `Qonto-SHA256-Signature`.

use crate::error::{Detail, Error, ErrorKind};
use crate::{MAX_HEADER_LEN, SIGNATURE_HEX_LEN, SIGNATURE_LEN, Scheme};

/// A parsed, validated `X-Qonto-Signature` header value (`t=<unix seconds>,v1=<64 hex>`).
///
/// Parsing checks the whole grammar of the contract once; the accessors then borrow from the
/// input without copying or allocating.
///
/// ```
/// use qonto_webhooks::SignatureHeader;
///
/// let header = SignatureHeader::parse(
///     "t=1704110400, v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805",
/// )?;
/// assert_eq!(header.timestamp(), 1704110400);
/// assert_eq!(header.timestamp_str(), "1704110400");
/// assert_eq!(header.signatures().count(), 1);
/// # Ok::<(), qonto_webhooks::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureHeader<'a> {
    /// The trimmed header value; every item in it is known to be valid.
    items: &'a [u8],
    timestamp_text: &'a str,
    timestamp: u64,
}

const fn business_err(kind: ErrorKind, detail: Detail) -> Error {
    Error::new(kind, Scheme::Business, detail)
}

const fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Strips spaces and tabs at both ends.
fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_blank(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_blank(*last) {
            break;
        }
        s = rest;
    }
    s
}

/// Splits at the first `=`.
fn split_item(item: &[u8]) -> Option<(&[u8], &[u8])> {
    let eq = item.iter().position(|&b| b == b'=')?;
    Some((item.get(..eq)?, item.get(eq + 1..)?))
}

/// The value of a hex digit, either case.
const fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes exactly 64 hex digits (either case) into 32 bytes.
pub(crate) fn decode_signature(hex: &[u8]) -> Option<[u8; SIGNATURE_LEN]> {
    if hex.len() != SIGNATURE_HEX_LEN {
        return None;
    }
    let mut out = [0u8; SIGNATURE_LEN];
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let [hi, lo] = pair else { return None };
        *byte = (hex_value(*hi)? << 4) | hex_value(*lo)?;
    }
    Some(out)
}

/// Parses a run of ASCII digits that fits in a `u64`.
fn parse_timestamp(text: &[u8]) -> Result<u64, Error> {
    if text.is_empty() {
        return Err(business_err(
            ErrorKind::MalformedHeader,
            Detail::TimestampNotDigits,
        ));
    }
    let mut value: u64 = 0;
    for &b in text {
        if !b.is_ascii_digit() {
            return Err(business_err(
                ErrorKind::MalformedHeader,
                Detail::TimestampNotDigits,
            ));
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or(business_err(
                ErrorKind::MalformedHeader,
                Detail::TimestampOverflow,
            ))?;
    }
    Ok(value)
}

fn is_comma(b: &u8) -> bool {
    *b == b','
}

/// The items of a header, each trimmed.
fn items(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(is_comma).map(trim)
}

impl<'a> SignatureHeader<'a> {
    /// Parses and validates an `X-Qonto-Signature` value.
    ///
    /// # Errors
    /// In the contract's order: `malformed_header` when longer than
    /// [`MAX_HEADER_LEN`](crate::MAX_HEADER_LEN); `missing_header` when empty or blank;
    /// `malformed_header` for an item without `=`, a `t` that is not digits, overflows or is
    /// repeated, or a `v1` that is not 64 hex digits; then `missing_timestamp`, then
    /// `missing_signature`.
    pub fn parse<H: AsRef<[u8]> + ?Sized>(header: &'a H) -> Result<Self, Error> {
        let header = header.as_ref();
        if header.len() > MAX_HEADER_LEN {
            return Err(business_err(
                ErrorKind::MalformedHeader,
                Detail::TooLong { len: header.len() },
            ));
        }
        let value = trim(header);
        if value.is_empty() {
            return Err(business_err(ErrorKind::MissingHeader, Detail::Missing));
        }

        let mut timestamp: Option<(&'a [u8], u64)> = None;
        let mut signatures = 0usize;
        for (index, item) in items(value).enumerate() {
            let Some((key, val)) = split_item(item) else {
                return Err(business_err(
                    ErrorKind::MalformedHeader,
                    Detail::ItemWithoutEquals { item: index + 1 },
                ));
            };
            match key {
                b"t" => {
                    if timestamp.is_some() {
                        return Err(business_err(
                            ErrorKind::MalformedHeader,
                            Detail::DuplicateTimestamp,
                        ));
                    }
                    timestamp = Some((val, parse_timestamp(val)?));
                }
                b"v1" => {
                    if decode_signature(val).is_none() {
                        return Err(business_err(
                            ErrorKind::MalformedHeader,
                            Detail::SignatureNotHex,
                        ));
                    }
                    signatures += 1;
                }
                _ => {}
            }
        }

        let Some((text, timestamp)) = timestamp else {
            return Err(business_err(
                ErrorKind::MissingTimestamp,
                Detail::NoTimestamp,
            ));
        };
        if signatures == 0 {
            return Err(business_err(
                ErrorKind::MissingSignature,
                Detail::NoSignature,
            ));
        }
        // `text` is ASCII digits, checked by `parse_timestamp`.
        let timestamp_text = core::str::from_utf8(text)
            .map_err(|_| business_err(ErrorKind::MalformedHeader, Detail::TimestampNotDigits))?;
        Ok(SignatureHeader {
            items: value,
            timestamp_text,
            timestamp,
        })
    }

    /// The timestamp, in unix seconds.
    pub const fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The timestamp exactly as received (leading zeros included): this text is what is signed.
    pub const fn timestamp_str(&self) -> &'a str {
        self.timestamp_text
    }

    /// The `v1` signatures, in header order.
    pub fn signatures(&self) -> Signatures<'a> {
        Signatures {
            items: self.items.split(is_comma as fn(&u8) -> bool),
        }
    }
}

/// Iterator over the `v1` signatures of a [`SignatureHeader`], in header order.
#[derive(Clone, Debug)]
pub struct Signatures<'a> {
    items: core::slice::Split<'a, u8, fn(&u8) -> bool>,
}

impl<'a> Iterator for Signatures<'a> {
    type Item = Signature<'a>;

    fn next(&mut self) -> Option<Signature<'a>> {
        for item in self.items.by_ref() {
            if let Some((b"v1", hex)) = split_item(trim(item)) {
                // Validated by `SignatureHeader::parse`.
                if let Some(bytes) = decode_signature(hex) {
                    return Some(Signature { hex, bytes });
                }
            }
        }
        None
    }
}

/// One candidate signature from a header: 64 hex digits and the 32 bytes they encode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature<'a> {
    hex: &'a [u8],
    bytes: [u8; SIGNATURE_LEN],
}

impl<'a> Signature<'a> {
    /// The hex digits as received (either case).
    pub fn as_str(&self) -> &'a str {
        // Validated as ASCII hex digits.
        core::str::from_utf8(self.hex).unwrap_or_default()
    }

    /// The decoded 32 bytes.
    pub const fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        self.bytes
    }

    /// Parses an onboarding `Qonto-SHA256-Signature` value: 64 hex digits, spaces and tabs
    /// around them ignored.
    ///
    /// ```
    /// use qonto_webhooks::Signature;
    ///
    /// let sig = Signature::parse_onboarding(
    ///     " b0d249e653f1310fa5b7f26d5682548afa1799353b92fcafd4cacbd90312023e ",
    /// )?;
    /// assert_eq!(sig.to_bytes()[0], 0xb0);
    /// # Ok::<(), qonto_webhooks::Error>(())
    /// ```
    ///
    /// # Errors
    /// `malformed_header` when longer than [`MAX_HEADER_LEN`](crate::MAX_HEADER_LEN) or not
    /// exactly 64 hex digits; `missing_header` when empty or blank.
    pub fn parse_onboarding<H: AsRef<[u8]> + ?Sized>(header: &'a H) -> Result<Self, Error> {
        let header = header.as_ref();
        let err = |kind, detail| Error::new(kind, Scheme::Onboarding, detail);
        if header.len() > MAX_HEADER_LEN {
            return Err(err(
                ErrorKind::MalformedHeader,
                Detail::TooLong { len: header.len() },
            ));
        }
        let hex = trim(header);
        if hex.is_empty() {
            return Err(err(ErrorKind::MissingHeader, Detail::Missing));
        }
        let bytes = decode_signature(hex)
            .ok_or(err(ErrorKind::MalformedHeader, Detail::SignatureNotHex))?;
        Ok(Signature { hex, bytes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_signature_rejects_non_hex() {
        assert!(decode_signature(&[b'g'; 64]).is_none());
        assert!(decode_signature(&[b'a'; 63]).is_none());
        assert_eq!(decode_signature(&[b'F'; 64]), Some([0xff; 32]));
    }

    #[test]
    fn trim_strips_spaces_and_tabs_only() {
        assert_eq!(trim(b" \t a b\t "), b"a b");
        assert_eq!(trim(b"\n"), b"\n");
        assert_eq!(trim(b"  "), b"");
    }
}
