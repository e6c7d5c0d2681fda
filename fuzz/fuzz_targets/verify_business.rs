//! Property: business verification never panics on any header, body, clock and secrets, and
//! whenever it accepts, signing the body again with the matched secret and the header's `t`
//! gives one of the header's `v1` values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qonto_webhooks::{ErrorKind, Scheme, SignatureHeader, sign};
use qonto_webhooks_fuzz::{Case, hmac_sha256, to_hex};

fuzz_target!(|data: &[u8]| {
    let case = Case::decode(data);
    let verifier = match case.verifier() {
        Ok(v) => v,
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidSecret);
            return;
        }
    };
    match verifier.verify(&case.body, &case.header, case.now) {
        Ok(verified) => {
            let header = SignatureHeader::parse(&case.header).expect("an accepted header parses");
            assert_eq!(verified.timestamp, Some(header.timestamp()));
            let secret = &case.secrets[verified.secret_index];
            let t = header.timestamp_str();
            // `sign` writes `t` without leading zeros; the signed text is the header's own.
            let expected = if t.len() > 1 && t.starts_with('0') {
                to_hex(&hmac_sha256(secret, &[t.as_bytes(), b".", &case.body]))
            } else {
                let signed = sign(secret, &case.body, header.timestamp()).expect("non-empty");
                assert!(signed.starts_with(&format!("t={t},v1=")));
                signed[signed.len() - 64..].to_owned()
            };
            assert!(
                header
                    .signatures()
                    .any(|s| s.as_str().eq_ignore_ascii_case(&expected)),
                "accepted, but no v1 is the matched secret's signature"
            );
            // No earlier secret matches (the first match wins).
            for earlier in &case.secrets[..verified.secret_index] {
                let tag = to_hex(&hmac_sha256(earlier, &[t.as_bytes(), b".", &case.body]));
                assert!(
                    !header
                        .signatures()
                        .any(|s| s.as_str().eq_ignore_ascii_case(&tag))
                );
            }
        }
        Err(e) => {
            assert_eq!(e.scheme(), Scheme::Business);
            assert_ne!(e.kind(), ErrorKind::InvalidSecret);
            assert_eq!(ErrorKind::from_code(e.code()), Some(e.kind()));
            assert!(!e.to_string().is_empty());
        }
    }
});
