//! Sextant's ACL evaluator against a real OpenBao's `sys/capabilities`, on 1,000 cases generated
//! from a fixed seed (`shared/specs/vault-acl.md` §14). The server is the oracle: every answer
//! must be identical, and a policy the server refuses must be refused by our parser too.
#![allow(clippy::unwrap_used, reason = "test helpers fail the test on a broken server")]

use sextant_domain::vault::{Flavor, acl::AclContext, cases, store::PolicyStore};
use sextant_testkit::start_openbao;

const ROOT_TOKEN: &str = "differential-root-7c2e";
const SEED: u64 = 20_260;
const CASES: usize = 1_000;

async fn post_json(
    http: &reqwest::Client,
    url: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    http.post(url)
        .header("X-Vault-Token", ROOT_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_evaluator_agrees_with_openbao_on_generated_cases() {
    let server = start_openbao(ROOT_TOKEN);
    let base = format!("http://127.0.0.1:{}/v1", server.port);
    let http = reqwest::Client::new();
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for case in cases::generate(SEED, CASES) {
        let mut store = PolicyStore::new(Flavor::OpenBao);
        let mut attached = Vec::new();
        for (name, text) in &case.policies {
            let response = http
                .put(format!("{base}/sys/policies/acl/{name}"))
                .header("X-Vault-Token", ROOT_TOKEN)
                .json(&serde_json::json!({ "policy": text }))
                .send()
                .await
                .unwrap();
            let server_accepts = response.status().is_success();
            let ours = store.insert_text(name, text);
            assert_eq!(
                ours.is_ok(),
                server_accepts,
                "{}: policy {name} acceptance differs (ours: {ours:?})\n{text}",
                case.id
            );
            if server_accepts {
                attached.push(name.clone());
            }
        }
        let created = post_json(
            &http,
            &format!("{base}/auth/token/create"),
            serde_json::json!({ "policies": attached, "no_default_policy": true }),
        )
        .await;
        let token = created["auth"]["client_token"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: token create: {created}", case.id))
            .to_owned();
        let answer = post_json(
            &http,
            &format!("{base}/sys/capabilities"),
            serde_json::json!({ "token": token, "paths": case.paths }),
        )
        .await;
        let acl = store.acl(&attached, AclContext::default()).unwrap();
        for path in &case.paths {
            let mut expected: Vec<String> = answer["data"][path]
                .as_array()
                .unwrap_or_else(|| panic!("{}: no answer for {path:?} in {answer}", case.id))
                .iter()
                .filter_map(|capability| capability.as_str().map(str::to_owned))
                .collect();
            expected.sort();
            let ours: Vec<String> =
                acl.answer(path).names().into_iter().map(str::to_owned).collect();
            checked += 1;
            if ours != expected {
                mismatches
                    .push(format!("{} {path:?}: openbao {expected:?}, sextant {ours:?}", case.id));
            }
        }
    }
    println!(
        "vault differential: {CASES} cases, {checked} path checks, {} mismatches",
        mismatches.len()
    );
    assert!(checked >= CASES, "every case asks at least one path");
    assert!(
        mismatches.is_empty(),
        "{} mismatches, first ones:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(20)].join("\n")
    );
}
