//! The Git history and GitHub context of a path in a repository, for an application's timeline.

use serde::{Deserialize, Serialize};

use crate::{Command, Event};

/// The recent commits that touched `path` in `repository` at `revision`, and, for a GitHub or
/// GitHub Enterprise repository with a token, the open pull requests touching it and the checks
/// of the revision.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetGitContext {
    /// The repository: an `https://`, `ssh://`, `git@host:path` or `file://` URL, or a local path.
    pub repository: String,
    /// The path in the repository (a file or folder; empty for the whole tree).
    #[serde(default)]
    pub path: String,
    /// A branch, tag or commit id; the default branch when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// At most this many commits (20 when absent, at most 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

impl Command for GetGitContext {
    const NAME: &'static str = "get_git_context";
    type Response = GitContext;
}

/// What Git and GitHub say about a path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GitContext {
    /// The repository, without credentials.
    pub repository: String,
    /// The commit the revision resolved to.
    pub revision: String,
    /// The commits that changed the path, newest first.
    pub commits: Vec<GitCommit>,
    /// The open pull requests touching the path (GitHub only).
    pub pull_requests: Vec<GitPullRequest>,
    /// The checks of the revision (GitHub only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<GitChecks>,
    /// Why the GitHub part is missing, when it is (not a GitHub URL, no token, an API error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github_note: Option<String>,
}

/// One commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GitCommit {
    /// The full commit id.
    pub id: String,
    /// The author's name.
    pub author: String,
    /// When it was authored, in seconds since the Unix epoch.
    pub time: i64,
    /// The first line of its message.
    pub summary: String,
}

/// An open pull request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GitPullRequest {
    /// Its number.
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its author's login.
    pub author: String,
    /// Its page.
    pub url: String,
    /// Whether it is a draft.
    pub draft: bool,
    /// The files it changes under the path.
    pub files: Vec<String>,
}

/// The CI state of a revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GitChecks {
    /// The combined state of the commit statuses: `success`, `pending` or `failure`.
    pub combined_state: String,
    /// Commit statuses and check runs, one line each.
    pub items: Vec<GitCheck>,
}

/// One commit status or check run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GitCheck {
    /// Its context or name.
    pub name: String,
    /// `success`, `failure`, `pending`, `in_progress`, … (a check run's conclusion once completed).
    pub state: String,
    /// Its link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Pushed while the backend clones or fetches a repository for a drift diff, at most a few
/// times a second, and once more when it is done.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GitProgress {
    /// The repository, without any user name or password.
    pub repository: String,
    /// What Git is doing (`clone`, `fetch`, `receiving objects`, …).
    pub stage: String,
    /// How far it got.
    pub done: u64,
    /// Where it ends, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// The clone or fetch is over (done or failed).
    #[serde(default)]
    pub finished: bool,
}

impl Event for GitProgress {
    const NAME: &'static str = "git/progress";
}
