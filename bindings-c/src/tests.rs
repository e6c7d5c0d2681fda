use core::ffi::c_char;
use std::ffi::CStr;

use qonto_webhooks::ErrorKind;

use super::sign::write_out;
use super::status::status_of;
use super::*;

fn text(ptr: *const c_char) -> &'static str {
    // SAFETY: every status text is a static NUL-terminated string.
    unsafe { CStr::from_ptr(ptr) }.to_str().unwrap()
}

#[test]
fn a_null_output_buffer_is_too_small_for_any_header() {
    let mut len = 0;
    // A NULL buffer with a capacity that would fit: still refused, never written to.
    let status = write_out("t=1,v1=ab", std::ptr::null_mut(), 64, &mut len);
    assert_eq!(status, qw_status::BufferTooSmall);
    assert_eq!(len, 9);
    // Nothing to write: a NULL buffer is fine.
    assert_eq!(
        write_out("", std::ptr::null_mut(), 0, &mut len),
        qw_status::Ok
    );
    assert_eq!(len, 0);
    let mut buf = [0u8; 16];
    assert_eq!(
        write_out("abc", buf.as_mut_ptr(), buf.len(), &mut len),
        qw_status::Ok
    );
    assert_eq!((len, &buf[..3]), (3, &b"abc"[..]));
}

#[test]
fn every_kind_has_the_status_of_its_number() {
    for kind in ErrorKind::ALL {
        let status = status_of(kind);
        assert_eq!(status as u32, kind.number(), "{kind:?}");
        assert_eq!(text(qw_status_code(status as u32)), kind.code());
        assert_eq!(text(qw_status_message(status as u32)), kind.description());
    }
    assert_eq!(text(qw_status_code(0)), "ok");
    assert_eq!(text(qw_status_code(9)), "unknown");
    assert_eq!(text(qw_status_code(u32::MAX)), "unknown");
}

#[test]
fn a_panic_becomes_internal_error_with_a_message() {
    let status = guard(|| panic!("planted"));
    assert_eq!(status, qw_status::InternalError);
    let mut buf = [0 as c_char; 128];
    // SAFETY: a valid buffer of its length.
    let len = unsafe { qw_last_error_message(buf.as_mut_ptr(), buf.len()) };
    let message = text(buf.as_ptr());
    assert_eq!(message.len(), len);
    assert!(message.starts_with("internal error"), "{message}");
}

/// A test allocator that, for the one allocation this thread watches, records on free whether
/// every byte was zero: the key schedules must be wiped before their memory is handed back.
mod wipe_check {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    pub(super) struct Checking;

    thread_local! {
        static WATCHED: Cell<usize> = const { Cell::new(0) };
        static WIPED: Cell<Option<bool>> = const { Cell::new(None) };
    }

    // SAFETY: forwards to System; the check only reads the block being freed.
    unsafe impl GlobalAlloc for Checking {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: `layout` comes from the caller of `alloc`, bound by the same contract.
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if WATCHED.try_with(Cell::get) == Ok(ptr as usize) {
                // SAFETY: the block is still allocated and `layout.size()` bytes long.
                let bytes = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
                let _ = WIPED.try_with(|w| w.set(Some(bytes.iter().all(|&b| b == 0))));
                let _ = WATCHED.try_with(|w| w.set(0));
            }
            // SAFETY: `ptr` was allocated by `System` (in `alloc` above) with this `layout`.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    /// Runs `free` on `ptr` and says whether its block was all zeros when freed.
    pub(super) fn wiped_on_free<T>(ptr: *mut T, free: impl FnOnce(*mut T)) -> bool {
        WIPED.set(None);
        WATCHED.set(ptr as usize);
        free(ptr);
        WIPED.take().expect("the watched block was not freed")
    }
}

#[global_allocator]
static ALLOC: wipe_check::Checking = wipe_check::Checking;

const SECRET: &[u8] = b"test-secret";
const HEADER: &[u8] =
    b"t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805";

fn new_verifier() -> *mut qw_verifier {
    let secret = qw_bytes {
        data: SECRET.as_ptr(),
        len: SECRET.len(),
    };
    let mut v = std::ptr::null_mut();
    // SAFETY: valid pointers.
    let status = unsafe { qw_verifier_new(&secret, 1, 300, &mut v) };
    assert_eq!(status, qw_status::Ok);
    v
}

fn start(v: *mut qw_verifier) -> *mut qw_incremental {
    let mut state = std::ptr::null_mut();
    // SAFETY: valid pointers.
    let status =
        unsafe { qw_verify_start(v, HEADER.as_ptr(), HEADER.len(), 1704110400, &mut state) };
    assert_eq!(status, qw_status::Ok);
    state
}

#[test]
fn key_schedules_are_wiped_when_freed() {
    let v = new_verifier();
    let wiped = wipe_check::wiped_on_free(v, |p| {
        // SAFETY: made by qw_verifier_new.
        unsafe { qw_verifier_free(p) }
    });
    assert!(
        wiped,
        "qw_verifier_free left the verifier's key schedules in freed memory"
    );

    let v = new_verifier();
    let state = start(v);
    let wiped = wipe_check::wiped_on_free(state, |p| {
        // SAFETY: made by qw_verify_start.
        unsafe { qw_incremental_free(p) }
    });
    assert!(
        wiped,
        "qw_incremental_free left the HMAC contexts in freed memory"
    );

    let state = start(v);
    let wiped = wipe_check::wiped_on_free(state, |p| {
        let mut out = qw_verified::default();
        // SAFETY: made by qw_verify_start; finish frees it.
        let status = unsafe { qw_verify_finish(p, &mut out) };
        assert_eq!(status, qw_status::SignatureMismatch);
    });
    assert!(
        wiped,
        "qw_verify_finish left the HMAC contexts in freed memory"
    );
    // SAFETY: made by qw_verifier_new.
    unsafe { qw_verifier_free(v) };
}

/// The former name of `qw_incremental_free` still frees (and wipes) the state.
#[test]
#[allow(deprecated)]
fn the_former_name_of_incremental_free_still_frees() {
    let v = new_verifier();
    let state: *mut qw_verify_state = start(v);
    let wiped = wipe_check::wiped_on_free(state, |p| {
        // SAFETY: made by qw_verify_start.
        unsafe { qw_verify_state_free(p) }
    });
    assert!(wiped, "qw_verify_state_free did not free the state");
    // SAFETY: NULL is accepted.
    unsafe { qw_verify_state_free(std::ptr::null_mut()) };
    // SAFETY: made by qw_verifier_new.
    unsafe { qw_verifier_free(v) };
}

#[test]
fn a_tolerance_above_int64_max_is_invalid_argument_never_disabled() {
    let secret = qw_bytes {
        data: SECRET.as_ptr(),
        len: SECRET.len(),
    };
    for tolerance in [u64::MAX, 1 << 63, u64::MAX - 299] {
        let mut v = std::ptr::null_mut();
        // SAFETY: valid pointers.
        let status = unsafe { qw_verifier_new(&secret, 1, tolerance, &mut v) };
        assert_eq!(status, qw_status::InvalidArgument, "{tolerance}");
        assert!(v.is_null());
    }
    let mut v = std::ptr::null_mut();
    // SAFETY: valid pointers.
    let status = unsafe { qw_verifier_new(&secret, 1, QW_MAX_TOLERANCE_SECS, &mut v) };
    assert_eq!(status, qw_status::Ok);
    // SAFETY: made by qw_verifier_new.
    unsafe { qw_verifier_free(v) };
}

#[test]
#[cfg(feature = "diagnose")]
fn diagnose_checks_its_arguments_and_reads_back() {
    let secret = qw_bytes {
        data: SECRET.as_ptr(),
        len: SECRET.len(),
    };
    let body = b"{}";
    let mut d = std::ptr::null_mut();
    let call = |scheme: u32, tolerance: u64, out: *mut *mut qw_diagnosis| {
        // SAFETY: valid pointers and lengths.
        unsafe {
            qw_diagnose(
                &secret,
                1,
                scheme,
                HEADER.as_ptr(),
                HEADER.len(),
                body.as_ptr(),
                body.len(),
                1704110400,
                tolerance,
                false,
                out,
            )
        }
    };
    assert_eq!(call(2, 300, &mut d), qw_status::InvalidArgument);
    assert_eq!(call(0, u64::MAX, &mut d), qw_status::InvalidArgument);
    assert_eq!(
        call(0, 300, std::ptr::null_mut()),
        qw_status::InvalidArgument
    );
    assert!(d.is_null());
    assert_eq!(call(0, 300, &mut d), qw_status::Ok);
    let mut verified = qw_verified::default();
    // SAFETY: made by qw_diagnose, freed once below.
    unsafe {
        assert_eq!(
            qw_diagnosis_result(d, &mut verified),
            qw_status::SignatureMismatch
        );
        assert_eq!(qw_diagnosis_findings_len(d), 1);
        assert_eq!(text(qw_diagnosis_finding_mistake(d, 0)), "wrong_secret");
        assert!(qw_diagnosis_finding_mistake(d, 1).is_null());
        assert!(qw_diagnosis_finding_message(d, 1).is_null());
        assert!(!qw_diagnosis_explained(d));
        assert!(text(qw_diagnosis_message(d)).contains("raw"));
        assert_eq!(qw_diagnosis_findings_len(std::ptr::null()), 0);
        assert_eq!(text(qw_diagnosis_message(std::ptr::null())), "");
        qw_diagnosis_free(d);
        qw_diagnosis_free(std::ptr::null_mut());
    }
}

#[test]
fn version_is_the_crate_version() {
    assert_eq!(text(qw_version()), env!("CARGO_PKG_VERSION"));
}
