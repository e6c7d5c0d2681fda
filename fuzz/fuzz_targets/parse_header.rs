//! Property: the two header parsers never panic on any bytes, and what `SignatureHeader::parse`
//! returns is consistent with the text it parsed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qonto_webhooks::{MAX_HEADER_LEN, Scheme, Signature, SignatureHeader};
use qonto_webhooks_fuzz::to_hex;

fn check_signature(sig: &Signature<'_>, header: &[u8]) {
    let text = sig.as_str();
    assert_eq!(text.len(), 64, "a signature is 64 hex digits");
    assert_eq!(
        text.to_ascii_lowercase(),
        to_hex(&sig.to_bytes()),
        "the hex decodes to the bytes"
    );
    let needle = text.as_bytes();
    assert!(
        header.windows(64).any(|w| w == needle),
        "the hex is borrowed from the header"
    );
}

/// Spaces and tabs around an item, the only blanks the contract ignores.
fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    &s[start..end]
}

fuzz_target!(|header: &[u8]| {
    match SignatureHeader::parse(header) {
        Ok(parsed) => {
            assert!(header.len() <= MAX_HEADER_LEN);
            let text = parsed.timestamp_str();
            assert!(!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(text.parse::<u64>().ok(), Some(parsed.timestamp()));
            let item = format!("t={text}");
            assert!(
                header
                    .split(|&b| b == b',')
                    .any(|i| trim(i) == item.as_bytes()),
                "the timestamp text is one of the items"
            );
            let signatures: Vec<_> = parsed.signatures().collect();
            assert!(!signatures.is_empty(), "a parsed header has a v1");
            for sig in &signatures {
                check_signature(sig, header);
            }
            let v1_items = header
                .split(|&b| b == b',')
                .filter(|i| trim(i).starts_with(b"v1="))
                .count();
            assert_eq!(signatures.len(), v1_items, "every v1 item is yielded once");
            assert_eq!(
                SignatureHeader::parse(header).ok(),
                Some(parsed),
                "parsing is deterministic"
            );
        }
        Err(e) => {
            assert_eq!(e.scheme(), Scheme::Business);
            assert!(!e.to_string().is_empty());
        }
    }
    match Signature::parse_onboarding(header) {
        Ok(sig) => {
            check_signature(&sig, header);
            assert_eq!(sig.as_str().as_bytes(), trim(header));
        }
        Err(e) => {
            assert_eq!(e.scheme(), Scheme::Onboarding);
            assert!(!e.to_string().is_empty());
        }
    }
});
