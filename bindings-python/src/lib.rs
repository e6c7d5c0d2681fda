//! The native part of the `qonto_webhooks` Python package (`qonto_webhooks._native`).
//!
//! It only translates: Python arguments in, the core's verdicts out. Every rule lives in the
//! `qonto-webhooks` crate. The exceptions are defined in Python (`qonto_webhooks/exceptions.py`)
//! and imported here, so that they are ordinary Python classes users can subclass and pickle.

mod convert;
mod errors;
mod verifier;

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use qonto_webhooks as core_;
use qonto_webhooks::{ErrorKind, Tolerance};

use convert::{ToleranceArg, header_arg, one_secret_arg, seconds_arg, secrets_arg, with_body};
use errors::to_py_err;
use verifier::{Incremental, Verified, Verifier};

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
