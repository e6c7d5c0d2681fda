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
    /// ASCII digits, checked by the parser.
    timestamp_text: &'a [u8],
    timestamp: u64,
    /// The first `v1`, decoded once while validating: most headers carry exactly one.
    first: [u8; SIGNATURE_LEN],
    count: usize,
}

const fn business_err(kind: ErrorKind, detail: Detail) -> Error {
    Error::new(kind, Scheme::Business, detail)
}

const fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

const fn malformed(detail: Detail) -> Error {
    business_err(ErrorKind::MalformedHeader, detail)
}

const fn without_equals(item: usize) -> Error {
    malformed(Detail::ItemWithoutEquals { item })
}

/// Strips spaces and tabs at the start.
fn trim_start(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_blank(*first) {
            break;
        }
        s = rest;
    }
    s
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

/// Decodes exactly 64 hex digits (either case) into 32 bytes.
///
/// Branch-free arithmetic over a fixed-size array, so the compiler turns both passes into a few
/// vector instructions: no table look-ups, no early exit. (The candidate is the sender's, not a
/// secret; this is the fast way, and it happens to be constant-time too.)
pub(crate) fn decode_signature(hex: &[u8]) -> Option<[u8; SIGNATURE_LEN]> {
    let hex: &[u8; SIGNATURE_HEX_LEN] = hex.try_into().ok()?;
    let mut nibbles = [0u8; SIGNATURE_HEX_LEN];
    let mut invalid = 0u8;
    for (nibble, &b) in nibbles.iter_mut().zip(hex) {
        let digit = b.wrapping_sub(b'0');
        let letter = (b | 0x20).wrapping_sub(b'a');
        let is_digit = digit < 10;
        invalid |= u8::from(!is_digit & (letter >= 6));
        *nibble = if is_digit {
            digit
        } else {
            letter.wrapping_add(10)
        };
    }
    let mut out = [0u8; SIGNATURE_LEN];
    for (byte, pair) in out.iter_mut().zip(nibbles.chunks_exact(2)) {
        if let [hi, lo] = pair {
            // The nibbles' bits are disjoint: `+` is the `|` it replaces, and no sum can overflow.
            *byte = (hi << 4) + (lo & 0x0F);
        }
    }
    (invalid == 0).then_some(out)
}

/// The value of 8 ASCII digits, most significant first, or `None` if any byte is not a digit.
/// SWAR: the 8 bytes are one `u64`, checked and combined in pairs, fours, then eights.
const fn eight_digits(chunk: [u8; 8]) -> Option<u64> {
    const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    let x = u64::from_le_bytes(chunk);
    // Every byte is 0x30..=0x39: its high nibble is 3, and adding 6 leaves it 3.
    if x & HIGH_NIBBLES != ZEROS || x.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES != ZEROS {
        return None;
    }
    let x = x - ZEROS;
    // Byte 0 is the most significant digit: fold neighbours as (10 * first + second), and so on.
    let x = (x.wrapping_mul((10 << 8) + 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    let x = (x.wrapping_mul((100 << 16) + 1) >> 16) & 0x0000_FFFF_0000_FFFF;
    Some(x.wrapping_mul((10_000 << 32) + 1) >> 32)
}

/// Reads the run of ASCII digits at the start of `text` in one pass: the digits, their value
/// (leading zeros allowed) and what follows them.
fn parse_timestamp(text: &[u8]) -> Result<(&[u8], u64, &[u8]), Error> {
    // Today's timestamps have 10 digits: the first 8 are read at once when they are all digits.
    let (mut value, mut len) = text
        .first_chunk::<8>()
        .and_then(|chunk| eight_digits(*chunk))
        .map_or((0, 0), |value| (value, 8));
    // Up to 19 digits cannot overflow a u64 (10^19 - 1 < 2^64): no checks in the common case.
    for &b in text.iter().take(19).skip(len) {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        value = value * 10 + u64::from(digit);
        len += 1;
    }
    let mut rest = text.get(len..).unwrap_or_default();
    if len == 19 {
        while let [b @ b'0'..=b'9', tail @ ..] = rest {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b - b'0')))
                .ok_or(malformed(Detail::TimestampOverflow))?;
            len += 1;
            rest = tail;
        }
    }
    if len == 0 {
        return Err(malformed(Detail::TimestampNotDigits));
    }
    Ok((text.get(..len).unwrap_or_default(), value, rest))
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
        let mut count = 0usize;
        let mut first = [0u8; SIGNATURE_LEN];
        // One pass over the items. An item is what lies between commas, less spaces and tabs
        // around it; its key runs to its first `=`. A `t` or `v1` value is read in place, and only
        // blanks may follow it before the next comma: the same grammar as splitting first.
        let mut rest = value;
        let mut item = 0usize;
        loop {
            item += 1;
            rest = trim_start(rest);
            let Some(eq) = rest.iter().position(|&b| b == b'=' || b == b',') else {
                return Err(without_equals(item));
            };
            let (key, after) = rest.split_at(eq);
            let Some((b'=', after)) = after.split_first() else {
                return Err(without_equals(item));
            };
            let (tail, detail) = match key {
                b"t" => {
                    if timestamp.is_some() {
                        return Err(malformed(Detail::DuplicateTimestamp));
                    }
                    let (text, value, tail) = parse_timestamp(after)?;
                    timestamp = Some((text, value));
                    (tail, Detail::TimestampNotDigits)
                }
                b"v1" => {
                    let (hex, tail) = after.split_at(after.len().min(SIGNATURE_HEX_LEN));
                    let bytes = decode_signature(hex).ok_or(malformed(Detail::SignatureNotHex))?;
                    if count == 0 {
                        first = bytes;
                    }
                    count += 1;
                    (tail, Detail::SignatureNotHex)
                }
                _ => {
                    // Another key: ignored, whatever its value.
                    let end = after.iter().position(|&b| b == b',').unwrap_or(after.len());
                    (after.get(end..).unwrap_or_default(), Detail::Missing)
                }
            };
            // After the value: blanks, then a comma or the end.
            let tail = trim_start(tail);
            match tail.split_first() {
                None => break,
                Some((b',', next)) => rest = next,
                Some(_) => return Err(malformed(detail)),
            }
        }

        let Some((timestamp_text, timestamp)) = timestamp else {
            return Err(business_err(
                ErrorKind::MissingTimestamp,
                Detail::NoTimestamp,
            ));
        };
        if count == 0 {
            return Err(business_err(
                ErrorKind::MissingSignature,
                Detail::NoSignature,
            ));
        }
        Ok(SignatureHeader {
            items: value,
            timestamp_text,
            timestamp,
            first,
            count,
        })
    }

    /// The timestamp, in unix seconds.
    pub const fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The timestamp exactly as received (leading zeros included): this text is what is signed.
    pub fn timestamp_str(&self) -> &'a str {
        // ASCII digits, checked by the parser.
        core::str::from_utf8(self.timestamp_text).unwrap_or_default()
    }

    /// [`timestamp_str`](SignatureHeader::timestamp_str) as bytes, with no UTF-8 check.
    pub(crate) const fn timestamp_bytes(&self) -> &'a [u8] {
        self.timestamp_text
    }

    /// The `v1` signatures, in header order.
    pub fn signatures(&self) -> Signatures<'a> {
        Signatures {
            rest: Some(self.items),
        }
    }

    /// How many `v1` signatures the header carries (at least one).
    pub const fn signature_count(&self) -> usize {
        self.count
    }

    /// The decoded signatures, in header order. The first was decoded while parsing; the header is
    /// scanned again only when it carries more than one.
    pub(crate) fn candidates(&self) -> impl Iterator<Item = [u8; SIGNATURE_LEN]> + '_ {
        let rest = (self.count >= 2).then(|| self.signatures().skip(1).map(|s| s.to_bytes()));
        core::iter::once(self.first).chain(rest.into_iter().flatten())
    }
}

/// Iterator over the `v1` signatures of a [`SignatureHeader`], in header order.
#[derive(Clone, Debug)]
pub struct Signatures<'a> {
    /// What is left of the header, `None` after its last item.
    rest: Option<&'a [u8]>,
}

impl<'a> Iterator for Signatures<'a> {
    type Item = Signature<'a>;

    fn next(&mut self) -> Option<Signature<'a>> {
        while let Some(rest) = self.rest {
            // The item runs to the next comma (kept at the head of `tail`), the rest follows it.
            // Splits, not index arithmetic: no edit of these lines stops the loop advancing.
            let end = rest.iter().position(|&b| b == b',').unwrap_or(rest.len());
            let (item, tail) = rest.split_at_checked(end).unwrap_or((rest, &[]));
            self.rest = tail.split_first().map(|(_comma, next)| next);
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
    use std::format;

    use super::*;

    #[test]
    fn decode_signature_accepts_exactly_the_hex_digits_at_every_position() {
        let valid = b"0123456789abcdefABCDEF";
        for position in 0..64 {
            for byte in 0..=255u8 {
                let mut hex = [b'0'; 64];
                hex[position] = byte;
                let decoded = decode_signature(&hex);
                assert_eq!(decoded.is_some(), valid.contains(&byte), "byte {byte:#04x}");
                if let Some(bytes) = decoded {
                    let value = (byte as char).to_digit(16).map_or(0, |d| d as u8);
                    let expected = if position % 2 == 0 { value << 4 } else { value };
                    assert_eq!(bytes[position / 2], expected, "byte {byte:#04x}");
                    assert_eq!(
                        bytes.iter().filter(|&&b| b != 0).count(),
                        usize::from(value != 0)
                    );
                }
            }
        }
    }

    #[test]
    fn eight_digits_matches_the_plain_parse() {
        for n in [
            0u64, 1, 9, 10, 12_345_678, 17_041_104, 99_999_999, 40_000_000, 10_000_001,
        ] {
            let text = format!("{n:08}");
            let chunk: [u8; 8] = text.as_bytes().try_into().unwrap();
            assert_eq!(eight_digits(chunk), Some(n), "{text}");
        }
        for position in 0..8 {
            for byte in 0..=255u8 {
                let mut chunk = *b"12345678";
                chunk[position] = byte;
                let expected = core::str::from_utf8(&chunk)
                    .ok()
                    .filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|t| t.parse().ok());
                assert_eq!(
                    eight_digits(chunk),
                    expected,
                    "byte {byte:#04x} at {position}"
                );
            }
        }
    }

    #[test]
    fn parse_timestamp_reads_one_run_of_digits() {
        fn ok(text: &'static str) -> Result<(&'static [u8], u64, &'static [u8]), Error> {
            parse_timestamp(text.as_bytes())
        }
        assert_eq!(
            ok("1704110400,v1"),
            Ok((&b"1704110400"[..], 1704110400, &b",v1"[..]))
        );
        assert_eq!(ok("007 "), Ok((&b"007"[..], 7, &b" "[..])));
        assert_eq!(
            ok("9999999999999999999"),
            Ok((&b"9999999999999999999"[..], 9999999999999999999, &b""[..]))
        );
        assert_eq!(
            ok("18446744073709551615x"),
            Ok((&b"18446744073709551615"[..], u64::MAX, &b"x"[..]))
        );
        assert_eq!(
            ok("000000000000000000000042"),
            Ok((&b"000000000000000000000042"[..], 42, &b""[..]))
        );
        assert_eq!(
            ok("18446744073709551616").map_err(|e| e.kind()),
            Err(ErrorKind::MalformedHeader)
        );
        assert_eq!(
            ok("x1").map_err(|e| e.kind()),
            Err(ErrorKind::MalformedHeader)
        );
        assert_eq!(
            ok("").map_err(|e| e.kind()),
            Err(ErrorKind::MalformedHeader)
        );
    }

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
