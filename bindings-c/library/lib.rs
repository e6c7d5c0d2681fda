//! `libqonto_webhooks` (.a and .so, `-lqonto_webhooks`): the C ABI of `qonto-webhooks-c`
//! (bindings-c/src, where every function is defined and documented) with the core and the Rust
//! standard library, as one library for C, C++ and Go's cgo. Declared by
//! `include/qonto_webhooks.h`.

pub use qonto_webhooks_c::*;
