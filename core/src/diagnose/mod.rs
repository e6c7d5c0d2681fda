//! Why does a signature not verify? (feature `diagnose`)
//!
//! [`diagnose`] re-runs the verification under the mistakes developers are known to make and
//! says which one reproduces the header's signature: a secret base64-decoded or stripped of its
//! `whsec_` prefix, a body re-serialised (compact, pretty, Python's default separators, sorted
//! keys, unicode escapes), a trailing newline or CRLF change, the other scheme's header, a
//! timestamp in milliseconds, a skewed clock, a body signed without its timestamp. Findings never
//! contain the secret or the expected signature.

use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use crate::{Error, ErrorKind, Scheme, Signature, SignatureHeader, Tolerance, Verified, Verifier};

mod variants;
use variants::{body_variants, raw_body_advice, secret_variants};

/// A known mistake that explains a failed verification.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mistake {
    /// The signature was made with the secret's base64-decoded bytes (Svix-style), or the secret
    /// given here was decoded while the signer used it whole (or the other way round).
    SecretBase64,
    /// The `whsec_` prefix was stripped on one side.
    SecretPrefix,
    /// The secret has spaces or a newline around it (e.g. read from a file or `.env`).
    SecretWhitespace,
    /// The body was parsed and serialised again before verification.
    BodyReserialized,
    /// A trailing newline was added or removed.
    BodyTrailingNewline,
    /// Line endings were converted (CRLF and LF).
    BodyLineEndings,
    /// The signer signed the body alone, without `<t>.` in front.
    BodySignedWithoutTimestamp,
    /// The header belongs to the other scheme.
    WrongScheme,
    /// `t` is in milliseconds, not seconds.
    TimestampMilliseconds,
    /// The signature is valid but the timestamp is outside the window: a late replay, or a
    /// clock off on one side.
    ClockSkew,
    /// No known mistake reproduces the signature: most likely the wrong secret.
    WrongSecret,
}

impl Mistake {
    /// A stable snake_case code for the mistake.
    pub const fn code(self) -> &'static str {
        match self {
            Mistake::SecretBase64 => "secret_base64",
            Mistake::SecretPrefix => "secret_prefix",
            Mistake::SecretWhitespace => "secret_whitespace",
            Mistake::BodyReserialized => "body_reserialized",
            Mistake::BodyTrailingNewline => "body_trailing_newline",
            Mistake::BodyLineEndings => "body_line_endings",
            Mistake::BodySignedWithoutTimestamp => "body_signed_without_timestamp",
            Mistake::WrongScheme => "wrong_scheme",
            Mistake::TimestampMilliseconds => "timestamp_milliseconds",
            Mistake::ClockSkew => "clock_skew",
            Mistake::WrongSecret => "wrong_secret",
        }
    }
}

/// One explanation: the mistake and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The mistake.
    pub mistake: Mistake,
    /// What was found and how to fix it (never the secret or the expected signature).
    pub message: String,
}

/// The verdict and, when it is a failure, the known mistakes that explain it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    /// What [`Verifier::verify`] (or `verify_onboarding`) says for the input as given.
    pub result: Result<Verified, Error>,
    /// The explanations, most specific first; empty when the input verifies.
    pub findings: Vec<Finding>,
}

impl Diagnosis {
    /// Whether a known mistake (other than [`Mistake::WrongSecret`]) explains the failure.
    pub fn explained(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.mistake != Mistake::WrongSecret)
    }
}

fn finding(mistake: Mistake, message: String) -> Finding {
    Finding { mistake, message }
}

/// A transformed input and what the transformation means.
struct Variant<T> {
    value: T,
    mistake: Option<Mistake>,
    what: &'static str,
}

/// Says which known mistake explains why `body` and `header` do not verify with `secrets`.
///
/// `scheme` is the scheme the caller believes the header belongs to. `now` and `tolerance` are
/// those of the verification being debugged.
///
/// ```
/// use qonto_webhooks::diagnose::{diagnose, Mistake};
/// use qonto_webhooks::{sign, Scheme, Tolerance};
///
/// let signed = br#"{"id":"e1","amount":"12.50"}"#;
/// let header = sign("whsec_abc", signed, 1_700_000_000)?;
/// // The framework parsed the JSON and the handler serialised it again, with spaces:
/// let received = br#"{"id": "e1", "amount": "12.50"}"#;
/// let d = diagnose(&["whsec_abc"], Scheme::Business, header.as_bytes(), received,
///                  1_700_000_000, Tolerance::default());
/// assert_eq!(d.result.unwrap_err().code(), "signature_mismatch");
/// assert_eq!(d.findings[0].mistake, Mistake::BodyReserialized);
/// # Ok::<(), qonto_webhooks::Error>(())
/// ```
pub fn diagnose<S: AsRef<[u8]>>(
    secrets: &[S],
    scheme: Scheme,
    header: &[u8],
    body: &[u8],
    now: u64,
    tolerance: Tolerance,
) -> Diagnosis {
    let verifier = match Verifier::with_secrets(secrets) {
        Ok(v) => v.with_tolerance(tolerance),
        Err(e) => {
            return Diagnosis {
                result: Err(e),
                findings: Vec::new(),
            };
        }
    };
    let result = match scheme {
        Scheme::Business => verifier.verify(body, header, now),
        Scheme::Onboarding => verifier.verify_onboarding(body, header),
    };
    let findings = match &result {
        Ok(_) => Vec::new(),
        Err(e) => explain(&verifier, secrets, scheme, header, body, now, tolerance, e),
    };
    Diagnosis { result, findings }
}

#[allow(clippy::too_many_arguments)]
fn explain<S: AsRef<[u8]>>(
    verifier: &Verifier,
    secrets: &[S],
    scheme: Scheme,
    header: &[u8],
    body: &[u8],
    now: u64,
    tolerance: Tolerance,
    error: &Error,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let any_window = verifier.clone().with_tolerance(Tolerance::Disabled);

    // The other scheme's header?
    match scheme {
        Scheme::Business if Signature::parse_onboarding(header).is_ok() => {
            let verdict = match verifier.verify_onboarding(body, header) {
                Ok(_) => "and it verifies as one",
                Err(_) => "though it does not verify as one either",
            };
            findings.push(finding(Mistake::WrongScheme, format!(
                "this header is a Qonto-SHA256-Signature value (onboarding webhooks), not an X-Qonto-Signature one, {verdict}: verify onboarding webhooks with the onboarding scheme")));
            return findings;
        }
        Scheme::Onboarding if SignatureHeader::parse(header).is_ok() => {
            let verdict = match verifier.verify(body, header, now) {
                Ok(_) => "and it verifies as one",
                Err(_) => "though it does not verify as one either",
            };
            findings.push(finding(Mistake::WrongScheme, format!(
                "this header is an X-Qonto-Signature value (business webhooks), not a Qonto-SHA256-Signature one, {verdict}: verify business webhooks with the business scheme")));
            return findings;
        }
        _ => {}
    }

    let parsed = match scheme {
        Scheme::Business => match SignatureHeader::parse(header) {
            Ok(parsed) => Some(parsed),
            // A header that does not parse: its error already says what is wrong.
            Err(_) => return findings,
        },
        Scheme::Onboarding => {
            if Signature::parse_onboarding(header).is_err() {
                return findings;
            }
            None
        }
    };

    // The window: is the signature itself good?
    if let (Some(parsed), ErrorKind::TimestampTooOld | ErrorKind::TimestampInFuture) =
        (&parsed, error.kind())
    {
        let t = parsed.timestamp();
        let valid = any_window.verify(body, header, now).is_ok();
        let seconds = t / 1000;
        if parsed.timestamp_str().trim_start_matches('0').len() >= 13
            && tolerance.check(seconds, now).is_ok()
        {
            findings.push(finding(Mistake::TimestampMilliseconds, format!(
                "t is in milliseconds ({t}); Qonto's t is in seconds: whoever signed this must use unix seconds{}",
                if valid { " (the signature itself is valid)" } else { "" })));
        } else if valid {
            let skew = now.abs_diff(t);
            // The verdict says which side: exactly `now` is inside every window.
            let side = match error.kind() {
                ErrorKind::TimestampTooOld => "behind",
                _ => "ahead of",
            };
            findings.push(finding(Mistake::ClockSkew, format!(
                "the signature is valid, but t is {skew} s {side} this machine's clock: either the request is a late replay (reject it) or a clock is wrong (check NTP on this server)")));
        }
        // A valid signature always has its finding above.
        if !findings.is_empty() {
            return findings;
        }
    }

    // Mismatch: which transformation of the secret or body reproduces the signature?
    for (index, secret) in secrets.iter().enumerate() {
        for s in secret_variants(secret.as_ref()) {
            let Ok(candidate) = Verifier::new(&s.value) else {
                continue;
            };
            let candidate = candidate.with_tolerance(Tolerance::Disabled);
            for b in body_variants(body) {
                if s.mistake.is_none() && b.mistake.is_none() {
                    continue;
                }
                let ok = match scheme {
                    Scheme::Business => candidate.verify(&b.value, header, now).is_ok(),
                    Scheme::Onboarding => candidate.verify_onboarding(&b.value, header).is_ok(),
                };
                if ok {
                    let mut parts = Vec::new();
                    if s.mistake.is_some() {
                        parts.push(s.what.to_string());
                    }
                    if b.mistake.is_some() {
                        parts.push(raw_body_advice(&b));
                    }
                    let whose = if secrets.len() > 1 {
                        format!(" (secret {index})")
                    } else {
                        String::new()
                    };
                    let mistake = s.mistake.or(b.mistake).unwrap_or(Mistake::WrongSecret);
                    findings.push(finding(mistake, format!("{}{whose}", parts.join("; and "))));
                }
            }
        }
    }
    if let Some(parsed) = &parsed {
        for sig in parsed.signatures() {
            if verifier.verify_onboarding(body, sig.as_str()).is_ok() {
                findings.push(finding(Mistake::BodySignedWithoutTimestamp, "the signature covers the body alone; Qonto's business scheme signs \"<t>.<body>\": whoever signed this must prefix the body with the t value and a dot".to_string()));
            }
        }
    }
    if findings.is_empty() {
        findings.push(finding(Mistake::WrongSecret, "no known mistake reproduces the signature: most likely the secret is not the one that signed (the API key instead of the webhook secret, another subscription's secret, sandbox vs production), or the body was changed in another way".to_string()));
    }
    findings
}
