//! `cargo xtask`: the project's task runner (rust-analyzer, helix).
//!
//! - `setup`: the idempotent installs of `scripts/setup.sh`;
//! - `build-ui [--dev]`: the wasm UI into `ui/dist` (before anything compiles `src-tauri`);
//! - `run [--web] [--demo]`: set up, build, and open the desktop window (or serve to a browser);
//! - `test`: the whole gate that CI runs, ending with one `N passed, N failed` line.
//!
//! The tidy checks are ordinary tests in `tidy.rs`, so plain `cargo test` runs them too.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a task runner reports on the terminal"
)]
#![allow(clippy::disallowed_methods, reason = "xtask starts tools and waits for them")]

mod tidy;

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Command, ExitCode, Stdio},
    time::Instant,
};

use anyhow::{Context, Result, bail};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| arguments.iter().any(|argument| argument == name);
    let outcome = match arguments.first().map(String::as_str) {
        Some("setup") => setup(),
        Some("build-ui") => build_ui(flag("--dev")),
        Some("run") => run(flag("--web"), flag("--demo"), flag("--release")),
        Some("test") => test(),
        Some("bench-window") => bench_window(),
        _ => {
            eprintln!(
                "usage: cargo xtask <setup | build-ui [--dev] | run [--web] [--demo] [--release] | test | bench-window>"
            );
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a command from the workspace root, inheriting the terminal.
fn step(title: &str, command: &mut Command) -> Result<()> {
    println!("\n\x1b[1m==> {title}\x1b[0m");
    let started = Instant::now();
    let status =
        command.current_dir(root()).status().with_context(|| format!("starting {title}"))?;
    println!("    ({title}: {:.1} s)", started.elapsed().as_secs_f64());
    if !status.success() {
        bail!("{title} failed ({status})");
    }
    Ok(())
}

fn setup() -> Result<()> {
    step("set-up (scripts/setup.sh)", Command::new("bash").arg("scripts/setup.sh"))
}

fn has_rustup_wasm_target() -> bool {
    Command::new("rustup").args(["target", "list", "--installed"]).output().is_ok_and(|output| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .any(|line| line.trim() == "wasm32-unknown-unknown")
    })
}

fn build_ui(dev: bool) -> Result<()> {
    build_wasm_page(&WasmPage { package: "sextant-ui", source: "ui", dist: "ui/dist" }, dev)
}

/// A wasm page: its crate, the folder with its static files, and where the page is assembled.
struct WasmPage {
    package: &'static str,
    source: &'static str,
    dist: &'static str,
}

fn build_wasm_page(page: &WasmPage, dev: bool) -> Result<()> {
    let root = root();
    let profile = if dev { "dev" } else { "wasm-release" };
    let mut cargo = if has_rustup_wasm_target() {
        Command::new("cargo")
    } else {
        // Debian's rustc-web with -Z build-std (../shared/toolchain.md §3): set here only, so the
        // native builds keep rustup's toolchain.
        let mut cargo = Command::new("/usr/bin/cargo");
        cargo
            .env("RUSTC_BOOTSTRAP", "1")
            .env("RUSTC", "/usr/bin/rustc")
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", "/usr/lib/llvm-22/bin/wasm-ld")
            .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort");
        cargo
    };
    step(
        "UI: cargo build (wasm32)",
        cargo.args([
            "build",
            "-p",
            page.package,
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            profile,
        ]),
    )?;
    let artifact_dir = if dev { "debug" } else { "wasm-release" };
    let wasm =
        root.join(format!("target/wasm32-unknown-unknown/{artifact_dir}/{}.wasm", page.package));
    let dist = root.join(page.dist);
    if dist.exists() {
        std::fs::remove_dir_all(&dist).context("clearing ui/dist")?;
    }
    std::fs::create_dir_all(&dist).context("creating ui/dist")?;
    step(
        "UI: wasm-bindgen",
        Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                page.package,
                "--remove-name-section",
                "--remove-producers-section",
                "--out-dir",
            ])
            .arg(&dist)
            .arg(&wasm),
    )?;
    let wasm_opt = root.join("node_modules/.bin/wasm-opt");
    if !dev && wasm_opt.exists() {
        let output = dist.join(format!("{}_bg.wasm", page.package));
        step(
            "UI: wasm-opt -Oz (binaryen from npm)",
            Command::new(&wasm_opt).arg("-Oz").arg(&output).arg("-o").arg(&output),
        )?;
    } else if !dev {
        println!(
            "    warning: node_modules/.bin/wasm-opt is missing (run cargo xtask setup); shipping unoptimised wasm"
        );
    }
    for file in ["index.html", "boot.js", "style.css"] {
        let source = root.join(page.source).join(file);
        if source.exists() {
            std::fs::copy(&source, dist.join(file))
                .with_context(|| format!("copying {}", source.display()))?;
        }
    }
    let size = std::fs::metadata(dist.join(format!("{}_bg.wasm", page.package)))
        .map(|metadata| metadata.len())
        .unwrap_or_default();
    println!("    {} ready: {}_bg.wasm is {size} bytes", page.dist, page.package);
    Ok(())
}

fn run(web: bool, demo: bool, release: bool) -> Result<()> {
    setup()?;
    build_ui(false)?;
    let mut build = Command::new("cargo");
    build.arg("build");
    if release {
        build.arg("--release");
    }
    let profile_dir = if release { "release" } else { "debug" };
    if web {
        step("build the sextant CLI", build.args(["-p", "sextant-cli"]))?;
        let mut serve = Command::new(root().join(format!("target/{profile_dir}/sextant")));
        serve.arg("serve");
        if demo {
            serve.arg("--demo");
        }
        step("sextant serve (open the URL it prints; Ctrl+C stops it)", &mut serve)
    } else {
        step(
            "build the desktop app",
            build.args(["-p", "sextant-desktop", "--features", "custom-protocol"]),
        )?;
        if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
            bail!(
                "no display: run `cargo xtask run --web` and open the printed URL, or start Xvfb and set DISPLAY"
            );
        }
        let mut app = Command::new(root().join(format!("target/{profile_dir}/sextant-desktop")));
        if demo {
            app.arg("--demo");
        }
        step("sextant-desktop", &mut app)
    }
}

/// Start-up time and idle memory of the release desktop app and of the bare hello window,
/// each over 5 launches under Xvfb (BENCHMARKS.md).
fn bench_window() -> Result<()> {
    setup()?;
    build_ui(false)?;
    build_wasm_page(
        &WasmPage {
            package: "hello-window-ui",
            source: "benches/hello-window/ui",
            dist: "benches/hello-window/dist",
        },
        false,
    )?;
    step(
        "release builds of sextant-desktop and hello-window",
        Command::new("cargo").args([
            "build",
            "--release",
            "-p",
            "sextant-desktop",
            "-p",
            "hello-window",
            "--features",
            "sextant-desktop/custom-protocol,hello-window/custom-protocol",
        ]),
    )?;
    for (name, binary, testid, text) in [
        ("hello-window", "target/release/hello-window", "hello", "Hello"),
        ("sextant-desktop", "target/release/sextant-desktop", "cluster-count", "3"),
    ] {
        // Nothing configured, so Sextant opens on the demo platform, as a new user sees it.
        step(
            &format!("measure {name}"),
            Command::new("xvfb-run")
                .args(["-a", "-s", "-screen 0 1440x900x24", "node", "benches/window.mjs", name])
                .arg(root().join(binary))
                .args([testid, text, "5"])
                .env_remove("KUBECONFIG")
                .env_remove("VAULT_ADDR")
                .env_remove("BAO_ADDR")
                .env_remove("NATS_URL")
                .env_remove("SEXTANT_NATS_URL")
                .env("HOME", std::env::temp_dir()),
        )?;
    }
    Ok(())
}

/// Tallies what the test runners printed, so the run ends with one summary line.
#[derive(Debug, Default)]
struct Tally {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl Tally {
    fn read(&mut self, line: &str) {
        let number_before = |line: &str, word: &str| -> Option<u64> {
            let index = line.find(word)?;
            line[..index].split_whitespace().last()?.parse().ok()
        };
        if line.starts_with("test result:") {
            self.passed += number_before(line, " passed").unwrap_or_default();
            self.failed += number_before(line, " failed").unwrap_or_default();
            self.ignored += number_before(line, " ignored").unwrap_or_default();
        } else if let Some(count) =
            line.strip_prefix("# pass ").or_else(|| line.strip_prefix("ℹ pass "))
        {
            self.passed += count.trim().parse::<u64>().unwrap_or_default();
        } else if let Some(count) =
            line.strip_prefix("# fail ").or_else(|| line.strip_prefix("ℹ fail "))
        {
            self.failed += count.trim().parse::<u64>().unwrap_or_default();
        }
    }
}

/// Runs a test command, echoing its output and counting its results.
fn test_step(title: &str, command: &mut Command, tally: &mut Tally) -> Result<bool> {
    println!("\n\x1b[1m==> {title}\x1b[0m");
    let started = Instant::now();
    let mut child = command
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {title}"))?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap_or_default();
            println!("{line}");
            tally.read(line.trim());
        }
    }
    let status = child.wait()?;
    println!("    ({title}: {:.1} s, {status})", started.elapsed().as_secs_f64());
    Ok(status.success())
}

fn test() -> Result<()> {
    let started = Instant::now();
    setup()?;
    step("cargo fmt --check", Command::new("cargo").args(["fmt", "--all", "--check"]))?;
    build_ui(false)?;
    step(
        "cargo clippy",
        Command::new("cargo").args([
            "clippy",
            "--workspace",
            "--exclude",
            "sextant-ui",
            "--exclude",
            "hello-window",
            "--exclude",
            "hello-window-ui",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    if has_rustup_wasm_target() {
        step(
            "cargo clippy (the UI, for wasm32)",
            Command::new("cargo").args([
                "clippy",
                "-p",
                "sextant-ui",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ]),
        )?;
    } else {
        // Debian's rustc-web ships no clippy; the UI is linted wherever rustup's target exists.
        println!("    (the UI is not linted here: rustup's wasm32 target is unavailable)");
    }
    let mut tally = Tally::default();
    let mut all_passed = true;
    all_passed &= test_step(
        "fast tests (cargo test)",
        // The hello window is bench tooling (`cargo xtask bench-window` builds its page first).
        Command::new("cargo").args([
            "test",
            "--workspace",
            "--exclude",
            "sextant-e2e",
            "--exclude",
            "hello-window",
            "--exclude",
            "hello-window-ui",
        ]),
        &mut tally,
    )?;
    step(
        "build the CLI and the desktop app for the end-to-end tests",
        Command::new("cargo").args(["build", "-p", "sextant-cli", "-p", "sextant-desktop"]),
    )?;
    all_passed &= test_step(
        "end-to-end: real servers and the CLI (cargo test -p sextant-e2e)",
        Command::new("cargo").args(["test", "-p", "sextant-e2e", "--", "--test-threads", "2"]),
        &mut tally,
    )?;
    all_passed &= test_step(
        "end-to-end: the UI in headless Chromium",
        Command::new("node").args(["--test", "--test-reporter=tap", "tests/browser/"]),
        &mut tally,
    )?;
    all_passed &= test_step(
        "end-to-end: the desktop window under Xvfb (tauri-driver)",
        Command::new("xvfb-run").args([
            "-a",
            "node",
            "--test",
            "--test-reporter=tap",
            "tests/desktop/",
        ]),
        &mut tally,
    )?;
    println!("\nxtask test: {:.0} s in all", started.elapsed().as_secs_f64());
    println!("{} passed, {} failed, {} skipped", tally.passed, tally.failed, tally.ignored);
    if !all_passed || tally.failed > 0 {
        bail!("some tests failed");
    }
    Ok(())
}
