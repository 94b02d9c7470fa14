//! Integration tests of the Vault/OpenBao ACL evaluator against the spec's facts
//! (`shared/specs/vault-acl.md` §17) and answers recorded from a real OpenBao 2.7.2.
#![allow(missing_docs, clippy::unwrap_used)]

#[path = "vault/check.rs"]
mod check;
#[path = "vault/oracle.rs"]
mod oracle;
#[path = "vault/properties.rs"]
mod properties;
#[path = "vault/spec_facts.rs"]
mod spec_facts;
