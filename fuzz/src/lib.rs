//! Shared by the fuzz targets: the input format (`Case`) and an independent reference verifier
//! written from the behaviour contract with RustCrypto `hmac` + `sha2`.
//!
//! The reference shares no code with `qonto-webhooks`: its parser, window check and comparison
//! are written from the contract's text (sections 2 to 6), so a disagreement is a bug in one of
//! the two.

use hmac::{Hmac, Mac};
use qonto_webhooks::{Error, Incremental, Tolerance, Verified, Verifier};
use sha2::Sha256;

/// The verdict of a verification, comparable across implementations: `Ok((secret_index,
/// timestamp))` or `Err(code)`.
pub type Verdict = Result<(usize, Option<u64>), &'static str>;

/// What the core's result says, in the comparable form.
pub fn verdict(result: Result<Verified, Error>) -> Verdict {
    result
        .map(|v| (v.secret_index, v.timestamp))
        .map_err(|e| e.code())
}

/// One fuzz input, decoded from bytes so that any byte string is a valid case.
///
/// Layout (missing bytes read as zero, a short record as what is left):
///
/// | bytes | field |
/// |---|---|
/// | 1 | flags: bit 0 onboarding, bit 1 tolerance disabled, bit 2 `now` relative to the header's `t`, bits 4-7 number of secrets (0-15) |
/// | 8 | `now`, u64 little-endian (an i64 offset from `t` when bit 2 is set) |
/// | 8 | tolerance in seconds, u64 little-endian |
/// | 8 | chunk pattern for incremental targets: chunk sizes, one byte each, cycled |
/// | 2 + n | the header: u16 little-endian length, then the bytes |
/// | (2 + n) × secrets | each secret, the same way |
/// | rest | the body |
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Case {
    /// Verify as an onboarding webhook rather than a business one.
    pub onboarding: bool,
    /// The replay window.
    pub tolerance: Option<u64>,
    /// `now`, already resolved (when relative, against the `t` the reference parser sees).
    pub now: u64,
    /// Chunk sizes for the incremental API (cycled; a 0 feeds an empty chunk).
    pub chunks: [u8; 8],
    /// The header value.
    pub header: Vec<u8>,
    /// The secrets, in order.
    pub secrets: Vec<Vec<u8>>,
    /// The raw body.
    pub body: Vec<u8>,
}

/// Readable in a crash report: the byte fields as (lossy) text; the artifact keeps the exact bytes.
impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        f.debug_struct("Case")
            .field("onboarding", &self.onboarding)
            .field("tolerance", &self.tolerance)
            .field("now", &self.now)
            .field("chunks", &self.chunks)
            .field("header", &text(&self.header))
            .field(
                "secrets",
                &self.secrets.iter().map(|s| text(s)).collect::<Vec<_>>(),
            )
            .field("body", &text(&self.body))
            .finish()
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.0.len());
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        head
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let src = self.take(N);
        out[..src.len()].copy_from_slice(src);
        out
    }

    fn record(&mut self) -> &'a [u8] {
        let len = u16::from_le_bytes(self.array());
        self.take(usize::from(len))
    }
}

impl Case {
    /// Decodes any byte string (see the layout above).
    pub fn decode(data: &[u8]) -> Case {
        let mut r = Reader(data);
        let [flags] = r.array();
        let now_raw = u64::from_le_bytes(r.array());
        let tolerance = u64::from_le_bytes(r.array());
        let chunks = r.array();
        let header = r.record().to_vec();
        let secrets = (0..flags >> 4).map(|_| r.record().to_vec()).collect();
        let body = r.0.to_vec();
        let now = if flags & 4 != 0 {
            let t = reference::parse_business(&header).map_or(0, |h| h.timestamp);
            t.wrapping_add(now_raw)
        } else {
            now_raw
        };
        Case {
            onboarding: flags & 1 != 0,
            tolerance: (flags & 2 == 0).then_some(tolerance),
            now,
            chunks,
            header,
            secrets,
            body,
        }
    }

    /// Encodes a case with an absolute `now` (used to build the seed corpus).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let count = u8::try_from(self.secrets.len().min(15)).unwrap_or(15);
        let flags =
            u8::from(self.onboarding) | (u8::from(self.tolerance.is_none()) << 1) | (count << 4);
        out.push(flags);
        out.extend_from_slice(&self.now.to_le_bytes());
        out.extend_from_slice(&self.tolerance.unwrap_or(0).to_le_bytes());
        out.extend_from_slice(&self.chunks);
        let mut record = |bytes: &[u8]| {
            let len = bytes.len().min(usize::from(u16::MAX));
            out.extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_le_bytes());
            out.extend_from_slice(&bytes[..len]);
        };
        record(&self.header);
        for secret in self.secrets.iter().take(15) {
            record(secret);
        }
        out.extend_from_slice(&self.body);
        out
    }

    /// The core's verifier for this case, or the error its construction gives.
    pub fn verifier(&self) -> Result<Verifier, Error> {
        let tolerance = self
            .tolerance
            .map_or(Tolerance::Disabled, Tolerance::Seconds);
        Verifier::with_secrets(&self.secrets).map(|v| v.with_tolerance(tolerance))
    }

    /// The core's one-shot verdict for this case's scheme.
    pub fn one_shot(&self) -> Verdict {
        let verifier = match self.verifier() {
            Ok(v) => v,
            Err(e) => return Err(e.code()),
        };
        if self.onboarding {
            verdict(verifier.verify_onboarding(&self.body, &self.header))
        } else {
            verdict(verifier.verify(&self.body, &self.header, self.now))
        }
    }

    /// The body cut by the chunk pattern (empty chunks included), covering it exactly once.
    pub fn chunked_body(&self) -> Vec<&[u8]> {
        let mut rest: &[u8] = &self.body;
        let mut out = Vec::new();
        let mut sizes = self.chunks.iter().cycle();
        // With every size 0 the body would never be consumed: then take 1-byte steps.
        let all_zero = self.chunks.iter().all(|&c| c == 0);
        while !rest.is_empty() {
            // Scale the size so a 1 MiB body does not take a million calls.
            let step = if all_zero {
                1
            } else {
                *sizes.next().unwrap_or(&1)
            };
            let size = usize::from(step) * (1 + rest.len() / 4096);
            let (head, tail) = rest.split_at(size.min(rest.len()));
            out.push(head);
            rest = tail;
        }
        // Empty updates at the start and the end too.
        if self.chunks[0] == 0 {
            out.insert(0, &[]);
            out.push(&[]);
        }
        out
    }

    /// The core's incremental start for this case's scheme.
    pub fn start(&self, verifier: &Verifier) -> Result<Incremental, Error> {
        if self.onboarding {
            verifier.start_onboarding(&self.header)
        } else {
            verifier.start(&self.header, self.now)
        }
    }
}

/// HMAC-SHA256 with RustCrypto, the reference for every MAC in the fuzz targets.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The reference verifier, written from CONTRACT.md sections 2 to 6.
pub mod reference {
    use super::{Verdict, hmac_sha256};

    /// The header limit (contract section 3; the core's `MAX_HEADER_LEN`).
    pub const MAX_HEADER_LEN: usize = 4096;
    /// The most secrets a verifier holds (the core's `MAX_SECRETS`).
    pub const MAX_SECRETS: usize = 8;

    /// A parsed `X-Qonto-Signature`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Business {
        /// The `t` text, as received.
        pub timestamp_text: Vec<u8>,
        /// Its value.
        pub timestamp: u64,
        /// Every `v1`, decoded.
        pub signatures: Vec<[u8; 32]>,
    }

    fn blank(c: u8) -> bool {
        c == b' ' || c == b'\t'
    }

    fn trim(s: &[u8]) -> &[u8] {
        let start = s.iter().position(|&c| !blank(c)).unwrap_or(s.len());
        let end = s.iter().rposition(|&c| !blank(c)).map_or(start, |i| i + 1);
        &s[start..end.max(start)]
    }

    fn hex64(s: &[u8]) -> Option<[u8; 32]> {
        if s.len() != 64 || !s.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let text = std::str::from_utf8(s).ok()?;
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(out)
    }

    /// Section 3: parse a business header, giving the contract's code on failure.
    pub fn parse_business(header: &[u8]) -> Result<Business, &'static str> {
        if header.len() > MAX_HEADER_LEN {
            return Err("malformed_header");
        }
        if trim(header).is_empty() {
            return Err("missing_header");
        }
        let mut t: Option<(Vec<u8>, u64)> = None;
        let mut signatures = Vec::new();
        let mut malformed = false;
        for raw in header.split(|&c| c == b',') {
            let item = trim(raw);
            let Some(eq) = item.iter().position(|&c| c == b'=') else {
                malformed = true;
                continue;
            };
            let (key, value) = (&item[..eq], &item[eq + 1..]);
            match key {
                b"t" => {
                    let digits = !value.is_empty() && value.iter().all(u8::is_ascii_digit);
                    let parsed = std::str::from_utf8(value)
                        .ok()
                        .filter(|_| digits)
                        .and_then(|s| s.parse::<u64>().ok());
                    match (parsed, &t) {
                        (Some(v), None) => t = Some((value.to_vec(), v)),
                        _ => malformed = true,
                    }
                }
                b"v1" => match hex64(value) {
                    Some(sig) => signatures.push(sig),
                    None => malformed = true,
                },
                _ => {}
            }
        }
        if malformed {
            return Err("malformed_header");
        }
        let Some((timestamp_text, timestamp)) = t else {
            return Err("missing_timestamp");
        };
        if signatures.is_empty() {
            return Err("missing_signature");
        }
        Ok(Business {
            timestamp_text,
            timestamp,
            signatures,
        })
    }

    /// Section 4: parse an onboarding header.
    pub fn parse_onboarding(header: &[u8]) -> Result<[u8; 32], &'static str> {
        if header.len() > MAX_HEADER_LEN {
            return Err("malformed_header");
        }
        let value = trim(header);
        if value.is_empty() {
            return Err("missing_header");
        }
        hex64(value).ok_or("malformed_header")
    }

    /// Section 2: the secrets.
    fn check_secrets(secrets: &[Vec<u8>]) -> Result<(), &'static str> {
        if secrets.is_empty() || secrets.len() > MAX_SECRETS || secrets.iter().any(Vec::is_empty) {
            return Err("invalid_secret");
        }
        Ok(())
    }

    /// The first secret, in order, whose MAC of `message` equals any candidate.
    fn first_match(
        secrets: &[Vec<u8>],
        parts: &[&[u8]],
        candidates: &[[u8; 32]],
    ) -> Result<usize, &'static str> {
        secrets
            .iter()
            .position(|s| {
                let tag = hmac_sha256(s, parts);
                candidates.contains(&tag)
            })
            .ok_or("signature_mismatch")
    }

    /// Sections 2, 3, 5, 6: a business verification.
    pub fn verify_business(
        secrets: &[Vec<u8>],
        tolerance: Option<u64>,
        header: &[u8],
        body: &[u8],
        now: u64,
    ) -> Verdict {
        check_secrets(secrets)?;
        let h = parse_business(header)?;
        if let Some(tol) = tolerance {
            let t = i128::from(h.timestamp);
            let n = i128::from(now);
            let tol = i128::from(tol);
            if n - t > tol {
                return Err("timestamp_too_old");
            }
            if t - n > tol {
                return Err("timestamp_in_future");
            }
        }
        let index = first_match(secrets, &[&h.timestamp_text, b".", body], &h.signatures)?;
        Ok((index, Some(h.timestamp)))
    }

    /// Sections 2, 4, 5: an onboarding verification.
    pub fn verify_onboarding(secrets: &[Vec<u8>], header: &[u8], body: &[u8]) -> Verdict {
        check_secrets(secrets)?;
        let sig = parse_onboarding(header)?;
        let index = first_match(secrets, &[body], &[sig])?;
        Ok((index, None))
    }
}

#[cfg(test)]
mod tests {
    use super::Case;

    fn case(chunks: [u8; 8], body: &[u8]) -> Case {
        Case {
            onboarding: false,
            tolerance: None,
            now: 0,
            chunks,
            header: Vec::new(),
            secrets: vec![b"k".to_vec()],
            body: body.to_vec(),
        }
    }

    #[test]
    fn chunked_body_covers_the_body_even_when_every_size_is_zero() {
        for chunks in [[0; 8], [3, 0, 1, 0, 0, 0, 0, 0], [255; 8]] {
            let c = case(chunks, b"hello, chunked world");
            assert_eq!(c.chunked_body().concat(), c.body, "{chunks:?}");
        }
    }
}
