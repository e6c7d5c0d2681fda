//! Property: for both schemes, incremental verification with any chunking (empty chunks
//! included, and a clone taken midway) gives exactly the one-shot verdict.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qonto_webhooks_fuzz::{Case, verdict};

fuzz_target!(|data: &[u8]| {
    let case = Case::decode(data);
    let one_shot = case.one_shot();
    let mut state = {
        let verifier = match case.verifier() {
            Ok(v) => v,
            Err(_) => return,
        };
        match case.start(&verifier) {
            Ok(state) => state,
            Err(e) => {
                // `start` refuses exactly what the one-shot call refuses before any MAC.
                assert_eq!(Err(e.code()), one_shot);
                assert_ne!(e.code(), "signature_mismatch");
                return;
            }
        }
        // The verifier is dropped here: the state owns everything it needs.
    };
    let chunks = case.chunked_body();
    let middle = chunks.len() / 2;
    let mut fork = None;
    for (i, chunk) in chunks.iter().enumerate() {
        if i == middle {
            fork = Some(state.clone());
        }
        state.update(chunk);
        if let Some(f) = fork.as_mut() {
            f.update(chunk);
        }
    }
    assert_eq!(verdict(state.finish()), one_shot, "incremental != one-shot");
    if let Some(f) = fork {
        // The clone saw the first half before it was made and the rest after.
        assert_eq!(verdict(f.finish()), one_shot, "cloned state != one-shot");
    }
});
