//! Runs every case under `tests/gateway/cases/*.yaml` against the domain directly and prints a
//! summary; `check.rs` describes the case format. The CLI runs the same cases through the real
//! binary (`crates/sextant-cli/tests/gateway_corpus.rs`).

use sextant_domain::gateway::{Request, RouteTable};
use sextant_domain::object::KubeObject;

use crate::check::{Answers, Case, run_corpus};

fn run(case: &Case) -> Result<Answers, String> {
    let objects: Vec<KubeObject> = case.objects.iter().cloned().map(KubeObject::new).collect();
    let unreadable: Vec<&str> = case.unreadable.iter().map(String::as_str).collect();
    let table = RouteTable::build(&objects, &unreadable);
    let mut answers = Answers::default();
    if case.status.is_some() {
        answers.status =
            Some(serde_json::to_value(table.status()).map_err(|error| error.to_string())?);
    }
    if let Some(request) = &case.request {
        let request: Request = serde_json::from_value(request.clone())
            .map_err(|error| format!("bad request: {error}"))?;
        answers.answer =
            Some(serde_json::to_value(table.explain(&request)).map_err(|error| error.to_string())?);
    }
    Ok(answers)
}

#[test]
fn the_case_corpus_passes() {
    run_corpus("the domain", run);
}
