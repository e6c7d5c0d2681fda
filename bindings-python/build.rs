//! `fast_abi`: built for the stable ABI of Python 3.11+ only (feature `abi3-py311` without
//! `abi3-py39`), where a `str` can be read in place.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(fast_abi)");
    let py311 = std::env::var_os("CARGO_FEATURE_ABI3_PY311").is_some();
    let py39 = std::env::var_os("CARGO_FEATURE_ABI3_PY39").is_some();
    if py311 && !py39 {
        println!("cargo::rustc-cfg=fast_abi");
    }
}
