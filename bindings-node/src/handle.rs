//! Verifier handles: a JavaScript external that owns one boxed [`Verifier`].
//!
//! napi-rs's `External` checks a handle against a process-wide registry behind a lock on every
//! use, about 20 ns of each verification. A handle only ever lives on the JavaScript thread that
//! made it (JavaScript values cannot cross threads), so the registry here is per thread and takes
//! no lock. It is what makes reading a handle safe: an external made by other native code holds a
//! pointer of unknown type, which is never followed unless this thread registered it.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::ffi::c_void;
use std::ptr;

use napi::bindgen_prelude::{ToNapiValue, TypeName, Unknown, ValidateNapiValue};
use napi::sys::{self, Status, napi_env, napi_value};
use napi::{JsValue, ValueType};
use qonto_webhooks::Verifier;

std::thread_local! {
    /// The addresses of this thread's live verifiers: added when a handle is made, removed by its
    /// finalizer.
    static LIVE: RefCell<BTreeSet<usize>> = const { RefCell::new(BTreeSet::new()) };
}

/// What V8 is told each handle holds, so that its garbage collector counts it.
#[allow(clippy::cast_possible_wrap)] // A few kilobytes.
const HANDLE_BYTES: i64 = std::mem::size_of::<Verifier>() as i64;

/// A new verifier, returned to JavaScript as a handle.
pub struct NewHandle(pub Verifier);

impl TypeName for NewHandle {
    fn type_name() -> &'static str {
        "ExternalObject"
    }

    fn value_type() -> ValueType {
        ValueType::External
    }
}

impl ValidateNapiValue for NewHandle {}

impl ToNapiValue for NewHandle {
    unsafe fn to_napi_value(env: napi_env, val: Self) -> napi::Result<napi_value> {
        let data = Box::into_raw(Box::new(val.0));
        let mut handle = ptr::null_mut();
        // SAFETY: `env` is live (the caller's contract); `finalize` frees `data` exactly once,
        // when V8 collects the external.
        let status = unsafe {
            sys::napi_create_external(
                env,
                data.cast(),
                Some(finalize),
                ptr::null_mut(),
                &raw mut handle,
            )
        };
        if status != Status::napi_ok {
            // SAFETY: the external was not made, so nothing else owns `data`.
            drop(unsafe { Box::from_raw(data) });
            return Err(napi::Error::from_reason("could not make a verifier handle"));
        }
        LIVE.with(|live| live.borrow_mut().insert(data as usize));
        let mut adjusted = 0i64;
        // SAFETY: `env` is live. A failure only leaves V8's estimate unchanged.
        let _ = unsafe { sys::napi_adjust_external_memory(env, HANDLE_BYTES, &raw mut adjusted) };
        Ok(handle)
    }
}

/// Frees a handle's verifier when V8 collects the handle (on the thread that made it).
unsafe extern "C" fn finalize(env: napi_env, data: *mut c_void, _hint: *mut c_void) {
    // At thread exit the registry may already be gone; the verifier is freed all the same.
    let _ = LIVE.try_with(|live| live.borrow_mut().remove(&(data as usize)));
    // SAFETY: `data` came from `Box::into_raw` in `to_napi_value`, and V8 finalizes once.
    drop(unsafe { Box::from_raw(data.cast::<Verifier>()) });
    let mut adjusted = 0i64;
    // SAFETY: `env` is the finalizing environment. A failure only leaves the estimate unchanged.
    let _ = unsafe { sys::napi_adjust_external_memory(env, -HANDLE_BYTES, &raw mut adjusted) };
}

/// The verifier behind a handle made on this thread, or `None` for any other value.
///
/// # Safety
/// `env` must be the environment of the call in progress, and `value` one of its arguments: the
/// argument keeps the handle, hence the verifier, alive for the whole call, which is as long as
/// the returned reference may be used.
pub unsafe fn verifier<'a>(env: napi_env, value: napi_value) -> Option<&'a Verifier> {
    let mut data: *mut c_void = ptr::null_mut();
    // SAFETY: `data` receives the external's pointer; any other value gives an error status.
    let status = unsafe { sys::napi_get_value_external(env, value, &raw mut data) };
    if status != Status::napi_ok || !LIVE.with(|live| live.borrow().contains(&(data as usize))) {
        return None;
    }
    // SAFETY: registered, so `data` is a live `Box<Verifier>` made by `to_napi_value` on this
    // thread, freed only by `finalize` once the handle is collected, which the caller's argument
    // prevents for the duration of the call.
    Some(unsafe { &*data.cast::<Verifier>() })
}

/// [`verifier`] for an argument napi-rs has converted, as a `TypeError` when it is not a handle.
pub fn from_arg<'a>(value: &Unknown<'a>) -> napi::Result<&'a Verifier, String> {
    let raw = value.value();
    // SAFETY: an `Unknown` argument holds the environment and value of the call in progress.
    unsafe { verifier(raw.env, raw.value) }.ok_or_else(|| {
        napi::Error::new(
            "InvalidArg".to_owned(),
            "verifier must be a handle made by newVerifier".to_owned(),
        )
    })
}
