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

/// One subject of the template corpus: a token, and what its templates render from.
struct TemplateSubject {
    label: &'static str,
    token: String,
    identity: Option<sextant_domain::vault::TemplateIdentity>,
}

async fn root_call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Option<serde_json::Value>,
) -> serde_json::Value {
    let mut request = http.request(method, &url).header("X-Vault-Token", ROOT_TOKEN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success() || status.as_u16() == 204, "{url}: {status} {text}");
    serde_json::from_str(&text).unwrap_or_default()
}

/// Identity templates (spec §7) and the built-in `default` policy, on cases generated from a
/// fixed seed: one policy `tpl` is rewritten per case (policy text is read at use time, §8),
/// and four long-lived tokens ask `sys/capabilities`: two userpass logins with entities (one
/// in a nested group), a token without an entity, and an entity whose metadata holds a
/// forbidden `+` (the whole ACL fails when a rule uses it). Every token also carries the
/// server's own `default` policy, which our side takes from `builtin`.
#[tokio::test]
#[allow(clippy::too_many_lines, reason = "one seeded scenario, read top to bottom")]
async fn templates_and_the_default_policy_agree_with_openbao() {
    use reqwest::Method;
    use sextant_domain::vault::template::{
        Rendered, TemplateAlias, TemplateEntity, TemplateGroup, render,
    };
    use sextant_domain::vault::{TemplateIdentity, builtin, cases::SplitMix64};
    use std::fmt::Write as _;

    const TEMPLATE_CASES: usize = 300;
    let server = start_openbao(ROOT_TOKEN);
    let base = format!("http://127.0.0.1:{}/v1", server.port);
    let http = reqwest::Client::new();
    let call = |method: Method, path: &str, body: Option<serde_json::Value>| {
        root_call(&http, method, format!("{base}/{path}"), body)
    };

    // Our built-in default is the server's (up to surrounding blank lines).
    let default = call(Method::GET, "sys/policies/acl/default", None).await;
    assert_eq!(
        default["data"]["policy"].as_str().unwrap().trim(),
        builtin::DEFAULT_POLICY_OPENBAO_2_7_2.trim()
    );

    call(Method::POST, "sys/auth/userpass", Some(serde_json::json!({"type": "userpass"}))).await;
    let accessor = call(Method::GET, "sys/auth", None).await["data"]["userpass/"]["accessor"]
        .as_str()
        .unwrap()
        .to_owned();
    call(Method::PUT, "sys/policies/acl/tpl", Some(serde_json::json!({"policy": "path \"x\" {}"})))
        .await;
    let mut subjects = Vec::new();
    let mut group_ids = Vec::new();
    for (name, metadata) in [
        ("alice", serde_json::json!({"team": "payments", "env": "prod"})),
        ("bob", serde_json::json!({"team": "search"})),
        ("carol", serde_json::json!({"team": "x+y", "env": "dev"})),
    ] {
        let id = call(
            Method::POST,
            "identity/entity",
            Some(serde_json::json!({"name": name, "metadata": metadata})),
        )
        .await["data"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let alias_id = call(
            Method::POST,
            "identity/entity-alias",
            Some(serde_json::json!({"name": name, "canonical_id": id, "mount_accessor": accessor})),
        )
        .await["data"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        call(
            Method::POST,
            &format!("auth/userpass/users/{name}"),
            Some(serde_json::json!({"password": "pw-not-a-secret", "token_policies": ["tpl"]})),
        )
        .await;
        if name == "alice" {
            let ops = call(
                Method::POST,
                "identity/group",
                Some(serde_json::json!({"name": "ops", "member_entity_ids": [id], "metadata": {"region": "eu"}})),
            )
            .await["data"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            let platform = call(
                Method::POST,
                "identity/group",
                Some(serde_json::json!({"name": "platform", "member_group_ids": [ops]})),
            )
            .await["data"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            group_ids = vec![ops, platform];
        }
        let login = call(
            Method::POST,
            &format!("auth/userpass/login/{name}"),
            Some(serde_json::json!({"password": "pw-not-a-secret"})),
        )
        .await;
        let token = login["auth"]["client_token"].as_str().unwrap().to_owned();
        let metadata = metadata
            .as_object()
            .unwrap()
            .iter()
            .map(|(key, value)| (key.clone(), value.as_str().unwrap().to_owned()))
            .collect();
        let groups = if name == "alice" {
            // Groups include the ones inherited through nesting (§7.2).
            vec![
                TemplateGroup {
                    id: group_ids[0].clone(),
                    name: "ops".into(),
                    metadata: [("region".to_owned(), "eu".to_owned())].into(),
                },
                TemplateGroup {
                    id: group_ids[1].clone(),
                    name: "platform".into(),
                    ..TemplateGroup::default()
                },
            ]
        } else {
            Vec::new()
        };
        let identity = TemplateIdentity {
            entity: Some(TemplateEntity {
                id,
                name: name.to_owned(),
                metadata,
                aliases: vec![TemplateAlias {
                    mount_accessor: accessor.clone(),
                    id: alias_id,
                    name: name.to_owned(),
                    ..TemplateAlias::default()
                }],
            }),
            groups,
        };
        let label = match name {
            "alice" => "alice",
            "bob" => "bob",
            _ => "carol",
        };
        subjects.push(TemplateSubject { label, token, identity: Some(identity) });
    }
    let anonymous =
        call(Method::POST, "auth/token/create", Some(serde_json::json!({"policies": ["tpl"]})))
            .await["auth"]["client_token"]
            .as_str()
            .unwrap()
            .to_owned();
    subjects.push(TemplateSubject { label: "no entity", token: anonymous, identity: None });

    let alice_id = subjects[0].identity.as_ref().unwrap().entity.as_ref().unwrap().id.clone();
    let variables: Vec<String> = [
        "identity.entity.id",
        "identity.entity.name",
        " identity.entity.name ",
        "identity.entity.metadata.team",
        "identity.entity.metadata.env",
        "identity.entity.metadata.missing",
        &format!("identity.entity.aliases.{accessor}.name"),
        &format!("identity.entity.aliases.{accessor}.id"),
        "identity.entity.aliases.auth_nope_1234.name",
        "identity.groups.names.ops.id",
        "identity.groups.names.platform.id",
        "identity.groups.names.ops.metadata.region",
        "identity.groups.names.nope.id",
        &format!("identity.groups.ids.{}.name", group_ids[0]),
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let shapes =
        ["secret/{}/*", "secret/{}", "secret/+/{}", "kv/{}-x*", "{}/data", "secret/{}/+/end"];
    let plain = ["secret/*", "secret/+", "kv/*", "secret/alice/*", "+/data"];
    let capability_sets = [
        "[\"read\"]",
        "[\"read\", \"list\"]",
        "[\"create\", \"update\"]",
        "[\"deny\"]",
        "[]",
        "[\"patch\", \"sudo\"]",
    ];
    // Values the templates can render to, so that paths hit rendered rules.
    let mut values: Vec<String> = vec![
        "alice".into(),
        "bob".into(),
        "carol".into(),
        "payments".into(),
        "search".into(),
        "prod".into(),
        "eu".into(),
        "ops".into(),
        alice_id.clone(),
    ];
    values.extend(group_ids.iter().cloned());
    let default_paths = [
        "auth/token/lookup-self",
        "auth/token/renew-self",
        "sys/capabilities-self",
        "cubbyhole/notes",
        "sys/tools/hash",
        "identity/entity/name/alice",
        "sys/wrapping/unwrap",
        "sys/internal/ui/resultant-acl",
    ];

    let mut rng = SplitMix64::new(SEED + 7);
    let mut checked = 0;
    let mut errors_agreed = 0;
    let mut templated_grants = 0;
    let mut mismatches = Vec::new();
    for case in 0..TEMPLATE_CASES {
        let mut text = String::new();
        let mut used_shapes = Vec::new();
        for _ in 0..=rng.below(4) {
            let pattern = if rng.chance(75) {
                let shape = rng.below(shapes.len());
                let variable = rng.pick(&variables).clone();
                let pattern = shapes[shape].replace("{}", &format!("{{{{{variable}}}}}"));
                used_shapes.push((shape, variable));
                pattern
            } else {
                (*rng.pick(&plain)).to_owned()
            };
            let capabilities = rng.pick(&capability_sets);
            writeln!(text, "path \"{pattern}\" {{ capabilities = {capabilities} }}").unwrap();
        }
        call(Method::PUT, "sys/policies/acl/tpl", Some(serde_json::json!({"policy": text}))).await;
        let mut store = PolicyStore::new(Flavor::OpenBao);
        store.insert_text("tpl", &text).unwrap();
        store.insert_text("default", builtin::DEFAULT_POLICY_OPENBAO_2_7_2).unwrap();
        let mut paths: Vec<String> = Vec::new();
        for _ in 0..8 {
            let mut value = rng.pick(&values).clone();
            // Mostly paths shaped like this case's templated rules, with the value the rule
            // renders to for one of the entities, so that they can match.
            let form = if !used_shapes.is_empty() && rng.chance(70) {
                let (shape, variable) = rng.pick(&used_shapes).clone();
                let identity = subjects[rng.below(3)].identity.as_ref();
                if let Rendered::Pattern(rendered) =
                    render(&format!("{{{{{variable}}}}}"), identity, true, true)
                {
                    value = rendered;
                }
                shape
            } else {
                rng.below(8)
            };
            let path = match form {
                0 => format!("secret/{value}/x"),
                1 => format!("secret/{value}"),
                2 => format!("secret/a/{value}"),
                3 => format!("kv/{value}-x1"),
                4 => format!("{value}/data"),
                5 => format!("secret/{value}/k/end"),
                6 => format!("identity/entity/id/{value}"),
                _ => (*rng.pick(&default_paths)).to_owned(),
            };
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        for subject in &subjects {
            let response = http
                .post(format!("{base}/sys/capabilities"))
                .header("X-Vault-Token", ROOT_TOKEN)
                .json(&serde_json::json!({"token": subject.token, "paths": paths}))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let answer: serde_json::Value = response.json().await.unwrap_or_default();
            let context = AclContext { identity: subject.identity.as_ref(), now_unix: None };
            let ours = store.acl(&["tpl", "default"], context);
            match (status, ours) {
                (200, Ok(acl)) => {
                    for path in &paths {
                        let mut expected: Vec<String> = answer["data"][path]
                            .as_array()
                            .unwrap_or_else(|| panic!("T{case}: no answer for {path:?}: {answer}"))
                            .iter()
                            .filter_map(|capability| capability.as_str().map(str::to_owned))
                            .collect();
                        expected.sort();
                        let ours: Vec<String> =
                            acl.answer(path).names().into_iter().map(str::to_owned).collect();
                        checked += 1;
                        let decision = acl.explain(path);
                        if decision.winner.is_some_and(|winner| {
                            winner.sources.iter().any(|source| source.written.contains("{{"))
                        }) {
                            templated_grants += 1;
                        }
                        if ours != expected {
                            mismatches.push(format!(
                                "T{case} {} {path:?}: openbao {expected:?}, sextant {ours:?}\n{text}",
                                subject.label
                            ));
                        }
                    }
                }
                (403, Err(error)) => {
                    assert!(
                        answer.to_string().contains("forbidden value"),
                        "T{case}: 403 for another reason: {answer}"
                    );
                    assert_eq!(error.policy, "tpl");
                    errors_agreed += 1;
                }
                (status, ours) => mismatches.push(format!(
                    "T{case} {}: openbao status {status} {answer}, sextant {:?}\n{text}",
                    subject.label,
                    ours.map(|_| "an ACL")
                )),
            }
        }
    }
    println!(
        "vault template differential: {TEMPLATE_CASES} cases, {checked} path checks ({templated_grants} decided by a templated rule), {errors_agreed} forbidden-value refusals agreed, {} mismatches",
        mismatches.len()
    );
    assert!(checked >= TEMPLATE_CASES * 4, "{checked} checks");
    assert!(errors_agreed > 0, "the corpus exercises the forbidden-value refusal");
    assert!(templated_grants >= 500, "only {templated_grants} answers decided by templated rules");
    assert!(
        mismatches.is_empty(),
        "{} mismatches, first ones:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(10)].join("\n")
    );
}
