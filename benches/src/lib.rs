//! The inputs and the baselines the criterion benchmarks (`benches/verify.rs`) compare
//! `qonto-webhooks` with. Every baseline verifies for real: the tests below check that each one
//! accepts the signed input and rejects a tampered one, so the benchmarks compare equal work.
//!
//! - (a) [`RingFloor`]: the floor. `ring` HMAC with a precomputed key and a `subtle`
//!   constant-time compare of raw bytes; the header is already decoded (no parsing at all).
//! - (b) [`RustCrypto`]: `hmac` + `sha2`, the key schedule done once and the MAC state cloned per
//!   call, `verify_slice` (constant-time) on the already decoded signature.
//! - (c) [`naive`]: what many write: the header split into `String`s, the key built per call,
//!   the signed payload copied into a new buffer, the tag hex-encoded and compared with `==`.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The body sizes benchmarked, in bytes: 64 B, 256 B, 1 KiB, 16 KiB, 1 MiB.
pub const SIZES: [usize; 5] = [64, 256, 1024, 16 * 1024, 1024 * 1024];

/// A realistic secret (Qonto's are opaque strings of this order of length).
pub const SECRET: &str = "whsec_benchmark_secret_0123456789abcdefABCDEF";

/// The time the business header is signed at, and verified at.
pub const NOW: u64 = 1_735_689_600;

/// One benchmark input: a body of a given size, both schemes' headers, and the same headers
/// decoded for the baselines that skip parsing.
#[derive(Clone, Debug)]
pub struct Input {
    /// The raw body: JSON-like ASCII, deterministic.
    pub body: Vec<u8>,
    /// The `X-Qonto-Signature` value, signed at [`NOW`].
    pub business_header: String,
    /// The `Qonto-SHA256-Signature` value.
    pub onboarding_header: String,
    /// The header's `t`, as text (what is signed).
    pub timestamp_text: String,
    /// The header's `v1`, decoded.
    pub business_signature: [u8; 32],
    /// The onboarding signature, decoded.
    pub onboarding_signature: [u8; 32],
}

fn decode(hex_text: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    // The core produced this hex: it decodes. A failure would show as every verify failing
    // (which the tests catch), not as a panic.
    if hex::decode_to_slice(hex_text, &mut out).is_err() {
        out = [0u8; 32];
    }
    out
}

impl Input {
    /// The input for a body of `size` bytes, signed with [`SECRET`] by the core.
    ///
    /// # Errors
    /// Only if the core refuses to sign (it does not with a non-empty secret).
    pub fn new(size: usize) -> Result<Input, qonto_webhooks::Error> {
        let pattern = br#"{"id":"0196f5a2-7c3e-7b1a-9d4e-2f1c3a5b7d9e","type":"v1/transactions","amount":"12.50"},"#;
        let body: Vec<u8> = pattern.iter().copied().cycle().take(size).collect();
        let business_header = qonto_webhooks::sign(SECRET, &body, NOW)?.to_string();
        let onboarding_header = qonto_webhooks::sign_onboarding(SECRET, &body)?.to_string();
        let timestamp_text = NOW.to_string();
        let business_signature = decode(business_header.rsplit_once("v1=").map_or("", |(_, v)| v));
        let onboarding_signature = decode(&onboarding_header);
        Ok(Input {
            body,
            business_header,
            onboarding_header,
            timestamp_text,
            business_signature,
            onboarding_signature,
        })
    }

    /// A copy whose body differs in its last byte (the signatures stay those of the original).
    pub fn tampered(&self) -> Input {
        let mut copy = self.clone();
        if let Some(last) = copy.body.last_mut() {
            *last ^= 1;
        }
        copy
    }
}

/// (a) The floor: `ring` HMAC-SHA256 with a precomputed key, a constant-time compare of raw
/// bytes, no header parsing.
pub struct RingFloor {
    key: ring::hmac::Key,
}

impl RingFloor {
    /// Runs the key schedule once.
    pub fn new(secret: &[u8]) -> RingFloor {
        RingFloor {
            key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret),
        }
    }

    /// HMAC of `t.body`, compared with the decoded signature.
    pub fn business(&self, timestamp_text: &[u8], body: &[u8], signature: &[u8; 32]) -> bool {
        let mut ctx = ring::hmac::Context::with_key(&self.key);
        ctx.update(timestamp_text);
        ctx.update(b".");
        ctx.update(body);
        ctx.sign().as_ref().ct_eq(signature).into()
    }

    /// HMAC of the body, compared with the decoded signature.
    pub fn onboarding(&self, body: &[u8], signature: &[u8; 32]) -> bool {
        ring::hmac::sign(&self.key, body)
            .as_ref()
            .ct_eq(signature)
            .into()
    }
}

/// (b) RustCrypto `hmac` + `sha2`: the keyed state built once, cloned per call.
pub struct RustCrypto {
    keyed: Hmac<Sha256>,
}

impl RustCrypto {
    /// Runs the key schedule once.
    pub fn new(secret: &[u8]) -> RustCrypto {
        let keyed = match Hmac::<Sha256>::new_from_slice(secret) {
            Ok(mac) => mac,
            // HMAC accepts keys of any length.
            Err(_) => unreachable!("HMAC takes any key length"),
        };
        RustCrypto { keyed }
    }

    /// HMAC of `t.body`, `verify_slice` (constant-time) against the decoded signature.
    pub fn business(&self, timestamp_text: &[u8], body: &[u8], signature: &[u8; 32]) -> bool {
        let mut mac = self.keyed.clone();
        mac.update(timestamp_text);
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(signature).is_ok()
    }

    /// HMAC of the body, `verify_slice` against the decoded signature.
    pub fn onboarding(&self, body: &[u8], signature: &[u8; 32]) -> bool {
        let mut mac = self.keyed.clone();
        mac.update(body);
        mac.verify_slice(signature).is_ok()
    }
}

/// (c) The naive code many webhook handlers contain. Not constant-time: do not copy it.
pub mod naive {
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    fn hex_hmac(secret: &str, payload: &[u8]) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return String::new();
        };
        mac.update(payload);
        hex::encode(mac.finalize().into_bytes())
    }

    /// Splits the header into `String`s, checks a 300 s window, builds the key and the signed
    /// payload per call, compares hex strings with `==`.
    pub fn business(secret: &str, body: &[u8], header: &str, now: u64) -> bool {
        let parts: Vec<String> = header.split(',').map(|p| p.trim().to_string()).collect();
        let mut timestamp = None;
        let mut signatures = Vec::new();
        for part in &parts {
            if let Some((key, value)) = part.split_once('=') {
                match key {
                    "t" => timestamp = Some(value.to_string()),
                    "v1" => signatures.push(value.to_lowercase()),
                    _ => {}
                }
            }
        }
        let Some(timestamp) = timestamp else {
            return false;
        };
        let Ok(t) = timestamp.parse::<u64>() else {
            return false;
        };
        if now.abs_diff(t) > 300 {
            return false;
        }
        let payload = [timestamp.as_bytes(), b".", body].concat();
        let expected = hex_hmac(secret, &payload);
        signatures.contains(&expected)
    }

    /// Builds the key per call, compares hex strings with `==`.
    pub fn onboarding(secret: &str, body: &[u8], header: &str) -> bool {
        hex_hmac(secret, body) == header.trim().to_lowercase()
    }

    /// The header split the naive way, for the parsing benchmark: `(t, [v1...])`.
    pub fn parse(header: &str) -> Option<(u64, Vec<String>)> {
        let parts: Vec<String> = header.split(',').map(|p| p.trim().to_string()).collect();
        let mut timestamp = None;
        let mut signatures = Vec::new();
        for part in &parts {
            let (key, value) = part.split_once('=')?;
            match key {
                "t" => timestamp = Some(value.parse::<u64>().ok()?),
                "v1" => signatures.push(value.to_string()),
                _ => {}
            }
        }
        Some((timestamp?, signatures))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qonto_webhooks::Verifier;

    fn secret() -> &'static [u8] {
        SECRET.as_bytes()
    }

    /// Every implementation's verdict on one input: ours, (a), (b), (c), both schemes.
    fn verdicts(input: &Input) -> [bool; 8] {
        let verifier = Verifier::new(SECRET).ok();
        let ours_business = verifier
            .as_ref()
            .is_some_and(|v| v.verify(&input.body, &input.business_header, NOW).is_ok());
        let ours_onboarding = verifier.as_ref().is_some_and(|v| {
            v.verify_onboarding(&input.body, &input.onboarding_header)
                .is_ok()
        });
        let ring = RingFloor::new(secret());
        let rc = RustCrypto::new(secret());
        let t = input.timestamp_text.as_bytes();
        [
            ours_business,
            ring.business(t, &input.body, &input.business_signature),
            rc.business(t, &input.body, &input.business_signature),
            naive::business(SECRET, &input.body, &input.business_header, NOW),
            ours_onboarding,
            ring.onboarding(&input.body, &input.onboarding_signature),
            rc.onboarding(&input.body, &input.onboarding_signature),
            naive::onboarding(SECRET, &input.body, &input.onboarding_header),
        ]
    }

    #[test]
    fn every_implementation_accepts_the_signed_input_at_every_size() {
        for size in SIZES {
            let input = Input::new(size).expect("the core signs");
            assert_eq!(input.body.len(), size);
            assert_eq!(verdicts(&input), [true; 8], "size {size}");
        }
    }

    #[test]
    fn every_implementation_rejects_a_tampered_body() {
        for size in SIZES {
            let input = Input::new(size).expect("the core signs").tampered();
            assert_eq!(verdicts(&input), [false; 8], "size {size}");
        }
    }

    #[test]
    fn the_naive_parser_reads_what_the_core_reads() {
        let input = Input::new(64).expect("the core signs");
        let (t, signatures) = naive::parse(&input.business_header).expect("parses");
        let parsed = qonto_webhooks::SignatureHeader::parse(&input.business_header)
            .expect("the core parses its own header");
        assert_eq!(t, parsed.timestamp());
        let ours: Vec<String> = parsed.signatures().map(|s| s.as_str().to_owned()).collect();
        assert_eq!(signatures, ours);
        assert_eq!(hex::encode(input.business_signature), ours.join(""));
    }
}
