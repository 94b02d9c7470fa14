//! Facts from spec §5 and §17, each re-run by the spec's authors on OpenBao 2.7.2.

use sextant_domain::vault::{Flavor, PatternKind, TieBreak};

use crate::check::{acl, check, check_flavor};

const POLICY_A: &str = r#"
path "dev/*" { policy = "sudo" }
path "stage/*" { policy = "write" }
path "stage/aws/*" { policy = "read"  capabilities = ["update", "sudo"] }
path "stage/aws/policy/*" { policy = "sudo" }
path "prod/*" { policy = "read" }
path "prod/aws/*" { policy = "deny" }
path "sys/*" { policy = "deny" }
path "foo/bar" { capabilities = ["read", "create", "sudo"] }
path "baz/quux" { capabilities = ["read", "create", "patch"] }
path "test/+/segment" { capabilities = ["read"] }
path "+/segment/at/front" { capabilities = ["read"] }
path "test/segment/at/end/+" { capabilities = ["read"] }
path "test/segment/at/end/v2/+/" { capabilities = ["read"] }
path "test/+/wildcard/+/*" { capabilities = ["read"] }
path "test/+/wildcardglob/+/end*" { capabilities = ["read"] }
path "1/2/*" { capabilities = ["create"] }
path "1/2/+" { capabilities = ["read"] }
path "1/2/+/+" { capabilities = ["update"] }
path "asdf/fdsa" { capabilities = ["scan"] }
"#;

const POLICY_B: &str = r#"
path "dev/hide/*" { policy = "deny" }
path "stage/aws/policy/*" { policy = "deny"  capabilities = ["read", "update", "sudo"] }
path "prod/*" { policy = "write" }
path "sys/seal" { policy = "sudo" }
path "foo/bar" { capabilities = ["deny"] }
path "baz/quux" { capabilities = ["deny"] }
"#;

#[test]
fn fact_1_policy_a_alone() {
    check(
        &[("a", POLICY_A)],
        &[
            ("dev", "deny"),
            ("dev/", "create delete list read sudo update"),
            ("dev/foo", "create delete list read sudo update"),
            ("stage/foo", "create delete list read update"),
            ("stage/aws/foo", "list read sudo update"),
            ("stage/aws/test", "list read sudo update"),
            ("stage/aws/policy/foo", "create delete list read sudo update"),
            ("prod/foo", "list read"),
            ("prod/aws/foo", "deny"),
            ("sys/mount/foo", "deny"),
            ("sys/seal", "deny"),
            ("root", "deny"),
            ("foo/bar", "create read sudo"),
            ("baz/quux", "create patch read"),
            ("asdf/fdsa", "scan"),
        ],
    );
}

#[test]
fn fact_2_3_segments() {
    check(
        &[("a", POLICY_A)],
        &[
            ("test/foo/segment", "read"),
            ("test/foo/bar/segment", "deny"),
            ("test/segment/at/front", "read"),
            ("test/segment/at/frond", "deny"),
            ("test/segment/at/end/foo", "read"),
            ("test/segment/at/end/foo/", "read"),
            ("test/segment/at/end/v2/foo/", "read"),
            ("test/segment/wildcard/at/end", "read"),
            ("test/segment/wildcard/at/end/", "read"),
            ("test/segment/wildcard/at/foo/", "read"),
            ("1/2/3", "read"),
            ("1/2/3/4", "update"),
            ("1/2/3/4/5", "create"),
        ],
    );
}

#[test]
fn fact_4_a_with_b() {
    check(
        &[("a", POLICY_A), ("b", POLICY_B)],
        &[
            ("stage/aws/policy/foo", "deny"),
            ("dev/hide/foo", "deny"),
            ("foo/bar", "deny"),
            ("baz/quux", "deny"),
            ("prod/foo", "create delete list read update"),
            ("sys/seal", "create delete list read sudo update"),
            ("dev/foo", "create delete list read sudo update"),
        ],
    );
}

const LIST_DENY: &str = r#"
path "foo/metadata/*" { capabilities = ["list", "scan"] }
path "foo/metadata/private/*" { capabilities = ["deny"] }
path "foo/metadata/private/granted/*" { capabilities = ["list", "scan"] }
"#;

#[test]
fn fact_5_list_scan_deny_fix_and_vault_order() {
    check(
        &[("p", LIST_DENY)],
        &[
            ("foo/", "deny"),
            ("foo/metadata/", "list scan"),
            ("foo/metadata/test/", "list scan"),
            ("foo/metadata/private/", "deny"),
            ("foo/metadata/private/internal/", "deny"),
            ("foo/metadata/private/granted/", "list scan"),
            ("foo/metadata/private/granted/test/", "list scan"),
        ],
    );
    // §13: Vault tries the trimmed path first, so the deny is bypassed for LIST.
    let vault = LIST_DENY.replace(", \"scan\"", "");
    check_flavor(&[("p", &vault)], &[("foo/metadata/private/", "list")], Flavor::Vault);
}

#[test]
fn fact_6_granting_policies() {
    let g1 = r#"path "kv/foo" { capabilities = ["update", "read"] }
path "kv/path/*" { capabilities = ["read"] }
path "kv/path/longer" { capabilities = ["update", "read"] }
path "kv/path/longer2" { capabilities = ["update"] }
path "kv/deny" { capabilities = ["deny"] }"#;
    let g2 = r#"path "kv/foo" { capabilities = ["update", "read"] }
path "kv/bar" { capabilities = ["update", "read"] }
path "kv/path/*" { capabilities = ["read"] }
path "kv/path/longer" { capabilities = ["read"] }
path "kv/path/longer3" { capabilities = ["read"] }
path "kv/deny" { capabilities = ["update"] }"#;
    check(
        &[("g1", g1), ("g2", g2)],
        &[
            ("kv/foo", "read update"),
            ("kv/path/longer3", "read"),
            ("kv/bar", "read update"),
            ("kv/deny", "deny"),
            ("kv/path/longer", "read update"),
        ],
    );
    let decision = acl(&[("g1", g1), ("g2", g2)], Flavor::OpenBao).explain("kv/deny");
    let winner = decision.winner.unwrap();
    let policies: Vec<&str> = winner.sources.iter().map(|source| source.policy.as_str()).collect();
    assert_eq!(policies, ["g1", "g2"]);
    assert!(winner.sources[0].capabilities.is_deny());
}

#[test]
fn fact_7_priority_pairs() {
    let pairs = [
        ("+/*", "*", "foo/bar/bar/baz"),
        ("+/*", "foo/+/*", "foo/bar/bar/baz"),
        ("foo/+/+/*", "foo/+/bar/baz", "foo/bar/bar/baz"),
        ("foo/+/+/baz", "foo/+/bar/baz", "foo/bar/bar/baz"),
        ("foo/+/(ar/baz", "foo/(ar/+/baz", "foo/(ar/(ar/baz"),
        ("foo/bar/+/baz*", "foo/bar/+/baz", "foo/bar/bar/baz"),
        ("foo/bar/+/b*", "foo/bar/+/ba*", "foo/bar/bar/baz"),
    ];
    for (loser, winner, path) in pairs {
        let text = format!(
            "path \"{loser}\" {{ capabilities = [\"read\"] }}\npath \"{winner}\" {{ capabilities = [\"update\"] }}"
        );
        check(&[("p", &text)], &[(path, "update")]);
        let reversed = format!(
            "path \"{winner}\" {{ capabilities = [\"update\"] }}\npath \"{loser}\" {{ capabilities = [\"read\"] }}"
        );
        check(&[("p", &reversed)], &[(path, "update")]);
    }
}

#[test]
fn section_5_3_worked_examples_with_reasons() {
    let cases: [(&[&str], &str, &str, TieBreak); 9] = [
        (&["+/*", "*"], "foo/bar/bar/baz", "*", TieBreak::FewerPlusSegments),
        (&["foo/*", "foo/+"], "foo/x", "foo/+", TieBreak::NotGlob),
        (&["foo/a*", "foo/+"], "foo/ab", "foo/a*", TieBreak::LaterWildcard),
        (&["a/bcdef*", "a/+/x*"], "a/bcdefg/xy", "a/bcdef*", TieBreak::LaterWildcard),
        (&["a/+/b/*", "a/+/+/c"], "a/x/b/c", "a/+/+/c", TieBreak::NotGlob),
        (
            &["secret/*", "secret/+/+/foo/*"],
            "secret/a/b/foo/c",
            "secret/*",
            TieBreak::FewerPlusSegments,
        ),
        (
            &["foo/bar/+/b*", "foo/bar/+/ba*"],
            "foo/bar/bar/baz",
            "foo/bar/+/ba*",
            TieBreak::LongerPattern,
        ),
        (&["+/b/c", "a/+/c", "a/b/+"], "a/b/c", "a/b/+", TieBreak::LaterWildcard),
        (&["x/+/+/z", "x/+/y/+"], "x/a/y/z", "x/+/y/+", TieBreak::LexicographicallyLarger),
    ];
    for (patterns, path, winner, reason) in cases {
        let text: String = patterns
            .iter()
            .flat_map(|pattern| ["path \"", pattern, "\" { capabilities = [\"read\"] }\n"])
            .collect();
        let decision = acl(&[("p", &text)], Flavor::OpenBao).explain(path);
        assert_eq!(decision.winner.as_ref().unwrap().pattern, winner, "{patterns:?} on {path}");
        assert_eq!(decision.reason, reason, "{patterns:?} on {path}");
        assert_eq!(decision.shadowed.len(), patterns.len() - 1, "{patterns:?} on {path}");
    }
    let only_glob = acl(
        &[(
            "p",
            "path \"1/2/*\" {capabilities=[\"create\"]}\npath \"1/2/+\" {capabilities=[\"read\"]}\npath \"1/2/+/+\" {capabilities=[\"update\"]}",
        )],
        Flavor::OpenBao,
    );
    let decision = only_glob.explain("1/2/3/4/5");
    assert_eq!(
        (decision.winner.unwrap().kind, decision.reason),
        (PatternKind::Prefix, TieBreak::OnlyCandidate)
    );
}

#[test]
fn section_2_and_3_edge_cases() {
    // H002: `dir/` is exact; H000-01: `secret/foo/` resolves to the exact rule for LIST.
    check(
        &[(
            "p",
            "path \"dir/\" { capabilities = [\"read\"] }\npath \"secret/foo\" { capabilities = [\"list\"] }",
        )],
        &[("dir/", "read"), ("dir", "deny"), ("secret/foo/", "list"), ("dir//", "read")],
    );
    // H003: one leading slash removed from patterns, all from paths.
    check(
        &[(
            "p",
            "path \"/secret/x\" { capabilities = [\"read\"] }\npath \"//y\" { capabilities = [\"read\"] }",
        )],
        &[("//secret/x", "read"), ("secret/x", "read"), ("y", "deny"), ("/y", "deny")],
    );
    // Globs are raw prefixes; `*` elsewhere is literal; `lit/**` has prefix `lit/*`.
    check(
        &[(
            "p",
            "path \"secret/zip-*\" { capabilities = [\"read\"] }\npath \"foo/*/bar\" { capabilities = [\"list\"] }\npath \"lit/**\" { capabilities = [\"update\"] }\npath \"secret*\" { capabilities = [\"create\"] }",
        )],
        &[
            ("secret/zip-zap/zong", "read"),
            ("foo/*/bar", "list"),
            ("foo/x/bar", "deny"),
            ("lit/*x", "update"),
            ("lit/x", "deny"),
            ("secret", "create"),
            ("secretx", "create"),
        ],
    );
    // H015, H053/H054 (zero capabilities shadow), H048 (deny does not travel), `+` matches empty.
    check(
        &[(
            "p",
            "path \"foo/+/*\" { capabilities = [\"read\"] }\npath \"s/*\" { capabilities = [\"deny\"] }\npath \"s/open\" { capabilities = [\"read\"] }\npath \"s/open/*\" { capabilities = [\"read\"] }\npath \"s/open/empty\" { capabilities = [] }\npath \"+\" { capabilities = [\"list\"] }\npath \"e/+\" { capabilities = [\"list\"] }\npath \"foo/+bar\" { capabilities = [\"update\"] }",
        )],
        &[
            ("foo/x", "deny"),
            ("foo/x/", "read"),
            ("s/open", "read"),
            ("s/open/empty", "deny"),
            ("s/other", "deny"),
            ("/", "list"),
            ("", "list"),
            ("e/", "list"),
            ("foo/+bar", "update"),
            ("foo/xbar", "deny"),
        ],
    );
    // H081: repeated JSON keys merge; H083: second label ignored; legacy + list combined.
    check(
        &[("p", r#"{"path":{"x":{"capabilities":["read"]},"x":{"capabilities":["update"]}}}"#)],
        &[("x", "read update")],
    );
    check(
        &[("p", "path \"a\" \"b\" { capabilities = [\"read\"] }")],
        &[("a", "read"), ("b", "deny")],
    );
    // A repeated block in one policy merges like another policy; a later grant after deny is ignored.
    check(
        &[(
            "p",
            "path \"k\" { capabilities = [\"deny\"] }\npath \"k\" { capabilities = [\"read\"] }",
        )],
        &[("k", "deny")],
    );
}

#[test]
fn section_7_templates_and_9_root_default() {
    use sextant_domain::vault::builtin::DEFAULT_POLICY_OPENBAO_2_7_2;
    use sextant_domain::vault::template::TemplateEntity;
    use sextant_domain::vault::{AclContext, PolicyStore, TemplateIdentity};
    let mut store = PolicyStore::new(Flavor::OpenBao);
    store.insert_text("default", DEFAULT_POLICY_OPENBAO_2_7_2).unwrap();
    store.insert_text("t", "path \"secret/{{identity.entity.id}}/sample\" { capabilities = [\"read\"] }\npath \"secret/*\" { capabilities = [\"list\"] }").unwrap();
    let no_entity = store.acl(&["t", "default"], AclContext::default()).unwrap();
    assert_eq!(no_entity.answer("secret/e1/sample").names(), ["list"]);
    assert_eq!(no_entity.answer("identity/entity/name/").names(), ["deny"]);
    assert_eq!(
        no_entity.answer("cubbyhole/x").names(),
        ["create", "delete", "list", "read", "update"]
    );
    assert_eq!(no_entity.answer("identity/oidc/provider/p/authorize").names(), ["read", "update"]);
    let identity = TemplateIdentity {
        entity: Some(TemplateEntity {
            id: "e1".into(),
            name: "alice".into(),
            ..TemplateEntity::default()
        }),
        groups: vec![],
    };
    let with_entity = store
        .acl(&["T", "default"], AclContext { identity: Some(&identity), now_unix: None })
        .unwrap();
    assert_eq!(with_entity.answer("secret/e1/sample").names(), ["read"]);
    assert_eq!(with_entity.answer("identity/entity/name/alice").names(), ["read"]);
    let forbidden = TemplateIdentity {
        entity: Some(TemplateEntity { id: "e/1".into(), ..TemplateEntity::default() }),
        groups: vec![],
    };
    assert!(store.acl(&["t"], AclContext { identity: Some(&forbidden), now_unix: None }).is_err());
    let root = store.acl(&["t", "ROOT"], AclContext::default()).unwrap();
    assert_eq!(root.answer("anything").names(), ["root"]);
    assert_eq!(root.explain("x").kind(), Some(PatternKind::Root));
    // Expired rules are dropped and shadow nothing (H055).
    store.insert_text("e", "path \"x/*\" { capabilities = [\"read\"] }\npath \"x/y\" { capabilities = [\"deny\"]\n expiration = \"2020-01-01T00:00:00Z\" }").unwrap();
    let later =
        store.acl(&["e"], AclContext { identity: None, now_unix: Some(1_700_000_000) }).unwrap();
    assert_eq!(later.answer("x/y").names(), ["read"]);
    // A missing policy name adds nothing; names are case-insensitive.
    assert_eq!(
        store.acl(&["nope"], AclContext::default()).unwrap().answer("x/y").names(),
        ["deny"]
    );
}

#[test]
fn shadowed_deny_is_reported() {
    let decision = acl(
        &[
            ("p", "path \"secret/*\" { capabilities = [\"deny\"] }"),
            ("q", "path \"secret/app/*\" { capabilities = [\"read\"] }"),
        ],
        Flavor::OpenBao,
    )
    .explain("secret/app/x");
    assert_eq!(decision.answer.names(), ["read"]);
    let denies: Vec<&str> =
        decision.shadowed_denies().map(|candidate| candidate.pattern.as_str()).collect();
    assert_eq!(denies, ["secret/*"]);
}
