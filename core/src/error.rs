//! The one error type, its stable codes and its messages.

use core::fmt;

use crate::Scheme;

/// Why a webhook was rejected: one variant per stable code of the contract.
///
/// The codes (`code()`) and numbers (`number()`) are frozen: a code is never renamed and a number is
/// never reused. New variants may be added, so match with a wildcard arm.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The secret is empty (or too many secrets were given). Raised when the verifier is built.
    InvalidSecret,
    /// The signature header is absent, empty, or only spaces and tabs.
    MissingHeader,
    /// The header is present but not of the documented form, or longer than
    /// [`MAX_HEADER_LEN`](crate::MAX_HEADER_LEN) bytes.
    MalformedHeader,
    /// The business header has no `t` item.
    MissingTimestamp,
    /// The business header has no `v1` item.
    MissingSignature,
    /// The timestamp is older than the tolerance allows.
    TimestampTooOld,
    /// The timestamp is further in the future than the tolerance allows.
    TimestampInFuture,
    /// The header is well-formed and in the window, but no secret produces any of its signatures.
    SignatureMismatch,
}

impl ErrorKind {
    /// Every kind, in the order of their numbers.
    pub const ALL: [ErrorKind; 8] = [
        ErrorKind::InvalidSecret,
        ErrorKind::MissingHeader,
        ErrorKind::MalformedHeader,
        ErrorKind::MissingTimestamp,
        ErrorKind::MissingSignature,
        ErrorKind::TimestampTooOld,
        ErrorKind::TimestampInFuture,
        ErrorKind::SignatureMismatch,
    ];

    /// The stable code: the same string in every binding (`"signature_mismatch"`, ...).
    ///
    /// ```
    /// use qonto_webhooks::ErrorKind;
    /// assert_eq!(ErrorKind::TimestampTooOld.code(), "timestamp_too_old");
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidSecret => "invalid_secret",
            ErrorKind::MissingHeader => "missing_header",
            ErrorKind::MalformedHeader => "malformed_header",
            ErrorKind::MissingTimestamp => "missing_timestamp",
            ErrorKind::MissingSignature => "missing_signature",
            ErrorKind::TimestampTooOld => "timestamp_too_old",
            ErrorKind::TimestampInFuture => "timestamp_in_future",
            ErrorKind::SignatureMismatch => "signature_mismatch",
        }
    }

    /// The frozen number of this kind (1 to 8), as used by the C ABI's status enum.
    pub const fn number(self) -> u32 {
        match self {
            ErrorKind::InvalidSecret => 1,
            ErrorKind::MissingHeader => 2,
            ErrorKind::MalformedHeader => 3,
            ErrorKind::MissingTimestamp => 4,
            ErrorKind::MissingSignature => 5,
            ErrorKind::TimestampTooOld => 6,
            ErrorKind::TimestampInFuture => 7,
            ErrorKind::SignatureMismatch => 8,
        }
    }

    /// The kind with this code, if any.
    ///
    /// ```
    /// use qonto_webhooks::ErrorKind;
    /// assert_eq!(ErrorKind::from_code("missing_header"), Some(ErrorKind::MissingHeader));
    /// assert_eq!(ErrorKind::from_code("nope"), None);
    /// ```
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// A one-line description of the kind, without the details of a particular failure.
    pub const fn description(self) -> &'static str {
        match self {
            ErrorKind::InvalidSecret => "the webhook secret is empty",
            ErrorKind::MissingHeader => "the signature header is absent or empty",
            ErrorKind::MalformedHeader => "the signature header is not of the documented form",
            ErrorKind::MissingTimestamp => "the signature header has no t= timestamp",
            ErrorKind::MissingSignature => "the signature header has no v1= signature",
            ErrorKind::TimestampTooOld => "the timestamp is outside the tolerance, in the past",
            ErrorKind::TimestampInFuture => "the timestamp is outside the tolerance, in the future",
            ErrorKind::SignatureMismatch => "no secret matches the signature",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What exactly was wrong: feeds the message, never exposed as API (it may grow).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Detail {
    EmptySecret,
    NoSecret,
    TooManySecrets,
    Missing,
    /// Neither header, where both schemes are accepted.
    MissingEither,
    /// The configured scheme's header is absent, the other scheme's is there.
    OtherSchemeOnly,
    TooLong {
        len: usize,
    },
    ItemWithoutEquals {
        item: usize,
    },
    TimestampNotDigits,
    TimestampOverflow,
    DuplicateTimestamp,
    SignatureNotHex,
    NoTimestamp,
    NoSignature,
    TooOld {
        age: u64,
        tolerance: u64,
    },
    InFuture {
        ahead: u64,
        tolerance: u64,
    },
    Mismatch {
        secrets: usize,
        candidates: usize,
    },
}

/// A rejected webhook (or a rejected secret): a stable [`kind`](Error::kind) and a helpful message.
///
/// The message (`Display`) says what was wrong and what to do about it. It never contains the
/// secret or the expected signature, and how a signature differed is never reported.
///
/// ```
/// use qonto_webhooks::{ErrorKind, Verifier};
///
/// let verifier = Verifier::new("test-secret")?;
/// let err = verifier.verify(b"{}", "t=1704110400", 1704110400).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::MissingSignature);
/// assert_eq!(err.code(), "missing_signature");
/// println!("{err}");
/// # Ok::<(), qonto_webhooks::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    scheme: Scheme,
    detail: Detail,
}

impl Error {
    pub(crate) const fn new(kind: ErrorKind, scheme: Scheme, detail: Detail) -> Error {
        Error {
            kind,
            scheme,
            detail,
        }
    }

    /// Why the webhook was rejected.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable code of [`kind`](Error::kind), e.g. `"signature_mismatch"`.
    pub const fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The scheme whose verification failed.
    pub const fn scheme(&self) -> Scheme {
        self.scheme
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let template = self.detail.template(self.scheme);
        render(f, template.text, |name| match name {
            "header" => Some(PlaceholderValue::Text(self.scheme.header_name())),
            "other_header" => Some(PlaceholderValue::Text(crate::request::other_header(
                self.scheme,
            ))),
            "scheme" => Some(PlaceholderValue::Text(self.scheme.as_str())),
            _ => constant(name).or_else(|| self.detail.arg(name)),
        })
    }
}

/// One message of the core: what [`Error`]'s `Display` writes for one kind of failure, as a
/// template. Implementations in other languages render the same templates (they reach them through
/// `contract.json`), so that every binding says the same words for the same failure.
///
/// A template holds `{name}` placeholders and no other braces; [`PLACEHOLDERS`] names them all.
///
/// ```
/// use qonto_webhooks::{ErrorKind, MESSAGE_TEMPLATES};
///
/// let too_long = MESSAGE_TEMPLATES.iter().find(|t| t.id == "header_too_long").unwrap();
/// assert_eq!(too_long.kind, ErrorKind::MalformedHeader);
/// assert!(too_long.text.contains("{len} bytes long"));
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageTemplate {
    /// The failure's stable name, e.g. `"header_too_long"` (more precise than its code).
    pub id: &'static str,
    /// The code it is reported under.
    pub kind: ErrorKind,
    /// The text, with `{name}` placeholders.
    pub text: &'static str,
}

impl MessageTemplate {
    const fn new(id: &'static str, kind: ErrorKind, text: &'static str) -> MessageTemplate {
        MessageTemplate { id, kind, text }
    }
}

/// One placeholder of the [`MessageTemplate`]s: its name, what it stands for, and its value when
/// it stands for one of the contract's constants (a header name, a limit).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placeholder {
    /// The name, as it stands between braces in a template.
    pub name: &'static str,
    /// What it stands for.
    pub meaning: &'static str,
    /// The value when it is one of the contract's constants; `None` when each failure gives it.
    pub constant: Option<PlaceholderValue>,
}

/// The value of a [`Placeholder`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaceholderValue {
    /// A text, written as is.
    Text(&'static str),
    /// A number, written in decimal.
    Number(u64),
}

impl Placeholder {
    const fn given(name: &'static str, meaning: &'static str) -> Placeholder {
        Placeholder {
            name,
            meaning,
            constant: None,
        }
    }

    const fn constant(
        name: &'static str,
        meaning: &'static str,
        value: PlaceholderValue,
    ) -> Placeholder {
        Placeholder {
            name,
            meaning,
            constant: Some(value),
        }
    }
}

/// Every placeholder a [`MessageTemplate`] may hold.
pub const PLACEHOLDERS: [Placeholder; 14] = [
    Placeholder::constant(
        "business_header",
        "the business scheme's header name",
        PlaceholderValue::Text(crate::BUSINESS_HEADER),
    ),
    Placeholder::constant(
        "onboarding_header",
        "the onboarding scheme's header name",
        PlaceholderValue::Text(crate::ONBOARDING_HEADER),
    ),
    Placeholder::constant(
        "max_header_len",
        "the longest header accepted, in bytes",
        PlaceholderValue::Number(crate::MAX_HEADER_LEN as u64),
    ),
    Placeholder::constant(
        "max_secrets",
        "the most secrets one verifier holds",
        PlaceholderValue::Number(crate::MAX_SECRETS as u64),
    ),
    Placeholder::given("header", "the header name of the scheme that failed"),
    Placeholder::given("other_header", "the header name of the other scheme"),
    Placeholder::given("scheme", "the scheme that failed: business or onboarding"),
    Placeholder::given("len", "the header's length, in bytes"),
    Placeholder::given(
        "item",
        "the 1-based position of the faulty item in the header",
    ),
    Placeholder::given("age", "how old the timestamp is, in seconds"),
    Placeholder::given(
        "ahead",
        "how far in the future the timestamp is, in seconds",
    ),
    Placeholder::given("tolerance", "the verifier's tolerance, in seconds"),
    Placeholder::given("secrets", "how many secrets were tried"),
    Placeholder::given("candidates", "how many signatures the header carries"),
];

/// The text both signature-mismatch messages start with.
macro_rules! mismatch {
    () => {
        "the signature does not match ({secrets} secret(s) tried against {candidates} \
         signature(s)): pass the raw request body, byte for byte, before any JSON parsing, and \
         the subscription's webhook secret (not the API key)"
    };
}

/// Every message the core writes, one per failure (and per scheme where the advice differs).
pub const MESSAGE_TEMPLATES: [MessageTemplate; 19] = [
    EMPTY_SECRET,
    NO_SECRET,
    TOO_MANY_SECRETS,
    HEADER_MISSING,
    HEADERS_MISSING,
    OTHER_SCHEME_ONLY,
    HEADER_TOO_LONG,
    ITEM_WITHOUT_EQUALS,
    TIMESTAMP_NOT_DIGITS,
    TIMESTAMP_OVERFLOW,
    DUPLICATE_TIMESTAMP,
    SIGNATURE_NOT_HEX_BUSINESS,
    SIGNATURE_NOT_HEX_ONBOARDING,
    NO_TIMESTAMP,
    NO_SIGNATURE,
    TOO_OLD,
    IN_FUTURE,
    SIGNATURE_MISMATCH_BUSINESS,
    SIGNATURE_MISMATCH_ONBOARDING,
];

const EMPTY_SECRET: MessageTemplate = MessageTemplate::new(
    "empty_secret",
    ErrorKind::InvalidSecret,
    "the webhook secret is empty: pass the secret Qonto returned when the subscription was \
     created, exactly as given (a whsec_ prefix included)",
);
const NO_SECRET: MessageTemplate = MessageTemplate::new(
    "no_secret",
    ErrorKind::InvalidSecret,
    "no webhook secret was given: pass at least one",
);
const TOO_MANY_SECRETS: MessageTemplate = MessageTemplate::new(
    "too_many_secrets",
    ErrorKind::InvalidSecret,
    "too many webhook secrets: a verifier holds at most {max_secrets} (keep only the secrets \
     still in rotation)",
);
const HEADER_MISSING: MessageTemplate = MessageTemplate::new(
    "header_missing",
    ErrorKind::MissingHeader,
    "the {header} header is missing or empty: read it from the request headers (header names \
     are case-insensitive)",
);
const HEADERS_MISSING: MessageTemplate = MessageTemplate::new(
    "headers_missing",
    ErrorKind::MissingHeader,
    "the {business_header} and {onboarding_header} headers are both missing or empty: read \
     them from the request headers (header names are case-insensitive)",
);
const OTHER_SCHEME_ONLY: MessageTemplate = MessageTemplate::new(
    "other_scheme_only",
    ErrorKind::MissingHeader,
    "the {header} header is missing: the request carries {other_header} instead, but this \
     endpoint accepts {scheme} webhooks only (accepting the other scheme must be configured \
     explicitly, with its own secret)",
);
const HEADER_TOO_LONG: MessageTemplate = MessageTemplate::new(
    "header_too_long",
    ErrorKind::MalformedHeader,
    "the {header} header is {len} bytes long, more than the {max_header_len} allowed",
);
const ITEM_WITHOUT_EQUALS: MessageTemplate = MessageTemplate::new(
    "item_without_equals",
    ErrorKind::MalformedHeader,
    "the {header} header is malformed: item {item} is not of the form key=value (expected \
     t=<unix seconds>,v1=<64 hex digits>)",
);
const TIMESTAMP_NOT_DIGITS: MessageTemplate = MessageTemplate::new(
    "timestamp_not_digits",
    ErrorKind::MalformedHeader,
    "the {header} header is malformed: t must be ASCII digits only (unix seconds, no sign, no \
     fraction)",
);
const TIMESTAMP_OVERFLOW: MessageTemplate = MessageTemplate::new(
    "timestamp_overflow",
    ErrorKind::MalformedHeader,
    "the {header} header is malformed: the t value does not fit in 64 bits",
);
const DUPLICATE_TIMESTAMP: MessageTemplate = MessageTemplate::new(
    "duplicate_timestamp",
    ErrorKind::MalformedHeader,
    "the {header} header is malformed: it has more than one t item",
);
const SIGNATURE_NOT_HEX_BUSINESS: MessageTemplate = MessageTemplate::new(
    "signature_not_hex_business",
    ErrorKind::MalformedHeader,
    "the {header} header is malformed: each v1 must be exactly 64 hex digits (the hex \
     HMAC-SHA256; not base64)",
);
const SIGNATURE_NOT_HEX_ONBOARDING: MessageTemplate = MessageTemplate::new(
    "signature_not_hex_onboarding",
    ErrorKind::MalformedHeader,
    "the {header} header is malformed: it must be exactly 64 hex digits (the hex HMAC-SHA256; \
     no prefix such as sha256=, not base64)",
);
const NO_TIMESTAMP: MessageTemplate = MessageTemplate::new(
    "no_timestamp",
    ErrorKind::MissingTimestamp,
    "the {header} header has no t item: expected t=<unix seconds>,v1=<signature> (an \
     onboarding webhook carries {onboarding_header} instead)",
);
const NO_SIGNATURE: MessageTemplate = MessageTemplate::new(
    "no_signature",
    ErrorKind::MissingSignature,
    "the {header} header has no v1 item: expected t=<unix seconds>,v1=<signature>",
);
const TOO_OLD: MessageTemplate = MessageTemplate::new(
    "too_old",
    ErrorKind::TimestampTooOld,
    "the timestamp is {age} s old, more than the {tolerance} s tolerance: the webhook may be \
     a replay; if it is not, check this server's clock (NTP)",
);
const IN_FUTURE: MessageTemplate = MessageTemplate::new(
    "in_future",
    ErrorKind::TimestampInFuture,
    "the timestamp is {ahead} s in the future, more than the {tolerance} s tolerance: check \
     this server's clock (NTP)",
);
const SIGNATURE_MISMATCH_BUSINESS: MessageTemplate = MessageTemplate::new(
    "signature_mismatch_business",
    ErrorKind::SignatureMismatch,
    concat!(
        mismatch!(),
        "; the signed bytes are the t value as sent, then '.', then the body"
    ),
);
const SIGNATURE_MISMATCH_ONBOARDING: MessageTemplate = MessageTemplate::new(
    "signature_mismatch_onboarding",
    ErrorKind::SignatureMismatch,
    mismatch!(),
);

/// The value of a placeholder that stands for one of the contract's constants.
fn constant(name: &str) -> Option<PlaceholderValue> {
    PLACEHOLDERS
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.constant)
}

/// Writes `template` with each `{name}` replaced by `value(name)` (kept as written if unknown).
fn render(
    f: &mut fmt::Formatter<'_>,
    template: &str,
    value: impl Fn(&str) -> Option<PlaceholderValue>,
) -> fmt::Result {
    let mut rest = template;
    while let Some((text, tail)) = rest.split_once('{') {
        f.write_str(text)?;
        let Some((name, after)) = tail.split_once('}') else {
            f.write_str("{")?;
            rest = tail;
            continue;
        };
        match value(name) {
            Some(PlaceholderValue::Text(s)) => f.write_str(s)?,
            Some(PlaceholderValue::Number(n)) => write!(f, "{n}")?,
            None => write!(f, "{{{name}}}")?,
        }
        rest = after;
    }
    f.write_str(rest)
}

impl Detail {
    /// This failure's template: one of [`MESSAGE_TEMPLATES`].
    fn template(self, scheme: Scheme) -> &'static MessageTemplate {
        match self {
            Detail::EmptySecret => &EMPTY_SECRET,
            Detail::NoSecret => &NO_SECRET,
            Detail::TooManySecrets => &TOO_MANY_SECRETS,
            Detail::Missing => &HEADER_MISSING,
            Detail::MissingEither => &HEADERS_MISSING,
            Detail::OtherSchemeOnly => &OTHER_SCHEME_ONLY,
            Detail::TooLong { .. } => &HEADER_TOO_LONG,
            Detail::ItemWithoutEquals { .. } => &ITEM_WITHOUT_EQUALS,
            Detail::TimestampNotDigits => &TIMESTAMP_NOT_DIGITS,
            Detail::TimestampOverflow => &TIMESTAMP_OVERFLOW,
            Detail::DuplicateTimestamp => &DUPLICATE_TIMESTAMP,
            Detail::SignatureNotHex => match scheme {
                Scheme::Business => &SIGNATURE_NOT_HEX_BUSINESS,
                Scheme::Onboarding => &SIGNATURE_NOT_HEX_ONBOARDING,
            },
            Detail::NoTimestamp => &NO_TIMESTAMP,
            Detail::NoSignature => &NO_SIGNATURE,
            Detail::TooOld { .. } => &TOO_OLD,
            Detail::InFuture { .. } => &IN_FUTURE,
            Detail::Mismatch { .. } => match scheme {
                Scheme::Business => &SIGNATURE_MISMATCH_BUSINESS,
                Scheme::Onboarding => &SIGNATURE_MISMATCH_ONBOARDING,
            },
        }
    }

    /// The value of the placeholder `name` this failure gives, if any.
    fn arg(self, name: &str) -> Option<PlaceholderValue> {
        let n = match (self, name) {
            (Detail::TooLong { len }, "len") => len as u64,
            (Detail::ItemWithoutEquals { item }, "item") => item as u64,
            (Detail::TooOld { age, .. }, "age") => age,
            (Detail::InFuture { ahead, .. }, "ahead") => ahead,
            (
                Detail::TooOld { tolerance, .. } | Detail::InFuture { tolerance, .. },
                "tolerance",
            ) => tolerance,
            (Detail::Mismatch { secrets, .. }, "secrets") => secrets as u64,
            (Detail::Mismatch { candidates, .. }, "candidates") => candidates as u64,
            _ => return None,
        };
        Some(PlaceholderValue::Number(n))
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::string::{String, ToString};
    use std::vec::Vec;

    use super::*;

    /// Every failure the core reports, with sample values, under each scheme.
    fn every_error() -> Vec<Error> {
        let details = [
            Detail::EmptySecret,
            Detail::NoSecret,
            Detail::TooManySecrets,
            Detail::Missing,
            Detail::MissingEither,
            Detail::OtherSchemeOnly,
            Detail::TooLong { len: 4097 },
            Detail::ItemWithoutEquals { item: 3 },
            Detail::TimestampNotDigits,
            Detail::TimestampOverflow,
            Detail::DuplicateTimestamp,
            Detail::SignatureNotHex,
            Detail::NoTimestamp,
            Detail::NoSignature,
            Detail::TooOld {
                age: 301,
                tolerance: 300,
            },
            Detail::InFuture {
                ahead: 302,
                tolerance: 299,
            },
            Detail::Mismatch {
                secrets: 2,
                candidates: 5,
            },
        ];
        let mut all = Vec::new();
        for detail in details {
            for scheme in [Scheme::Business, Scheme::Onboarding] {
                all.push(Error::new(detail.template(scheme).kind, scheme, detail));
            }
        }
        all
    }

    fn placeholders(text: &str) -> Vec<&str> {
        text.split('{')
            .skip(1)
            .map(|tail| tail.split_once('}').map_or(tail, |(name, _)| name))
            .collect()
    }

    #[test]
    fn every_placeholder_of_every_template_is_named_and_every_name_is_used() {
        let named: BTreeSet<&str> = PLACEHOLDERS.iter().map(|p| p.name).collect();
        let mut used = BTreeSet::new();
        for t in MESSAGE_TEMPLATES {
            assert_eq!(
                t.text.matches('{').count(),
                t.text.matches('}').count(),
                "{}",
                t.id
            );
            for name in placeholders(t.text) {
                assert!(
                    named.contains(name),
                    "{}: unknown placeholder {{{name}}}",
                    t.id
                );
                used.insert(name);
            }
        }
        assert_eq!(used, named);
    }

    #[test]
    fn ids_are_unique_and_every_template_is_the_message_of_some_failure() {
        let ids: BTreeSet<&str> = MESSAGE_TEMPLATES.iter().map(|t| t.id).collect();
        assert_eq!(ids.len(), MESSAGE_TEMPLATES.len());
        let reached: BTreeSet<&str> = every_error()
            .iter()
            .map(|e| e.detail.template(e.scheme).id)
            .collect();
        assert_eq!(reached, ids);
    }

    #[test]
    fn every_message_fills_every_placeholder() {
        for err in every_error() {
            let text = err.to_string();
            assert!(!text.contains('{') && !text.contains('}'), "{text}");
            assert_eq!(err.detail.template(err.scheme).kind, err.kind());
        }
    }

    #[test]
    fn a_message_says_the_failures_own_values() {
        let msg =
            |detail, scheme| Error::new(ErrorKind::MalformedHeader, scheme, detail).to_string();
        assert_eq!(
            msg(Detail::TooLong { len: 5000 }, Scheme::Onboarding),
            "the Qonto-SHA256-Signature header is 5000 bytes long, more than the 4096 allowed"
        );
        let old = msg(
            Detail::TooOld {
                age: 1234,
                tolerance: 60,
            },
            Scheme::Business,
        );
        assert!(old.starts_with("the timestamp is 1234 s old, more than the 60 s tolerance"));
        let ahead = msg(
            Detail::InFuture {
                ahead: 77,
                tolerance: 5,
            },
            Scheme::Business,
        );
        assert!(ahead.starts_with("the timestamp is 77 s in the future, more than the 5 s"));
        let mismatch = msg(
            Detail::Mismatch {
                secrets: 2,
                candidates: 3,
            },
            Scheme::Business,
        );
        assert!(mismatch.contains("(2 secret(s) tried against 3 signature(s))"));
        assert!(mismatch.ends_with("then '.', then the body"));
        assert!(
            msg(Detail::ItemWithoutEquals { item: 4 }, Scheme::Business).contains("item 4 is not")
        );
        let other = msg(Detail::OtherSchemeOnly, Scheme::Onboarding);
        assert!(other.starts_with(
            "the Qonto-SHA256-Signature header is missing: the request carries X-Qonto-Signature \
             instead, but this endpoint accepts onboarding webhooks only"
        ));
        assert!(msg(Detail::TooManySecrets, Scheme::Business).contains("at most 8 "));
    }

    struct Rendered(&'static str);

    impl fmt::Display for Rendered {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            render(f, self.0, |name| match name {
                "n" => Some(PlaceholderValue::Number(42)),
                "s" => Some(PlaceholderValue::Text("text")),
                _ => None,
            })
        }
    }

    #[test]
    fn render_replaces_known_names_and_keeps_anything_else_as_written() {
        let out = |t| -> String { Rendered(t).to_string() };
        assert_eq!(out("a {n} b {s} c"), "a 42 b text c");
        assert_eq!(out("{s}{n}"), "text42");
        assert_eq!(out("unknown {x} kept"), "unknown {x} kept");
        assert_eq!(out("a lone { brace"), "a lone { brace");
        assert_eq!(out("} and {n"), "} and {n");
        assert_eq!(out(""), "");
    }
}
