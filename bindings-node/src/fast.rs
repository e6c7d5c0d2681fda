//! The six verify functions, written directly against Node-API.
//!
//! They are the hot path: one call per webhook. The wrappers `#[napi]` generates open a borrow
//! scope on every call (a heap allocation and a lock): about 70 ns, a tenth of a 1 KiB
//! verification. These functions read their arguments with one Node-API call each, never call
//! back into JavaScript, and return one number (see `outcome` in the crate root).
//!
//! `index.js` checks every argument before calling, so the checks here are the last line only:
//! a wrong value makes a `TypeError` (code `InvalidArg`), never undefined behaviour, and a panic
//! (there is none in the core's verify path) becomes an `Error` instead of unwinding into V8.

use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

use napi::JsValue;
use napi::bindgen_prelude::Object;
use napi::sys::{self, Status, napi_callback_info, napi_env, napi_value};
use napi_derive::napi;
use qonto_webhooks::Verifier;

use crate::{args, handle, now_or_clock, outcome, outcome_request};

/// The longest header read without allocating: the contract's limit, plus room for one more
/// UTF-8 character, so that a longer string can never look complete.
const HEADER_BUF_LEN: usize = qonto_webhooks::MAX_HEADER_LEN + 4;

/// Why an argument was refused: thrown as a `TypeError` whose `code` is `InvalidArg`.
struct Refused(&'static CStr);

/// Adds the verify functions to the module's exports, under the names `index.js` calls.
#[napi(module_exports)]
pub fn register(exports: Object<'_>) -> napi::Result<()> {
    let exports = exports.value();
    type Callback = unsafe extern "C" fn(napi_env, napi_callback_info) -> napi_value;
    let functions: [(&CStr, Callback); 6] = [
        (c"verifyBytes", verify_bytes),
        (c"verifyString", verify_string),
        (c"verifyOnboardingBytes", verify_onboarding_bytes),
        (c"verifyOnboardingString", verify_onboarding_string),
        (c"verifyRequestBytes", verify_request_bytes),
        (c"verifyRequestString", verify_request_string),
    ];
    for (name, callback) in functions {
        let mut function = ptr::null_mut();
        // SAFETY: `env` is the live environment this module is being loaded into, `name` is
        // NUL-terminated (length -1 says so), and `function` receives the new function.
        let status = unsafe {
            sys::napi_create_function(
                exports.env,
                name.as_ptr(),
                -1,
                Some(callback),
                ptr::null_mut(),
                &raw mut function,
            )
        };
        check(status)?;
        // SAFETY: as above; `exports` is the module's exports object, `function` a live value.
        let status = unsafe {
            sys::napi_set_named_property(exports.env, exports.value, name.as_ptr(), function)
        };
        check(status)?;
    }
    Ok(())
}

fn check(status: sys::napi_status) -> napi::Result<()> {
    if status == Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::from_reason(format!(
            "registering the verify functions failed (Node-API status {status})"
        )))
    }
}

/// Runs one verify call: the number `f` returns, or the `TypeError` for a refused argument.
///
/// # Safety
/// `env` must be the environment of the call in progress.
unsafe fn call(env: napi_env, f: impl FnOnce() -> Result<f64, Refused>) -> napi_value {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(number)) => {
            let mut result = ptr::null_mut();
            // SAFETY: `env` is live (the caller's contract); `result` receives the number.
            let status = unsafe { sys::napi_create_double(env, number, &raw mut result) };
            if status == Status::napi_ok {
                return result;
            }
        }
        Ok(Err(Refused(message))) => {
            // SAFETY: `env` is live; both strings are NUL-terminated.
            let _ = unsafe {
                sys::napi_throw_type_error(env, c"InvalidArg".as_ptr(), message.as_ptr())
            };
        }
        Err(_) => {
            // SAFETY: as above.
            let _ = unsafe {
                sys::napi_throw_error(
                    env,
                    ptr::null(),
                    c"qonto-webhooks: internal error in the native verifier (please report it)"
                        .as_ptr(),
                )
            };
        }
    }
    // An exception is now pending (Node-API fails to create a number or to throw only when one
    // already is), and JavaScript sees it instead of this value.
    ptr::null_mut()
}

/// The call's first `N` arguments (missing ones are `undefined`).
///
/// # Safety
/// `env` and `info` must be those of the call in progress.
unsafe fn arguments<const N: usize>(
    env: napi_env,
    info: napi_callback_info,
) -> Result<[napi_value; N], Refused> {
    let mut argv = [ptr::null_mut(); N];
    let mut argc = N;
    // SAFETY: `argv` has room for `argc` values; `this` and `data` are not wanted.
    let status = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &raw mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    if status == Status::napi_ok {
        Ok(argv)
    } else {
        Err(Refused(c"the arguments could not be read"))
    }
}

/// The verifier behind a handle made by `newVerifier`.
///
/// # Safety
/// As [`handle::verifier`].
unsafe fn verifier<'a>(env: napi_env, value: napi_value) -> Result<&'a Verifier, Refused> {
    // SAFETY: the caller's contract.
    unsafe { handle::verifier(env, value) }
        .ok_or(Refused(c"verifier must be a handle made by newVerifier"))
}

/// A `Uint8Array`'s bytes, in place (see [`args::typed_bytes`]: a detached or shared buffer is
/// refused).
///
/// # Safety
/// As [`args::typed_bytes`].
unsafe fn uint8_array<'a>(env: napi_env, value: napi_value) -> Result<&'a [u8], Refused> {
    // SAFETY: the caller's contract.
    unsafe { args::typed_bytes(env, value) }.map_err(Refused)
}

/// A string's UTF-8 bytes (lone surrogates become U+FFFD), copied. Not napi-rs's `String`
/// conversion: for a value that is not a string, that one builds its error message with
/// `JSON.stringify`, which runs the value's own code.
///
/// # Safety
/// `env` must be the environment of the call in progress.
unsafe fn string(env: napi_env, value: napi_value) -> Result<Vec<u8>, Refused> {
    let mut bytes = Vec::new();
    // SAFETY: the caller's contract.
    unsafe { args::string_into(env, value, &mut bytes) }
        .map_err(|()| Refused(c"body must be a Uint8Array or a string"))?;
    Ok(bytes)
}

/// Calls `f` with a header string's UTF-8 bytes (lone surrogates become U+FFFD). Up to the
/// contract's 4096-byte limit they are copied to the stack by one Node-API call, with no
/// allocation; a longer string, which the core rejects anyway, is read whole so that the error
/// reports its true length.
///
/// # Safety
/// `env` must be the environment of the call in progress.
unsafe fn with_header<R>(
    env: napi_env,
    value: napi_value,
    f: impl FnOnce(&[u8]) -> R,
) -> Result<R, Refused> {
    let mut buf = MaybeUninit::<[u8; HEADER_BUF_LEN + 1]>::uninit();
    let mut written = 0usize;
    // SAFETY: `buf` has room for `HEADER_BUF_LEN + 1` bytes, the size passed; Node-API writes at
    // most that many (the string's bytes, cut at a character boundary, then a NUL) and reports
    // how many string bytes it wrote in `written`.
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            env,
            value,
            buf.as_mut_ptr().cast(),
            HEADER_BUF_LEN + 1,
            &raw mut written,
        )
    };
    if status != Status::napi_ok {
        return Err(Refused(c"header must be a string"));
    }
    if written <= qonto_webhooks::MAX_HEADER_LEN {
        // SAFETY: Node-API initialized the first `written` bytes of `buf`, and `written` is at
        // most `MAX_HEADER_LEN`, inside the buffer.
        let bytes = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), written) };
        return Ok(f(bytes));
    }
    // Longer than the limit: the buffer holds at least MAX_HEADER_LEN + 1 of its bytes (a UTF-8
    // character takes at most 4), so the string is longer than any valid header.
    // SAFETY: as for `string`.
    let whole = unsafe { string(env, value) }.map_err(|_| Refused(c"header must be a string"))?;
    Ok(f(&whole))
}

/// A JavaScript number.
///
/// # Safety
/// `env` must be the environment of the call in progress.
unsafe fn number(env: napi_env, value: napi_value) -> Result<f64, Refused> {
    let mut n = 0f64;
    // SAFETY: `n` receives the number; any other value gives an error status.
    let status = unsafe { sys::napi_get_value_double(env, value, &raw mut n) };
    if status == Status::napi_ok {
        Ok(n)
    } else {
        Err(Refused(c"now must be a number"))
    }
}

/// `now` as `index.js` passes it (unix seconds, or -1 for the system clock), checked.
fn now(value: f64) -> Result<u64, Refused> {
    now_or_clock(value).map_err(|_| Refused(c"now must be a non-negative whole number of seconds"))
}

/// How `index.js` passed the body: the verify function it called says.
#[derive(Clone, Copy)]
enum Body {
    /// A `Uint8Array`, read in place.
    Bytes,
    /// A string, used as its UTF-8 bytes.
    String,
}

/// Calls `f` with the body's bytes.
///
/// # Safety
/// As [`uint8_array`] and [`string`]; a `Uint8Array` is read last, after the header, so that no
/// Node-API call runs while its bytes are borrowed.
unsafe fn with_body<R>(
    env: napi_env,
    value: napi_value,
    body: Body,
    f: impl FnOnce(&[u8]) -> R,
) -> Result<R, Refused> {
    // SAFETY: the caller's contract.
    unsafe {
        match body {
            Body::Bytes => Ok(f(uint8_array(env, value)?)),
            Body::String => Ok(f(&string(env, value)?)),
        }
    }
}

/// `(verifier, body, header, now)`: verifies a business webhook, returning the packed result, or
/// `NaN` for a rejection.
///
/// # Safety
/// `env` and `info` must be those of the call in progress.
unsafe fn business(env: napi_env, info: napi_callback_info, body: Body) -> napi_value {
    // SAFETY: `env` and `info` are those of the call in progress (this function's contract), and
    // every value the calls below read is one of its arguments: what each of them requires.
    unsafe {
        call(env, || {
            let [handle, value, header, at] = arguments::<4>(env, info)?;
            let now = now(number(env, at)?)?;
            let verifier = verifier(env, handle)?;
            with_header(env, header, |h| {
                with_body(env, value, body, |b| outcome(verifier.verify(b, h, now)))
            })?
        })
    }
}

/// `(verifier, body, header)`: verifies an onboarding webhook, returning the secret index, or
/// `NaN` for a rejection.
///
/// # Safety
/// `env` and `info` must be those of the call in progress.
unsafe fn onboarding(env: napi_env, info: napi_callback_info, body: Body) -> napi_value {
    // SAFETY: `env` and `info` are those of the call in progress (this function's contract), and
    // every value the calls below read is one of its arguments: what each of them requires.
    unsafe {
        call(env, || {
            let [handle, value, header] = arguments::<3>(env, info)?;
            let verifier = verifier(env, handle)?;
            with_header(env, header, |h| {
                with_body(env, value, body, |b| {
                    outcome(verifier.verify_onboarding(b, h))
                })
            })?
        })
    }
}

/// Calls `f` with a header that may be absent: `undefined` or `null` is `None`, a string its bytes
/// (as [`with_header`]).
///
/// # Safety
/// `env` must be the environment of the call in progress.
unsafe fn with_optional_header<R>(
    env: napi_env,
    value: napi_value,
    f: impl FnOnce(Option<&[u8]>) -> R,
) -> Result<R, Refused> {
    let mut kind = MaybeUninit::<sys::napi_valuetype>::uninit();
    // SAFETY: `kind` receives the type of `value`, an argument of this call.
    let status = unsafe { sys::napi_typeof(env, value, kind.as_mut_ptr()) };
    if status != Status::napi_ok {
        return Err(Refused(c"header must be a string or undefined"));
    }
    // SAFETY: written on success.
    match unsafe { kind.assume_init() } {
        sys::ValueType::napi_undefined | sys::ValueType::napi_null => Ok(f(None)),
        // SAFETY: the caller's contract.
        _ => unsafe { with_header(env, value, |h| f(Some(h))) },
    }
}

/// `(verifier, body, business, onboarding, now)`: verifies a request under the verifier's
/// configured schemes (`Verifier::verify_request`: the core picks the header, never the request),
/// returning the packed result (see `outcome_request`), or `NaN` for a rejection.
///
/// # Safety
/// `env` and `info` must be those of the call in progress.
unsafe fn request(env: napi_env, info: napi_callback_info, body: Body) -> napi_value {
    // SAFETY: `env` and `info` are those of the call in progress (this function's contract), and
    // every value the calls below read is one of its arguments: what each of them requires.
    unsafe {
        call(env, || {
            let [handle, value, business, onboarding, at] = arguments::<5>(env, info)?;
            let now = now(number(env, at)?)?;
            let verifier = verifier(env, handle)?;
            let packed = with_optional_header(env, business, |b| {
                with_optional_header(env, onboarding, |o| {
                    with_body(env, value, body, |bytes| {
                        outcome_request(verifier.verify_request(b, o, bytes, now))
                    })
                })
            })???;
            Ok(packed)
        })
    }
}

/// `verifyRequestBytes(verifier, body: Uint8Array, business?: string, onboarding?: string, now: number): number`.
unsafe extern "C" fn verify_request_bytes(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: called by Node-API with this call's `env` and `info`.
    unsafe { request(env, info, Body::Bytes) }
}

/// `verifyRequestString(verifier, body: string, business?: string, onboarding?: string, now: number): number`.
unsafe extern "C" fn verify_request_string(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: as above.
    unsafe { request(env, info, Body::String) }
}

/// `verifyBytes(verifier, body: Uint8Array, header: string, now: number): number`.
unsafe extern "C" fn verify_bytes(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: called by Node-API with this call's `env` and `info`.
    unsafe { business(env, info, Body::Bytes) }
}

/// `verifyString(verifier, body: string, header: string, now: number): number`.
unsafe extern "C" fn verify_string(env: napi_env, info: napi_callback_info) -> napi_value {
    // SAFETY: as above.
    unsafe { business(env, info, Body::String) }
}

/// `verifyOnboardingBytes(verifier, body: Uint8Array, header: string): number`.
unsafe extern "C" fn verify_onboarding_bytes(
    env: napi_env,
    info: napi_callback_info,
) -> napi_value {
    // SAFETY: as above.
    unsafe { onboarding(env, info, Body::Bytes) }
}

/// `verifyOnboardingString(verifier, body: string, header: string): number`.
unsafe extern "C" fn verify_onboarding_string(
    env: napi_env,
    info: napi_callback_info,
) -> napi_value {
    // SAFETY: as above.
    unsafe { onboarding(env, info, Body::String) }
}
