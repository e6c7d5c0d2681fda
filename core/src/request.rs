//! Which scheme a request is verified under: the endpoint's configuration decides, never the
//! request.
//!
//! The two schemes' MACs overlap: the business MAC of `(t, body)` is the onboarding MAC of the
//! body `t.body`. An endpoint that let the request's headers pick the scheme would accept a
//! captured business webhook, reframed as an onboarding one, forever (no window). So an endpoint
//! says which schemes it accepts ([`Schemes`], business only by default), and
//! [`Schemes::select`] is the one rule every binding applies to a request's two headers.

use crate::error::{Detail, Error, ErrorKind};
use crate::{BUSINESS_HEADER, ONBOARDING_HEADER, Scheme};

/// The schemes an endpoint accepts. The default is [`Schemes::Business`]: accepting onboarding
/// webhooks (or both) must be said explicitly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Schemes {
    /// Business webhooks only (`X-Qonto-Signature`). The default.
    #[default]
    Business,
    /// Onboarding webhooks only (`Qonto-SHA256-Signature`).
    Onboarding,
    /// Both: the business header is verified when present, else the onboarding one. Use
    /// different secrets for the two schemes (they are different registrations at Qonto): with
    /// one secret for both, a captured business webhook can be replayed as an onboarding one.
    Both,
}

impl Schemes {
    /// Every value, in the order of their numbers.
    pub const ALL: [Schemes; 3] = [Schemes::Business, Schemes::Onboarding, Schemes::Both];

    /// `"business"`, `"onboarding"` or `"both"`: the spelling every binding takes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Schemes::Business => "business",
            Schemes::Onboarding => "onboarding",
            Schemes::Both => "both",
        }
    }

    /// The value spelled `name` (see [`as_str`](Schemes::as_str)), if any.
    ///
    /// ```
    /// use qonto_webhooks::Schemes;
    /// assert_eq!(Schemes::from_name("both"), Some(Schemes::Both));
    /// assert_eq!(Schemes::from_name("Business"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Schemes> {
        Schemes::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether a webhook of `scheme` is accepted.
    pub const fn accepts(self, scheme: Scheme) -> bool {
        matches!(
            (self, scheme),
            (Schemes::Both, _)
                | (Schemes::Business, Scheme::Business)
                | (Schemes::Onboarding, Scheme::Onboarding)
        )
    }

    /// Picks the header to verify from the two a request may carry (`None`: absent), by the one
    /// rule every binding applies:
    ///
    /// - only the configured schemes' headers are ever read;
    /// - with [`Schemes::Both`], the business header wins when it is present and not blank;
    /// - when no accepted header is there, the error is `missing_header`, and its message says
    ///   when the request carries the other scheme's header instead.
    ///
    /// ```
    /// use qonto_webhooks::{ErrorKind, Scheme, Schemes};
    ///
    /// let business = Some("t=1704110400,v1=...".as_bytes());
    /// let onboarding = Some("56aff06d...".as_bytes());
    /// assert_eq!(Schemes::Both.select(business, onboarding)?.0, Scheme::Business);
    /// assert_eq!(Schemes::Both.select(None, onboarding)?.0, Scheme::Onboarding);
    /// // The default accepts business webhooks only: an onboarding header is not read.
    /// let err = Schemes::default().select(None, onboarding).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::MissingHeader);
    /// # Ok::<(), qonto_webhooks::Error>(())
    /// ```
    ///
    /// # Errors
    /// `missing_header` when no accepted header is present.
    pub fn select<'h>(
        self,
        business: Option<&'h [u8]>,
        onboarding: Option<&'h [u8]>,
    ) -> Result<(Scheme, &'h [u8]), Error> {
        // A header over the length limit is present, whatever it holds: the length is checked
        // before anything else, so it is malformed_header, not missing_header.
        let present = |h: &&[u8]| h.len() > crate::MAX_HEADER_LEN || !blank(h);
        let business = business.filter(present);
        let onboarding = onboarding.filter(present);
        let (scheme, chosen, other) = match self {
            Schemes::Business => (Scheme::Business, business, onboarding.is_some()),
            Schemes::Onboarding => (Scheme::Onboarding, onboarding, business.is_some()),
            Schemes::Both => match (business, onboarding) {
                (Some(h), _) => return Ok((Scheme::Business, h)),
                (None, Some(h)) => return Ok((Scheme::Onboarding, h)),
                (None, None) => {
                    return Err(Error::new(
                        ErrorKind::MissingHeader,
                        Scheme::Business,
                        Detail::MissingEither,
                    ));
                }
            },
        };
        match chosen {
            Some(h) => Ok((scheme, h)),
            None if other => Err(Error::new(
                ErrorKind::MissingHeader,
                scheme,
                Detail::OtherSchemeOnly,
            )),
            None => Err(Error::new(
                ErrorKind::MissingHeader,
                scheme,
                Detail::Missing,
            )),
        }
    }
}

impl core::fmt::Display for Schemes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Empty, or only spaces and tabs: what the grammar calls a missing header.
fn blank(header: &[u8]) -> bool {
    header.iter().all(|&b| b == b' ' || b == b'\t')
}

/// The other scheme's header name, for the message of [`Detail::OtherSchemeOnly`].
pub(crate) const fn other_header(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::Business => ONBOARDING_HEADER,
        Scheme::Onboarding => BUSINESS_HEADER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    const B: Option<&[u8]> = Some(b"t=1,v1=00");
    const O: Option<&[u8]> = Some(b"ab");

    #[test]
    fn each_configuration_reads_only_its_own_headers() {
        assert_eq!(
            Schemes::Business.select(B, O).unwrap(),
            (Scheme::Business, B.unwrap())
        );
        assert_eq!(
            Schemes::Onboarding.select(B, O).unwrap(),
            (Scheme::Onboarding, O.unwrap())
        );
        assert_eq!(
            Schemes::Both.select(B, O).unwrap(),
            (Scheme::Business, B.unwrap())
        );
        assert_eq!(
            Schemes::Both.select(None, O).unwrap(),
            (Scheme::Onboarding, O.unwrap())
        );
        assert_eq!(
            Schemes::Both.select(Some(b" \t"), O).unwrap().0,
            Scheme::Onboarding
        );
    }

    #[test]
    fn the_other_schemes_header_alone_is_missing_header_and_the_message_says_why() {
        let err = Schemes::Business.select(None, O).unwrap_err();
        assert_eq!(
            (err.kind(), err.scheme()),
            (ErrorKind::MissingHeader, Scheme::Business)
        );
        let msg = err.to_string();
        assert!(msg.contains("carries Qonto-SHA256-Signature"), "{msg}");
        assert!(msg.contains("accepts business webhooks only"), "{msg}");

        let err = Schemes::Onboarding.select(B, None).unwrap_err();
        assert_eq!(
            (err.kind(), err.scheme()),
            (ErrorKind::MissingHeader, Scheme::Onboarding)
        );
        assert!(
            err.to_string().contains("carries X-Qonto-Signature"),
            "{err}"
        );
    }

    #[test]
    fn nothing_accepted_is_missing_header() {
        for schemes in Schemes::ALL {
            for blank in [None, Some(&b""[..]), Some(&b" \t "[..])] {
                let err = schemes.select(blank, blank).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::MissingHeader);
                assert!(err.to_string().contains("missing"), "{err}");
            }
        }
        let err = Schemes::Both.select(None, None).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "the X-Qonto-Signature and Qonto-SHA256-Signature headers are both missing"
            ),
            "{err}"
        );
        let err = Schemes::Business.select(None, None).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the X-Qonto-Signature header is missing or empty")
        );
    }

    #[test]
    fn names_round_trip_and_accepts_agrees_with_select() {
        for schemes in Schemes::ALL {
            assert_eq!(Schemes::from_name(schemes.as_str()), Some(schemes));
            assert_eq!(schemes.to_string(), schemes.as_str());
            for scheme in [Scheme::Business, Scheme::Onboarding] {
                let (b, o) = match scheme {
                    Scheme::Business => (B, None),
                    Scheme::Onboarding => (None, O),
                };
                assert_eq!(schemes.accepts(scheme), schemes.select(b, o).is_ok());
            }
        }
        assert_eq!(Schemes::default(), Schemes::Business);
        assert_eq!(Schemes::from_name("BOTH"), None);
    }
}
