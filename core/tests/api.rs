//! What the public accessors and formatting report: the parts of the API a user reads back
//! (counts, the header text, `Display` and `Debug`), and the exact limits of the grammar.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use qonto_webhooks::{
    ErrorKind, MAX_HEADER_LEN, Signature, SignatureHeader, Verifier, sign, sign_onboarding,
};

const SECRET: &str = "test-secret";
const BODY: &[u8] = br#"{"test":"data"}"#;
const T: u64 = 1704110400;
const V1: &str = "56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805";

#[test]
fn a_signed_header_reads_back_the_same_through_every_view() {
    let header = sign(SECRET, BODY, T).unwrap();
    let expected = format!("t={T},v1={V1}");
    assert_eq!(header.to_string(), expected);
    assert_eq!(format!("{header:?}"), format!("{expected:?}"));
    assert_eq!(AsRef::<str>::as_ref(&header), expected);
    assert_eq!(AsRef::<[u8]>::as_ref(&header), expected.as_bytes());
    assert_eq!(&*header, expected);

    let onboarding = sign_onboarding("secret_key", b"{}").unwrap();
    assert_eq!(onboarding.to_string().len(), 64);
    assert_eq!(format!("{onboarding:?}"), format!("\"{onboarding}\""));
}

#[test]
fn signature_count_counts_the_v1_items() {
    for n in 1..=5 {
        let items: Vec<String> = (0..n).map(|_| format!("v1={V1}")).collect();
        let header = format!("t={T},{}", items.join(","));
        let parsed = SignatureHeader::parse(&header).unwrap();
        assert_eq!(parsed.signature_count(), n, "{header}");
        // Bounded: an iterator that stopped advancing would give `take`'s limit instead.
        assert_eq!(parsed.signatures().take(n + 3).count(), n, "{header}");
    }
}

#[test]
fn signatures_are_read_back_as_received_in_header_order() {
    let upper = V1.to_uppercase();
    let other = "00".repeat(32);
    let header = format!("v0=zz, v1={upper} ,t={T},v1={other}");
    let parsed = SignatureHeader::parse(&header).unwrap();
    let seen: Vec<&str> = parsed.signatures().take(5).map(|s| s.as_str()).collect();
    assert_eq!(seen, [upper.as_str(), other.as_str()]);
    assert_eq!(parsed.signatures().next().unwrap().to_bytes()[0], 0x56);
    assert_eq!(Signature::parse_onboarding(&upper).unwrap().as_str(), upper);
}

#[test]
fn verified_through_the_second_signature_of_the_header() {
    let header = format!("t={T},v1={},v1={V1}", "ab".repeat(32));
    let verified = Verifier::new(SECRET)
        .unwrap()
        .verify(BODY, &header, T)
        .unwrap();
    assert_eq!(verified.secret_index, 0);
}

#[test]
fn secret_count_is_the_number_of_secrets_given() {
    assert_eq!(Verifier::new(SECRET).unwrap().secret_count(), 1);
    let three = Verifier::with_secrets(["a", "b", SECRET]).unwrap();
    assert_eq!(three.secret_count(), 3);
    assert_eq!(
        three
            .verify(BODY, &format!("t={T},v1={V1}"), T)
            .unwrap()
            .secret_index,
        2
    );
}

#[test]
fn debug_of_a_verification_in_progress_shows_the_secret_count_and_nothing_else() {
    let verifier = Verifier::with_secrets(["first-secret", "second-secret"]).unwrap();
    let state = verifier
        .start(&*sign("first-secret", BODY, T).unwrap(), T)
        .unwrap();
    let debug = format!("{state:?}");
    assert_eq!(debug, "Incremental { secrets: 2, .. }");
    assert!(!debug.contains("first-secret"));
    let debug = format!("{verifier:?}");
    assert!(debug.starts_with("Verifier { secrets: 2, "), "{debug}");
    assert!(!debug.contains("secret\""), "{debug}");
}

#[test]
fn an_onboarding_header_of_exactly_the_limit_is_parsed_one_byte_more_is_not() {
    let pad = MAX_HEADER_LEN - 64;
    let at_limit = format!(
        "{}{}{}",
        " ".repeat(pad / 2),
        V1,
        "\t".repeat(pad - pad / 2)
    );
    assert_eq!(at_limit.len(), MAX_HEADER_LEN);
    assert_eq!(Signature::parse_onboarding(&at_limit).unwrap().as_str(), V1);

    let over = format!("{at_limit} ");
    let err = Signature::parse_onboarding(&over).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedHeader);
    assert!(err.to_string().contains("4097 bytes long"), "{err}");
}

#[test]
fn a_business_header_of_exactly_the_limit_is_parsed_one_byte_more_is_not() {
    let core = format!("t={T},v1={V1}");
    let at_limit = format!("{core}{}", " ".repeat(MAX_HEADER_LEN - core.len()));
    assert_eq!(SignatureHeader::parse(&at_limit).unwrap().timestamp(), T);
    let err = SignatureHeader::parse(&format!("{at_limit} ")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedHeader);
}

#[test]
fn the_message_names_the_item_without_equals() {
    for (header, item) in [
        ("oops", 1),
        ("t=1,oops", 2),
        (&*format!("t={T},v1={V1},oops"), 3),
        (&*format!("t={T},v0=x,v2=y,,v1={V1}"), 4),
    ] {
        let err = SignatureHeader::parse(header).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MalformedHeader, "{header}");
        let expected = format!("item {item} is not of the form key=value");
        assert!(err.to_string().contains(&expected), "{header}: {err}");
    }
}

#[test]
fn the_longest_timestamp_is_signed_whole() {
    let header = sign(SECRET, BODY, u64::MAX).unwrap();
    assert!(header.starts_with("t=18446744073709551615,v1="), "{header}");
    assert_eq!(header.len(), 2 + 20 + 4 + 64);
    let parsed = SignatureHeader::parse(&*header).unwrap();
    assert_eq!(parsed.timestamp(), u64::MAX);
    let verifier = Verifier::new(SECRET).unwrap();
    assert!(verifier.verify(BODY, &*header, u64::MAX).is_ok());
}

#[test]
fn every_error_kind_displays_as_its_code_and_has_a_description() {
    use qonto_webhooks::ErrorKind;
    let descriptions: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.description()).collect();
    for kind in ErrorKind::ALL {
        assert_eq!(kind.to_string(), kind.code());
        let description = kind.description();
        assert!(
            description.starts_with("the ") || description.starts_with("no "),
            "{description}"
        );
        assert_eq!(
            descriptions.iter().filter(|d| **d == description).count(),
            1,
            "{description}"
        );
    }
    assert_eq!(
        ErrorKind::SignatureMismatch.description(),
        "no secret matches the signature"
    );
    assert_eq!(
        ErrorKind::TimestampTooOld.description(),
        "the timestamp is outside the tolerance, in the past"
    );
}
