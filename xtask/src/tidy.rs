//! Tidy checks, as ordinary tests so `cargo test` is the whole gate (rust-analyzer).
//!
//! - the layer rules of ARCHITECTURE.md: which crate may never depend on which;
//! - the domain does no IO: no `std::fs`, `std::env`, `std::net`, clocks or processes;
//! - no `mod.rs`, no stray `dbg!`, a `//!` doc at every crate root, `[lints] workspace = true`
//!   in every manifest, and every crate named in ARCHITECTURE.md.

#[cfg(test)]
mod tests {
    use std::{fs, path::Path, process::Command};

    use crate::root;

    /// `(crate, dependencies it must never have)`.
    const FORBIDDEN: &[(&str, &[&str])] = &[
        (
            "sextant-domain",
            &[
                "tokio",
                "kube",
                "reqwest",
                "gix",
                "async-nats",
                "tauri",
                "leptos",
                "sextant-protocol",
                "sextant-adapters",
                "sextant-app",
            ],
        ),
        (
            "sextant-protocol",
            &["sextant-domain", "sextant-adapters", "sextant-app", "tokio", "tauri", "leptos"],
        ),
        ("sextant-adapters", &["sextant-app", "sextant-protocol", "tauri", "leptos", "clap"]),
        ("sextant-app", &["tauri", "clap", "leptos"]),
        ("sextant-cli", &["tauri", "sextant-adapters", "sextant-domain", "leptos"]),
        ("sextant-desktop", &["sextant-adapters", "sextant-domain", "leptos"]),
        (
            "sextant-ui",
            &[
                "sextant-domain",
                "sextant-adapters",
                "sextant-app",
                "tokio",
                "tauri",
                "kube",
                "reqwest",
            ],
        ),
    ];

    fn metadata() -> serde_json::Value {
        let output = Command::new(env!("CARGO"))
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .current_dir(root())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    #[test]
    fn layers_depend_only_downwards() {
        let metadata = metadata();
        let packages = metadata["packages"].as_array().unwrap();
        for (krate, forbidden) in FORBIDDEN {
            let package = packages
                .iter()
                .find(|package| package["name"] == *krate)
                .unwrap_or_else(|| panic!("{krate} is a workspace member"));
            for dependency in package["dependencies"].as_array().unwrap() {
                let name = dependency["name"].as_str().unwrap();
                // Dev-dependencies (tests) are allowed to reach further down.
                if dependency["kind"].as_str() == Some("dev") {
                    continue;
                }
                assert!(
                    !forbidden.contains(&name),
                    "{krate} must never depend on {name} (ARCHITECTURE.md)"
                );
            }
        }
    }

    fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir()
                && name != "target"
                && name != "node_modules"
                && name != ".tools"
                && name != ".git"
                && name != "gen"
            {
                rust_files(&path, found);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                found.push(path);
            }
        }
    }

    #[test]
    fn the_domain_does_no_io() {
        let mut files = Vec::new();
        rust_files(&root().join("crates/sextant-domain/src"), &mut files);
        for file in files {
            let text = fs::read_to_string(&file).unwrap();
            // Only product code counts: everything after `#[cfg(test)]` is a test.
            let product = text.split("#[cfg(test)]").next().unwrap_or_default();
            for banned in [
                "std::fs",
                "std::env",
                "std::net",
                "std::process",
                "SystemTime::now",
                "Instant::now",
                "tokio::",
            ] {
                assert!(
                    !product.contains(banned),
                    "{} uses {banned}: the domain does no IO",
                    file.display()
                );
            }
        }
    }

    #[test]
    fn source_files_follow_the_house_rules() {
        let mut files = Vec::new();
        for dir in ["crates", "src-tauri", "ui", "xtask", "tests"] {
            rust_files(&root().join(dir), &mut files);
        }
        for file in &files {
            assert_ne!(
                file.file_name().unwrap(),
                "mod.rs",
                "{}: use `name.rs` + `name/` instead of mod.rs",
                file.display()
            );
            let text = fs::read_to_string(file).unwrap();
            assert!(!text.contains(concat!("dbg", "!(")), "{} has a stray dbg!", file.display());
        }
    }

    #[test]
    fn every_crate_is_documented_linted_and_mapped() {
        let architecture = fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
        let metadata = metadata();
        for package in metadata["packages"].as_array().unwrap() {
            let name = package["name"].as_str().unwrap();
            let manifest = Path::new(package["manifest_path"].as_str().unwrap());
            let manifest_text = fs::read_to_string(manifest).unwrap();
            assert!(
                manifest_text.contains("[lints]\nworkspace = true"),
                "{name}: add `[lints] workspace = true`"
            );
            assert!(
                architecture.contains(&format!("`{name}`")),
                "ARCHITECTURE.md does not mention `{name}`"
            );
            for target in package["targets"].as_array().unwrap() {
                let kinds: Vec<&str> = target["kind"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|kind| kind.as_str())
                    .collect();
                if kinds.iter().any(|kind| ["lib", "bin"].contains(kind)) {
                    let source = fs::read_to_string(target["src_path"].as_str().unwrap()).unwrap();
                    let documented = source.lines().any(|line| line.starts_with("//!"))
                        || name == "sextant-desktop" && kinds == ["bin"];
                    assert!(documented, "{name}: {} needs a //! crate doc", target["src_path"]);
                }
            }
        }
    }
}
