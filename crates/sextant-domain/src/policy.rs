//! Admission policies (Kubewarden, Kyverno) and the results their reports hold.

use std::collections::HashMap;

use crate::json::Json;

use crate::object::KubeObject;

const KUBEWARDEN: &str = "policies.kubewarden.io";
const KYVERNO: &str = "kyverno.io";
const REPORT_GROUPS: [&str; 2] = ["wgpolicyk8s.io", "openreports.io"];

/// A policy and the results reported for it.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyEntry<'a> {
    /// The policy object.
    pub object: &'a KubeObject,
    /// Its engine.
    pub engine: PolicyEngine,
    /// Its mode, as written.
    pub mode: Option<&'a str>,
    /// Results reported for it.
    pub counts: ResultCounts,
}

/// An admission engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyEngine {
    /// Kubewarden.
    Kubewarden,
    /// Kyverno.
    Kyverno,
}

/// Report results by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResultCounts {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Warned.
    pub warn: usize,
    /// Errored.
    pub error: usize,
    /// Skipped.
    pub skip: usize,
}

impl ResultCounts {
    fn add(&mut self, result: &str) {
        match result {
            "pass" => self.pass += 1,
            "fail" => self.fail += 1,
            "warn" => self.warn += 1,
            "error" => self.error += 1,
            "skip" => self.skip += 1,
            _ => {}
        }
    }
}

/// The policies of one cluster, and report totals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyInventory<'a> {
    /// Every policy.
    pub policies: Vec<PolicyEntry<'a>>,
    /// Results across every report, including results for policies not found.
    pub totals: ResultCounts,
    /// Reports read.
    pub reports: usize,
}

/// Policies among `objects`, with the results their reports hold.
///
/// Kubewarden reports name a policy `clusterwide-<name>` or `namespaced-<namespace>-<name>`
/// (`shared/specs/policy-reports.md`); Kyverno reports use the policy's own name.
#[must_use]
pub fn policy_inventory(objects: &[KubeObject]) -> PolicyInventory<'_> {
    let mut by_report_name: HashMap<String, ResultCounts> = HashMap::new();
    let mut inventory = PolicyInventory::default();
    for report in objects.iter().filter(|object| {
        REPORT_GROUPS.contains(&object.group())
            && matches!(
                object.kind(),
                "PolicyReport" | "ClusterPolicyReport" | "Report" | "ClusterReport"
            )
    }) {
        inventory.reports += 1;
        for result in report.array_at("/results") {
            let outcome = result.get("result").and_then(Json::as_str).unwrap_or_default();
            let policy = result.get("policy").and_then(Json::as_str).unwrap_or_default();
            inventory.totals.add(outcome);
            by_report_name.entry(policy.to_owned()).or_default().add(outcome);
        }
    }
    for object in objects {
        let (engine, report_name, mode) = match (object.group(), object.kind()) {
            (KUBEWARDEN, "ClusterAdmissionPolicy") => (
                PolicyEngine::Kubewarden,
                format!("clusterwide-{}", object.name()),
                object.str_at("/spec/mode"),
            ),
            (KUBEWARDEN, "ClusterAdmissionPolicyGroup") => (
                PolicyEngine::Kubewarden,
                format!("clusterwide-group-{}", object.name()),
                object.str_at("/spec/mode"),
            ),
            (KUBEWARDEN, "AdmissionPolicy") => (
                PolicyEngine::Kubewarden,
                format!("namespaced-{}-{}", object.namespace().unwrap_or_default(), object.name()),
                object.str_at("/spec/mode"),
            ),
            (KUBEWARDEN, "AdmissionPolicyGroup") => (
                PolicyEngine::Kubewarden,
                format!(
                    "namespaced-group-{}-{}",
                    object.namespace().unwrap_or_default(),
                    object.name()
                ),
                object.str_at("/spec/mode"),
            ),
            (KYVERNO, "ClusterPolicy" | "Policy") => (
                PolicyEngine::Kyverno,
                object.name().to_owned(),
                object
                    .str_at("/spec/validationFailureAction")
                    .or_else(|| object.str_at("/spec/rules/0/validate/failureAction")),
            ),
            _ => continue,
        };
        let counts = by_report_name.get(&report_name).copied().unwrap_or_default();
        inventory.policies.push(PolicyEntry { object, engine, mode, counts });
    }
    inventory
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn results_are_attributed_by_each_engines_report_naming() {
        let objects = vec![
            KubeObject::new(
                json!({"apiVersion": "policies.kubewarden.io/v1", "kind": "ClusterAdmissionPolicy",
                "metadata": {"name": "no-privileged"}, "spec": {"mode": "protect"}}),
            ),
            KubeObject::new(
                json!({"apiVersion": "policies.kubewarden.io/v1", "kind": "AdmissionPolicy",
                "metadata": {"name": "replicas", "namespace": "shop"}, "spec": {"mode": "monitor"}}),
            ),
            KubeObject::new(json!({"apiVersion": "kyverno.io/v1", "kind": "ClusterPolicy",
                "metadata": {"name": "require-labels"}, "spec": {"validationFailureAction": "Audit"}})),
            KubeObject::new(
                json!({"apiVersion": "wgpolicyk8s.io/v1alpha2", "kind": "PolicyReport",
                "metadata": {"name": "r", "namespace": "shop"},
                "results": [
                    {"policy": "clusterwide-no-privileged", "result": "fail"},
                    {"policy": "clusterwide-no-privileged", "result": "pass"},
                    {"policy": "namespaced-shop-replicas", "result": "warn"},
                    {"policy": "require-labels", "result": "fail"},
                    {"policy": "deleted-policy", "result": "error"}
                ]}),
            ),
        ];
        let inventory = policy_inventory(&objects);
        let counts: Vec<_> = inventory
            .policies
            .iter()
            .map(|p| (p.object.name(), p.counts.fail, p.counts.pass, p.counts.warn))
            .collect();
        assert_eq!(
            counts,
            vec![("no-privileged", 1, 1, 0), ("replicas", 0, 0, 1), ("require-labels", 1, 0, 0)]
        );
        assert_eq!(inventory.totals, ResultCounts { pass: 1, fail: 2, warn: 1, error: 1, skip: 0 });
        assert_eq!(inventory.reports, 1);
    }
}
