//! Realistic example events, one per topic, shaped from Qonto's documentation.

use std::time::{SystemTime, UNIX_EPOCH};

/// The business topics Qonto documents, with the event each sends by default.
pub const TOPICS: [(&str, &str); 12] = [
    ("v1/transactions", "transactions.created"),
    ("v1/accounts", "created"),
    ("v1/organizations", "suspended"),
    ("v1/memberships", "updated"),
    ("v1/consent-revocations", ""),
    ("v1/cards", "cards.created"),
    ("v1/payment-links", "payment_links.created"),
    ("v1/payment-links-connections", "connection_enabled"),
    ("v1/beneficiaries", "created"),
    ("v1/client-invoices", "created"),
    ("v1/terminal-payments", "authorized"),
    ("v1/clients", "created"),
];

/// A random-looking version 4 UUID (unique per call; not for security).
pub fn uuid() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // A 128-bit mix of time, process and counter (splitmix64 twice).
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let seed = (nanos as u64) ^ (u64::from(std::process::id()) << 32) ^ n;
    let (a, b) = (mix(seed), mix(seed ^ 0xdead_beef_cafe_f00d));
    // Version 4, variant 10xx.
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

fn rfc3339_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The `data` object of an example event.
fn data(topic: &str, event: &str, id: &str) -> String {
    let event_field = if event.is_empty() {
        String::new()
    } else {
        format!(r#""event":"{event}","#)
    };
    let fields = match topic {
        "v1/transactions" => {
            r#""amount":"1250.00","amount_cents":125000,"currency":"EUR","side":"credit","operation_type":"transfer","label":"ACME SAS","status":"completed""#
        }
        "v1/accounts" => r#""name":"Main account","currency":"EUR","status":"active""#,
        "v1/organizations" => r#""legal_name":"Qonto Demo SAS","status":"suspended""#,
        "v1/memberships" => r#""first_name":"Camille","last_name":"Martin","role":"admin""#,
        "v1/consent-revocations" => {
            r#""client_id":"6b1f0a52-3d0c-4d8e-9a0b-6f1c2e3d4a5b","revoked_at":"2026-01-01T00:00:00Z""#
        }
        "v1/cards" => {
            r#""nickname":"Travel","card_level":"standard","status":"live","last_digits":"4242""#
        }
        "v1/payment-links" => r#""status":"open","amount":{"value":"49.90","currency":"EUR"}"#,
        "v1/payment-links-connections" => r#""status":"enabled""#,
        "v1/beneficiaries" => r#""name":"Dupont Consulting","trusted":true"#,
        "v1/client-invoices" => {
            r#""number":"INV-2026-0042","status":"unpaid","total_amount":{"value":"1200.00","currency":"EUR"}"#
        }
        "v1/terminal-payments" => {
            r#""amount":{"value":"18.50","currency":"EUR"},"status":"authorized""#
        }
        "v1/clients" => r#""name":"ACME SAS","kind":"company","email":"billing@acme.example""#,
        _ => r#""note":"example payload for an undocumented topic""#,
    };
    format!(r#"{{{event_field}"id":"{id}",{fields}}}"#)
}

/// A complete business event for `topic` (compact JSON, as Qonto sends it).
pub fn business_event(topic: &str, event: Option<&str>) -> String {
    let default_event = TOPICS
        .iter()
        .find(|(t, _)| *t == topic)
        .map_or("created", |(_, e)| e);
    let event = event.unwrap_or(default_event);
    format!(
        r#"{{"id":"{}","subscription_id":"7f3c2a10-5b8e-4d2f-9a61-0c4e8b2d6f13","organization_id":"c1a2b3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","membership_id":"5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","type":"{topic}","created_at":"{}","data":{}}}"#,
        uuid(),
        rfc3339_now(),
        data(topic, event, &uuid())
    )
}

/// A complete onboarding event (flat body, no `data`).
pub fn onboarding_event(event: Option<&str>) -> String {
    format!(
        r#"{{"id":"{}","event_type":"{}","resource_type":"registration","resource_id":"{}","created_at":"{}"}}"#,
        uuid(),
        event.unwrap_or("registrations.pending"),
        uuid(),
        rfc3339_now()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_v4_shaped_and_unique() {
        let a = uuid();
        let b = uuid();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_eq!(a.matches('-').count(), 4);
    }

    #[test]
    fn dates_are_rfc3339() {
        let d = rfc3339_now();
        assert_eq!(d.len(), 24, "{d}");
        assert!(d.starts_with("20") && d.ends_with(".000Z"), "{d}");
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;
    use qonto_webhooks::events::{Event, OnboardingEvent, Topic};

    #[test]
    fn every_example_is_a_valid_event_of_its_topic() {
        for (topic, event) in TOPICS {
            let body = business_event(topic, None);
            let parsed: Event = serde_json::from_str(&body).unwrap();
            assert_eq!(parsed.topic.as_str(), topic);
            assert!(Topic::DOCUMENTED.contains(&parsed.topic));
            assert_eq!(parsed.data.event.as_deref().unwrap_or(""), event);
        }
        let parsed: OnboardingEvent =
            serde_json::from_str(&onboarding_event(Some("registrations.completed"))).unwrap();
        assert_eq!(parsed.event_type, "registrations.completed");
    }
}
