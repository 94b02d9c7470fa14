//! End-to-end tests live in `tests/*.rs`; this library is empty. They start real servers from
//! `.tools/` (installed by `cargo xtask setup`), so plain `cargo test` does not run them:
//! `cargo xtask test` does.
