//! `diagnose` finds each mistake it claims to find, each test committing that mistake on purpose,
//! and reports "no known mistake" otherwise.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use qonto_webhooks::diagnose::{Diagnosis, Mistake, diagnose};
use qonto_webhooks::{Scheme, Tolerance, sign, sign_onboarding};

const SECRET: &str = "whsec_VuvcYxzMbryt1UBytq58jtGBxCgbQdzX/c0vj5ZLjUA=";
const NOW: u64 = 1_735_689_600;
const BODY: &[u8] =
    r#"{"id":"e1","type":"v1/clients","data":{"event":"created","name":"Société Générale ☕"}}"#
        .as_bytes();

fn business(secrets: &[&[u8]], header: &str, body: &[u8]) -> Diagnosis {
    diagnose(
        secrets,
        Scheme::Business,
        header.as_bytes(),
        body,
        NOW,
        Tolerance::default(),
    )
}

fn mistakes(d: &Diagnosis) -> Vec<Mistake> {
    d.findings.iter().map(|f| f.mistake).collect()
}

fn assert_clean(d: &Diagnosis) {
    for f in &d.findings {
        assert!(!f.message.contains(SECRET), "{}", f.message);
        assert!(!f.message.contains("VuvcYxzMbryt1UBytq58"), "{}", f.message);
    }
}

#[test]
fn a_good_webhook_has_no_findings() {
    let header = sign(SECRET, BODY, NOW).unwrap();
    let d = business(&[SECRET.as_bytes()], &header, BODY);
    assert!(d.result.is_ok());
    assert!(d.findings.is_empty());
}

#[test]
fn secret_base64_decoded_by_the_user() {
    let header = sign(SECRET, BODY, NOW).unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&SECRET[6..])
        .unwrap();
    let d = business(&[&decoded], &header, BODY);
    assert_eq!(d.result.unwrap_err().code(), "signature_mismatch");
    assert_eq!(mistakes(&d), [Mistake::SecretBase64]);
    assert!(d.explained());
    assert_clean(&d);
}

#[test]
fn secret_base64_decoded_by_the_signer() {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&SECRET[6..])
        .unwrap();
    let header = sign(&decoded, BODY, NOW).unwrap();
    let d = business(&[SECRET.as_bytes()], &header, BODY);
    assert_eq!(mistakes(&d), [Mistake::SecretBase64]);
    assert_clean(&d);
}

#[test]
fn secret_prefix_stripped() {
    let header = sign(SECRET, BODY, NOW).unwrap();
    let d = business(&[&SECRET.as_bytes()[6..]], &header, BODY);
    assert_eq!(mistakes(&d), [Mistake::SecretPrefix]);
    let header = sign(&SECRET[6..], BODY, NOW).unwrap();
    let d = business(&[SECRET.as_bytes()], &header, BODY);
    assert_eq!(mistakes(&d), [Mistake::SecretPrefix]);
    assert_clean(&d);
}

#[test]
fn secret_with_a_trailing_newline() {
    let header = sign(SECRET, BODY, NOW).unwrap();
    let d = business(&[format!("{SECRET}\n").as_bytes()], &header, BODY);
    assert_eq!(mistakes(&d), [Mistake::SecretWhitespace]);
    assert_clean(&d);
}

fn reserialised(body: &[u8], signed: &[u8], expect: &str) {
    let header = sign(SECRET, signed, NOW).unwrap();
    let d = business(&[SECRET.as_bytes()], &header, body);
    assert_eq!(mistakes(&d), [Mistake::BodyReserialized], "{expect}");
    assert!(
        d.findings[0].message.contains(expect),
        "{}",
        d.findings[0].message
    );
    assert!(d.findings[0].message.contains("raw request body"));
}

#[test]
fn body_pretty_printed_by_the_handler() {
    let value: serde_json::Value = serde_json::from_slice(BODY).unwrap();
    reserialised(&serde_json::to_vec_pretty(&value).unwrap(), BODY, "compact");
}

#[test]
fn body_reserialised_with_python_separators() {
    // What Python's json.dumps(json.loads(body), ensure_ascii=False) gives.
    let spaced = br#"{"id": "e1", "type": "v1/clients", "data": {"event": "created", "name": "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale \u2615"}}"#;
    // The user verifies json.dumps output with \u escapes (the default) while Qonto signed UTF-8.
    reserialised(spaced, BODY, "compact");
}

#[test]
fn body_keys_reordered() {
    // The signer sorted keys; the handler kept the order it received... or the other way round.
    let sorted =
        r#"{"data":{"event":"created","name":"Société Générale ☕"},"id":"e1","type":"v1/clients"}"#
            .as_bytes();
    reserialised(BODY, sorted, "keys in another order");
}

#[test]
fn body_signed_with_unicode_escapes() {
    let escaped = br#"{"id":"e1","type":"v1/clients","data":{"event":"created","name":"Soci\u00e9t\u00e9 G\u00e9n\u00e9rale \u2615"}}"#;
    reserialised(BODY, escaped, "\\u escapes");
}

#[test]
fn body_with_an_added_trailing_newline() {
    let header = sign(SECRET, BODY, NOW).unwrap();
    let d = business(&[SECRET.as_bytes()], &header, &[BODY, b"\n"].concat());
    assert_eq!(mistakes(&d), [Mistake::BodyTrailingNewline]);
}

#[test]
fn body_with_crlf_line_endings() {
    let signed = b"{\n  \"id\": \"e1\"\n}";
    let header = sign(SECRET, signed, NOW).unwrap();
    let d = business(&[SECRET.as_bytes()], &header, b"{\r\n  \"id\": \"e1\"\r\n}");
    assert!(
        mistakes(&d).contains(&Mistake::BodyLineEndings),
        "{:?}",
        d.findings
    );
}

#[test]
fn body_signed_without_the_timestamp() {
    let mac = sign_onboarding(SECRET, BODY).unwrap();
    let d = business(&[SECRET.as_bytes()], &format!("t={NOW},v1={}", &*mac), BODY);
    assert_eq!(mistakes(&d), [Mistake::BodySignedWithoutTimestamp]);
}

#[test]
fn an_onboarding_header_given_to_the_business_scheme() {
    let header = sign_onboarding(SECRET, BODY).unwrap();
    let d = business(&[SECRET.as_bytes()], &header, BODY);
    assert_eq!(d.result.unwrap_err().code(), "malformed_header");
    assert_eq!(mistakes(&d), [Mistake::WrongScheme]);
    assert!(d.findings[0].message.contains("verifies as one"));
}

#[test]
fn a_business_header_given_to_the_onboarding_scheme() {
    let header = sign(SECRET, BODY, NOW).unwrap();
    let d = diagnose(
        &[SECRET],
        Scheme::Onboarding,
        header.as_bytes(),
        BODY,
        NOW,
        Tolerance::default(),
    );
    assert_eq!(mistakes(&d), [Mistake::WrongScheme]);
}

#[test]
fn a_timestamp_in_milliseconds() {
    let header = sign(SECRET, BODY, NOW * 1000).unwrap();
    let d = business(&[SECRET.as_bytes()], &header, BODY);
    assert_eq!(d.result.unwrap_err().code(), "timestamp_in_future");
    assert_eq!(mistakes(&d), [Mistake::TimestampMilliseconds]);
}

#[test]
fn a_skewed_clock() {
    let header = sign(SECRET, BODY, NOW - 900).unwrap();
    let d = business(&[SECRET.as_bytes()], &header, BODY);
    assert_eq!(d.result.unwrap_err().code(), "timestamp_too_old");
    assert_eq!(mistakes(&d), [Mistake::ClockSkew]);
    assert!(
        d.findings[0].message.contains("900 s behind"),
        "{}",
        d.findings[0].message
    );
}

#[test]
fn the_wrong_secret_is_no_known_mistake() {
    let header = sign("whsec_another_subscription_secret_00000000", BODY, NOW).unwrap();
    let d = business(&[SECRET.as_bytes()], &header, BODY);
    assert_eq!(mistakes(&d), [Mistake::WrongSecret]);
    assert!(!d.explained());
    assert!(d.findings[0].message.contains("no known mistake"));
    assert_clean(&d);
}

#[test]
fn a_malformed_header_is_left_to_its_error() {
    let d = business(&[SECRET.as_bytes()], "t=1,v1=zz", BODY);
    assert_eq!(d.result.unwrap_err().code(), "malformed_header");
    assert!(d.findings.is_empty());
}

#[test]
fn each_mistake_has_its_documented_snake_case_code() {
    // The codes the bindings and the CLI print: the variant's name in snake_case.
    let all = [
        Mistake::SecretBase64,
        Mistake::SecretPrefix,
        Mistake::SecretWhitespace,
        Mistake::BodyReserialized,
        Mistake::BodyTrailingNewline,
        Mistake::BodyLineEndings,
        Mistake::BodySignedWithoutTimestamp,
        Mistake::WrongScheme,
        Mistake::TimestampMilliseconds,
        Mistake::ClockSkew,
        Mistake::WrongSecret,
    ];
    for mistake in all {
        let mut expected = String::new();
        for (i, c) in format!("{mistake:?}").chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                expected.push('_');
            }
            expected.push(c.to_ascii_lowercase());
        }
        assert_eq!(mistake.code(), expected);
    }
    assert_eq!(Mistake::WrongSecret.code(), "wrong_secret");
}

#[test]
fn body_signed_with_python_separators_and_given_compact() {
    // Qonto (or a test sender) signed json.dumps output: ", " and ": " between items.
    let signed = br#"{"id": "e1", "amounts": [1, 2, 3], "data": {"event": "created", "n": 2}}"#;
    let compact = br#"{"id":"e1","amounts":[1,2,3],"data":{"event":"created","n":2}}"#;
    reserialised(compact, signed, "\", \" and \": \" separators");
}

#[test]
fn body_with_lf_line_endings_where_crlf_was_signed() {
    let signed = b"{\r\n  \"id\": \"e1\",\r\n  \"n\": 1\r\n}";
    let header = sign(SECRET, signed, NOW).unwrap();
    let d = business(
        &[SECRET.as_bytes()],
        &header,
        b"{\n  \"id\": \"e1\",\n  \"n\": 1\n}",
    );
    assert_eq!(mistakes(&d), [Mistake::BodyLineEndings], "{:?}", d.findings);
    assert!(
        d.findings[0]
            .message
            .contains("LF line endings where the signed body had CRLF")
    );
}

#[test]
fn an_onboarding_header_with_the_wrong_secret_is_no_known_mistake() {
    let header = sign_onboarding("another-registration-secret", BODY).unwrap();
    let d = diagnose(
        &[SECRET],
        Scheme::Onboarding,
        header.as_bytes(),
        BODY,
        NOW,
        Tolerance::default(),
    );
    assert_eq!(mistakes(&d), [Mistake::WrongSecret]);
}

#[test]
fn a_timestamp_in_milliseconds_of_another_day_is_clock_skew_not_milliseconds() {
    // 13 digits, but as milliseconds still a day away from now: not explained by the unit.
    let t = (NOW - 86_400) * 1000;
    let header = sign(SECRET, BODY, t).unwrap();
    let d = business(&[SECRET.as_bytes()], &header, BODY);
    assert_eq!(mistakes(&d), [Mistake::ClockSkew], "{:?}", d.findings);
}

#[test]
fn a_clock_ahead_is_said_to_be_ahead() {
    let header = sign(SECRET, BODY, NOW + 900).unwrap();
    let d = business(&[SECRET.as_bytes()], &header, BODY);
    assert_eq!(mistakes(&d), [Mistake::ClockSkew]);
    assert!(
        d.findings[0].message.contains("900 s ahead of"),
        "{}",
        d.findings[0].message
    );
}

#[test]
fn a_timestamp_in_milliseconds_with_a_bad_signature_is_only_the_milliseconds() {
    let header = sign("another-secret", BODY, NOW * 1000).unwrap();
    let d = business(&[SECRET.as_bytes()], &header, BODY);
    assert_eq!(
        mistakes(&d),
        [Mistake::TimestampMilliseconds],
        "{:?}",
        d.findings
    );
    assert!(!d.findings[0].message.contains("signature itself is valid"));
}

#[test]
fn a_stale_webhook_with_the_wrong_secret_is_no_known_mistake() {
    let header = sign("another-secret", BODY, NOW - 900).unwrap();
    let d = business(&[SECRET.as_bytes()], &header, BODY);
    assert_eq!(d.result.unwrap_err().code(), "timestamp_too_old");
    assert_eq!(mistakes(&d), [Mistake::WrongSecret], "{:?}", d.findings);
}

#[test]
fn with_several_secrets_the_finding_names_the_one_that_explains_it() {
    let stripped = SECRET.trim_start_matches("whsec_");
    let header = sign(stripped, BODY, NOW).unwrap();
    let d = business(
        &[b"whsec_some_other_secret", SECRET.as_bytes()],
        &header,
        BODY,
    );
    assert_eq!(mistakes(&d), [Mistake::SecretPrefix]);
    assert!(
        d.findings[0].message.ends_with(" (secret 1)"),
        "{}",
        d.findings[0].message
    );
    // With one secret there is nothing to name.
    let d = business(&[SECRET.as_bytes()], &header, BODY);
    assert_eq!(mistakes(&d), [Mistake::SecretPrefix]);
    assert!(
        !d.findings[0].message.contains("(secret"),
        "{}",
        d.findings[0].message
    );
}
