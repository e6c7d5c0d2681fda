//! The transformed inputs [`diagnose`](super::diagnose) tries: each known mistake applied to the
//! secret or to the body, with what it means.

use std::string::{String, ToString};
use std::vec::Vec;
use std::{format, io, vec};

use base64::Engine as _;
use serde_json::Value;

use super::{Mistake, Variant};

pub(super) fn secret_variants(secret: &[u8]) -> Vec<Variant<Vec<u8>>> {
    let mut out = vec![Variant {
        value: secret.to_vec(),
        mistake: None,
        what: "",
    }];
    let b64 = base64::engine::general_purpose::STANDARD;
    let tail = secret.strip_prefix(b"whsec_");
    if let Some(tail) = tail {
        out.push(Variant {
            value: tail.to_vec(),
            mistake: Some(Mistake::SecretPrefix),
            what: "the signature was made with the secret stripped of its whsec_ prefix; Qonto \
                   signs with the whole secret, prefix included",
        });
        if let Ok(decoded) = b64.decode(tail) {
            out.push(Variant {
                value: decoded,
                mistake: Some(Mistake::SecretBase64),
                what: "the signature was made with the base64-decoded secret (as Svix-style \
                       libraries do); Qonto signs with the secret's bytes as given, not decoded",
            });
        }
    } else {
        let mut prefixed = b"whsec_".to_vec();
        prefixed.extend_from_slice(secret);
        out.push(Variant {
            value: prefixed,
            mistake: Some(Mistake::SecretPrefix),
            what: "the secret given here lacks the whsec_ prefix that the signature was made \
                   with: pass the secret whole, prefix included",
        });
        let mut encoded = b"whsec_".to_vec();
        encoded.extend_from_slice(b64.encode(secret).as_bytes());
        out.push(Variant {
            value: encoded,
            mistake: Some(Mistake::SecretBase64),
            what: "the secret given here is the base64-decoded form of the secret that signed: \
                   pass the whsec_ secret as Qonto returned it, without decoding it",
        });
    }
    let trimmed = secret.trim_ascii();
    if trimmed.len() != secret.len() && !trimmed.is_empty() {
        out.push(Variant {
            value: trimmed.to_vec(),
            mistake: Some(Mistake::SecretWhitespace),
            what: "the secret given here has spaces or a newline around it (often from a file or \
                   an .env line): trim it",
        });
    }
    out
}

/// Python's `json.dumps` default separators: `", "` and `": "`.
struct PythonSeparators;

impl serde_json::ser::Formatter for PythonSeparators {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
}

fn python_style(value: &Value) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonSeparators);
    serde::Serialize::serialize(value, &mut ser).ok()?;
    Some(out)
}

/// Non-ASCII characters as `\uXXXX` escapes (Python's `ensure_ascii`, the default). Outside
/// strings JSON text is ASCII, so escaping every non-ASCII character is exact.
fn ascii_escaped(json: &[u8]) -> Option<Vec<u8>> {
    let text = core::str::from_utf8(json).ok()?;
    if text.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut units = [0u16; 2];
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    Some(out.into_bytes())
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

pub(super) fn body_variants(body: &[u8]) -> Vec<Variant<Vec<u8>>> {
    let mut out = vec![Variant {
        value: body.to_vec(),
        mistake: None,
        what: "",
    }];
    // The most specific changes first; a variant equal to an earlier one is dropped, so a body
    // with an added newline is explained by the newline, not by re-serialisation.
    let mut push = |value: Option<Vec<u8>>, mistake, what| {
        if let Some(value) = value {
            if out.iter().all(|v| v.value != value) {
                out.push(Variant {
                    value,
                    mistake: Some(mistake),
                    what,
                });
            }
        }
    };
    let nl = Mistake::BodyTrailingNewline;
    if let Some(stripped) = body.strip_suffix(b"\n") {
        let stripped = stripped.strip_suffix(b"\r").unwrap_or(stripped);
        push(
            Some(stripped.to_vec()),
            nl,
            "the body given here has a trailing newline that the signed body did not have (an editor, echo or a heredoc adds one)",
        );
    } else {
        push(
            Some([body, b"\n"].concat()),
            nl,
            "the body given here lacks the trailing newline of the signed body",
        );
    }
    let crlf = Mistake::BodyLineEndings;
    if body.contains(&b'\n') {
        let lf: Vec<u8> = body.iter().copied().filter(|&b| b != b'\r').collect();
        push(
            Some(lf.clone()),
            crlf,
            "the body given here has CRLF line endings where the signed body had LF",
        );
        let mut crlfed = Vec::with_capacity(lf.len() + 16);
        for &b in &lf {
            if b == b'\n' {
                crlfed.push(b'\r');
            }
            crlfed.push(b);
        }
        push(
            Some(crlfed),
            crlf,
            "the body given here has LF line endings where the signed body had CRLF",
        );
    }
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        let reser = Mistake::BodyReserialized;
        let compact = serde_json::to_vec(&value).ok();
        push(
            compact.clone(),
            reser,
            "the body given here was re-serialised from parsed JSON; Qonto signed a compact form (no spaces)",
        );
        push(
            serde_json::to_vec_pretty(&value).ok(),
            reser,
            "the body given here was re-serialised; Qonto signed it pretty-printed",
        );
        let python = python_style(&value);
        push(
            python.clone(),
            reser,
            "the body given here was re-serialised; Qonto signed it with \", \" and \": \" separators",
        );
        push(
            serde_json::to_vec(&sorted(&value)).ok(),
            reser,
            "the body given here was re-serialised; Qonto signed it with its keys in another order",
        );
        push(
            compact.as_deref().and_then(ascii_escaped),
            reser,
            "the body given here was re-serialised; Qonto signed it with non-ASCII characters as \\u escapes",
        );
        push(
            python.as_deref().and_then(ascii_escaped),
            reser,
            "the body given here was re-serialised; Qonto signed it in Python's json.dumps default form (spaces and \\u escapes)",
        );
    }
    out
}

pub(super) fn raw_body_advice(v: &Variant<Vec<u8>>) -> String {
    match v.mistake {
        Some(Mistake::BodyReserialized) => format!(
            "{}: verify the raw request body, byte for byte, before any JSON parsing",
            v.what
        ),
        _ => v.what.to_string(),
    }
}
