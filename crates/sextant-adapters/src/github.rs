//! GitHub and GitHub Enterprise through octocrab: a file or folder at a revision, the comparison
//! of two revisions, the open pull requests touching a path, and the commit statuses and check
//! runs of a revision.
//!
//! **Transport.** octocrab's client (hyper with rustls and ring, its own retry-free stack with
//! timeouts) does the requests, the base URL (with its path, so `https://HOST/api/v3` works) and
//! the token: octocrab adds `Authorization` only to requests for the configured API host, and its
//! redirect handling drops the header when a redirect leaves that host. Replies are read into
//! narrow types of our own with only the fields we show, rather than octocrab's full models, which
//! require every field of the public API's documentation and break on Enterprise versions that
//! omit one.
//!
//! **Configuration** ([`Config::from_environment`]): the API is `https://api.github.com` for
//! `github.com`, `GITHUB_API_URL` when it names the repository's host, else
//! `https://HOST/api/v3`. The token is `GITHUB_TOKEN` for the API host `GITHUB_API_URL` names (or
//! github.com), else the `gh` CLI's `oauth_token` for that host from its `hosts.yml`
//! (`$GH_CONFIG_DIR`, else `~/.config/gh`). `GITHUB_TOKEN` is never sent to another host. Recent
//! `gh` versions keep the token in the system keyring instead of `hosts.yml`; Sextant does not read
//! keyrings, so there `GITHUB_TOKEN=$(gh auth token)` is the way.
//!
//! **Errors** are typed ([`Error`]): a refusal names the host and says how to authenticate, a
//! rate limit says when it resets, and no message ever carries the token.

use std::path::{Path, PathBuf};

use std::fmt::Write as _;

use base64::Engine as _;
use serde::Deserialize;

use crate::secret::{self, Secret};

/// What to tell someone GitHub refused.
const AUTH_HINT: &str = "set GITHUB_TOKEN or run gh auth login";

/// How a GitHub request failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// GitHub refused the credentials (or their absence).
    #[error("{host} refused the request (HTTP {status}): {hint}")]
    Unauthorized {
        /// The API host.
        host: String,
        /// 401 or 403.
        status: u16,
        /// What to do.
        hint: &'static str,
    },
    /// The repository, path or revision does not exist (or the token cannot see it).
    #[error(
        "{what} not found on {host} (a private repository also answers 404 without a token with access: {hint})"
    )]
    NotFound {
        /// The API host.
        host: String,
        /// What was asked for.
        what: String,
        /// What to do if it should exist.
        hint: &'static str,
    },
    /// The rate limit is used up.
    #[error("{host} rate limit reached{}; a token raises the limit ({hint})", reset_text(*.resets_at))]
    RateLimited {
        /// The API host.
        host: String,
        /// When the limit resets, in seconds since the Unix epoch, if GitHub said.
        resets_at: Option<u64>,
        /// What to do.
        hint: &'static str,
    },
    /// The API could not be reached.
    #[error("cannot reach {host}: {message}")]
    Unreachable {
        /// The API host.
        host: String,
        /// Why, without credentials.
        message: String,
    },
    /// Any other error status.
    #[error("{host} answered HTTP {status} for {what}: {message}")]
    Api {
        /// The API host.
        host: String,
        /// The status.
        status: u16,
        /// What was asked for.
        what: String,
        /// GitHub's message.
        message: String,
    },
    /// The reply did not have the documented shape.
    #[error("{host} sent an unexpected reply for {what}: {message}")]
    Response {
        /// The API host.
        host: String,
        /// What was asked for.
        what: String,
        /// What was wrong with it.
        message: String,
    },
    /// The API URL is not usable.
    #[error("GitHub API URL {url}: {message}; set GITHUB_API_URL to https://HOST/api/v3")]
    InvalidApiUrl {
        /// The URL.
        url: String,
        /// What is wrong with it.
        message: String,
    },
}

fn reset_text(resets_at: Option<u64>) -> String {
    match resets_at {
        Some(seconds) => format!(" until {}", utc(seconds)),
        None => String::new(),
    }
}

/// `seconds` since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc(seconds: u64) -> String {
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let rest = seconds % 86_400;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The module's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A repository on a GitHub host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoRef {
    /// The web host (`github.com`, or an Enterprise host).
    pub host: String,
    /// The owner (user or organisation).
    pub owner: String,
    /// The repository's name, without `.git`.
    pub name: String,
}

impl RepoRef {
    /// The repository a Git URL names, if it has the `HOST/OWNER/NAME` shape GitHub uses:
    /// `https://HOST/OWNER/NAME(.git)`, `ssh://git@HOST/OWNER/NAME.git`, `git@HOST:OWNER/NAME.git`.
    #[must_use]
    pub fn from_git_url(url: &str) -> Option<RepoRef> {
        let (host, path) = if let Some((_, rest)) = url.split_once("://") {
            let (authority, path) = rest.split_once('/')?;
            let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
            (host.split(':').next()?.to_owned(), path.to_owned())
        } else {
            let (authority, path) = url.split_once(':')?;
            let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
            (host.to_owned(), path.to_owned())
        };
        let mut parts = path.trim_matches('/').split('/');
        let owner = parts.next()?.to_owned();
        let name = parts.next()?.trim_end_matches(".git").to_owned();
        if host.is_empty() || owner.is_empty() || name.is_empty() || parts.next().is_some() {
            return None;
        }
        Some(RepoRef { host: host.to_ascii_lowercase(), owner, name })
    }
}

/// Which API to talk to and with what token.
#[derive(Debug, Clone)]
pub struct Config {
    /// The API's base URL (`https://api.github.com`, `https://HOST/api/v3`).
    pub api_base: String,
    /// The token, if one was found.
    pub token: Option<Secret>,
    /// Where the token came from, for `doctor`-style reports (never the token itself).
    pub token_source: Option<String>,
}

impl Config {
    /// The API and token for repositories on `host`, from `GITHUB_API_URL`, `GITHUB_TOKEN` and the
    /// `gh` CLI's `hosts.yml` (see the module docs). `env` reads a variable; `home` is the user's
    /// home directory.
    pub fn from_environment(
        host: &str,
        env: &dyn Fn(&str) -> Option<String>,
        home: Option<&Path>,
    ) -> Config {
        let host = host.to_ascii_lowercase();
        let configured = env("GITHUB_API_URL").filter(|url| !url.trim().is_empty());
        let configured_host = configured.as_deref().and_then(url_host);
        let api_base = if host == "github.com" {
            "https://api.github.com".to_owned()
        } else if let Some(url) =
            configured.clone().filter(|_| configured_host.as_deref() == Some(&host))
        {
            url.trim_end_matches('/').to_owned()
        } else {
            format!("https://{host}/api/v3")
        };
        let env_token_applies = match configured_host.as_deref() {
            Some(configured) => {
                configured == host || (host == "github.com" && configured == "api.github.com")
            }
            None => host == "github.com",
        };
        if env_token_applies
            && let Some(token) = env("GITHUB_TOKEN").filter(|token| !token.trim().is_empty())
        {
            return Config {
                api_base,
                token: Some(Secret::new(token.trim())),
                token_source: Some("GITHUB_TOKEN".into()),
            };
        }
        let gh_dir = env("GH_CONFIG_DIR")
            .map(PathBuf::from)
            .or_else(|| home.map(|home| home.join(".config/gh")));
        let hosts = gh_dir.map(|dir| dir.join("hosts.yml"));
        let token = hosts.as_deref().and_then(|hosts| gh_token(hosts, &host));
        Config {
            api_base,
            token_source: token.as_ref().and_then(|_| hosts.map(|path| path.display().to_string())),
            token,
        }
    }
}

impl Config {
    /// [`Config::from_environment`] with this process's environment and home directory.
    #[must_use]
    pub fn from_process_environment(host: &str) -> Config {
        Config::from_environment(
            host,
            &|name| std::env::var(name).ok(),
            dirs::home_dir().as_deref(),
        )
    }
}

fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    Some(host.split(':').next()?.to_ascii_lowercase())
}

/// The `oauth_token` `gh` keeps for `host` in its `hosts.yml`: the host's own, else its active
/// user's (the multi-account layout).
fn gh_token(hosts: &Path, host: &str) -> Option<Secret> {
    #[derive(Deserialize)]
    struct Account {
        oauth_token: Option<String>,
    }
    #[derive(Deserialize)]
    struct Host {
        oauth_token: Option<String>,
        user: Option<String>,
        #[serde(default)]
        users: std::collections::BTreeMap<String, Option<Account>>,
    }
    let text = std::fs::read_to_string(hosts).ok()?;
    let mut parsed: std::collections::BTreeMap<String, Host> =
        serde_norway::from_str(&text).ok()?;
    let entry = parsed.remove(host)?;
    let token = entry.oauth_token.or_else(|| {
        let user = entry.user?;
        entry.users.get(&user)?.as_ref()?.oauth_token.clone()
    })?;
    Some(Secret::new(token))
}

/// A file or a folder at a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// A file, decoded.
    File {
        /// Its path in the repository.
        path: String,
        /// Its blob id.
        sha: String,
        /// Its bytes.
        content: Vec<u8>,
    },
    /// A folder's entries.
    Dir(Vec<DirEntry>),
}

/// One entry of a folder.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DirEntry {
    /// Its name.
    pub name: String,
    /// Its path in the repository.
    pub path: String,
    /// `file`, `dir`, `symlink` or `submodule`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its object id.
    pub sha: String,
    /// Its size in bytes (0 for folders).
    #[serde(default)]
    pub size: u64,
}

/// Two revisions compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// `ahead`, `behind`, `diverged` or `identical` (head relative to base).
    pub status: String,
    /// Commits in head and not in base.
    pub ahead_by: u64,
    /// Commits in base and not in head.
    pub behind_by: u64,
    /// The commits, oldest first, as GitHub lists them (at most 250).
    pub commits: Vec<Commit>,
    /// The files changed (GitHub lists at most 300).
    pub files: Vec<ChangedFile>,
}

/// A commit as GitHub lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The commit id.
    pub sha: String,
    /// The author's name.
    pub author: String,
    /// When it was authored (ISO 8601, as GitHub sends it).
    pub date: String,
    /// The first line of the message.
    pub summary: String,
}

/// A file in a comparison or a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChangedFile {
    /// Its path.
    pub filename: String,
    /// `added`, `removed`, `modified`, `renamed`, …
    pub status: String,
    /// Lines added.
    #[serde(default)]
    pub additions: u64,
    /// Lines removed.
    #[serde(default)]
    pub deletions: u64,
    /// The path before a rename.
    #[serde(default)]
    pub previous_filename: Option<String>,
}

/// An open pull request that touches a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    /// Its number.
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its author's login.
    pub author: String,
    /// Its page.
    pub url: String,
    /// The branch it merges.
    pub head_ref: String,
    /// The commit at that branch's tip.
    pub head_sha: String,
    /// Whether it is a draft.
    pub draft: bool,
    /// The files it changes under the path.
    pub files: Vec<String>,
}

/// The CI state of a revision: its commit statuses and its check runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checks {
    /// The combined state of the commit statuses: `success`, `pending` or `failure`.
    pub combined_state: String,
    /// Each commit status.
    pub statuses: Vec<Status>,
    /// Each check run.
    pub check_runs: Vec<CheckRun>,
}

/// A commit status.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Status {
    /// What reported it.
    pub context: String,
    /// `success`, `pending`, `failure` or `error`.
    pub state: String,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// Its link.
    #[serde(default)]
    pub target_url: Option<String>,
}

/// A check run.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CheckRun {
    /// Its name.
    pub name: String,
    /// `queued`, `in_progress` or `completed`.
    pub status: String,
    /// When completed: `success`, `failure`, `neutral`, `cancelled`, `skipped`, `timed_out`, …
    #[serde(default)]
    pub conclusion: Option<String>,
    /// Its page.
    #[serde(default)]
    pub html_url: Option<String>,
}

/// A GitHub API client for one host.
#[derive(Clone)]
pub struct GitHub {
    client: octocrab::Octocrab,
    host: String,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("GitHub").field("host", &self.host).finish_non_exhaustive()
    }
}

/// Characters kept as they are in a path segment.
fn encode_path(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn encode_query(value: &str) -> String {
    encode_path(value).replace('/', "%2F")
}

impl GitHub {
    /// A client for `config`'s API. Needs a tokio runtime when used.
    pub fn new(config: &Config) -> Result<GitHub> {
        let invalid =
            |message: String| Error::InvalidApiUrl { url: config.api_base.clone(), message };
        let host = url_host(&config.api_base).ok_or_else(|| invalid("no host".into()))?;
        let mut builder = octocrab::Octocrab::builder()
            .base_uri(config.api_base.as_str())
            .map_err(|error| invalid(error.to_string()))?;
        if let Some(token) = &config.token {
            builder = builder.personal_token(token.expose().to_owned());
        }
        let client = builder.build().map_err(|error| invalid(error.to_string()))?;
        Ok(GitHub { client, host })
    }

    /// The API host this client talks to.
    #[must_use]
    pub fn host(&self) -> &str {
        &self.host
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, route: &str, what: &str) -> Result<T> {
        let value: serde_json::Value =
            self.client.get(route, None::<&()>).await.map_err(|error| self.error(error, what))?;
        serde_json::from_value(value).map_err(|error| Error::Response {
            host: self.host.clone(),
            what: what.to_owned(),
            message: error.to_string(),
        })
    }

    fn error(&self, error: octocrab::Error, what: &str) -> Error {
        let host = self.host.clone();
        match error {
            octocrab::Error::GitHub { source, .. } => {
                let status = source.status_code.as_u16();
                let message = secret::redact(&source.message);
                let remaining_zero = source
                    .headers
                    .as_ref()
                    .and_then(|headers| headers.get("x-ratelimit-remaining"))
                    .is_some_and(|value| value.as_bytes() == b"0");
                if (status == 403 || status == 429)
                    && (remaining_zero || message.to_lowercase().contains("rate limit"))
                {
                    return Error::RateLimited {
                        host,
                        resets_at: source.rate_limit_reset,
                        hint: AUTH_HINT,
                    };
                }
                match status {
                    401 | 403 => Error::Unauthorized { host, status, hint: AUTH_HINT },
                    404 => Error::NotFound { host, what: what.to_owned(), hint: AUTH_HINT },
                    _ => Error::Api { host, status, what: what.to_owned(), message },
                }
            }
            octocrab::Error::Json { source, .. } => {
                Error::Response { host, what: what.to_owned(), message: source.to_string() }
            }
            octocrab::Error::Serde { source, .. } => {
                Error::Response { host, what: what.to_owned(), message: source.to_string() }
            }
            other => {
                let mut message = other.to_string();
                let mut source = std::error::Error::source(&other);
                while let Some(cause) = source {
                    message = format!("{message}: {cause}");
                    source = cause.source();
                }
                Error::Unreachable { host, message: secret::redact(&message) }
            }
        }
    }

    /// The file or folder at `path` in `reference` (branch, tag or commit id). Files come
    /// decoded; this endpoint serves files up to 1 MB.
    pub async fn contents(&self, repo: &RepoRef, path: &str, reference: &str) -> Result<Contents> {
        #[derive(Deserialize)]
        struct File {
            #[serde(rename = "type")]
            kind: String,
            path: String,
            sha: String,
            #[serde(default)]
            content: String,
            #[serde(default)]
            encoding: String,
        }
        let what = format!("{}/{}:{path} at {reference}", repo.owner, repo.name);
        let route = format!(
            "/repos/{}/{}/contents/{}?ref={}",
            encode_path(&repo.owner),
            encode_path(&repo.name),
            encode_path(path.trim_matches('/')),
            encode_query(reference)
        );
        let value: serde_json::Value = self.get(&route, &what).await?;
        if value.is_array() {
            let entries: Vec<DirEntry> =
                serde_json::from_value(value).map_err(|error| Error::Response {
                    host: self.host.clone(),
                    what: what.clone(),
                    message: error.to_string(),
                })?;
            return Ok(Contents::Dir(entries));
        }
        let response = |message: String| Error::Response {
            host: self.host.clone(),
            what: what.clone(),
            message,
        };
        let file: File =
            serde_json::from_value(value).map_err(|error| response(error.to_string()))?;
        if file.kind != "file" {
            return Err(response(format!(
                "`{}` is a {}, not a file or folder",
                file.path, file.kind
            )));
        }
        if file.encoding != "base64" {
            return Err(response(format!(
                "`{}` came with encoding `{}` (files over 1 MB are not served by this endpoint)",
                file.path, file.encoding
            )));
        }
        // GitHub wraps the base64 at 60 columns.
        let packed: String = file.content.split_whitespace().collect();
        let content = base64::engine::general_purpose::STANDARD
            .decode(packed)
            .map_err(|error| response(format!("`{}`: {error}", file.path)))?;
        Ok(Contents::File { path: file.path, sha: file.sha, content })
    }

    /// `head` compared with `base`: the commits between them and the files changed.
    pub async fn compare(&self, repo: &RepoRef, base: &str, head: &str) -> Result<Comparison> {
        #[derive(Deserialize)]
        struct Reply {
            status: String,
            ahead_by: u64,
            behind_by: u64,
            #[serde(default)]
            commits: Vec<ListedCommit>,
            #[serde(default)]
            files: Vec<ChangedFile>,
        }
        let what = format!("{}/{} comparison {base}...{head}", repo.owner, repo.name);
        let route = format!(
            "/repos/{}/{}/compare/{}...{}",
            encode_path(&repo.owner),
            encode_path(&repo.name),
            encode_query(base),
            encode_query(head)
        );
        let reply: Reply = self.get(&route, &what).await?;
        Ok(Comparison {
            status: reply.status,
            ahead_by: reply.ahead_by,
            behind_by: reply.behind_by,
            commits: reply.commits.into_iter().map(ListedCommit::into_commit).collect(),
            files: reply.files,
        })
    }

    /// The open pull requests (the `max_pulls` most recently created) that change `path` or a
    /// file under it, each with those files. One request for the list and one per pull request
    /// (its first 100 files).
    pub async fn pull_requests_touching(
        &self,
        repo: &RepoRef,
        path: &str,
        max_pulls: usize,
    ) -> Result<Vec<PullRequest>> {
        #[derive(Deserialize)]
        struct User {
            login: String,
        }
        #[derive(Deserialize)]
        struct Head {
            #[serde(rename = "ref")]
            name: String,
            sha: String,
        }
        #[derive(Deserialize)]
        struct Pull {
            number: u64,
            title: String,
            user: Option<User>,
            html_url: String,
            head: Head,
            #[serde(default)]
            draft: bool,
        }
        let base = format!("/repos/{}/{}", encode_path(&repo.owner), encode_path(&repo.name));
        let per_page = max_pulls.clamp(1, 100);
        let pulls: Vec<Pull> = self
            .get(
                &format!("{base}/pulls?state=open&sort=created&direction=desc&per_page={per_page}"),
                &format!("{}/{} pull requests", repo.owner, repo.name),
            )
            .await?;
        let path = path.trim_matches('/');
        let mut touching = Vec::new();
        for pull in pulls.into_iter().take(max_pulls) {
            let files: Vec<ChangedFile> = self
                .get(
                    &format!("{base}/pulls/{}/files?per_page=100", pull.number),
                    &format!("{}/{} pull request #{} files", repo.owner, repo.name, pull.number),
                )
                .await?;
            let under = |file: &str| {
                path.is_empty()
                    || file == path
                    || file.strip_prefix(path).is_some_and(|rest| rest.starts_with('/'))
            };
            let matched: Vec<String> = files
                .into_iter()
                .filter(|file| {
                    under(&file.filename) || file.previous_filename.as_deref().is_some_and(under)
                })
                .map(|file| file.filename)
                .collect();
            if !matched.is_empty() {
                touching.push(PullRequest {
                    number: pull.number,
                    title: pull.title,
                    author: pull.user.map(|user| user.login).unwrap_or_default(),
                    url: pull.html_url,
                    head_ref: pull.head.name,
                    head_sha: pull.head.sha,
                    draft: pull.draft,
                    files: matched,
                });
            }
        }
        Ok(touching)
    }

    /// The commit statuses (combined) and check runs of `reference` (first 100 of each).
    pub async fn checks(&self, repo: &RepoRef, reference: &str) -> Result<Checks> {
        #[derive(Deserialize)]
        struct Combined {
            state: String,
            #[serde(default)]
            statuses: Vec<Status>,
        }
        #[derive(Deserialize)]
        struct Runs {
            #[serde(default)]
            check_runs: Vec<CheckRun>,
        }
        let base = format!(
            "/repos/{}/{}/commits/{}",
            encode_path(&repo.owner),
            encode_path(&repo.name),
            encode_query(reference)
        );
        let what = format!("{}/{} checks of {reference}", repo.owner, repo.name);
        let combined: Combined = self.get(&format!("{base}/status?per_page=100"), &what).await?;
        let runs: Runs = self.get(&format!("{base}/check-runs?per_page=100"), &what).await?;
        Ok(Checks {
            combined_state: combined.state,
            statuses: combined.statuses,
            check_runs: runs.check_runs,
        })
    }
}

/// A commit in GitHub's list shape (`compare`, `commits`).
#[derive(Deserialize)]
struct ListedCommit {
    sha: String,
    commit: CommitDetail,
}

#[derive(Deserialize)]
struct CommitDetail {
    author: Option<CommitAuthor>,
    message: String,
}

#[derive(Deserialize)]
struct CommitAuthor {
    name: String,
    date: String,
}

impl ListedCommit {
    fn into_commit(self) -> Commit {
        let (author, date) =
            self.commit.author.map(|author| (author.name, author.date)).unwrap_or_default();
        Commit {
            sha: self.sha,
            author,
            date,
            summary: self.commit.message.lines().next().unwrap_or_default().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_urls_in_every_shape_github_uses() {
        let fleet =
            RepoRef { host: "github.com".into(), owner: "northwind".into(), name: "fleet".into() };
        for url in [
            "https://github.com/northwind/fleet",
            "https://github.com/northwind/fleet.git",
            "https://ada:token@github.com/northwind/fleet.git",
            "ssh://git@github.com/northwind/fleet.git",
            "git@github.com:northwind/fleet.git",
        ] {
            assert_eq!(RepoRef::from_git_url(url), Some(fleet.clone()), "{url}");
        }
        assert_eq!(RepoRef::from_git_url("/srv/git/fleet"), None);
        assert_eq!(RepoRef::from_git_url("https://gitlab.example/group/sub/fleet.git"), None);
    }

    #[test]
    fn reset_times_are_written_in_utc() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        // 2026-11-25T18:20:00Z, computed with `date -u -d @1795630800`.
        assert_eq!(utc(1_795_630_800), "2026-11-25T18:20:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
    }

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned())
    }

    #[test]
    fn the_api_and_token_follow_the_host() {
        let config =
            Config::from_environment("github.com", &env(&[("GITHUB_TOKEN", "ghp_fromenv")]), None);
        assert_eq!(config.api_base, "https://api.github.com");
        assert_eq!(config.token.as_ref().map(Secret::expose), Some("ghp_fromenv"));
        // GITHUB_TOKEN is not sent to an Enterprise host GITHUB_API_URL does not name.
        let config = Config::from_environment(
            "ghe.northwind.example",
            &env(&[("GITHUB_TOKEN", "ghp_fromenv")]),
            None,
        );
        assert_eq!(config.api_base, "https://ghe.northwind.example/api/v3");
        assert!(config.token.is_none());
        let config = Config::from_environment(
            "ghe.northwind.example",
            &env(&[
                ("GITHUB_TOKEN", "ghp_fromenv"),
                ("GITHUB_API_URL", "https://ghe.northwind.example/api/v3/"),
            ]),
            None,
        );
        assert_eq!(config.api_base, "https://ghe.northwind.example/api/v3");
        assert_eq!(config.token_source.as_deref(), Some("GITHUB_TOKEN"));
    }

    #[test]
    fn the_gh_hosts_file_gives_the_token_of_the_host() {
        let home = tempfile::tempdir().unwrap();
        let gh = home.path().join(".config/gh");
        std::fs::create_dir_all(&gh).unwrap();
        // The layout gh 2.40+ writes: a per-user map, and the active user's token.
        std::fs::write(
            gh.join("hosts.yml"),
            "github.com:\n    users:\n        ada:\n            oauth_token: gho_adas_token\n    git_protocol: https\n    user: ada\n    oauth_token: gho_adas_token\nghe.northwind.example:\n    users:\n        ada-corp:\n            oauth_token: gho_corp_token\n    user: ada-corp\n",
        )
        .unwrap();
        let config = Config::from_environment("github.com", &env(&[]), Some(home.path()));
        assert_eq!(config.token.as_ref().map(Secret::expose), Some("gho_adas_token"));
        let config =
            Config::from_environment("ghe.northwind.example", &env(&[]), Some(home.path()));
        assert_eq!(config.token.as_ref().map(Secret::expose), Some("gho_corp_token"));
        let config = Config::from_environment("gitlab.example", &env(&[]), Some(home.path()));
        assert!(config.token.is_none());
    }
}
