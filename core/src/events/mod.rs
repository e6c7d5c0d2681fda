//! Typed Qonto events (feature `serde`): the business envelope with its topic, the onboarding
//! event, and [`Verifier::construct_event`], which verifies and then parses.
//!
//! Unknown topics and fields are kept, never rejected: Qonto adds topics and fields over time.
//!
//! [`Event::payload`] gives the event's `data` typed by topic ([`Payload`]: one struct per topic,
//! generated from `core/payloads.json`), with amounts as [`Decimal`]; timestamps stay the text
//! sent, which [`Timestamp::parse`] reads.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

use serde::de::MapAccess;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::{Error, Verifier};

mod decimal;
mod payloads;
mod timestamp;

pub use decimal::{Decimal, ParseDecimalError};
pub use payloads::*;
pub use timestamp::{ParseTimestampError, Timestamp};

macro_rules! topics {
    ($($variant:ident => $name:literal, $doc:literal;)*) => {
        /// The `type` of a business event: the webhook topic it was subscribed for.
        #[non_exhaustive]
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum Topic {
            $(#[doc = $doc] $variant,)*
            /// A topic this version does not know, kept as sent.
            Unknown(String),
        }

        impl Topic {
            /// The topics Qonto documents, in the order of its subscription API.
            pub const DOCUMENTED: [Topic; 12] = [$(Topic::$variant),*];

            /// The documented topics' names as Qonto writes them, in the order of
            /// [`DOCUMENTED`](Topic::DOCUMENTED): what its subscription API accepts in `types`.
            pub const DOCUMENTED_NAMES: [&'static str; 12] = [$($name),*];

            /// The topic as Qonto writes it, e.g. `"v1/transactions"`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Topic::$variant => $name,)*
                    Topic::Unknown(name) => name,
                }
            }

            /// The topic named `name` (any string: unknown names give [`Topic::Unknown`]).
            ///
            /// ```
            /// use qonto_webhooks::events::Topic;
            /// assert_eq!(Topic::parse("v1/cards"), Topic::Cards);
            /// assert_eq!(Topic::parse("v1/products").as_str(), "v1/products");
            /// ```
            pub fn parse(name: &str) -> Topic {
                match name {
                    $($name => Topic::$variant,)*
                    other => Topic::Unknown(other.into()),
                }
            }
        }
    };
}

topics! {
    Transactions => "v1/transactions", "`v1/transactions`: transactions created or updated.";
    Accounts => "v1/accounts", "`v1/accounts`: bank accounts.";
    Organizations => "v1/organizations", "`v1/organizations`: the organization (e.g. suspended).";
    Memberships => "v1/memberships", "`v1/memberships`: team members.";
    ConsentRevocations => "v1/consent-revocations", "`v1/consent-revocations`: an OAuth consent was revoked (`data` has no `event`).";
    Cards => "v1/cards", "`v1/cards`: cards created, activated, locked, limits updated, ...";
    PaymentLinks => "v1/payment-links", "`v1/payment-links`: payment links created or updated.";
    PaymentLinksConnections => "v1/payment-links-connections", "`v1/payment-links-connections`: connection enabled or revoked.";
    Beneficiaries => "v1/beneficiaries", "`v1/beneficiaries`: beneficiaries created, updated, deleted.";
    ClientInvoices => "v1/client-invoices", "`v1/client-invoices`: client invoices created or updated.";
    TerminalPayments => "v1/terminal-payments", "`v1/terminal-payments`: terminal payments authorized or refused.";
    Clients => "v1/clients", "`v1/clients`: clients created, updated, deleted.";
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Topic {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Topic {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Topic, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(Topic::parse(&name))
    }
}

/// A business API event (the body of a `v1/...` webhook).
///
/// ```
/// use qonto_webhooks::events::{Event, Topic};
///
/// let body = r#"{"id":"e1","subscription_id":"s1","organization_id":"o1","membership_id":"m1",
///   "type":"v1/beneficiaries","created_at":"2025-03-02T09:00:00Z",
///   "data":{"event":"deleted","id":"b1"},"new_field":true}"#;
/// let event: Event = serde_json::from_str(body)?;
/// assert_eq!(event.topic, Topic::Beneficiaries);
/// assert_eq!(event.data.action(), Some("deleted"));
/// assert_eq!(event.data.fields["id"], "b1");
/// assert_eq!(event.extra["new_field"], true);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The event's id (a UUID): deduplicate on it, since Qonto retries.
    pub id: String,
    /// The webhook subscription that delivered it.
    pub subscription_id: String,
    /// The organization it concerns.
    pub organization_id: String,
    /// The membership (user) the subscription belongs to.
    pub membership_id: String,
    /// The topic (`type` in the JSON).
    #[serde(rename = "type")]
    pub topic: Topic,
    /// When the event happened, RFC 3339 (with or without milliseconds).
    pub created_at: String,
    /// The event's payload.
    pub data: EventData,
    /// Fields of the envelope this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `data` of a business event: its `event` name and the resource's fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventData {
    /// The event name as sent: `created`, or prefixed as in `transactions.created` (Qonto's lists
    /// and samples disagree). Absent for some topics (consent revocations, client invoices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Every other field of `data`.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl EventData {
    /// The event name without a topic prefix: `created` for both `created` and
    /// `transactions.created`.
    pub fn action(&self) -> Option<&str> {
        action(self.event.as_deref())
    }
}

/// The event name without its `<resource>.` prefix.
fn action(event: Option<&str>) -> Option<&str> {
    let event = event?;
    Some(event.rsplit_once('.').map_or(event, |(_, action)| action))
}

impl Event {
    /// The event's `data`, typed by its topic: [`Payload::Transaction`] for `v1/transactions`...,
    /// [`Payload::Unknown`] (the data as sent) for a topic this version does not model or data
    /// that does not fit its topic's model. Never fails.
    ///
    /// Decimal numbers are read from `data` as parsed, where a JSON number with more than 15
    /// significant digits may already have lost its last digits (every amount Qonto documents
    /// has fewer); [`Payload::from_body`] reads them from the body's text, exactly.
    ///
    /// ```
    /// use qonto_webhooks::events::{Event, Payload};
    ///
    /// let body = r#"{"id":"e1","subscription_id":"s1","organization_id":"o1","membership_id":"m1",
    ///   "type":"v1/transactions","created_at":"2025-01-24T10:55:00Z",
    ///   "data":{"event":"transactions.created","id":"t1","amount":50.01,"currency":"EUR",
    ///           "side":"debit","new_field":1}}"#;
    /// let event: Event = serde_json::from_str(body)?;
    /// let Payload::Transaction(tx) = event.payload() else { panic!("not a transaction") };
    /// assert_eq!(tx.action(), Some("created"));
    /// assert_eq!(tx.amount.as_ref().map(|a| a.as_str()), Some("50.01"));
    /// assert_eq!(tx.side.as_deref(), Some("debit"));
    /// assert_eq!(tx.extra["new_field"], 1);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn payload(&self) -> Payload {
        let mut data = self.data.fields.clone();
        if let Some(event) = &self.data.event {
            data.insert("event".into(), Value::String(event.clone()));
        }
        Payload::from_value(self.topic.as_str(), Value::Object(data))
    }
}

impl Payload {
    /// The typed `data` of a business event's body (its `type` and `data`; the rest of the
    /// envelope is not read), with decimal numbers read from the text, exactly. As
    /// [`Event::payload`], a topic this version does not model, or data that does not fit, gives
    /// [`Payload::Unknown`].
    ///
    /// ```
    /// use qonto_webhooks::events::Payload;
    ///
    /// let body = br#"{"type":"v1/transactions","data":{"amount":12345678901234567.891}}"#;
    /// let Payload::Transaction(tx) = Payload::from_body(body)? else { panic!() };
    /// assert_eq!(tx.amount.unwrap().as_str(), "12345678901234567.891");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    ///
    /// # Errors
    /// When the body is not JSON, or has no string `type` or no `data`.
    pub fn from_body(body: &[u8]) -> Result<Payload, serde_json::Error> {
        #[derive(Deserialize)]
        struct Envelope<'a> {
            #[serde(rename = "type", borrow)]
            topic: Cow<'a, str>,
            #[serde(borrow)]
            data: &'a RawValue,
        }
        let envelope: Envelope<'_> = serde_json::from_slice(body)?;
        Payload::from_json(&envelope.topic, envelope.data.get())
    }

    /// The event name without its `<resource>.` prefix (`created` for `transactions.created`),
    /// as [`EventData::action`].
    pub fn action(&self) -> Option<&str> {
        action(self.event())
    }
}

/// `data` as the typed `T`, or, when it does not fit, as it is.
fn typed<T: serde::de::DeserializeOwned>(data: Value, wrap: fn(T) -> Payload) -> Payload {
    match T::deserialize(&data) {
        Ok(typed) => wrap(typed),
        Err(_) => Payload::Unknown(data),
    }
}

/// `data` (JSON text) as the typed `T`, or, when it does not fit, as a value.
fn typed_text<T: serde::de::DeserializeOwned>(
    data: &str,
    wrap: fn(T) -> Payload,
) -> Result<Payload, serde_json::Error> {
    match serde_json::from_str(data) {
        Ok(typed) => Ok(wrap(typed)),
        Err(_) => serde_json::from_str(data).map(Payload::Unknown),
    }
}

/// Reads a described field's value: `null` leaves the field `None` and keeps the `null` in
/// `extra`, so that serialising writes it back.
fn read_field<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    key: String,
    slot: &mut Option<T>,
    extra: &mut Map<String, Value>,
) -> Result<(), A::Error> {
    match map.next_value::<Option<T>>()? {
        Some(value) => *slot = Some(value),
        None => {
            extra.insert(key, Value::Null);
        }
    }
    Ok(())
}

/// Keeps a field the model does not describe, as sent.
fn read_extra<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: String,
    extra: &mut Map<String, Value>,
) -> Result<(), A::Error> {
    let value: Value = map.next_value()?;
    extra.insert(key, value);
    Ok(())
}

/// Writes a described field when it is set.
fn write_field<M: SerializeMap, T: Serialize>(
    map: &mut M,
    key: &str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    match value {
        Some(value) => map.serialize_entry(key, value),
        None => Ok(()),
    }
}

/// Writes the kept fields, but not one that a described field, now set, replaces.
fn write_extra<M: SerializeMap>(
    map: &mut M,
    extra: &Map<String, Value>,
    is_set: impl Fn(&str) -> bool,
) -> Result<(), M::Error> {
    for (key, value) in extra {
        if !is_set(key) {
            map.serialize_entry(key, value)?;
        }
    }
    Ok(())
}

/// The onboarding event types Qonto documents (`event_type`).
pub const ONBOARDING_EVENT_TYPES: [&str; 10] = [
    "registrations.pending",
    "registrations.user_started",
    "registrations.contract_signed",
    "registrations.completed",
    "organizations.deleted",
    "registrations.submitted",
    "registrations.capital_deposit_activated",
    "registrations.capital_deposit_request_signed",
    "registrations.capital_deposit_certificate_signed",
    "registrations.capital_deposit_statement_ready",
];

/// An onboarding API event (the body of a `Qonto-SHA256-Signature` webhook). It names the
/// resource; fetch the registration itself from the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OnboardingEvent {
    /// The event's id: deduplicate on it (this scheme has no replay window).
    pub id: String,
    /// One of [`ONBOARDING_EVENT_TYPES`], or a newer one.
    pub event_type: String,
    /// E.g. `registration`.
    pub resource_type: String,
    /// The resource's id.
    pub resource_id: String,
    /// When the event happened, RFC 3339.
    pub created_at: String,
    /// Fields this version does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Why [`Verifier::construct_event`] failed: the signature, or a verified body that is not an
/// event of the expected shape.
#[derive(Debug)]
pub enum ConstructError {
    /// The webhook did not verify: do not trust the body.
    Verification(Error),
    /// The webhook verified but its body is not an event of the expected shape.
    Payload(serde_json::Error),
}

impl ConstructError {
    /// The verification error's stable code, or `"invalid_payload"`.
    pub fn code(&self) -> &'static str {
        match self {
            ConstructError::Verification(e) => e.code(),
            ConstructError::Payload(_) => "invalid_payload",
        }
    }
}

impl fmt::Display for ConstructError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConstructError::Verification(e) => fmt::Display::fmt(e, f),
            ConstructError::Payload(e) => write!(f, "the verified body is not a Qonto event: {e}"),
        }
    }
}

impl core::error::Error for ConstructError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            ConstructError::Verification(e) => Some(e),
            ConstructError::Payload(e) => Some(e),
        }
    }
}

impl From<Error> for ConstructError {
    fn from(e: Error) -> ConstructError {
        ConstructError::Verification(e)
    }
}

impl Verifier {
    /// Verifies a business webhook, then parses its body into an [`Event`].
    ///
    /// ```
    /// use qonto_webhooks::{sign, Verifier, events::Topic};
    ///
    /// let body = br#"{"id":"e1","subscription_id":"s1","organization_id":"o1","membership_id":"m1","type":"v1/transactions","created_at":"2025-01-01T00:00:00Z","data":{"event":"transactions.created","amount":"12.50"}}"#;
    /// let header = sign("s3cret", body, 1_735_689_600)?;
    /// let event = Verifier::new("s3cret")?.construct_event(body, &*header, 1_735_689_600)?;
    /// assert_eq!(event.topic, Topic::Transactions);
    /// assert_eq!(event.data.action(), Some("created"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`ConstructError::Verification`] as [`Verifier::verify`]; [`ConstructError::Payload`]
    /// when the verified body is not an event.
    pub fn construct_event<H: AsRef<[u8]> + ?Sized>(
        &self,
        body: &[u8],
        header: &H,
        now: u64,
    ) -> Result<Event, ConstructError> {
        self.verify(body, header, now)?;
        serde_json::from_slice(body).map_err(ConstructError::Payload)
    }

    /// Verifies an onboarding webhook, then parses its body into an [`OnboardingEvent`].
    ///
    /// # Errors
    /// As [`construct_event`](Verifier::construct_event), with the onboarding scheme.
    pub fn construct_onboarding_event<H: AsRef<[u8]> + ?Sized>(
        &self,
        body: &[u8],
        header: &H,
    ) -> Result<OnboardingEvent, ConstructError> {
        self.verify_onboarding(body, header)?;
        serde_json::from_slice(body).map_err(ConstructError::Payload)
    }
}
