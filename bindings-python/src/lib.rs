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

use qonto_webhooks as core_;
use qonto_webhooks::{ErrorKind, Tolerance};

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
/// 3.11+). A small `bytearray` is read in place; a large one is copied first, since another
/// thread could resize it while the GIL is released. A `memoryview` is copied once (the buffer
/// protocol is not in the stable ABI of Python 3.9).
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
        // SAFETY: the GIL is held for the whole call and `f` runs no Python code, so nothing can
        // resize or free the bytearray's buffer while the slice is alive.
        #[allow(unsafe_code)]
        let slice = unsafe { a.as_bytes() };
        return Ok(f(slice));
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
}

impl Header<'_, '_> {
    fn as_bytes(&self) -> &[u8] {
        match self {
            Header::Borrowed(b) => b,
            Header::Encoded(b) => b.as_bytes(),
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
        return Ok(Header::Borrowed(s.to_str()?.as_bytes()));
        #[cfg(not(fast_abi))]
        return Ok(Header::Encoded(s.encode_utf8()?));
    } else {
        Err(PyTypeError::new_err(format!(
            "header must be str, bytes or None (the signature header's value), not {}",
            type_name(header)
        )))
    }
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

/// `tolerance=`: an int of seconds, or `None` to disable the window.
struct ToleranceArg(Tolerance);

impl<'a, 'py> FromPyObject<'a, 'py> for ToleranceArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_none() {
            Ok(ToleranceArg(Tolerance::Disabled))
        } else {
            seconds_arg(&obj, "tolerance").map(|s| ToleranceArg(Tolerance::Seconds(s)))
        }
    }
}

fn now_arg(now: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
    match now {
        Some(n) if !n.is_none() => seconds_arg(n, "now"),
        _ => Ok(core_::unix_now()),
    }
}

/// The bytes of one secret (`str` as UTF-8, `bytes` or `bytearray`), `None` for another type.
fn secret_bytes(secret: &Bound<'_, PyAny>) -> PyResult<Option<Vec<u8>>> {
    if let Ok(b) = secret.cast::<PyBytes>() {
        Ok(Some(b.as_bytes().to_vec()))
    } else if let Ok(s) = secret.cast::<PyString>() {
        Ok(Some(s.encode_utf8()?.as_bytes().to_vec()))
    } else if let Ok(a) = secret.cast::<PyByteArray>() {
        Ok(Some(a.to_vec()))
    } else {
        Ok(None)
    }
}

/// One secret or a sequence of them. Stops reading an iterable after `MAX_SECRETS + 1` items:
/// the core then refuses too many secrets.
fn secrets_arg(secret: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<u8>>> {
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

fn one_secret_arg(secret: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
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
            scheme: if v.timestamp.is_some() {
                "business"
            } else {
                "onboarding"
            },
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
        signature = (secret, *, tolerance = ToleranceArg(Tolerance::default())),
        text_signature = "(secret, *, tolerance=300)"
    )]
    fn new(secret: &Bound<'_, PyAny>, tolerance: ToleranceArg) -> PyResult<Self> {
        let secrets = secrets_arg(secret)?;
        let inner = core_::Verifier::with_secrets(&secrets)
            .map_err(to_py_err)?
            .with_tolerance(tolerance.0);
        Ok(Verifier { inner })
    }

    /// The replay window in seconds, or ``None`` when disabled.
    #[getter]
    fn tolerance(&self) -> Option<u64> {
        match self.inner.tolerance() {
            Tolerance::Seconds(s) => Some(s),
            Tolerance::Disabled => None,
        }
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
            Tolerance::Disabled => "None".to_owned(),
        };
        // Redacted: the number of secrets, never their bytes.
        format!(
            "<Verifier secrets={} tolerance={tolerance}>",
            self.inner.secret_count()
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

#[pymodule]
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
