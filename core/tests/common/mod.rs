//! The shared test vectors (`testkit/vectors/vectors.json`) and request cases (`requests.json`)
//! as Rust values: the workspace's test kit (`testkit/`) reads them, for the CLI's tests and the
//! conformance runner too, so the format is read in one place. The kit does not know the core's
//! types; [`Window`] turns a case's window into a [`Tolerance`].

#![allow(dead_code)]

use qonto_webhooks::Tolerance;
pub use qonto_webhooks_testkit::vectors::*;

/// A case's replay window as the core's [`Tolerance`].
pub trait Window {
    /// `None` in the data is a disabled window.
    fn tolerance(&self) -> Tolerance;
}

impl Window for Vector {
    fn tolerance(&self) -> Tolerance {
        self.tolerance
            .map_or(Tolerance::Disabled, Tolerance::Seconds)
    }
}

impl Window for RequestCase {
    fn tolerance(&self) -> Tolerance {
        self.tolerance
            .map_or(Tolerance::Disabled, Tolerance::Seconds)
    }
}
