//! Request and response models of `/v2/webhook_subscriptions`, and the checks made before sending.

use core::fmt;
use core::str::FromStr;

use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::{Zeroize, Zeroizing};

use crate::Error;

/// The 12 topics Qonto's subscription API accepts in `types` (the core's list).
pub const TOPICS: [&str; 12] = qonto_webhooks::events::Topic::DOCUMENTED_NAMES;

/// Longest `callback_url` Qonto accepts, in characters.
pub const MAX_CALLBACK_URL_LEN: usize = 512;
/// Shortest `secret` Qonto accepts, in characters.
pub const MIN_SECRET_LEN: usize = 32;
/// Longest `secret` Qonto accepts, in characters.
pub const MAX_SECRET_LEN: usize = 128;
/// Longest `description`, in characters.
pub const MAX_DESCRIPTION_LEN: usize = 256;
/// Largest `per_page` of a list request.
pub const MAX_PER_PAGE: u32 = 100;

/// An OAuth access token. Its `Debug` is redacted and it has no `Display`: it never ends up in a
/// log line or an error message. Its bytes are wiped when it is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(Zeroizing<String>);

impl Token {
    /// Wraps a token (a leading `Bearer ` is dropped).
    ///
    /// # Errors
    /// [`Error::MissingToken`] when it is empty, [`Error::Invalid`] when it holds whitespace or
    /// control characters (it could not travel in a header).
    pub fn new(token: impl Into<String>) -> Result<Token, Error> {
        // The caller's string is wiped when this function returns; one copy is kept.
        let given = Zeroizing::new(token.into());
        let trimmed = given.strip_prefix("Bearer ").unwrap_or(&given).trim();
        let token = Zeroizing::new(trimmed.to_owned());
        if token.is_empty() {
            return Err(Error::MissingToken);
        }
        if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid(
                "token",
                "it contains whitespace or control characters",
            ));
        }
        Ok(Token(token))
    }

    /// Reads `QONTO_ACCESS_TOKEN`.
    ///
    /// # Errors
    /// [`Error::MissingToken`] when it is unset or empty.
    pub fn from_env() -> Result<Token, Error> {
        match std::env::var(crate::TOKEN_ENV) {
            Ok(v) => Token::new(v),
            Err(_) => Err(Error::MissingToken),
        }
    }

    /// The token itself, to put in a header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl FromStr for Token {
    type Err = Error;
    fn from_str(s: &str) -> Result<Token, Error> {
        Token::new(s)
    }
}

/// A webhook signing secret. `Debug` is redacted; read it with [`Secret::expose`]. Its bytes are
/// wiped when it is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
        String::deserialize(deserializer).map(|s| Secret(Zeroizing::new(s)))
    }
}

impl Secret {
    /// Wraps a secret, checking Qonto's limits (32 to 128 characters) and that it holds no
    /// whitespace or control character (it is used as its UTF-8 bytes, so a stray newline would
    /// silently break every verification).
    ///
    /// # Errors
    /// [`Error::Invalid`] with field `secret`.
    pub fn new(secret: impl Into<String>) -> Result<Secret, Error> {
        let s = Secret(Zeroizing::new(secret.into()));
        s.validate()?;
        Ok(s)
    }

    /// Wraps a secret for an onboarding webhook endpoint: 1 to
    /// [`MAX_ONBOARDING_SECRET_LEN`](crate::MAX_ONBOARDING_SECRET_LEN) characters, no whitespace
    /// or control character. Qonto documents no length for it (its example has 24 characters),
    /// so the subscription API's 32-character minimum does not apply; a generated secret
    /// ([`generate_secret`]) is still the better choice.
    ///
    /// # Errors
    /// [`Error::Invalid`] with field `secret`.
    pub fn new_onboarding(secret: impl Into<String>) -> Result<Secret, Error> {
        let s = Secret(Zeroizing::new(secret.into()));
        s.validate_onboarding()?;
        Ok(s)
    }

    /// The secret itself: give it to `qonto_webhooks::Verifier::new`.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub(crate) fn validate_onboarding(&self) -> Result<(), Error> {
        let n = self.0.chars().count();
        let max = crate::MAX_ONBOARDING_SECRET_LEN;
        if n == 0 {
            return Err(Error::invalid(
                "secret",
                "it is empty (leave it out, or use --generate-secret, to have one generated)",
            ));
        }
        if n > max {
            return Err(Error::invalid(
                "secret",
                format!("it must be at most {max} characters, not {n}"),
            ));
        }
        if self.0.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid(
                "secret",
                "it contains whitespace or control characters",
            ));
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), Error> {
        let n = self.0.chars().count();
        if !(MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&n) {
            return Err(Error::invalid(
                "secret",
                format!(
                    "it must be {MIN_SECRET_LEN} to {MAX_SECRET_LEN} characters long, not {n} (use --generate-secret, or leave it out and Qonto generates one)"
                ),
            ));
        }
        if self.0.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid(
                "secret",
                "it contains whitespace or control characters",
            ));
        }
        Ok(())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl FromStr for Secret {
    type Err = Error;
    fn from_str(s: &str) -> Result<Secret, Error> {
        Secret::new(s)
    }
}

/// A new secret of the form Qonto documents: `whsec_` then the base64 of 32 random bytes from the
/// operating system (50 characters, like Qonto's example).
///
/// # Errors
/// [`Error::Random`] if the system random number generator fails.
pub fn generate_secret() -> Result<Secret, Error> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::Random)?;
    let mut s = String::with_capacity(50);
    s.push_str("whsec_");
    base64::engine::general_purpose::STANDARD.encode_string(bytes, &mut s);
    bytes.zeroize();
    Ok(Secret(Zeroizing::new(s)))
}

/// The body of `POST /v2/webhook_subscriptions`.
///
/// ```
/// use qonto_webhooks_subscriptions::NewSubscription;
/// let new = NewSubscription::new("https://example.com/qonto", ["v1/transactions"])
///     .description("payments");
/// assert!(new.validate().is_ok());
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct NewSubscription {
    callback_url: String,
    types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip)]
    allow_unknown_topics: bool,
}

impl NewSubscription {
    /// A subscription sending the events of `types` (topics such as `v1/transactions`) to
    /// `callback_url`. Qonto generates the secret unless [`NewSubscription::secret`] is set.
    pub fn new<I, T>(callback_url: impl Into<String>, types: I) -> NewSubscription
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        NewSubscription {
            callback_url: callback_url.into(),
            types: types.into_iter().map(Into::into).collect(),
            secret: None,
            description: None,
            allow_unknown_topics: false,
        }
    }

    /// Sends this secret instead of letting Qonto generate one.
    pub fn secret(mut self, secret: Secret) -> NewSubscription {
        self.secret = Some(secret);
        self
    }

    /// A description (at most 256 characters).
    pub fn description(mut self, description: impl Into<String>) -> NewSubscription {
        self.description = Some(description.into());
        self
    }

    /// Accepts topics outside [`TOPICS`] (for topics Qonto adds later).
    pub fn allow_unknown_topics(mut self, allow: bool) -> NewSubscription {
        self.allow_unknown_topics = allow;
        self
    }

    /// The callback URL.
    pub fn callback_url(&self) -> &str {
        &self.callback_url
    }

    /// The topics.
    pub fn types(&self) -> &[String] {
        &self.types
    }

    /// The secret to send, if any.
    pub fn secret_ref(&self) -> Option<&Secret> {
        self.secret.as_ref()
    }

    /// Checks every documented limit; [`crate::Client::create`] calls it before sending.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field: `callback_url` (not `https://`, no host, longer than
    /// 512 characters, whitespace), `types` (empty, duplicate, unknown topic), `secret` (not 32 to
    /// 128 characters), `description` (longer than 256 characters).
    pub fn validate(&self) -> Result<(), Error> {
        validate_callback_url(&self.callback_url, MAX_CALLBACK_URL_LEN, false)?;
        validate_types(&self.types, self.allow_unknown_topics)?;
        if let Some(s) = &self.secret {
            s.validate()?;
        }
        if let Some(d) = &self.description {
            let n = d.chars().count();
            if n > MAX_DESCRIPTION_LEN {
                return Err(Error::invalid(
                    "description",
                    format!("it must be at most {MAX_DESCRIPTION_LEN} characters, not {n}"),
                ));
            }
        }
        Ok(())
    }
}

/// Checks a `callback_url`: `https://` with a host, at most `max_len` characters, no
/// whitespace. With `loopback_http`, `http://` is also accepted when the host is a loopback
/// address (a receiver on this machine, for a local stand-in of Qonto), never otherwise.
pub(crate) fn validate_callback_url(
    url: &str,
    max_len: usize,
    loopback_http: bool,
) -> Result<(), Error> {
    let n = url.chars().count();
    if n > max_len {
        return Err(Error::invalid(
            "callback_url",
            format!("it must be at most {max_len} characters, not {n}"),
        ));
    }
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://").filter(|r| {
        let authority = r.split(['/', '?', '#']).next().unwrap_or("");
        loopback_http && !authority.contains('@') && crate::http::is_loopback(url)
    }) {
        rest
    } else {
        return Err(Error::invalid(
            "callback_url",
            format!("it must start with https:// (Qonto delivers over HTTPS only), got {url:?}"),
        ));
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(
            "callback_url",
            "it contains whitespace or control characters",
        ));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err(Error::invalid(
            "callback_url",
            format!("it has no host: {url:?}"),
        ));
    }
    Ok(())
}

fn validate_types(types: &[String], allow_unknown: bool) -> Result<(), Error> {
    if types.is_empty() {
        return Err(Error::invalid(
            "types",
            format!("give at least one topic, from: {}", TOPICS.join(", ")),
        ));
    }
    for (i, t) in types.iter().enumerate() {
        if types.iter().take(i).any(|u| u == t) {
            return Err(Error::invalid("types", format!("{t:?} is listed twice")));
        }
        if t.is_empty() || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid(
                "types",
                format!("{t:?} is not a topic (empty or has whitespace)"),
            ));
        }
        if !allow_unknown && !TOPICS.contains(&t.as_str()) {
            let hint = if !t.starts_with("v1/") && TOPICS.contains(&format!("v1/{t}").as_str()) {
                format!(" (did you mean \"v1/{t}\"?)")
            } else {
                String::new()
            };
            return Err(Error::invalid(
                "types",
                format!(
                    "{t:?} is not a documented topic{hint}; known: {} (allow others explicitly with --allow-unknown-topic)",
                    TOPICS.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// A subscription as the API returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Its id (a UUID).
    pub id: String,
    /// The organization that owns it.
    #[serde(default)]
    pub organization_id: String,
    /// The membership that owns it.
    #[serde(default)]
    pub membership_id: String,
    /// Where the webhooks go.
    pub callback_url: String,
    /// The topics.
    pub types: Vec<String>,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// When it was created (RFC 3339).
    #[serde(default)]
    pub created_at: String,
    /// When it was last updated (RFC 3339).
    #[serde(default)]
    pub updated_at: String,
}

/// The answer to a create: the subscription, and the secret that signs its webhooks. This is the
/// only time the API returns the secret: store it now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedSubscription {
    /// The subscription.
    #[serde(flatten)]
    pub subscription: Subscription,
    /// The signing secret (the one sent, or the one Qonto generated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
}

/// Pagination of a list answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// This page (from 1).
    pub current_page: u32,
    /// The next page, or `None` on the last one.
    #[serde(default)]
    pub next_page: Option<u32>,
    /// The previous page, or `None` on the first one.
    #[serde(default)]
    pub prev_page: Option<u32>,
    /// How many pages.
    pub total_pages: u32,
    /// How many subscriptions in all.
    pub total_count: u64,
    /// Items per page.
    pub per_page: u32,
}

/// One page of `GET /v2/webhook_subscriptions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionPage {
    /// The subscriptions of this page.
    pub subscriptions: Vec<Subscription>,
    /// Pagination.
    pub meta: Meta,
}

/// Which page to list (`None` = the API's default: page 1, 100 per page).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListParams {
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Items per page, 1 to 100.
    pub per_page: Option<u32>,
}

impl ListParams {
    /// Checks the documented ranges.
    ///
    /// # Errors
    /// [`Error::Invalid`] with field `page` (0) or `per_page` (0 or above 100).
    pub fn validate(&self) -> Result<(), Error> {
        if self.page == Some(0) {
            return Err(Error::invalid("page", "pages are numbered from 1"));
        }
        if let Some(n) = self.per_page {
            if n == 0 || n > MAX_PER_PAGE {
                return Err(Error::invalid(
                    "per_page",
                    format!("it must be between 1 and {MAX_PER_PAGE}, not {n}"),
                ));
            }
        }
        Ok(())
    }
}

/// Checks a subscription id before it goes into a URL path.
pub(crate) fn validate_id(id: &str) -> Result<(), Error> {
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(Error::invalid(
            "id",
            format!(
                "{id:?} is not a subscription id (a UUID such as 123e4567-e89b-12d3-a456-426614174000)"
            ),
        ));
    }
    Ok(())
}
