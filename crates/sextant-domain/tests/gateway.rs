//! Integration tests of the Gateway API status model and request explainer.
//!
//! - `corpus`: the data-driven case corpus under `tests/gateway/cases/` (spec §8), loaded and
//!   checked by `check`, which the CLI's corpus test shares;
//! - `properties`: proptest invariants of the precedence order;
//! - `examples`: the upstream examples load, get a status, and explain a request per route;
//! - `dump`: an opt-in differential harness (full answers to many requests, for comparing two
//!   versions of the explainer).

#[path = "gateway/check.rs"]
mod check;
#[path = "gateway/corpus.rs"]
mod corpus;
#[path = "gateway/dump.rs"]
mod dump;
#[path = "gateway/examples.rs"]
mod examples;
#[path = "gateway/properties.rs"]
mod properties;
