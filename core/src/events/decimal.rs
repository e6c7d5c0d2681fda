//! [`Decimal`]: an amount, rate or quantity exactly as Qonto sent it.

use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;
use core::str::FromStr;

use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// A decimal number (money, a rate, a quantity) exactly as Qonto sent it: the digits are kept as
/// text, never read through binary floating point.
///
/// Qonto sends the same field as a JSON number (`50.01`) or as a decimal string (`"50.00"`)
/// depending on the topic and the documentation's version, with any number of decimals
/// (`"10.0"`, `"120"`, `"0.20"`). A `Decimal` reads both, and writes back the kind it was read
/// from. Equality (`==`) compares the text and the kind; [`value_eq`](Decimal::value_eq) compares
/// values (`"50.0"` and `50` are equal values). Convert with your decimal crate of choice, e.g.
/// `rust_decimal::Decimal::from_str(d.as_str())`.
///
/// It deserialises through serde_json, from text or from a `serde_json::Value`, by serde_json's
/// raw value: not inside a `#[serde(flatten)]` field or an untagged enum of yours (serde buffers
/// those, and a number's digits are lost there), where it is an error.
///
/// ```
/// use qonto_webhooks::events::Decimal;
///
/// let d: Decimal = serde_json::from_str("77052.50")?;
/// assert_eq!(d.as_str(), "77052.50");
/// assert!(!d.is_json_string());
/// assert_eq!(serde_json::to_string(&d)?, "77052.50");
///
/// let s: Decimal = serde_json::from_str(r#""77052.5""#)?;
/// assert!(s.is_json_string() && s.value_eq(&d));
/// assert_eq!(serde_json::to_string(&s)?, r#""77052.5""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    text: String,
    json_string: bool,
}

/// A text that is not a decimal number (`-?digits[.digits][e[+-]digits]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseDecimalError(());

impl fmt::Display for ParseDecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a decimal number (expected digits, an optional fraction and exponent)")
    }
}

impl core::error::Error for ParseDecimalError {}

/// Whether `text` is `-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?` (the `decimal_pattern` of
/// core/payloads.json: a JSON number, leading zeros allowed).
fn is_decimal(text: &str) -> bool {
    fn digits(b: &[u8]) -> usize {
        b.iter().take_while(|c| c.is_ascii_digit()).count()
    }
    let b = text.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let n = digits(b.get(i..).unwrap_or_default());
    if n == 0 {
        return false;
    }
    i += n;
    if b.get(i) == Some(&b'.') {
        let n = digits(b.get(i + 1..).unwrap_or_default());
        if n == 0 {
            return false;
        }
        i += 1 + n;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(b.get(i..).unwrap_or_default());
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == b.len()
}

impl Decimal {
    /// A decimal that serialises as a JSON string (`"12.50"`), as most of Qonto's amounts are.
    ///
    /// # Errors
    /// [`ParseDecimalError`] when `text` is not `-?digits[.digits][e[+-]digits]`.
    pub fn parse(text: &str) -> Result<Decimal, ParseDecimalError> {
        if is_decimal(text) {
            Ok(Decimal {
                text: text.to_owned(),
                json_string: true,
            })
        } else {
            Err(ParseDecimalError(()))
        }
    }

    /// A decimal that serialises as a JSON number (`12.50`), as transactions' amounts are.
    ///
    /// # Errors
    /// As [`parse`](Decimal::parse).
    pub fn parse_number(text: &str) -> Result<Decimal, ParseDecimalError> {
        let mut d = Decimal::parse(text)?;
        d.json_string = false;
        Ok(d)
    }

    /// The decimal as sent: `"50.01"` for both `50.01` and `"50.01"`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether it was sent (and is written back) as a JSON string rather than a number.
    pub fn is_json_string(&self) -> bool {
        self.json_string
    }

    /// Sign, significant digits and exponent: `-1.20e1` gives `(true, "12", 0)` (12 × 10⁰).
    fn canonical(&self) -> (bool, String, i64) {
        let text = self.text.as_str();
        let (negative, text) = text.strip_prefix('-').map_or((false, text), |t| (true, t));
        let (mantissa, exponent) = text.split_once(['e', 'E']).unwrap_or((text, "0"));
        // Validated: at most a sign and digits; saturate absurd exponents (still comparable).
        let exponent = exponent
            .parse::<i64>()
            .unwrap_or(if exponent.starts_with('-') {
                i64::MIN / 2
            } else {
                i64::MAX / 2
            });
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let mut digits: String = int.chars().chain(frac.chars()).collect();
        let mut exponent = exponent.saturating_sub(i64::try_from(frac.len()).unwrap_or(i64::MAX));
        while digits.ends_with('0') {
            digits.pop();
            exponent = exponent.saturating_add(1);
        }
        let digits = digits.trim_start_matches('0');
        if digits.is_empty() {
            return (false, String::new(), 0);
        }
        (negative, digits.to_owned(), exponent)
    }

    /// Whether both are the same number: `"50.0"`, `50`, `5e1` and `"50.00"` are.
    pub fn value_eq(&self, other: &Decimal) -> bool {
        self.canonical() == other.canonical()
    }

    /// Reads the JSON text of a value: a number, or a string holding a decimal.
    pub(crate) fn from_json_text(raw: &str) -> Result<Decimal, ParseDecimalError> {
        let raw = raw.trim_matches([' ', '\t', '\n', '\r']);
        if raw.starts_with('"') {
            let text: String = serde_json::from_str(raw).map_err(|_| ParseDecimalError(()))?;
            Decimal::parse(&text)
        } else {
            Decimal::parse_number(raw)
        }
    }
}

impl FromStr for Decimal {
    type Err = ParseDecimalError;

    /// As [`Decimal::parse`] (a JSON string when serialised).
    fn from_str(text: &str) -> Result<Decimal, ParseDecimalError> {
        Decimal::parse(text)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.json_string {
            return serializer.serialize_str(&self.text);
        }
        // Integers as integers (exact in any format); other numbers as their digits, which
        // serde_json writes verbatim.
        if let Ok(n) = self.text.parse::<u64>() {
            return serializer.serialize_u64(n);
        }
        if let Ok(n) = self.text.parse::<i64>() {
            return serializer.serialize_i64(n);
        }
        RawValue::from_string(self.text.clone())
            .map_err(S::Error::custom)?
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    /// Reads a JSON number by its digits (serde_json's raw value: from text, exactly; from a
    /// `serde_json::Value`, as that value prints), or a string holding a decimal number.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        let raw: Box<RawValue> = Deserialize::deserialize(deserializer)?;
        Decimal::from_json_text(raw.get()).map_err(|_| {
            D::Error::custom(format_args!(
                "expected a decimal number or string, got {}",
                raw.get()
            ))
        })
    }
}
