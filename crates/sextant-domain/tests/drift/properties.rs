//! Invariants of the diff: the answer does not depend on the order objects are given in.

use proptest::prelude::*;
use serde_json::Value;
use sextant_domain::drift::diff::{DiffOptions, DiffReport, diff_objects};
use sextant_domain::drift::ignore::IgnoreRules;
use sextant_domain::drift::schema_defaults::SchemaDefaults;
use sextant_domain::object::Document;

/// The desired and live objects of several corpus cases whose objects do not collide.
fn corpus_objects() -> (Vec<Document>, Vec<Document>) {
    let mut desired = Vec::new();
    let mut live = Vec::new();
    for (file, names) in [
        (
            "c-metadata-noise.yaml",
            &[
                "server metadata, ownership labels, tracking annotations, last-applied, finalizers and status",
            ][..],
        ),
        (
            "d-real-drift.yaml",
            &[
                "an object in Git that is not live, and a live object that is not in Git",
                "a port added by hand to a Service, and a port number changed",
                "a field only live with no managedFields entry",
            ][..],
        ),
        ("b-controllers.yaml", &["replicas set by a HorizontalPodAutoscaler"][..]),
    ] {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/drift/cases").join(file);
        let cases: Value = serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for case in cases["cases"].as_array().unwrap() {
            if names.contains(&case["name"].as_str().unwrap()) {
                desired
                    .extend(case["desired"].as_array().unwrap().iter().cloned().map(Document::new));
                live.extend(case["live"].as_array().unwrap().iter().cloned().map(Document::new));
            }
        }
    }
    (desired, live)
}

/// The report without positions, sorted by object.
fn canonical(report: &DiffReport) -> Vec<String> {
    let mut objects: Vec<String> = report
        .objects
        .iter()
        .map(|object| {
            let fields: Vec<String> = object
                .fields
                .iter()
                .map(|field| format!("{} {:?} {}", field.path, field.class, field.reason))
                .collect();
            format!("{} {:?} {fields:?}", object.id, object.state)
        })
        .collect();
    objects.sort();
    objects
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_order_of_the_objects_does_not_matter(
        (desired, live) in {
            let (desired, live) = corpus_objects();
            (Just(desired).prop_shuffle(), Just(live).prop_shuffle())
        }
    ) {
        let ignore = IgnoreRules::default();
        let schemas = SchemaDefaults::default();
        let options = DiffOptions { ignore: &ignore, schemas: &schemas, default_namespace: "default", controller: None };
        let (reference_desired, reference_live) = corpus_objects();
        let reference = diff_objects(&reference_desired, &reference_live, &options);
        prop_assert!(reference.summary().drifted >= 2, "the input should hold drift");
        let shuffled = diff_objects(&desired, &live, &options);
        prop_assert_eq!(canonical(&shuffled), canonical(&reference));
    }
}
