//! Properties of the verifier, checked by proptest, and a differential test against an
//! independent HMAC (RustCrypto `hmac` + `sha2`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hmac::{Hmac, Mac};
use proptest::prelude::*;
use qonto_webhooks::{
    ErrorKind, SignatureHeader, Tolerance, Verified, Verifier, sign, sign_onboarding,
};
use sha2::Sha256;

fn reference_hex(secret: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn business_message(t: &str, body: &[u8]) -> Vec<u8> {
    [t.as_bytes(), b".", body].concat()
}

fn secret() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 1..200)
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..2000)
}

fn code(r: Result<Verified, qonto_webhooks::Error>) -> Result<usize, ErrorKind> {
    r.map(|v| v.secret_index).map_err(|e| e.kind())
}

/// The outcome of a business verification, one-shot or incremental with the given chunk size.
fn business(
    v: &Verifier,
    body: &[u8],
    header: &[u8],
    now: u64,
    chunk: Option<usize>,
) -> Result<usize, ErrorKind> {
    match chunk {
        None => code(v.verify(body, header, now)),
        Some(size) => {
            let mut state = v.start(header, now).map_err(|e| e.kind())?;
            for piece in body.chunks(size.max(1)) {
                state.update(piece);
            }
            code(state.finish())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn sign_then_verify_round_trips(secret in secret(), body in body(), t in any::<u64>()) {
        let header = sign(&secret, &body, t).expect("non-empty secret");
        let verifier = Verifier::new(&secret).expect("non-empty secret");
        let verified = verifier.verify(&body, &*header, t).expect("own signature verifies");
        prop_assert_eq!(verified.secret_index, 0);
        prop_assert_eq!(verified.timestamp, Some(t));
        let onboarding = sign_onboarding(&secret, &body).expect("non-empty secret");
        prop_assert!(verifier.verify_onboarding(&body, &*onboarding).is_ok());
    }

    #[test]
    fn any_bit_flip_in_the_body_is_rejected(
        secret in secret(), body in prop::collection::vec(any::<u8>(), 1..500),
        index in any::<prop::sample::Index>(), bit in 0u8..8,
    ) {
        let header = sign(&secret, &body, 1000).expect("signs");
        let mut tampered = body.clone();
        let i = index.index(tampered.len());
        tampered[i] ^= 1 << bit;
        let verifier = Verifier::new(&secret).expect("valid");
        prop_assert_eq!(code(verifier.verify(&tampered, &*header, 1000)), Err(ErrorKind::SignatureMismatch));
        let onboarding = sign_onboarding(&secret, &body).expect("signs");
        prop_assert_eq!(code(verifier.verify_onboarding(&tampered, &*onboarding)), Err(ErrorKind::SignatureMismatch));
    }

    #[test]
    fn any_bit_flip_in_the_signature_is_rejected(
        secret in secret(), body in body(), index in 0usize..256,
    ) {
        let header = sign(&secret, &body, 1000).expect("signs");
        let onboarding = sign_onboarding(&secret, &body).expect("signs");
        // Flip one bit of the 32-byte MAC and re-encode it: still 64 valid hex digits.
        let flip = |hex: &str| -> String {
            let mut bytes: Vec<u8> = (0..32)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex"))
                .collect();
            bytes[index / 8] ^= 1 << (index % 8);
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        };
        let (prefix, mac) = header.split_at(header.len() - 64);
        let verifier = Verifier::new(&secret).expect("valid");
        let forged = format!("{prefix}{}", flip(mac));
        prop_assert_eq!(code(verifier.verify(&body, &forged, 1000)), Err(ErrorKind::SignatureMismatch));
        prop_assert_eq!(code(verifier.verify_onboarding(&body, &flip(&onboarding))), Err(ErrorKind::SignatureMismatch));
    }

    #[test]
    fn any_bit_flip_in_the_secret_is_rejected(
        secret in secret(), body in body(), index in any::<prop::sample::Index>(), bit in 0u8..8,
    ) {
        let header = sign(&secret, &body, 1000).expect("signs");
        let mut other = secret.clone();
        let i = index.index(other.len());
        other[i] ^= 1 << bit;
        let verifier = Verifier::new(&other).expect("valid");
        prop_assert_eq!(code(verifier.verify(&body, &*header, 1000)), Err(ErrorKind::SignatureMismatch));
    }

    #[test]
    fn the_parsers_never_panic(header in prop::collection::vec(any::<u8>(), 0..5000)) {
        let _ = SignatureHeader::parse(&header);
        let _ = qonto_webhooks::Signature::parse_onboarding(&header);
        let verifier = Verifier::new("k").expect("valid");
        let _ = verifier.verify(b"body", &header, 0);
        let _ = verifier.verify_onboarding(b"body", &header);
    }

    #[test]
    fn the_parser_never_panics_on_near_miss_headers(
        header in "[tv1v2T=, \t0-9a-fA-F\\-+.x]{0,300}",
        now in any::<u64>(),
    ) {
        let verifier = Verifier::new("k").expect("valid").with_tolerance(Tolerance::Seconds(300));
        if let Ok(parsed) = SignatureHeader::parse(&header) {
            // Accessors agree with each other.
            prop_assert_eq!(parsed.timestamp_str().parse::<u64>().ok(), Some(parsed.timestamp()));
            prop_assert!(parsed.signatures().count() >= 1);
            prop_assert_eq!(parsed.signature_count(), parsed.signatures().count());
        }
        let _ = verifier.verify(b"body", &header, now);
    }

    #[test]
    fn incremental_equals_one_shot(
        secrets in prop::collection::vec(secret(), 1..4), body in body(),
        t in 999_000u64..1_001_000, chunk in 1usize..300, signer in 0usize..4,
        tamper in any::<bool>(),
    ) {
        let verifier = Verifier::with_secrets(&secrets).expect("valid");
        let signing_secret = secrets.get(signer).cloned().unwrap_or_else(|| b"someone else".to_vec());
        let header = sign(&signing_secret, &body, t).expect("signs");
        let mut sent = body.clone();
        if tamper { sent.push(b'!'); }
        let now = 1_000_000;
        prop_assert_eq!(
            business(&verifier, &sent, header.as_bytes(), now, None),
            business(&verifier, &sent, header.as_bytes(), now, Some(chunk))
        );
        let onboarding = sign_onboarding(&signing_secret, &body).expect("signs");
        let mut state = verifier.start_onboarding(&*onboarding).expect("well-formed");
        for piece in sent.chunks(chunk) { state.update(piece); }
        prop_assert_eq!(code(state.finish()), code(verifier.verify_onboarding(&sent, &*onboarding)));
    }

    #[test]
    fn incremental_equals_one_shot_on_arbitrary_headers(
        header in "[tv1=, 0-9a-f]{0,200}", body in body(), chunk in 1usize..64,
    ) {
        let verifier = Verifier::new("k").expect("valid").with_tolerance(Tolerance::Disabled);
        prop_assert_eq!(
            business(&verifier, &body, header.as_bytes(), 0, None),
            business(&verifier, &body, header.as_bytes(), 0, Some(chunk))
        );
    }

    #[test]
    fn item_order_and_whitespace_do_not_change_the_result(
        secret in secret(), body in body(), good in any::<bool>(),
        extras in prop::collection::vec("(v0|v2|x|sha256)=[a-z0-9]{0,10}", 0..3),
        order in Just(()).prop_perturb(|_, mut rng| rng.next_u64()),
        pads in prop::collection::vec("[ \t]{0,3}", 16),
    ) {
        let t = 1_735_689_600u64;
        let mac = if good {
            reference_hex(&secret, &business_message(&t.to_string(), &body))
        } else {
            "0".repeat(64)
        };
        let mut items = vec![format!("t={t}"), format!("v1={mac}")];
        items.extend(extras);
        let verifier = Verifier::new(&secret).expect("valid");
        let canonical = code(verifier.verify(&body, &items.join(","), t));
        // A permutation picked by the random seed.
        let mut seed = order;
        for i in (1..items.len()).rev() {
            let j = (seed % (i as u64 + 1)) as usize;
            seed /= i as u64 + 1;
            items.swap(i, j);
        }
        let padded: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, item)| format!("{}{item}{}", pads[(2 * i) % 16], pads[(2 * i + 1) % 16]))
            .collect();
        prop_assert_eq!(code(verifier.verify(&body, &padded.join(","), t)), canonical);
        prop_assert_eq!(canonical.is_ok(), good);
    }

    /// The core agrees with RustCrypto on random secrets, bodies and timestamps, for the right
    /// signature and for a random one, in both schemes.
    #[test]
    fn differential_against_rustcrypto(
        secret in secret(), body in body(), t in any::<u64>(), random_mac in "[0-9a-f]{64}",
    ) {
        let t_text = t.to_string();
        let expected = reference_hex(&secret, &business_message(&t_text, &body));
        let header = sign(&secret, &body, t).expect("signs");
        prop_assert_eq!(&*header, format!("t={t_text},v1={expected}"));
        let onboarding = reference_hex(&secret, &body);
        prop_assert_eq!(&*sign_onboarding(&secret, &body).expect("signs"), onboarding.as_str());

        let verifier = Verifier::new(&secret).expect("valid").with_tolerance(Tolerance::Disabled);
        let good = format!("t={t_text},v1={expected}");
        prop_assert!(verifier.verify(&body, &good, 0).is_ok());
        prop_assert!(verifier.verify_onboarding(&body, &onboarding).is_ok());
        let random_ok = verifier.verify(&body, &format!("t={t_text},v1={random_mac}"), 0).is_ok();
        prop_assert_eq!(random_ok, random_mac == expected);
        prop_assert_eq!(verifier.verify_onboarding(&body, &random_mac).is_ok(), random_mac == onboarding);
    }
}

#[test]
fn messages_never_contain_the_secret_or_the_expected_signature() {
    let secret = "whsec_a_very_recognisable_secret_value";
    let body = b"{\"id\":\"1\"}";
    let expected = sign(secret, body, 1000).expect("signs");
    let expected_mac = &expected[expected.len() - 64..];
    let verifier = Verifier::new(secret).expect("valid");
    let headers = [
        String::new(),
        "t=1000".to_owned(),
        "v1=00".to_owned(),
        format!("t=1,v1={expected_mac}"),
        format!("t=1000,v1={}", "0".repeat(64)),
    ];
    let mut seen = 0;
    for header in &headers {
        let err = verifier
            .verify(b"tampered", header, 1000)
            .expect_err("rejected");
        let message = err.to_string();
        assert!(!message.contains(secret), "{message}");
        if !header.contains(expected_mac) {
            assert!(!message.contains(expected_mac), "{message}");
        }
        seen += 1;
    }
    assert_eq!(seen, headers.len());
    let err = verifier
        .verify(b"tampered", &format!("t=1000,v1={}", "0".repeat(64)), 1000)
        .expect_err("mismatch");
    assert!(err.to_string().contains("raw request body"), "{err}");
    let err = verifier
        .verify(body, &*sign(secret, body, 1).expect("signs"), 302)
        .expect_err("stale");
    assert!(
        err.to_string().contains("301 s old") && err.to_string().contains("300 s"),
        "{err}"
    );
}

#[test]
fn error_codes_and_numbers_are_frozen() {
    let table: Vec<(&str, u32)> = ErrorKind::ALL
        .iter()
        .map(|k| (k.code(), k.number()))
        .collect();
    assert_eq!(
        table,
        [
            ("invalid_secret", 1),
            ("missing_header", 2),
            ("malformed_header", 3),
            ("missing_timestamp", 4),
            ("missing_signature", 5),
            ("timestamp_too_old", 6),
            ("timestamp_in_future", 7),
            ("signature_mismatch", 8),
        ]
    );
    for kind in ErrorKind::ALL {
        assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
    }
}

#[test]
fn verifier_debug_is_redacted_and_verifier_is_shareable() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Verifier>();
    shareable::<qonto_webhooks::Incremental>();
    let v = Verifier::new("super-secret-value").expect("valid");
    let shown = format!("{v:?}");
    assert!(!shown.contains("super-secret-value"), "{shown}");
    assert!(shown.contains("secrets: 1"), "{shown}");
}
