//! The C suite (`tests/test_abi.c`) against the static library this `cargo test` built, so that
//! `cargo test -p qonto-webhooks-c` (and a mutation run, which only runs `cargo test`) exercises
//! the ABI from C. `test.sh` runs the same suite against the release build, under valgrind and
//! ASan, and the C++ wrapper's test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds the static library (`qonto-webhooks-clib`, from this very source tree: `cargo test`
/// builds only this crate's rlib) into a target directory of its own, so as not to wait on the
/// lock of the `cargo test` that runs this test.
fn static_library(root: &Path, scratch: &Path) -> PathBuf {
    let target = scratch.join("target");
    run(
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(root)
            .args([
                "build",
                "--quiet",
                "-p",
                "qonto-webhooks-clib",
                "--target-dir",
            ])
            .arg(&target),
    );
    let lib = target.join("debug/libqonto_webhooks.a");
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
    let data = root.join("testkit/vectors");
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
        .arg(static_library(root, &out))
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&exe));
    run(&mut Command::new(&exe));
}
