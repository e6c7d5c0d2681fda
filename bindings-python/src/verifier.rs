//! The classes: `Verifier`, its result `Verified`, and `Incremental`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use qonto_webhooks as core_;
use qonto_webhooks::{Schemes, Tolerance};

use crate::convert::{
    SchemesArg, TOLERANCE_DISABLED, ToleranceArg, ToleranceValue, header_arg, now_arg, secrets_arg,
    with_body,
};
use crate::errors::to_py_err;

/// A successful verification.
///
/// ``secret_index`` is the index of the secret that matched (the first one, in the order given
/// to the ``Verifier``); ``timestamp`` is the header's ``t`` (unix seconds) for a business webhook
/// and ``None`` for an onboarding webhook; ``scheme`` is ``"business"`` or ``"onboarding"``.
#[pyclass(module = "qonto_webhooks", frozen, eq, hash, get_all)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Verified {
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
pub(crate) struct Verifier {
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
pub(crate) struct Incremental {
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
