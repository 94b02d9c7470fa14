//! `sextant vault capabilities` against `shared/specs/cli-contract.md` (Vault section).
//!
//! Every expected value is computed by hand from `shared/specs/vault-acl.md`; the comment
//! beside each names the rule that gives it.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn path(&self) -> &Path {
        self.0.path()
    }
}

fn sextant(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sextant")).args(args).output().unwrap()
}

fn policy_arg(name: &str, file: &Path) -> String {
    format!("{name}={}", file.display())
}

/// Runs with `--output json` and returns (exit code, stdout JSON, stderr).
fn json_run(args: &[String]) -> (i32, Value, String) {
    let mut all: Vec<&str> = vec!["vault", "capabilities", "--output", "json"];
    all.extend(args.iter().map(String::as_str));
    let output = sextant(&all);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let value = serde_json::from_str(&stdout)
        .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {stdout}\nstderr: {stderr}"));
    (output.status.code().unwrap(), value, stderr)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

#[test]
fn the_contract_example_segment_beats_glob_and_shadows_the_deny() {
    let dir = Dir::new();
    let browse =
        dir.write("browse.hcl", "path \"secret/+\" { capabilities = [\"read\", \"list\"] }");
    let deny = dir.write("deny-all.hcl", "path \"secret/*\" { capabilities = [\"deny\"] }");
    let (code, report, _) = json_run(&[
        "--policy".into(),
        policy_arg("browse", &browse),
        "--policy".into(),
        policy_arg("deny-all", &deny),
        "secret/foo".into(),
    ]);
    assert_eq!(code, 0);
    // §5.3: both first wildcards sit at index 7; rule 2 (not a glob) picks `secret/+`.
    assert_eq!(
        report["paths"],
        json!([{
            "path": "secret/foo",
            "capabilities": ["list", "read"],
            "decided_by": {
                "pattern": "secret/+",
                "kind": "segment",
                "rule": "not_glob",
                "why": "priority rule 2: it does not end in '*', and the other does",
                "policies": ["browse"],
            },
            "shadowed": [{"pattern": "secret/*", "kind": "prefix", "policies": ["deny-all"], "capabilities": ["deny"]}],
        }])
    );
}

#[test]
fn answers_follow_the_paths_given_with_kinds_rules_and_most_specific_shadow_first() {
    let dir = Dir::new();
    let app = dir.write(
        "app.hcl",
        r#"
path "secret/*" { capabilities = ["deny"] }
path "secret/+/bar" { capabilities = ["read"] }
path "secret/foo/*" { capabilities = ["update", "create"] }
path "secret/exact" { capabilities = ["patch", "read"] }
path "secret/locked" {}
"#,
    );
    let (code, report, _) = json_run(&[
        "--policy".into(),
        policy_arg("App", &app),
        "secret/foo/bar".into(),
        "/secret/exact".into(),
        "secret/exact/".into(),
        "secret/locked".into(),
        "elsewhere/x".into(),
    ]);
    assert_eq!(code, 0);
    let paths = report["paths"].as_array().unwrap();
    // Echoed as given, in order, one per path.
    let echoed: Vec<&str> = paths.iter().map(|path| path["path"].as_str().unwrap()).collect();
    assert_eq!(
        echoed,
        ["secret/foo/bar", "/secret/exact", "secret/exact/", "secret/locked", "elsewhere/x"]
    );

    // `secret/foo/*` has its wildcard at 11, the others at 7 (rule 1). Of the losers,
    // `secret/+/bar` beats `secret/*` by rule 2, so it is listed first.
    assert_eq!(paths[0]["capabilities"], json!(["create", "update"]));
    assert_eq!(paths[0]["decided_by"]["pattern"], "secret/foo/*");
    assert_eq!(paths[0]["decided_by"]["kind"], "prefix");
    assert_eq!(paths[0]["decided_by"]["rule"], "later_wildcard");
    // Names are lower-cased (§2.4).
    assert_eq!(paths[0]["decided_by"]["policies"], json!(["app"]));
    assert_eq!(
        paths[0]["shadowed"],
        json!([
            {"pattern": "secret/+/bar", "kind": "segment", "policies": ["app"], "capabilities": ["read"]},
            {"pattern": "secret/*", "kind": "prefix", "policies": ["app"], "capabilities": ["deny"]},
        ])
    );

    // Leading slashes are stripped from the query (§5.1 step 1); an exact rule wins (step 2).
    assert_eq!(paths[1]["capabilities"], json!(["patch", "read"]));
    assert_eq!(paths[1]["decided_by"]["kind"], "exact");
    assert_eq!(paths[1]["decided_by"]["rule"], "exact_match");
    assert_eq!(
        paths[1]["shadowed"],
        json!([{"pattern": "secret/*", "kind": "prefix", "policies": ["app"], "capabilities": ["deny"]}])
    );

    // The LIST view: `secret/exact/` falls back to the exact rule without the slash (step 3).
    assert_eq!(paths[2]["capabilities"], json!(["patch", "read"]));
    assert_eq!(paths[2]["decided_by"]["pattern"], "secret/exact");
    assert_eq!(paths[2]["decided_by"]["rule"], "exact_without_trailing_slash");

    // An empty block still wins and answers deny (§2.3, H053).
    assert_eq!(paths[3]["capabilities"], json!(["deny"]));
    assert_eq!(paths[3]["decided_by"]["pattern"], "secret/locked");

    // Nothing matches: deny, no decided_by, nothing shadowed.
    assert_eq!(paths[4], json!({"path": "elsewhere/x", "capabilities": ["deny"], "shadowed": []}));
}

#[test]
fn deny_is_sticky_across_policies_and_names_its_own_source() {
    let dir = Dir::new();
    // §17.6: G1 denies kv/deny, G2 grants update on it; G1's deny came first.
    let g1 = dir.write("g1.hcl", "path \"kv/deny\" { capabilities = [\"deny\"] }\npath \"kv/foo\" { capabilities = [\"update\", \"read\"] }");
    let g2 = dir.write("g2.json", r#"{"path": {"kv/deny": {"capabilities": ["update"]}, "kv/foo": {"capabilities": ["update", "read"]}}}"#);
    let (code, report, _) = json_run(&[
        "--policy".into(),
        policy_arg("g1", &g1),
        "--policy".into(),
        policy_arg("g2", &g2),
        "kv/deny".into(),
        "kv/foo".into(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(report["paths"][0]["capabilities"], json!(["deny"]));
    assert_eq!(report["paths"][0]["decided_by"]["policies"], json!(["g1"]));
    assert_eq!(report["paths"][1]["capabilities"], json!(["read", "update"]));
    assert_eq!(report["paths"][1]["decided_by"]["policies"], json!(["g1", "g2"]));
}

#[test]
fn the_root_policy_answers_root_whatever_its_text() {
    let dir = Dir::new();
    let root = dir.write("root.hcl", "this is not a policy {{{");
    let (code, report, _) =
        json_run(&["--policy".into(), policy_arg("root", &root), "secret/anything".into()]);
    assert_eq!(code, 0);
    assert_eq!(
        report["paths"][0],
        json!({"path": "secret/anything", "capabilities": ["root"], "decided_by": {"kind": "root", "policies": ["root"]}, "shadowed": []})
    );
}

#[test]
fn default_is_attached_only_when_given() {
    let dir = Dir::new();
    let policies = dir.path().join("policies");
    dir.write("policies/app.hcl", "path \"secret/app\" { capabilities = [\"read\"] }");
    dir.write("policies/notes.txt", "not a policy");
    let default =
        dir.write("default.hcl", "path \"auth/token/lookup-self\" { capabilities = [\"read\"] }");
    // Without `default`, lookup-self matches nothing.
    let (code, report, _) = json_run(&[
        "--policy-dir".into(),
        policies.display().to_string(),
        "auth/token/lookup-self".into(),
        "secret/app".into(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(report["paths"][0]["capabilities"], json!(["deny"]));
    assert!(report["paths"][0].get("decided_by").is_none());
    // `--policy-dir` names each file after its stem.
    assert_eq!(report["paths"][1]["decided_by"]["policies"], json!(["app"]));
    // Given, `default` is an ordinary policy with that text.
    let (_, report, _) = json_run(&[
        "--policy-dir".into(),
        policies.display().to_string(),
        "--policy".into(),
        policy_arg("default", &default),
        "auth/token/lookup-self".into(),
    ]);
    assert_eq!(report["paths"][0]["capabilities"], json!(["read"]));
    assert_eq!(report["paths"][0]["decided_by"]["policies"], json!(["default"]));
}

#[test]
fn one_malformed_policy_among_several_exits_2_naming_policy_file_line_and_column() {
    let dir = Dir::new();
    let good = dir.write("good.hcl", "path \"a\" { capabilities = [\"read\"] }");
    // Line 3, the typo `capabilites` (§2.3) starts at column 3.
    let bad = dir.write("broken.hcl", "# comment\npath \"b\" {\n  capabilites = [\"read\"]\n}\n");
    let (code, report, stderr) = json_run(&[
        "--policy".into(),
        policy_arg("good", &good),
        "--policy".into(),
        policy_arg("broken", &bad),
        "a".into(),
    ]);
    assert_eq!(code, 2);
    let error = &report["error"];
    assert_eq!(error["kind"], "bad_policy");
    assert_eq!(error["policy"], "broken");
    assert_eq!(error["file"], bad.display().to_string());
    assert_eq!(error["line"], 3);
    assert_eq!(error["column"], 3);
    assert!(report.get("paths").is_none(), "no answers on bad input: {report}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("broken") && message.contains(&format!("{}:3:3", bad.display())),
        "{message}"
    );
    assert!(stderr.contains("broken") && stderr.contains(":3:3"), "{stderr}");
}

#[test]
fn templates_render_from_the_identity_file_and_a_forbidden_value_exits_2() {
    let dir = Dir::new();
    let templated = dir.write(
        "self.hcl",
        "path \"secret/data/{{identity.entity.name}}/*\" { capabilities = [\"read\"] }\npath \"secret/data/{{ identity.groups.names.ops.metadata.team }}\" { capabilities = [\"list\"] }",
    );
    let alice = dir.write(
        "alice.json",
        r#"{"entity": {"id": "e-1", "name": "alice"}, "groups": [{"id": "g-1", "name": "ops", "metadata": {"team": "payments"}}]}"#,
    );
    let (code, report, _) = json_run(&[
        "--policy".into(),
        policy_arg("self", &templated),
        "--identity".into(),
        alice.display().to_string(),
        "secret/data/alice/x".into(),
        "secret/data/bob/x".into(),
        "secret/data/payments".into(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(report["paths"][0]["capabilities"], json!(["read"]));
    assert_eq!(report["paths"][0]["decided_by"]["pattern"], "secret/data/alice/*");
    assert_eq!(report["paths"][1]["capabilities"], json!(["deny"]));
    assert_eq!(report["paths"][2]["capabilities"], json!(["list"]));

    // Without an identity, every templated rule is dropped (§7.3): nothing matches.
    let (code, report, _) = json_run(&[
        "--policy".into(),
        policy_arg("self", &templated),
        "secret/data/alice/x".into(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        report["paths"][0],
        json!({"path": "secret/data/alice/x", "capabilities": ["deny"], "shadowed": []})
    );

    // A value holding `/` fails the whole token (§7.3, E000).
    let slash = dir.write("slash.json", r#"{"entity": {"name": "a/b"}}"#);
    let (code, report, _) = json_run(&[
        "--policy".into(),
        policy_arg("self", &templated),
        "--identity".into(),
        slash.display().to_string(),
        "secret/data/a/b/x".into(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(report["error"]["kind"], "template_forbidden_value");
    assert_eq!(report["error"]["policy"], "self");
    assert!(report["error"]["message"].as_str().unwrap().contains("a/b"));
    assert!(report.get("paths").is_none());
}

#[test]
fn flavor_switches_the_trailing_slash_lookup_order() {
    let dir = Dir::new();
    let policy = dir.write(
        "p.hcl",
        "path \"a/b/*\" { capabilities = [\"list\"] }\npath \"a/+\" { capabilities = [\"read\"] }",
    );
    let args = |flavor: &str| {
        vec![
            "--policy".to_owned(),
            policy_arg("p", &policy),
            "--flavor".to_owned(),
            flavor.to_owned(),
            "a/b/".to_owned(),
        ]
    };
    // §5.1: OpenBao tries `a/b/` as given first (the glob `a/b/*` matches; `a/+` needs two
    // parts); Vault first tries `a/b`, which `a/+` matches.
    let (_, openbao, _) = json_run(&args("openbao"));
    assert_eq!(openbao["paths"][0]["capabilities"], json!(["list"]));
    assert_eq!(openbao["paths"][0]["decided_by"]["rule"], "lookup_order");
    assert_eq!(openbao["paths"][0]["shadowed"][0]["pattern"], "a/+");
    let (_, vault, _) = json_run(&args("vault"));
    assert_eq!(vault["paths"][0]["capabilities"], json!(["read"]));
    assert_eq!(vault["paths"][0]["decided_by"]["pattern"], "a/+");
    // The default is OpenBao.
    let (_, default, _) = json_run(
        &args("openbao")[..4].iter().cloned().chain(["a/b/".to_owned()]).collect::<Vec<_>>(),
    );
    assert_eq!(default["paths"][0]["capabilities"], json!(["list"]));
}

#[test]
fn fail_on_escalation_exits_1_only_when_an_escalation_is_found() {
    let dir = Dir::new();
    // §16 rows 1–3: policy writes plus an update on the role it logs in with.
    let ci = dir.write(
        "ci.hcl",
        "path \"sys/policies/acl/*\" { capabilities = [\"create\", \"update\"] }\npath \"auth/jwt/role/ci\" { capabilities = [\"update\"] }",
    );
    let reader =
        dir.write("reader.hcl", "path \"secret/data/app/*\" { capabilities = [\"read\"] }");
    let (code, report, _) = json_run(&[
        "--policy".into(),
        policy_arg("ci", &ci),
        "--fail-on".into(),
        "escalation".into(),
        "sys/policies/acl/ci".into(),
    ]);
    assert_eq!(code, 1);
    let codes: Vec<&str> = report["escalations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["code"].as_str().unwrap())
        .collect();
    // Row 1: it may rewrite its own policy `ci`.
    assert!(codes.contains(&"VAULT-ESC-01"), "{codes:?}");
    assert_eq!(report["paths"][0]["capabilities"], json!(["create", "update"]));
    // Without --fail-on, the same analysis exits 0.
    let (code, _, _) =
        json_run(&["--policy".into(), policy_arg("ci", &ci), "sys/policies/acl/ci".into()]);
    assert_eq!(code, 0);
    // A read-only policy has nothing to escalate.
    let (code, report, _) = json_run(&[
        "--policy".into(),
        policy_arg("reader", &reader),
        "--fail-on".into(),
        "escalation".into(),
        "secret/data/app/x".into(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(report["escalations"], json!([]));
}

#[test]
fn bad_input_exits_2_and_names_it() {
    let dir = Dir::new();
    let good = dir.write("good.hcl", "path \"a\" { capabilities = [\"read\"] }");
    // Not NAME=FILE: clap's usage error.
    let output = sextant(&["vault", "capabilities", "--policy", "justafile.hcl", "a"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("NAME=FILE"));
    // A missing file.
    let missing = dir.path().join("missing.hcl");
    let (code, report, _) =
        json_run(&["--policy".into(), policy_arg("gone", &missing), "a".into()]);
    assert_eq!(code, 2);
    assert_eq!(report["error"]["kind"], "unreadable_policy");
    assert_eq!(report["error"]["file"], missing.display().to_string());
    // No policy at all.
    let (code, report, _) = json_run(&["a".into()]);
    assert_eq!(code, 2);
    assert_eq!(report["error"]["kind"], "no_policies");
    // A broken identity file names line and column.
    let identity = dir.write("id.json", "{\"entity\": {\"name\": 3}}");
    let (code, report, _) = json_run(&[
        "--policy".into(),
        policy_arg("good", &good),
        "--identity".into(),
        identity.display().to_string(),
        "a".into(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(report["error"]["kind"], "bad_identity");
    assert_eq!(report["error"]["line"], 1);
    // No PATH.
    let output = sextant(&["vault", "capabilities", "--policy", &policy_arg("good", &good)]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn the_human_table_shows_the_deciding_pattern_and_the_shadowed_denies() {
    let dir = Dir::new();
    let browse =
        dir.write("browse.hcl", "path \"secret/+\" { capabilities = [\"read\", \"list\"] }");
    let deny = dir.write("deny-all.hcl", "path \"secret/*\" { capabilities = [\"deny\"] }");
    let output = sextant(&[
        "vault",
        "capabilities",
        "--policy",
        &policy_arg("browse", &browse),
        "--policy",
        &policy_arg("deny-all", &deny),
        "secret/foo",
        "other",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("PATH") && lines[0].contains("DECIDED BY"), "{text}");
    assert!(
        lines[1].starts_with("secret/foo")
            && lines[1].contains("list, read")
            && lines[1].contains("secret/+ (segment, not_glob)")
            && lines[1].ends_with("browse"),
        "{text}"
    );
    assert_eq!(lines[2].trim(), "shadowed deny: secret/* (prefix) from deny-all: deny");
    assert!(lines[3].starts_with("other") && lines[3].contains("no rule matches"), "{text}");
    assert_eq!(strings(&lines[4..]), Vec::<String>::new(), "no escalation section: {text}");
}
