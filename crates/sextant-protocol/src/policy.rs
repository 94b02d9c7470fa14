//! Admission policies (Kubewarden, Kyverno) and the results their reports hold.

use serde::{Deserialize, Serialize};

use crate::{Command, ObjectRef};

/// Asks for the policies and report totals of one cluster, or of every cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListPolicies {
    /// Only this cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
}

impl Command for ListPolicies {
    const NAME: &'static str = "list_policies";
    type Response = PolicyInventory;
}

/// Policies and their report results.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyInventory {
    /// Every policy, with the results reported for it.
    pub policies: Vec<PolicyRow>,
    /// Results across every report.
    pub totals: ResultCounts,
    /// PolicyReports and ClusterPolicyReports read.
    pub reports: usize,
}

/// One policy and its results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRow {
    /// The policy object.
    pub object: ObjectRef,
    /// The admission engine.
    pub engine: PolicyEngine,
    /// `protect`/`monitor` (Kubewarden) or `Enforce`/`Audit` (Kyverno).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Results reported for this policy.
    pub counts: ResultCounts,
}

/// An admission engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyEngine {
    /// Kubewarden.
    Kubewarden,
    /// Kyverno.
    Kyverno,
}

/// Report results by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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
