//! The text of a status, the last error's message and the version.

use core::ffi::c_char;
use std::fmt::Write as _;

use qonto_webhooks::ErrorKind;

use super::status::{LAST_ERROR, LastError};

const TEXT_CAP: usize = 96;

/// `text` NUL-terminated in a fixed buffer, at compile time (too long a text fails the build).
#[allow(clippy::indexing_slicing)]
const fn c_text(text: &str) -> [u8; TEXT_CAP] {
    let bytes = text.as_bytes();
    assert!(bytes.len() < TEXT_CAP, "status text too long");
    let mut out = [0u8; TEXT_CAP];
    let mut i = 0;
    while i < bytes.len() {
        assert!(bytes[i] != 0, "NUL in a status text");
        out[i] = bytes[i];
        i += 1;
    }
    out
}

/// The core's code and description of every kind, NUL-terminated, built from the core itself.
#[allow(clippy::indexing_slicing)]
static KIND_TEXT: [[[u8; TEXT_CAP]; 2]; ErrorKind::ALL.len()] = {
    let mut table = [[[0u8; TEXT_CAP]; 2]; ErrorKind::ALL.len()];
    let mut i = 0;
    while i < ErrorKind::ALL.len() {
        table[i] = [
            c_text(ErrorKind::ALL[i].code()),
            c_text(ErrorKind::ALL[i].description()),
        ];
        i += 1;
    }
    table
};

/// (code, message) of a status, NUL-terminated.
fn status_text(status: u32) -> (*const c_char, *const c_char) {
    let abi = match status {
        0 => Some((c"ok", c"success")),
        100 => Some((
            c"invalid_argument",
            c"invalid argument: a NULL pointer with a non-zero length, a NULL or misaligned \
              out-parameter or object, or a length above PTRDIFF_MAX",
        )),
        101 => Some((
            c"buffer_too_small",
            c"the output buffer is too small: the needed length was written to the length \
              out-parameter",
        )),
        102 => Some((
            c"internal_error",
            c"internal error: a panic was caught at the C boundary (a bug in qonto-webhooks)",
        )),
        _ => None,
    };
    if let Some((code, message)) = abi {
        return (code.as_ptr(), message.as_ptr());
    }
    let kind = ErrorKind::ALL.iter().position(|k| k.number() == status);
    match kind.and_then(|i| KIND_TEXT.get(i)) {
        Some([code, message]) => (code.as_ptr().cast(), message.as_ptr().cast()),
        None => (c"unknown".as_ptr(), c"unknown status".as_ptr()),
    }
}

/// The stable code of a status: `"ok"`, the contract's codes (`"signature_mismatch"`, ...), then
/// `"invalid_argument"`, `"buffer_too_small"`, `"internal_error"`; `"unknown"` for any other
/// number. A static, NUL-terminated string: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn qw_status_code(status: u32) -> *const c_char {
    status_text(status).0
}

/// A one-line description of a status, without the details of a particular failure (for those,
/// see `qw_last_error_message`). A static, NUL-terminated string: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn qw_status_message(status: u32) -> *const c_char {
    status_text(status).1
}

/// Writes into at most `buf_len` bytes (always NUL-terminated)...
struct Truncating<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl std::fmt::Write for Truncating<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let room = self.buf.len().saturating_sub(1).saturating_sub(self.len);
        let take = s.len().min(room);
        if let (Some(dst), Some(src)) = (
            self.buf.get_mut(self.len..self.len + take),
            s.as_bytes().get(..take),
        ) {
            dst.copy_from_slice(src);
        }
        self.len += s.len();
        Ok(())
    }
}

/// The detailed message of the last call on this thread that did not return `QW_STATUS_OK`
/// (e.g. "the timestamp is 301 s old, more than the 300 s tolerance: ..."). It says what was
/// wrong and what to do, and never contains a secret or an expected signature. Successful calls
/// leave it unchanged.
///
/// Works like `snprintf`: writes at most `buf_len - 1` bytes and a NUL into `buf` (nothing when
/// `buf` is NULL or `buf_len` is 0) and returns the full length of the message, without the NUL;
/// 0 when no call on this thread has failed.
///
/// # Safety
/// `buf` is NULL or valid for writes of `buf_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qw_last_error_message(buf: *mut c_char, buf_len: usize) -> usize {
    let mut empty = [0u8; 0];
    let target: &mut [u8] = if buf.is_null() || buf_len == 0 || isize::try_from(buf_len).is_err() {
        &mut empty
    } else {
        // SAFETY: non-NULL and valid for `buf_len` bytes (the caller's contract).
        unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), buf_len) }
    };
    let mut writer = Truncating {
        buf: target,
        len: 0,
    };
    let _ = match LAST_ERROR.get() {
        LastError::None => Ok(()),
        LastError::Core(e) => write!(writer, "{e}"),
        LastError::Abi(message) => writer.write_str(message),
    };
    let end = writer.len.min(writer.buf.len().saturating_sub(1));
    if let Some(nul) = writer.buf.get_mut(end) {
        *nul = 0;
    }
    writer.len
}

/// The library's version, e.g. `"0.1.0"`. A static, NUL-terminated string.
#[unsafe(no_mangle)]
pub extern "C" fn qw_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
