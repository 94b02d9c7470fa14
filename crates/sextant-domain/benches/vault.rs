//! How many `sys/capabilities`-style checks per second the evaluator answers with 1,000
//! policies loaded (target: at least 1,000,000 on one core).
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sextant_domain::vault::cases::SplitMix64;
use sextant_domain::vault::{Acl, AclContext, Flavor, Policy, parse_policy};

fn policies(count: usize) -> Vec<Policy> {
    (0..count)
        .map(|index| {
            let team = index % 97;
            let text = format!(
                "path \"secret/data/team-{team}/app-{index}/*\" {{ capabilities = [\"read\", \"list\"] }}\n\
                 path \"secret/metadata/team-{team}/*\" {{ capabilities = [\"list\"] }}\n\
                 path \"kv/+/svc-{index}/config\" {{ capabilities = [\"read\"] }}\n\
                 path \"auth/approle/role/app-{index}\" {{ capabilities = [\"read\", \"update\"] }}\n\
                 path \"database/creds/app-{index}-*\" {{ capabilities = [\"read\"] }}\n\
                 path \"secret/data/team-{team}/app-{index}/private\" {{ capabilities = [\"deny\"] }}\n\
                 path \"pki/+/team-{team}/+/issue\" {{ capabilities = [\"update\"] }}\n"
            );
            parse_policy(&format!("policy-{index}"), &text, Flavor::OpenBao).unwrap()
        })
        .collect()
}

fn paths() -> Vec<String> {
    let mut random = SplitMix64::new(42);
    (0..1024)
        .map(|_| {
            let index = random.below(1200);
            let team = index % 97;
            match random.below(8) {
                0 => format!("secret/data/team-{team}/app-{index}/db/password"),
                1 => format!("secret/metadata/team-{team}/"),
                2 => format!("kv/data/svc-{index}/config"),
                3 => format!("auth/approle/role/app-{index}"),
                4 => format!("database/creds/app-{index}-ro"),
                5 => format!("secret/data/team-{team}/app-{index}/private"),
                6 => format!("pki/v1/team-{team}/web/issue"),
                _ => format!("sys/mounts/nothing-{index}"),
            }
        })
        .collect()
}

fn checks(criterion: &mut Criterion) {
    let parsed = policies(1000);
    let references: Vec<&Policy> = parsed.iter().collect();
    let acl = Acl::build(&references, Flavor::OpenBao, AclContext::default()).unwrap();
    let paths = paths();
    let mut group = criterion.benchmark_group("vault_acl");
    group.throughput(Throughput::Elements(paths.len() as u64));
    group.bench_function("answer_1000_policies", |bencher| {
        bencher.iter(|| {
            for path in &paths {
                black_box(acl.answer(black_box(path)));
            }
        });
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("explain_1000_policies", |bencher| {
        bencher.iter(|| black_box(acl.explain(black_box(&paths[7]))));
    });
    group.bench_function("build_1000_policies", |bencher| {
        bencher.iter(|| {
            black_box(
                Acl::build(&references, Flavor::OpenBao, AclContext::default()).unwrap().len(),
            )
        });
    });
    group.finish();
}

criterion_group!(benches, checks);
criterion_main!(benches);
