//! The drift noise corpus (`tests/drift/cases/*.yaml`): desired/live pairs shaped as a real API
//! server returns them, each with the result the spec prescribes, written by hand.
//!
//! The runner prints one line per case and fails on any false drift (a field or object reported
//! as drift that the case does not expect) or missed drift (an expected drift not reported).
//! `properties` checks with proptest that the answer does not depend on the input's order.
#![allow(clippy::unwrap_used, clippy::print_stdout, reason = "a test runner that reports per case")]

#[path = "drift/corpus.rs"]
mod corpus;
#[path = "drift/properties.rs"]
mod properties;
