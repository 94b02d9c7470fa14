//! Points `SEXTANT_UI_DIST` at the built UI (`ui/dist`), or at a placeholder page that says how
//! to build it, so `cargo test` works before the UI has been built.

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let dist = manifest.join("../../ui/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    println!("cargo:rerun-if-env-changed=SEXTANT_UI_DIST");
    let chosen = if dist.join("index.html").exists() {
        dist.canonicalize().expect("ui/dist exists")
    } else {
        let placeholder =
            PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("ui-placeholder");
        fs::create_dir_all(&placeholder).expect("OUT_DIR is writable");
        fs::write(
            placeholder.join("index.html"),
            "<!doctype html><meta charset=utf-8><title>Sextant</title>\
             <p>The UI has not been built: run <code>cargo xtask build-ui</code>, then rebuild.</p>",
        )
        .expect("OUT_DIR is writable");
        placeholder
    };
    println!("cargo:rustc-env=SEXTANT_UI_DIST={}", chosen.display());
}
