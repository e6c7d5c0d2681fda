//! Python arguments to Rust: bodies, headers, secrets, tolerance, schemes, clock values.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyByteArray, PyBytes, PyDict, PyFrozenSet, PyInt, PyMemoryView, PySet, PyString,
};

use pyo3::sync::critical_section::with_critical_section;
use zeroize::Zeroizing;

use qonto_webhooks as core_;
use qonto_webhooks::{Schemes, Tolerance};

use crate::errors::InvalidSecretError;

/// Bodies longer than this are hashed with the GIL released, so that other threads run
/// meanwhile. Below it, releasing and taking the GIL back costs more than the HMAC itself.
const DETACH_THRESHOLD: usize = 4096;

/// The name of an object's type, for `TypeError` messages.
fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .qualname()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string())
}

/// Runs `f` over the bytes of a body (`bytes`, `bytearray`, `memoryview` or `str` as UTF-8),
/// with the GIL released when the body is large.
///
/// `bytes` are read in place. A `str` is encoded to UTF-8 once (read in place when built for
/// 3.11+). A small `bytearray` is read in place, under its critical section; a large one is
/// copied first (under its critical section too: `to_vec`), since another thread could resize it
/// while the GIL is released. A `memoryview` is copied once (the buffer protocol is not in the
/// stable ABI of Python 3.9).
pub(crate) fn with_body<R, F>(py: Python<'_>, body: &Bound<'_, PyAny>, f: F) -> PyResult<R>
where
    F: FnOnce(&[u8]) -> R + Send,
    R: Send,
{
    let owned: Bound<'_, PyBytes>;
    let slice: &[u8] = if let Ok(b) = body.cast::<PyBytes>() {
        b.as_bytes()
    } else if let Ok(s) = body.cast::<PyString>() {
        #[cfg(fast_abi)]
        {
            // Immutable, and its UTF-8 form is cached in the object: safe to read unlocked.
            s.to_str()?.as_bytes()
        }
        #[cfg(not(fast_abi))]
        {
            owned = s.encode_utf8()?;
            owned.as_bytes()
        }
    } else if let Ok(a) = body.cast::<PyByteArray>() {
        if a.len() > DETACH_THRESHOLD {
            let copy = a.to_vec();
            return Ok(py.detach(|| f(&copy)));
        }
        // Read in place (no copy on this path). With the GIL, nothing can resize or free the
        // buffer meanwhile. Free-threaded CPython has no GIL to rely on: the module declares
        // `gil_used = true` (see `native`), and the read also holds the bytearray's critical
        // section, which is what bytearray's own methods lock from 3.14t on (3.13t's bytearray
        // locks nothing, hence the declaration). Without a free-threaded build both compile to
        // nothing.
        return Ok(with_critical_section(a.as_any(), || {
            // SAFETY: the GIL (or the bytearray's critical section) is held for the whole read
            // and `f` runs no Python code, so the buffer is neither resized nor freed while the
            // slice is alive.
            #[allow(unsafe_code)]
            let slice = unsafe { a.as_bytes() };
            f(slice)
        }));
    } else if body.is_instance_of::<PyMemoryView>() {
        owned = py
            .get_type::<PyBytes>()
            .call1((body,))?
            .cast_into::<PyBytes>()?;
        owned.as_bytes()
    } else {
        return Err(PyTypeError::new_err(format!(
            "body must be bytes, bytearray, memoryview or str (the raw request body), not {}",
            type_name(body)
        )));
    };
    if slice.len() > DETACH_THRESHOLD {
        Ok(py.detach(|| f(slice)))
    } else {
        Ok(f(slice))
    }
}

/// A header value's bytes: `str` as UTF-8, `bytes`, or `None` (an absent header, which the core
/// then reports as `missing_header`).
pub(crate) enum Header<'a, 'py> {
    Borrowed(&'a [u8]),
    /// A `str` encoded to UTF-8 (the stable ABI of 3.9 cannot read a `str`'s UTF-8 in place).
    #[cfg_attr(fast_abi, allow(dead_code))]
    Encoded(Bound<'py, PyBytes>),
    /// A `str` holding a lone surrogate, each one read as U+FFFD.
    Replaced(Vec<u8>),
}

impl Header<'_, '_> {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Header::Borrowed(b) => b,
            Header::Encoded(b) => b.as_bytes(),
            Header::Replaced(b) => b,
        }
    }
}

pub(crate) fn header_arg<'a, 'py>(header: &'a Bound<'py, PyAny>) -> PyResult<Header<'a, 'py>> {
    if header.is_none() {
        Ok(Header::Borrowed(b""))
    } else if let Ok(b) = header.cast::<PyBytes>() {
        Ok(Header::Borrowed(b.as_bytes()))
    } else if let Ok(s) = header.cast::<PyString>() {
        #[cfg(fast_abi)]
        let utf8 = s.to_str().map(|s| Header::Borrowed(s.as_bytes()));
        #[cfg(not(fast_abi))]
        let utf8 = s.encode_utf8().map(Header::Encoded);
        // Only a lone surrogate has no UTF-8 form.
        utf8.or_else(|_| replace_lone_surrogates(s).map(Header::Replaced))
    } else {
        Err(PyTypeError::new_err(format!(
            "header must be str, bytes or None (the signature header's value), not {}",
            type_name(header)
        )))
    }
}

/// The UTF-8 bytes of a `str` holding lone surrogates (U+D800..U+DFFF, which have no UTF-8 form),
/// each one replaced by U+FFFD: what Node (V8) makes of such a string. No HTTP server hands one
/// over, but a header holding one is then a header like any other, and the core gives the
/// verdict (`malformed_header` wherever the grammar looks), never a `UnicodeEncodeError` that an
/// `except WebhookVerificationError` would not catch. Only runs when plain UTF-8 failed.
fn replace_lone_surrogates(s: &Bound<'_, PyString>) -> PyResult<Vec<u8>> {
    let utf16 = s.call_method1("encode", ("utf-16-le", "surrogatepass"))?;
    let utf16 = utf16.cast::<PyBytes>()?.as_bytes();
    let units = utf16
        .chunks_exact(2)
        .map(|pair| <[u8; 2]>::try_from(pair).map_or(0xFFFD, u16::from_le_bytes));
    Ok(char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect::<String>()
        .into_bytes())
}

/// A non-negative int argument (unix seconds): `TypeError` for another type, `ValueError` when
/// negative or too large.
pub(crate) fn seconds_arg(value: &Bound<'_, PyAny>, what: &str) -> PyResult<u64> {
    if !value.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an int (seconds), not {}",
            type_name(value)
        )));
    }
    let out_of_range = || {
        PyValueError::new_err(format!(
            "{what} must be between 0 and 2**64 - 1 seconds, got {value}"
        ))
    };
    // `i64` first: on 64-bit Linux and macOS that is `PyLong_AsLong`, a few dozen instructions, where
    // `PyLong_AsUnsignedLongLong` (what a `u64` extraction calls) goes through a byte array and
    // costs five times as much: that was most of what `now=` added to a call. Only an int of
    // 2**63 or more (an `OverflowError` here) takes the `u64` path.
    match value.extract::<i64>() {
        Ok(seconds) => u64::try_from(seconds).map_err(|_| out_of_range()),
        Err(_) => value.extract::<u64>().map_err(|_| out_of_range()),
    }
}

/// The only value that switches the replay window off.
pub(crate) const TOLERANCE_DISABLED: &str = "disabled";

/// `tolerance=`: an int of seconds; `None` for the default (300 s: what `settings.get("X")` gives
/// when the setting is absent must not switch the window off); `"disabled"`, spelled out, to
/// switch it off. Negative: `ValueError`.
pub(crate) struct ToleranceArg(pub(crate) Tolerance);

impl<'a, 'py> FromPyObject<'a, 'py> for ToleranceArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_none() {
            return Ok(ToleranceArg(Tolerance::default()));
        }
        if let Ok(s) = obj.cast::<PyString>() {
            return if s.to_cow().is_ok_and(|s| s == TOLERANCE_DISABLED) {
                Ok(ToleranceArg(Tolerance::Disabled))
            } else {
                Err(PyValueError::new_err(format!(
                    "tolerance must be an int of seconds, or \"{TOLERANCE_DISABLED}\" to switch \
                     the replay window off (archived events only), not {}",
                    obj.repr()
                        .map_or_else(|_| "this str".to_owned(), |r| r.to_string())
                )))
            };
        }
        if obj.is_instance_of::<PyInt>() && obj.lt(0)? {
            return Err(PyValueError::new_err(format!(
                "tolerance must be 0 or more seconds, got {}: a negative tolerance does not \
                 switch the window off (tolerance=\"{TOLERANCE_DISABLED}\" does, for archived \
                 events only)",
                obj.as_any()
            )));
        }
        seconds_arg(&obj, "tolerance").map(|s| ToleranceArg(Tolerance::Seconds(s)))
    }
}

/// The `tolerance` getter's value: the int of seconds, or `"disabled"` (what the constructor
/// takes back).
#[derive(IntoPyObject)]
pub(crate) enum ToleranceValue {
    Seconds(u64),
    Disabled(&'static str),
}

impl From<Tolerance> for ToleranceValue {
    fn from(tolerance: Tolerance) -> ToleranceValue {
        match tolerance {
            Tolerance::Seconds(s) => ToleranceValue::Seconds(s),
            Tolerance::Disabled => ToleranceValue::Disabled(TOLERANCE_DISABLED),
        }
    }
}

/// `schemes=`: the schemes `verify_request` accepts, `"business"` (the default), `"onboarding"`
/// or `"both"`: the core's `Schemes`.
pub(crate) struct SchemesArg(pub(crate) Schemes);

impl<'a, 'py> FromPyObject<'a, 'py> for SchemesArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let Ok(s) = obj.cast::<PyString>() else {
            return Err(PyTypeError::new_err(format!(
                "schemes must be a str (\"business\", \"onboarding\" or \"both\"), not {}",
                type_name(&obj)
            )));
        };
        s.to_cow()
            .ok()
            .and_then(|name| Schemes::from_name(&name))
            .map(SchemesArg)
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "schemes must be \"business\", \"onboarding\" or \"both\", not {}",
                    obj.repr()
                        .map_or_else(|_| "this str".to_owned(), |r| r.to_string())
                ))
            })
    }
}

pub(crate) fn now_arg(now: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
    match now {
        Some(n) if !n.is_none() => seconds_arg(n, "now"),
        _ => Ok(core_::unix_now()),
    }
}

/// A copy of a secret's bytes, wiped when dropped.
type SecretBytes = Zeroizing<Vec<u8>>;

/// The bytes of one secret (`str` as UTF-8, `bytes` or `bytearray`), `None` for another type.
///
/// The copy made here is wiped when dropped. The Python objects are not ours to wipe: the
/// caller's `str`/`bytes`, and the temporary `bytes` a `str` is encoded into (freed, not wiped).
fn secret_bytes(secret: &Bound<'_, PyAny>) -> PyResult<Option<SecretBytes>> {
    if let Ok(b) = secret.cast::<PyBytes>() {
        Ok(Some(Zeroizing::new(b.as_bytes().to_vec())))
    } else if let Ok(s) = secret.cast::<PyString>() {
        let utf8 = s.encode_utf8().map_err(|_| {
            // Only a lone surrogate has no UTF-8 form. The message never shows the secret.
            InvalidSecretError::new_err((
                "the secret is a str holding a lone surrogate (U+D800..U+DFFF), which has no \
                 UTF-8 form: os.environ gives such a str when the variable's bytes are not \
                 UTF-8; pass the secret as bytes (e.g. os.environb[b\"QONTO_WEBHOOK_SECRET\"])",
                None::<&str>,
            ))
        })?;
        Ok(Some(Zeroizing::new(utf8.as_bytes().to_vec())))
    } else if let Ok(a) = secret.cast::<PyByteArray>() {
        Ok(Some(Zeroizing::new(a.to_vec())))
    } else {
        Ok(None)
    }
}

/// One secret or a sequence of them. Stops reading an iterable after `MAX_SECRETS + 1` items:
/// the core then refuses too many secrets.
pub(crate) fn secrets_arg(secret: &Bound<'_, PyAny>) -> PyResult<Vec<SecretBytes>> {
    if let Some(one) = secret_bytes(secret)? {
        return Ok(vec![one]);
    }
    let type_error = || {
        PyTypeError::new_err(format!(
            "secret must be str, bytes, or a sequence of them (rotation), not {}",
            type_name(secret)
        ))
    };
    // A dict or a set iterates too, but gives no meaningful order (or holds something else).
    if secret.is_instance_of::<PyDict>()
        || secret.is_instance_of::<PySet>()
        || secret.is_instance_of::<PyFrozenSet>()
    {
        return Err(type_error());
    }
    let iter = secret.try_iter().map_err(|_| type_error())?;
    let mut secrets = Vec::new();
    for item in iter {
        let item = item?;
        let bytes = secret_bytes(&item)?.ok_or_else(|| {
            PyTypeError::new_err(format!(
                "each secret must be str or bytes, not {}",
                type_name(&item)
            ))
        })?;
        secrets.push(bytes);
        if secrets.len() > core_::MAX_SECRETS {
            break;
        }
    }
    Ok(secrets)
}

pub(crate) fn one_secret_arg(secret: &Bound<'_, PyAny>) -> PyResult<SecretBytes> {
    secret_bytes(secret)?.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "secret must be str or bytes, not {}",
            type_name(secret)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The secret copies this module makes are wiped when dropped: `secret_bytes` and
    /// `secrets_arg` return `Zeroizing` buffers (this test does not compile if they return a
    /// plain `Vec`), and they hold the bytes the core is keyed with.
    #[test]
    fn secret_copies_are_zeroizing() {
        Python::initialize();
        Python::attach(|py| {
            let s = PyString::new(py, "whsec_k");
            let one: Option<Zeroizing<Vec<u8>>> = secret_bytes(s.as_any()).unwrap();
            assert_eq!(one.as_deref().map(Vec::as_slice), Some(&b"whsec_k"[..]));
            let list = pyo3::types::PyList::new(py, ["a", "b"]).unwrap();
            let many: Vec<Zeroizing<Vec<u8>>> = secrets_arg(list.as_any()).unwrap();
            assert_eq!(many.len(), 2);
            let bytes = PyByteArray::new(py, b"c");
            let one: Zeroizing<Vec<u8>> = one_secret_arg(bytes.as_any()).unwrap();
            assert_eq!(one.as_slice(), b"c");
        });
    }

    /// A lone surrogate reads as U+FFFD, as V8 writes it.
    #[test]
    fn lone_surrogates_read_as_the_replacement_character() {
        Python::initialize();
        Python::attach(|py| {
            let s = py.eval(c"'a\\ud800b\\udfff'", None, None).unwrap();
            let s = s.cast::<PyString>().unwrap();
            assert_eq!(
                replace_lone_surrogates(s).unwrap(),
                "a\u{FFFD}b\u{FFFD}".as_bytes()
            );
            let header = header_arg(s.as_any()).unwrap();
            assert_eq!(header.as_bytes(), "a\u{FFFD}b\u{FFFD}".as_bytes());
        });
    }
}
