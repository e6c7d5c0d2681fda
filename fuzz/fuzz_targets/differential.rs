//! Property: the core's verdict (code, matched secret, timestamp) equals the one of a naive
//! reference written from the contract with RustCrypto `hmac` + `sha2` and its own parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qonto_webhooks_fuzz::{Case, reference};

fuzz_target!(|data: &[u8]| {
    let case = Case::decode(data);
    let expected = if case.onboarding {
        reference::verify_onboarding(&case.secrets, &case.header, &case.body)
    } else {
        reference::verify_business(
            &case.secrets,
            case.tolerance,
            &case.header,
            &case.body,
            case.now,
        )
    };
    assert_eq!(
        case.one_shot(),
        expected,
        "core and reference disagree on {case:?}"
    );
});
