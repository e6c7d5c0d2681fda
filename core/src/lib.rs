#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(test)]
extern crate std;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
mod ct;
#[cfg(feature = "diagnose")]
pub mod diagnose;
mod error;
#[cfg(feature = "serde")]
pub mod events;
mod header;
#[cfg(feature = "http")]
mod headers;
pub mod http;
#[cfg(feature = "std")]
pub mod idempotency;
mod request;
mod sign;
mod verifier;

pub use error::{
    Error, ErrorKind, MESSAGE_TEMPLATES, MessageTemplate, PLACEHOLDERS, Placeholder,
    PlaceholderValue,
};
pub use header::{Signature, SignatureHeader, Signatures};
pub use request::Schemes;
pub use sign::{HeaderValue, sign, sign_onboarding};
pub use verifier::{DEFAULT_TOLERANCE_SECS, Incremental, Tolerance, Verified, Verifier};

/// The longest signature header accepted, in bytes; a longer one is `malformed_header` before
/// anything else is parsed.
pub const MAX_HEADER_LEN: usize = 4096;

/// The most secrets one [`Verifier`] holds (rotation needs two or three).
pub const MAX_SECRETS: usize = 8;

/// The length of an HMAC-SHA256 signature, in bytes.
pub const SIGNATURE_LEN: usize = 32;

/// The length of a signature in hex digits.
pub const SIGNATURE_HEX_LEN: usize = 2 * SIGNATURE_LEN;

/// The business webhook header.
pub const BUSINESS_HEADER: &str = "X-Qonto-Signature";

/// The onboarding webhook header.
pub const ONBOARDING_HEADER: &str = "Qonto-SHA256-Signature";

/// Which of Qonto's two signature schemes a webhook uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Business API webhooks (`v1/...` topics): `X-Qonto-Signature: t=..,v1=..`, HMAC over
    /// `"<t>.<body>"`, with a replay window.
    Business,
    /// Onboarding API webhooks (`registrations.*`, `organizations.deleted`):
    /// `Qonto-SHA256-Signature: <hex>`, HMAC over the body alone, no timestamp.
    Onboarding,
}

impl Scheme {
    /// The header that carries this scheme's signature.
    pub const fn header_name(self) -> &'static str {
        match self {
            Scheme::Business => BUSINESS_HEADER,
            Scheme::Onboarding => ONBOARDING_HEADER,
        }
    }

    /// `"business"` or `"onboarding"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scheme::Business => "business",
            Scheme::Onboarding => "onboarding",
        }
    }
}

/// The system clock, in unix seconds (0 if the clock is before 1970).
///
/// On Linux and Android it reads the coarse wall clock (`CLOCK_REALTIME_COARSE`: the time of the
/// last tick, a few milliseconds behind at most), which costs a fraction of the precise one; a
/// replay window counts whole seconds. Elsewhere it reads [`SystemTime`](std::time::SystemTime).
#[cfg(feature = "std")]
pub fn unix_now() -> u64 {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let now = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
        u64::try_from(now.tv_sec).unwrap_or(0)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}
