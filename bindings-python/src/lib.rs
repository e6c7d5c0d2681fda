//! The native part of the `qonto_webhooks` Python package (`qonto_webhooks._native`).
//!
//! It only translates: Python arguments in, the core's verdicts out. Every rule lives in the
//! `qonto-webhooks` crate. The exceptions are defined in Python (`qonto_webhooks/exceptions.py`)
//! and imported here, so that they are ordinary Python classes users can subclass and pickle.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyByteArray, PyBytes, PyDict, PyFrozenSet, PyInt, PyMemoryView, PySet, PyString, PyTuple,
};

use pyo3::sync::critical_section::with_critical_section;
use zeroize::Zeroizing;

use qonto_webhooks as core_;
use qonto_webhooks::{ErrorKind, Schemes, Tolerance};

pyo3::import_exception!(qonto_webhooks.exceptions, WebhookVerificationError);
pyo3::import_exception!(qonto_webhooks.exceptions, InvalidSecretError);
pyo3::import_exception!(qonto_webhooks.exceptions, MissingHeaderError);
pyo3::import_exception!(qonto_webhooks.exceptions, MalformedHeaderError);
pyo3::import_exception!(qonto_webhooks.exceptions, MissingTimestampError);
pyo3::import_exception!(qonto_webhooks.exceptions, MissingSignatureError);
pyo3::import_exception!(qonto_webhooks.exceptions, TimestampTooOldError);
pyo3::import_exception!(qonto_webhooks.exceptions, TimestampInFutureError);
pyo3::import_exception!(qonto_webhooks.exceptions, SignatureMismatchError);

/// Bodies longer than this are hashed with the GIL released, so that other threads run
/// meanwhile. Below it, releasing and taking the GIL back costs more than the HMAC itself.
const DETACH_THRESHOLD: usize = 4096;

/// The Python exception for a core error: one class per stable code, message from the core.
fn to_py_err(err: core_::Error) -> PyErr {
    // A secret is refused before any scheme is involved.
    let scheme = match err.kind() {
        ErrorKind::InvalidSecret => None,
        _ => Some(err.scheme().as_str()),
    };
    let args = (err.to_string(), scheme);
    match err.kind() {
        ErrorKind::InvalidSecret => InvalidSecretError::new_err(args),
        ErrorKind::MissingHeader => MissingHeaderError::new_err(args),
        ErrorKind::MalformedHeader => MalformedHeaderError::new_err(args),
        ErrorKind::MissingTimestamp => MissingTimestampError::new_err(args),
        ErrorKind::MissingSignature => MissingSignatureError::new_err(args),
        ErrorKind::TimestampTooOld => TimestampTooOldError::new_err(args),
        ErrorKind::TimestampInFuture => TimestampInFutureError::new_err(args),
        ErrorKind::SignatureMismatch => SignatureMismatchError::new_err(args),
        // A kind added to the core later: the base class, with the new code.
        kind => WebhookVerificationError::new_err((args.0, args.1, kind.code())),
    }
}

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
fn with_body<R, F>(py: Python<'_>, body: &Bound<'_, PyAny>, f: F) -> PyResult<R>
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
enum Header<'a, 'py> {
    Borrowed(&'a [u8]),
    /// A `str` encoded to UTF-8 (the stable ABI of 3.9 cannot read a `str`'s UTF-8 in place).
    #[cfg_attr(fast_abi, allow(dead_code))]
    Encoded(Bound<'py, PyBytes>),
    /// A `str` holding a lone surrogate, each one read as U+FFFD.
    Replaced(Vec<u8>),
}

impl Header<'_, '_> {
    fn as_bytes(&self) -> &[u8] {
        match self {
            Header::Borrowed(b) => b,
            Header::Encoded(b) => b.as_bytes(),
            Header::Replaced(b) => b,
        }
    }
}

fn header_arg<'a, 'py>(header: &'a Bound<'py, PyAny>) -> PyResult<Header<'a, 'py>> {
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
fn seconds_arg(value: &Bound<'_, PyAny>, what: &str) -> PyResult<u64> {
    if !value.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an int (seconds), not {}",
            type_name(value)
        )));
    }
    value.extract::<u64>().map_err(|_| {
        PyValueError::new_err(format!(
            "{what} must be between 0 and 2**64 - 1 seconds, got {value}"
        ))
    })
}

/// The only value that switches the replay window off.
const TOLERANCE_DISABLED: &str = "disabled";

/// `tolerance=`: an int of seconds; `None` for the default (300 s: what `settings.get("X")` gives
/// when the setting is absent must not switch the window off); `"disabled"`, spelled out, to
/// switch it off. Negative: `ValueError`.
struct ToleranceArg(Tolerance);

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
enum ToleranceValue {
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
struct SchemesArg(Schemes);

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

fn now_arg(now: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
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
fn secrets_arg(secret: &Bound<'_, PyAny>) -> PyResult<Vec<SecretBytes>> {
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

fn one_secret_arg(secret: &Bound<'_, PyAny>) -> PyResult<SecretBytes> {
    secret_bytes(secret)?.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "secret must be str or bytes, not {}",
            type_name(secret)
        ))
    })
}

/// A successful verification.
///
/// ``secret_index`` is the index of the secret that matched (the first one, in the order given
/// to the ``Verifier``); ``timestamp`` is the header's ``t`` (unix seconds) for a business webhook
/// and ``None`` for an onboarding webhook; ``scheme`` is ``"business"`` or ``"onboarding"``.
#[pyclass(module = "qonto_webhooks", frozen, eq, hash, get_all)]
#[derive(Clone, PartialEq, Eq, Hash)]
struct Verified {
    secret_index: usize,
    timestamp: Option<u64>,
    scheme: &'static str,
}

#[pymethods]
impl Verified {
    #[new]
    #[pyo3(signature = (secret_index, timestamp, scheme))]
    fn new(secret_index: usize, timestamp: Option<u64>, scheme: &str) -> PyResult<Self> {
        let scheme = match scheme {
            "business" => "business",
            "onboarding" => "onboarding",
            _ => {
                return Err(PyValueError::new_err(
                    "scheme must be \"business\" or \"onboarding\"",
                ));
            }
        };
        Ok(Verified {
            secret_index,
            timestamp,
            scheme,
        })
    }

    fn __repr__(&self) -> String {
        let timestamp = self
            .timestamp
            .map_or_else(|| "None".to_owned(), |t| t.to_string());
        format!(
            "Verified(secret_index={}, timestamp={timestamp}, scheme='{}')",
            self.secret_index, self.scheme
        )
    }
}

impl From<core_::Verified> for Verified {
    fn from(v: core_::Verified) -> Verified {
        Verified {
            secret_index: v.secret_index,
            timestamp: v.timestamp,
            scheme: v.scheme.as_str(),
        }
    }
}

/// Verifies Qonto webhook signatures with one or more secrets. Thread-safe: build it once and
/// share it. The native base of `qonto_webhooks.Verifier` (which adds the methods written in Python).
#[pyclass(module = "qonto_webhooks._native", frozen, subclass)]
struct Verifier {
    inner: core_::Verifier,
}

#[pymethods]
impl Verifier {
    #[new]
    #[pyo3(
        signature = (
            secret, *, tolerance = ToleranceArg(Tolerance::default()),
            schemes = SchemesArg(Schemes::Business)
        ),
        text_signature = "(secret, *, tolerance=300, schemes='business')"
    )]
    fn new(
        secret: &Bound<'_, PyAny>,
        tolerance: ToleranceArg,
        schemes: SchemesArg,
    ) -> PyResult<Self> {
        let secrets = secrets_arg(secret)?;
        let inner = core_::Verifier::with_secrets(&secrets)
            .map_err(to_py_err)?
            .with_tolerance(tolerance.0)
            .with_schemes(schemes.0);
        Ok(Verifier { inner })
    }

    /// The replay window in seconds, or ``"disabled"``.
    #[getter]
    fn tolerance(&self) -> ToleranceValue {
        self.inner.tolerance().into()
    }

    /// The schemes ``verify_request`` accepts: ``"business"``, ``"onboarding"`` or ``"both"``.
    #[getter]
    fn schemes(&self) -> &'static str {
        self.inner.schemes().as_str()
    }

    /// How many secrets this verifier holds.
    #[getter]
    fn secret_count(&self) -> usize {
        self.inner.secret_count()
    }

    /// Verifies a business webhook (``X-Qonto-Signature: t=<unix seconds>,v1=<hex>``).
    ///
    /// ``body`` is the raw request body (``bytes``, ``bytearray``, ``memoryview``, or ``str``
    /// used as UTF-8), byte for byte as received: never a parsed and re-serialised JSON.
    /// ``header`` is the header's value; ``None`` (an absent header) raises
    /// ``MissingHeaderError``. ``now`` is unix seconds, the system clock by default.
    ///
    /// Returns a ``Verified`` (``secret_index``, ``timestamp``). Raises a
    /// ``WebhookVerificationError`` subclass, checked in this order: the header
    /// (``missing_header``, ``malformed_header``, ``missing_timestamp``, ``missing_signature``),
    /// the window (``timestamp_too_old``, ``timestamp_in_future``, before any HMAC is computed),
    /// then ``signature_mismatch``. ``TypeError`` for arguments of the wrong type.
    ///
    /// >>> v = Verifier("test-secret")
    /// >>> v.verify(b'{"test":"data"}', "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805", now=1704110400).secret_index
    /// 0
    #[pyo3(signature = (body, header, *, now = None))]
    fn verify(
        &self,
        py: Python<'_>,
        body: &Bound<'_, PyAny>,
        header: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Verified> {
        let now = now_arg(now)?;
        let header = header_arg(header)?;
        let header = header.as_bytes();
        with_body(py, body, |body| self.inner.verify(body, header, now))?
            .map(Verified::from)
            .map_err(to_py_err)
    }

    /// Verifies an onboarding webhook (``Qonto-SHA256-Signature: <hex>``): the HMAC of the body
    /// alone.
    ///
    /// This scheme has no timestamp, so no replay window: a captured request stays valid
    /// forever; deduplicate on the event id. Returns a ``Verified`` whose ``timestamp`` is
    /// ``None``. Raises ``MissingHeaderError``, ``MalformedHeaderError`` or
    /// ``SignatureMismatchError``.
    #[pyo3(signature = (body, header))]
    fn verify_onboarding(
        &self,
        py: Python<'_>,
        body: &Bound<'_, PyAny>,
        header: &Bound<'_, PyAny>,
    ) -> PyResult<Verified> {
        let header = header_arg(header)?;
        let header = header.as_bytes();
        with_body(py, body, |body| self.inner.verify_onboarding(body, header))?
            .map(Verified::from)
            .map_err(to_py_err)
    }

    /// The native half of ``verify_request``: the values of the two signature headers (``None``
    /// when absent), as ``verify_request`` found them. The core picks the header by this
    /// verifier's ``schemes``, never the request.
    #[pyo3(name = "_verify_request", signature = (business, onboarding, body, *, now = None))]
    fn verify_request_native(
        &self,
        py: Python<'_>,
        business: &Bound<'_, PyAny>,
        onboarding: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Verified> {
        let now = now_arg(now)?;
        let business = header_arg(business)?;
        let onboarding = header_arg(onboarding)?;
        let (business, onboarding) = (business.as_bytes(), onboarding.as_bytes());
        with_body(py, body, |body| {
            self.inner
                .verify_request(Some(business), Some(onboarding), body, now)
        })?
        .map(Verified::from)
        .map_err(to_py_err)
    }

    /// The native half of ``start_request``, as ``_verify_request``.
    #[pyo3(name = "_start_request", signature = (business, onboarding, *, now = None))]
    fn start_request_native(
        &self,
        business: &Bound<'_, PyAny>,
        onboarding: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Incremental> {
        let now = now_arg(now)?;
        let business = header_arg(business)?;
        let onboarding = header_arg(onboarding)?;
        let state = self
            .inner
            .start_request(Some(business.as_bytes()), Some(onboarding.as_bytes()), now)
            .map_err(to_py_err)?;
        Ok(Incremental { state: Some(state) })
    }

    /// Starts verifying a business webhook whose body arrives in chunks (e.g. an ASGI stream).
    ///
    /// The header and the window are checked now, so a stale request is refused before its body
    /// is read. Feed the body with ``update(chunk)``, then call ``finish()``: the verdict is the
    /// one ``verify`` gives for the whole body.
    ///
    /// >>> state = Verifier("test-secret").start("t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805", now=1704110400)
    /// >>> state.update(b'{"test":')
    /// >>> state.update(b'"data"}')
    /// >>> state.finish().secret_index
    /// 0
    #[pyo3(signature = (header, *, now = None))]
    fn start(
        &self,
        header: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Incremental> {
        let now = now_arg(now)?;
        let header = header_arg(header)?;
        let state = self
            .inner
            .start(header.as_bytes(), now)
            .map_err(to_py_err)?;
        Ok(Incremental { state: Some(state) })
    }

    /// Starts verifying an onboarding webhook whose body arrives in chunks.
    #[pyo3(signature = (header))]
    fn start_onboarding(&self, header: &Bound<'_, PyAny>) -> PyResult<Incremental> {
        let header = header_arg(header)?;
        let state = self
            .inner
            .start_onboarding(header.as_bytes())
            .map_err(to_py_err)?;
        Ok(Incremental { state: Some(state) })
    }

    fn __repr__(&self) -> String {
        let tolerance = match self.inner.tolerance() {
            Tolerance::Seconds(s) => s.to_string(),
            Tolerance::Disabled => TOLERANCE_DISABLED.to_owned(),
        };
        // Redacted: the number of secrets, never their bytes.
        format!(
            "<Verifier secrets={} tolerance={tolerance} schemes={}>",
            self.inner.secret_count(),
            self.inner.schemes()
        )
    }
}

/// A verification in progress, for a body read in chunks. Made by ``Verifier.start`` or
/// ``Verifier.start_onboarding``.
#[pyclass(module = "qonto_webhooks")]
struct Incremental {
    /// `None` once finished.
    state: Option<core_::Incremental>,
}

impl Incremental {
    fn state(&mut self) -> PyResult<&mut core_::Incremental> {
        self.state.as_mut().ok_or_else(finished)
    }
}

fn finished() -> PyErr {
    PyValueError::new_err("this verification is already finished: start a new one")
}

#[pymethods]
impl Incremental {
    /// Feeds the next chunk of the raw body.
    fn update(&mut self, py: Python<'_>, chunk: &Bound<'_, PyAny>) -> PyResult<()> {
        let state = self.state()?;
        with_body(py, chunk, |chunk| state.update(chunk))
    }

    /// Finishes: returns a ``Verified`` or raises ``SignatureMismatchError``. Call it once.
    fn finish(&mut self) -> PyResult<Verified> {
        let state = self.state.take().ok_or_else(finished)?;
        state.finish().map(Verified::from).map_err(to_py_err)
    }

    fn __repr__(&self) -> &'static str {
        if self.state.is_some() {
            "<Incremental in progress>"
        } else {
            "<Incremental finished>"
        }
    }
}

/// Signs ``body`` as Qonto signs a business webhook: returns the ``X-Qonto-Signature`` value
/// ``t=<timestamp>,v1=<hex>``. For tests and fixtures. ``timestamp`` defaults to now.
///
/// >>> sign("test-secret", b'{"test":"data"}', timestamp=1704110400)
/// 't=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805'
#[pyfunction]
#[pyo3(signature = (secret, body, *, timestamp = None))]
fn sign(
    py: Python<'_>,
    secret: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
    timestamp: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let timestamp = match timestamp {
        Some(t) if !t.is_none() => seconds_arg(t, "timestamp")?,
        _ => core_::unix_now(),
    };
    let secret = one_secret_arg(secret)?;
    with_body(py, body, |body| core_::sign(&secret, body, timestamp))?
        .map(|h| h.to_string())
        .map_err(to_py_err)
}

/// Signs ``body`` as Qonto signs an onboarding webhook: returns the ``Qonto-SHA256-Signature``
/// value (64 hex digits).
#[pyfunction]
#[pyo3(signature = (secret, body))]
fn sign_onboarding(
    py: Python<'_>,
    secret: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let secret = one_secret_arg(secret)?;
    with_body(py, body, |body| core_::sign_onboarding(&secret, body))?
        .map(|h| h.to_string())
        .map_err(to_py_err)
}

/// What `diagnose` returns to `qonto_webhooks.diagnose`, which wraps it in a `Diagnosis`:
/// `(ok, secret_index, code, message, explained, [(mistake, message), ...])`.
type NativeDiagnosis = (
    bool,
    Option<usize>,
    Option<&'static str>,
    Option<String>,
    bool,
    Vec<(&'static str, String)>,
);

/// Says which known mistake explains why a webhook does not verify (the native half of
/// ``qonto_webhooks.diagnose``).
#[pyfunction]
#[pyo3(
    signature = (
        secret, body, header, *, onboarding = false, now = None,
        tolerance = ToleranceArg(Tolerance::default())
    ),
    text_signature = "(secret, body, header, *, onboarding=False, now=None, tolerance=300)"
)]
fn diagnose(
    py: Python<'_>,
    secret: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
    header: &Bound<'_, PyAny>,
    onboarding: bool,
    now: Option<&Bound<'_, PyAny>>,
    tolerance: ToleranceArg,
) -> PyResult<NativeDiagnosis> {
    let secrets = secrets_arg(secret)?;
    let header = header_arg(header)?;
    let header = header.as_bytes();
    let now = match now {
        Some(t) if !t.is_none() => seconds_arg(t, "now")?,
        _ => core_::unix_now(),
    };
    let scheme = if onboarding {
        core_::Scheme::Onboarding
    } else {
        core_::Scheme::Business
    };
    let d = with_body(py, body, |body| {
        core_::diagnose::diagnose(&secrets, scheme, header, body, now, tolerance.0)
    })?;
    let explained = d.explained();
    let findings = d
        .findings
        .into_iter()
        .map(|f| (f.mistake.code(), f.message))
        .collect();
    Ok(match d.result {
        Ok(v) => (true, Some(v.secret_index), None, None, explained, findings),
        Err(e) => (
            false,
            None,
            Some(e.code()),
            Some(e.to_string()),
            explained,
            findings,
        ),
    })
}

/// The system clock in unix seconds, as the verifier reads it.
#[pyfunction]
fn unix_now() -> u64 {
    core_::unix_now()
}

/// `gil_used = true`: a free-threaded CPython (3.13t, 3.14t) that imports this module turns the
/// GIL back on. `with_body` reads small `bytearray`s in place, which is sound only while nothing
/// can resize them: with the GIL, nothing can. The read also holds the bytearray's critical
/// section, but 3.13t's bytearray methods take no lock, so that alone would not do; and nothing
/// else here has been audited for running without the GIL. Copying every bytearray would cost
/// an allocation per call for what no shipped wheel needs: the wheels are abi3, which free-threaded
/// CPython does not load, so this only concerns builds from source for such an interpreter.
/// `tests/test_free_threading.py` reads the declaration from a module built for 3.13.
#[pymodule(gil_used = true)]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Verifier>()?;
    m.add_class::<Verified>()?;
    m.add_class::<Incremental>()?;
    m.add_function(wrap_pyfunction!(sign, m)?)?;
    m.add_function(wrap_pyfunction!(sign_onboarding, m)?)?;
    m.add_function(wrap_pyfunction!(unix_now, m)?)?;
    m.add_function(wrap_pyfunction!(diagnose, m)?)?;
    m.add("BUSINESS_HEADER", core_::BUSINESS_HEADER)?;
    m.add("ONBOARDING_HEADER", core_::ONBOARDING_HEADER)?;
    m.add("DEFAULT_TOLERANCE", core_::DEFAULT_TOLERANCE_SECS)?;
    m.add("MAX_SECRETS", core_::MAX_SECRETS)?;
    m.add("MAX_HEADER_LEN", core_::MAX_HEADER_LEN)?;
    m.add(
        "ERROR_CODES",
        PyTuple::new(m.py(), ErrorKind::ALL.iter().map(|k| k.code()))?,
    )?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
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
