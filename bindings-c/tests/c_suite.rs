//! The C suite (`tests/test_abi.c`) against the static library this `cargo test` built, so that
//! `cargo test -p qonto-webhooks-c` (and a mutation run, which only runs `cargo test`) exercises
//! the ABI from C. `test.sh` runs the same suite against the release build, under valgrind and
//! ASan, and the C++ wrapper's test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `target/<profile>/libqonto_webhooks.a`: the test binary is `target/<profile>/deps/c_suite-*`.
fn static_library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let lib = profile_dir.join("libqonto_webhooks.a");
    assert!(lib.exists(), "{} was not built", lib.display());
    lib
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_c_suite_passes_against_this_build() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = here.parent().unwrap();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c-suite");
    std::fs::create_dir_all(&out).unwrap();
    let data = root.join("core/tests/data");
    run(Command::new("python3")
        .arg(here.join("tests/gen_vectors.py"))
        .arg(data.join("vectors.json"))
        .arg(data.join("requests.json"))
        .arg(out.join("test_vectors.h")));
    let exe = out.join("test_abi");
    run(Command::new("cc")
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-Wno-overlength-strings",
            "-O1",
        ])
        .arg("-I")
        .arg(root.join("include"))
        .arg("-I")
        .arg(&out)
        .arg(here.join("tests/test_abi.c"))
        .arg(static_library())
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&exe));
    run(&mut Command::new(&exe));
}
