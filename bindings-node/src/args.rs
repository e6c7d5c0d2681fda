//! Byte arguments from JavaScript, checked before the core reads them.
//!
//! A `Uint8Array` is read in place only when its memory is an ordinary, attached `ArrayBuffer`:
//!
//! - a detached buffer (transferred to a worker, or `ArrayBuffer.prototype.transfer`) is refused:
//!   its view reports no bytes, and verifying it as the empty body would be a different message
//!   from the one the caller meant;
//! - a `SharedArrayBuffer` is refused: another thread may write it while the core reads it, which
//!   is undefined behaviour for a Rust slice. `index.js` copies such views before calling.
//!
//! Secrets are always copied, into a buffer wiped when dropped ([`SecretArg`]).

use std::ffi::{CStr, c_void};
use std::mem::MaybeUninit;
use std::ptr;

use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue};
use napi::sys::{self, Status, TypedarrayType, napi_env, napi_value};
use napi::{Error, ValueType};
use zeroize::Zeroizing;

/// Why bytes were refused (a `TypeError`, code `InvalidArg`, in the end).
pub type Refusal = &'static CStr;

const NOT_BYTES: Refusal = c"body must be a Uint8Array or a string";
const DETACHED: Refusal =
    c"the Uint8Array's buffer is detached (transferred): it no longer holds the bytes";
const SHARED: Refusal =
    c"a Uint8Array over a SharedArrayBuffer is not read in place: copy it into an ordinary buffer";

/// A `Uint8Array`'s bytes, in place, when its memory is an attached, non-shared `ArrayBuffer`.
///
/// # Safety
/// `env` must be the environment of the call in progress, and `value` one of its arguments; the
/// bytes may be used until the call returns, and no JavaScript may run meanwhile.
pub unsafe fn typed_bytes<'a>(env: napi_env, value: napi_value) -> Result<&'a [u8], Refusal> {
    let mut kind = MaybeUninit::<sys::napi_typedarray_type>::uninit();
    let mut len = 0usize;
    let mut data: *mut c_void = ptr::null_mut();
    let mut buffer: napi_value = ptr::null_mut();
    // SAFETY: the out-pointers are valid; the byte offset is not wanted (null is allowed).
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env,
            value,
            kind.as_mut_ptr(),
            &raw mut len,
            &raw mut data,
            &raw mut buffer,
            ptr::null_mut(),
        )
    };
    // SAFETY: on success Node-API wrote the kind.
    if status != Status::napi_ok || unsafe { kind.assume_init() } != TypedarrayType::uint8_array {
        return Err(NOT_BYTES);
    }
    // `napi_is_arraybuffer` is false for a SharedArrayBuffer.
    let mut plain = false;
    // SAFETY: `buffer` is the array's buffer, just given by Node-API; `plain` receives the answer.
    let status = unsafe { sys::napi_is_arraybuffer(env, buffer, &raw mut plain) };
    if status != Status::napi_ok || !plain {
        return Err(SHARED);
    }
    if len == 0 {
        // A detached buffer's views report no bytes: tell them from a truly empty array.
        let mut gone = false;
        // SAFETY: as above.
        let status = unsafe { sys::napi_is_detached_arraybuffer(env, buffer, &raw mut gone) };
        if status != Status::napi_ok || gone {
            return Err(DETACHED);
        }
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(NOT_BYTES);
    }
    // SAFETY: Node-API gives the first element's address (the byte offset applied) and the
    // number of elements, one byte each for a Uint8Array; the memory is not shared, and stays put
    // while the array is alive (an argument of this call) and no JavaScript runs.
    Ok(unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) })
}

/// A string's UTF-8 bytes (lone surrogates become U+FFFD), copied into `out`, whose length is set.
///
/// # Safety
/// `env` must be the environment of the call in progress.
pub unsafe fn string_into(env: napi_env, value: napi_value, out: &mut Vec<u8>) -> Result<(), ()> {
    let mut len = 0usize;
    // SAFETY: with no buffer, Node-API only reports the length in bytes.
    let status =
        unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &raw mut len) };
    if status != Status::napi_ok {
        return Err(());
    }
    out.clear();
    out.reserve_exact(len + 1);
    let mut written = 0usize;
    // SAFETY: `out` has room for `len + 1` bytes, the size passed (the string and its NUL).
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            env,
            value,
            out.as_mut_ptr().cast(),
            len + 1,
            &raw mut written,
        )
    };
    if status != Status::napi_ok || written > len {
        return Err(());
    }
    // SAFETY: Node-API initialized the first `written` bytes, within the capacity.
    unsafe { out.set_len(written) };
    Ok(())
}

fn is_string(env: napi_env, value: napi_value) -> bool {
    let mut kind = MaybeUninit::<sys::napi_valuetype>::uninit();
    // SAFETY: `kind` receives the type; `env` and `value` are the call's (the callers' contract).
    let status = unsafe { sys::napi_typeof(env, value, kind.as_mut_ptr()) };
    // SAFETY: written on success.
    status == Status::napi_ok && unsafe { kind.assume_init() } == sys::ValueType::napi_string
}

fn refused(message: Refusal) -> Error {
    Error::new(
        napi::Status::InvalidArg,
        message.to_string_lossy().into_owned(),
    )
}

/// A body (or a piece of one) as JavaScript gives it: a string, copied as its UTF-8 bytes, or a
/// `Uint8Array`, read in place when [`typed_bytes`] allows it.
pub enum BodyArg<'a> {
    /// A string's UTF-8 bytes.
    Text(Vec<u8>),
    /// A `Uint8Array`'s bytes, in place.
    Bytes(&'a [u8]),
}

impl BodyArg<'_> {
    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            BodyArg::Text(t) => t,
            BodyArg::Bytes(b) => b,
        }
    }
}

impl TypeName for BodyArg<'_> {
    fn type_name() -> &'static str {
        "string | Uint8Array"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ValidateNapiValue for BodyArg<'_> {}

impl FromNapiValue for BodyArg<'_> {
    unsafe fn from_napi_value(env: napi_env, value: napi_value) -> napi::Result<Self> {
        if is_string(env, value) {
            let mut text = Vec::new();
            // SAFETY: napi-rs calls this with the call's `env` and one of its arguments.
            unsafe { string_into(env, value, &mut text) }.map_err(|()| refused(NOT_BYTES))?;
            return Ok(BodyArg::Text(text));
        }
        // SAFETY: as above; napi-rs uses the argument within the call, running no JavaScript.
        unsafe { typed_bytes(env, value) }
            .map(BodyArg::Bytes)
            .map_err(refused)
    }
}

/// A secret as JavaScript gives it (a string's UTF-8 bytes or a `Uint8Array`'s), copied into a
/// buffer that is wiped when dropped.
pub struct SecretArg(pub Zeroizing<Vec<u8>>);

impl SecretArg {
    /// The secret's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl TypeName for SecretArg {
    fn type_name() -> &'static str {
        "string | Uint8Array"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ValidateNapiValue for SecretArg {}

impl FromNapiValue for SecretArg {
    unsafe fn from_napi_value(env: napi_env, value: napi_value) -> napi::Result<Self> {
        let mut copy = Zeroizing::new(Vec::new());
        if is_string(env, value) {
            // SAFETY: napi-rs calls this with the call's `env` and one of its arguments. The
            // vector is sized before Node-API writes, so it never reallocates (which would leave
            // an unwiped copy behind).
            unsafe { string_into(env, value, &mut copy) }
                .map_err(|()| refused(c"secret must be a string or a Uint8Array"))?;
        } else {
            // SAFETY: as above.
            let bytes = unsafe { typed_bytes(env, value) }.map_err(|m| {
                refused(if m == NOT_BYTES {
                    c"secret must be a string or a Uint8Array"
                } else {
                    m
                })
            })?;
            copy.extend_from_slice(bytes);
        }
        Ok(SecretArg(copy))
    }
}

#[cfg(test)]
mod tests {
    use super::SecretArg;
    use zeroize::Zeroizing;

    #[test]
    fn secret_copies_are_wiped_on_drop() {
        // The type is the guarantee: a `SecretArg` owns its bytes only through `Zeroizing`.
        fn owned(secret: SecretArg) -> Zeroizing<Vec<u8>> {
            secret.0
        }
        let secret = SecretArg(Zeroizing::new(b"whsec_x".to_vec()));
        assert_eq!(secret.bytes(), b"whsec_x");
        assert_eq!(&*owned(secret), b"whsec_x");
    }
}
