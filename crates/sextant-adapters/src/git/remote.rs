//! Remote Git repositories through gix: a cache clone per URL kept fresh by fetching, the tree
//! of a revision written out as files for renderers, and the commits that touched a path.
//!
//! **Cache.** [`sync`] clones a URL as a bare repository under `cache_root`, in a directory named
//! after the URL with its credentials removed (a readable prefix and a stable hash), and fetches
//! into it on later calls. The fetch refspecs mirror the remote (`refs/heads/*` and
//! `refs/tags/*` onto the same names), so a branch, tag or commit id resolves in the cache the
//! way it does in the remote. A plain local path (no scheme) is opened in place, never cloned: a
//! developer's own clone, with their own branches. A clone is built beside its final directory
//! and moved into place, so an interrupted clone never leaves a half repository in the cache.
//!
//! **Credentials.** Never written, never logged, never in an error. A user name and password in
//! the URL (`https://user:token@host/…`) are taken out before the URL reaches gix's
//! configuration (the cache's `remote.origin.url` has none) and handed to the transport only
//! when the server asks. Otherwise the user's git configuration answers: the credential helpers
//! of `credential.helper` (and `credential.<url>.helper`), as `git` would run them, with
//! interactive prompting disabled (a desktop app has no terminal to prompt on). SSH uses the
//! user's `ssh` and its agent. Every gix error is scrubbed of the URL's user name and password
//! before it becomes one of ours, and they are registered with the process-wide redactor.
//!
//! **Transports.** `file://`, `ssh://` and scp-like `user@host:path` through gix's built-in
//! transports; `http(s)://` through gix's blocking reqwest client with rustls. The reqwest
//! backend was chosen over curl because it builds in pure Rust here: gix's `rust-tls` feature for
//! reqwest 0.13 would compile aws-lc-rs (C and cmake), so we enable reqwest's
//! `rustls-no-provider` and install ring, the provider the workspace already builds for kube; the
//! curl backend links libcurl (C, OpenSSL on Linux), which a desktop bundle would have to ship.
//!
//! All functions block (gix's client is blocking): call them from `spawn_blocking`.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, atomic::AtomicBool, mpsc},
    time::Duration,
};

use gix::{bstr::ByteSlice, remote::Direction};

use crate::secret;

/// The refspecs of the cache: every branch and tag of the remote under its own name.
const MIRROR_REFSPECS: [&str; 2] = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

/// What to tell someone whose repository needs credentials it did not get.
const CREDENTIALS_HINT: &str = "configure a git credential helper for it (`git config --global credential.helper ...`; for GitHub, `gh auth setup-git`), or use an ssh:// URL with a key in your ssh agent";

/// How a repository could not be synced or read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL is not one Sextant can fetch from.
    #[error("repository URL {url}: {message}")]
    InvalidUrl {
        /// The URL, without credentials.
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// The server wants credentials and none were given or accepted.
    #[error("{url} needs credentials that were not given or were refused: {hint}")]
    AuthenticationRequired {
        /// The URL, without credentials.
        url: String,
        /// What to do about it.
        hint: &'static str,
    },
    /// The clone or fetch failed.
    #[error("cannot fetch {url}: {message}")]
    Fetch {
        /// The URL, without credentials.
        url: String,
        /// gix's description, without credentials.
        message: String,
    },
    /// A local repository could not be opened or read.
    #[error("git repository {path}: {message}")]
    Repository {
        /// The repository.
        path: String,
        /// gix's description.
        message: String,
    },
    /// The revision names no commit in the repository.
    #[error(
        "git repository {path}: revision `{revision}` not found ({message}); fetch first, or check the branch, tag or commit id"
    )]
    RevisionNotFound {
        /// The repository.
        path: String,
        /// The revision asked for.
        revision: String,
        /// gix's description.
        message: String,
    },
    /// The path is not in the revision's tree.
    #[error("git repository {path}: `{subdir}` is not a directory at revision {revision}")]
    PathNotFound {
        /// The repository.
        path: String,
        /// The revision.
        revision: String,
        /// The path asked for.
        subdir: String,
    },
    /// A file or directory could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file or directory.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The export directory already holds files.
    #[error(
        "cannot export into {path}: the directory is not empty; give an empty or missing directory"
    )]
    DestinationNotEmpty {
        /// The directory.
        path: String,
    },
}

/// The module's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One report of a clone's or fetch's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// What gix is doing, as its progress tree names it (`remote › read pack › receiving objects`).
    pub stage: String,
    /// How far it got.
    pub done: u64,
    /// Where it ends, when known.
    pub total: Option<u64>,
}

/// A repository on disk, up to date with its remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synced {
    /// The repository (a bare cache clone, or the local repository itself).
    pub path: PathBuf,
    /// The commit id of the default branch (the remote's `HEAD` when cloned).
    pub head: String,
}

/// One commit of a path's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitSummary {
    /// The full commit id.
    pub id: String,
    /// The author's name.
    pub author: String,
    /// The author's email.
    pub email: String,
    /// When it was authored, in seconds since the Unix epoch.
    pub time: i64,
    /// The first line of the message.
    pub summary: String,
}

/// A URL taken apart: what gix may see and store, and the credentials it must not.
struct Parsed {
    /// The URL without user name or password (ssh keeps its user name: it is no secret).
    url: gix::Url,
    /// The same, for messages.
    display: String,
    /// The user name and password from the URL, for http(s).
    credentials: Option<(String, String)>,
    /// Strings to scrub from every message.
    secrets: Vec<String>,
}

fn parse(input: &str) -> Result<Parsed> {
    let raw_userinfo = input
        .split_once("://")
        .and_then(|(_, rest)| rest.split('/').next())
        .and_then(|authority| authority.rsplit_once('@'))
        .map(|(userinfo, _)| userinfo.to_owned());
    let mut secrets: Vec<String> = Vec::new();
    if let Some(userinfo) = &raw_userinfo {
        secrets.push(userinfo.clone());
        secrets.extend(userinfo.split(':').map(str::to_owned));
    }
    let invalid = |message: String, secrets: &[String]| Error::InvalidUrl {
        url: scrub(&display_without_userinfo(input), secrets),
        message: scrub(&message, secrets),
    };
    let mut url = gix::url::parse(input.as_bytes().as_bstr())
        .map_err(|error| invalid(error.to_string(), &secrets))?;
    let mut credentials = None;
    match url.scheme {
        gix::url::Scheme::Http | gix::url::Scheme::Https => {
            let user = url.set_user(None);
            let password = url.set_password(None);
            secrets.extend(user.iter().cloned());
            secrets.extend(password.iter().cloned());
            if let Some(user) = user {
                credentials = Some((user, password.unwrap_or_default()));
            }
        }
        gix::url::Scheme::File | gix::url::Scheme::Git => {
            secrets.extend(url.set_user(None));
            secrets.extend(url.set_password(None));
        }
        // ssh's user name picks the account (`git@`); it is no secret, but a password would be.
        gix::url::Scheme::Ssh => {
            secrets.extend(url.set_password(None));
        }
        gix::url::Scheme::Ext | gix::url::Scheme::Helper(_) | gix::url::Scheme::HelperUrl(_) => {
            return Err(invalid(
                "transports that run a local command (`ext::`, remote helpers) are not allowed; use https://, ssh:// or file://".into(),
                &secrets,
            ));
        }
    }
    secrets.retain(|secret| secret.len() >= 4);
    for value in &secrets {
        secret::register(value);
    }
    secrets.sort_by_key(|value| std::cmp::Reverse(value.len()));
    let display = url.to_bstring().to_string();
    Ok(Parsed { url, display, credentials, secrets })
}

/// `input` with anything between `://` and the host's `@` removed, for when it does not parse.
fn display_without_userinfo(input: &str) -> String {
    match input.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            match rest[..authority_end].rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://{host}{}", &rest[authority_end..]),
                None => input.to_owned(),
            }
        }
        None => input.to_owned(),
    }
}

fn scrub(text: &str, secrets: &[String]) -> String {
    let mut text = text.to_owned();
    for value in secrets {
        if text.contains(value.as_str()) {
            text = text.replace(value.as_str(), "[redacted]");
        }
    }
    secret::redact(&text)
}

/// The cache directory's name for a URL: readable, and unique through a stable hash (FNV-1a,
/// fixed here so the name is the same in every build).
fn cache_name(url: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in url.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let readable: String = url
        .rsplit(['/', ':'])
        .find(|part| !part.is_empty())
        .unwrap_or("repository")
        .trim_end_matches(".git")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(40)
        .collect();
    format!("{readable}-{hash:016x}.git")
}

/// The user's cache directory for clones: `<cache>/sextant/git`.
#[must_use]
pub fn default_cache_root() -> PathBuf {
    dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("sextant/git")
}

/// `url` without its user name and password (an ssh user name stays), for showing.
#[must_use]
pub fn display_url(url: &str) -> String {
    if is_plain_path(url) {
        return url.to_owned();
    }
    parse(url).map_or_else(|_| display_without_userinfo(url), |parsed| parsed.display)
}

/// The commit id `revision` (branch, tag or commit id) names in the repository at `repo`.
pub fn resolve_revision(repo: &Path, revision: &str) -> Result<String> {
    let repository = open(repo)?;
    Ok(resolve(&repository, repo, revision)?.id.to_string())
}

/// Where [`sync`] keeps its clone of `url` under `cache_root` (credentials play no part).
pub fn cache_dir(url: &str, cache_root: &Path) -> Result<PathBuf> {
    Ok(cache_root.join(cache_name(&parse(url)?.display)))
}

/// Clones `url` into the cache under `cache_root`, or fetches into the clone already there, and
/// returns it with the commit its default branch points at. A plain local path is opened in
/// place. `progress` hears gix's stages while it works, on the calling thread.
pub fn sync(url: &str, cache_root: &Path, progress: &mut dyn FnMut(Progress)) -> Result<Synced> {
    if is_plain_path(url) {
        let path = Path::new(url);
        let repository = open(path)?;
        let head = head_commit(&repository, path)?;
        return Ok(Synced { path: repository.git_dir().to_path_buf(), head });
    }
    let parsed = parse(url)?;
    if matches!(parsed.url.scheme, gix::url::Scheme::Http | gix::url::Scheme::Https) {
        // Once per process; an error means a provider is already installed, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    let target = cache_root.join(cache_name(&parsed.display));
    let parsed = Arc::new(parsed);
    if target.join("HEAD").exists() {
        let work = {
            let parsed = Arc::clone(&parsed);
            let target = target.clone();
            move |top: Tracked| fetch(&parsed, &target, top)
        };
        with_progress(work, progress)?;
    } else {
        std::fs::create_dir_all(cache_root)
            .map_err(|source| Error::Write { path: cache_root.display().to_string(), source })?;
        let building = cache_root.join(format!(
            ".{}.{}.building",
            cache_name(&parsed.display),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&building);
        let work = {
            let parsed = Arc::clone(&parsed);
            let building = building.clone();
            move |top: Tracked| clone(&parsed, &building, top)
        };
        let cloned = with_progress(work, progress);
        if let Err(error) = cloned {
            let _ = std::fs::remove_dir_all(&building);
            return Err(error);
        }
        if std::fs::rename(&building, &target).is_err() {
            // Another process put the same clone in place first; ours is not needed.
            let _ = std::fs::remove_dir_all(&building);
        }
    }
    let repository = open(&target)?;
    let head = head_commit(&repository, &target)?;
    Ok(Synced { path: target, head })
}

fn is_plain_path(url: &str) -> bool {
    if url.contains("://") {
        return false;
    }
    // scp-like `host:path` has a colon before any slash; a path does not (Windows drives aside).
    let scp_like = match (url.find(':'), url.find('/')) {
        (Some(colon), Some(slash)) => colon < slash && colon > 1,
        (Some(colon), None) => colon > 1,
        (None, _) => false,
    };
    !scp_like
}

/// Runs `work` on its own thread, reporting the progress tree's changes to `progress` on this
/// one until it finishes.
fn with_progress<W>(work: W, progress: &mut dyn FnMut(Progress)) -> Result<()>
where
    W: FnOnce(Tracked) -> Result<Vec<Progress>> + Send,
{
    let root = gix::progress::tree::Root::new();
    let finished = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        let top = Tracked::new(root.add_child("remote"), "remote".into(), Arc::clone(&finished));
        scope.spawn(move || {
            let _ = sender.send(work(top));
        });
        let mut snapshot = Vec::new();
        let mut last: Vec<Progress> = Vec::new();
        loop {
            match receiver.recv_timeout(Duration::from_millis(50)) {
                Ok(result) => {
                    report(&root, &mut snapshot, &mut last, progress);
                    let finals = result?;
                    let stages = std::mem::take(
                        &mut *finished.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
                    );
                    for event in stages.into_iter().chain(finals) {
                        progress(event);
                    }
                    return Ok(());
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    report(&root, &mut snapshot, &mut last, progress);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(Error::Fetch {
                        url: String::new(),
                        message: "the fetch thread ended without a result".into(),
                    });
                }
            }
        }
    })
}

/// A node of gix's progress tree that also records where each of its stages ended, when gix
/// drops it: a stage that starts and ends between two looks at the tree is still reported.
struct Tracked {
    item: gix::progress::tree::Item,
    stage: String,
    started: bool,
    finished: Arc<std::sync::Mutex<Vec<Progress>>>,
}

impl Tracked {
    fn new(
        item: gix::progress::tree::Item,
        stage: String,
        finished: Arc<std::sync::Mutex<Vec<Progress>>>,
    ) -> Tracked {
        Tracked { item, stage, started: false, finished }
    }

    fn child(&mut self, name: &str, item: gix::progress::tree::Item) -> Tracked {
        let stage = format!("{} › {name}", self.stage);
        Tracked::new(item, stage, Arc::clone(&self.finished))
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        if self.started {
            let event = Progress {
                stage: self.stage.clone(),
                done: gix::progress::Count::step(&self.item) as u64,
                total: gix::progress::Progress::max(&self.item).map(|total| total as u64),
            };
            self.finished.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(event);
        }
    }
}

impl gix::progress::Count for Tracked {
    fn set(&self, step: gix::progress::Step) {
        self.item.set(step);
    }
    fn step(&self) -> gix::progress::Step {
        gix::progress::Count::step(&self.item)
    }
    fn inc_by(&self, step: gix::progress::Step) {
        self.item.inc_by(step);
    }
    fn counter(&self) -> gix::progress::StepShared {
        self.item.counter()
    }
}

impl gix::progress::Progress for Tracked {
    fn init(&mut self, max: Option<gix::progress::Step>, unit: Option<gix::progress::Unit>) {
        self.started = true;
        self.item.init(max, unit);
    }
    fn unit(&self) -> Option<gix::progress::Unit> {
        self.item.unit()
    }
    fn max(&self) -> Option<gix::progress::Step> {
        gix::progress::Progress::max(&self.item)
    }
    fn set_max(&mut self, max: Option<gix::progress::Step>) -> Option<gix::progress::Step> {
        self.item.set_max(max)
    }
    fn set_name(&mut self, name: String) {
        if let Some((parent, _)) = self.stage.rsplit_once(" › ") {
            self.stage = format!("{parent} › {name}");
        } else {
            self.stage.clone_from(&name);
        }
        self.item.set_name(name);
    }
    fn name(&self) -> Option<String> {
        self.item.name()
    }
    fn id(&self) -> gix::progress::Id {
        self.item.id()
    }
    fn message(&self, level: gix::progress::MessageLevel, message: String) {
        self.item.message(level, message);
    }
}

impl gix::progress::NestedProgress for Tracked {
    type SubProgress = Tracked;
    fn add_child(&mut self, name: impl Into<String>) -> Tracked {
        let name = name.into();
        let item = self.item.add_child(name.clone());
        self.child(&name, item)
    }
    fn add_child_with_id(&mut self, name: impl Into<String>, id: gix::progress::Id) -> Tracked {
        let name = name.into();
        let item = self.item.add_child_with_id(name.clone(), id);
        self.child(&name, item)
    }
}

/// Reports every task of the tree whose numbers changed since the last look.
fn report(
    root: &gix::progress::tree::Root,
    snapshot: &mut Vec<(
        gix::progress::prodash::progress::Key,
        gix::progress::prodash::progress::Task,
    )>,
    last: &mut Vec<Progress>,
    progress: &mut dyn FnMut(Progress),
) {
    root.sorted_snapshot(snapshot);
    // The snapshot lists the tree depth first, so a stack of names by level gives each task's path.
    let mut path: Vec<String> = Vec::new();
    let mut now = Vec::new();
    for (key, task) in snapshot.iter() {
        path.truncate(usize::from(key.level()).saturating_sub(1));
        path.push(task.name.clone());
        let stage = path.join(" › ");
        if let Some(value) = &task.progress {
            let done = value.step.load(std::sync::atomic::Ordering::Relaxed) as u64;
            let total = value.done_at.map(|total| total as u64);
            now.push(Progress { stage, done, total });
        }
    }
    for event in &now {
        if !last.contains(event) {
            progress(event.clone());
        }
    }
    *last = now;
}

/// The transport's credentials: the URL's own, else the configured helpers, never a prompt.
fn authenticate(
    credentials: Option<(String, String)>,
    url: gix::Url,
    repository: &gix::Repository,
) -> Result<gix::remote::AuthenticateFn<'static>, String> {
    if let Some((user, password)) = credentials {
        return Ok(Box::new(move |action| match action {
            gix::credentials::helper::Action::Get(context) => {
                Ok(Some(gix::credentials::protocol::Outcome {
                    identity: gix::sec::identity::Account {
                        username: user.clone(),
                        password: password.clone(),
                        oauth_refresh_token: None,
                    },
                    next: context.into(),
                }))
            }
            gix::credentials::helper::Action::Store(_)
            | gix::credentials::helper::Action::Erase(_) => Ok(None),
        }));
    }
    let (mut cascade, _, mut prompt) = repository
        .config_snapshot()
        .credential_helpers(url)
        .map_err(|error| format!("{error:#}"))?;
    prompt.mode = gix::prompt::Mode::Disable;
    Ok(Box::new(move |action| cascade.invoke(action, prompt.clone())))
}

fn fetch_error(parsed: &Parsed, error: &dyn std::fmt::Display) -> Error {
    // gix's errors chain their causes in the alternate form.
    let message = scrub(&format!("{error:#}"), &parsed.secrets);
    let lower = message.to_lowercase();
    if lower.contains("clear text") {
        return Error::Fetch {
            url: parsed.display.clone(),
            message: "credentials are never sent over plain http: use the https:// URL".into(),
        };
    }
    // gix's phrases (not bare status digits: a port number can hold "403").
    if lower.contains("http status 401")
        || lower.contains("http status 403")
        || lower.contains("couldn't obtain")
        || lower.contains("authentication")
        || lower.contains("credentials")
        || lower.contains("permission denied (publickey")
    {
        return Error::AuthenticationRequired {
            url: parsed.display.clone(),
            hint: CREDENTIALS_HINT,
        };
    }
    Error::Fetch { url: parsed.display.clone(), message }
}

fn clone(parsed: &Parsed, building: &Path, mut top: Tracked) -> Result<Vec<Progress>> {
    let mut prepare = gix::prepare_clone_bare(parsed.url.clone(), building)
        .map_err(|error| fetch_error(parsed, &error))?
        .configure_remote(|remote| {
            Ok(remote
                .with_refspecs(MIRROR_REFSPECS, Direction::Fetch)?
                .with_fetch_tags(gix::remote::fetch::Tags::None))
        });
    let own = parsed.credentials.clone();
    let url = parsed.url.clone();
    prepare = prepare.configure_connection(move |connection| {
        let repository = connection.remote().repo.clone();
        let function = authenticate(own.clone(), url.clone(), &repository)
            .map_err(|message| gix::Error::from_boxed(message.into()))?;
        connection.set_credentials(function);
        Ok(())
    });
    let item = gix::progress::NestedProgress::add_child(&mut top, "clone");
    let interrupt = AtomicBool::new(false);
    let (_, outcome) =
        prepare.fetch_only(item, &interrupt).map_err(|error| fetch_error(parsed, &error))?;
    Ok(received(&outcome))
}

fn fetch(parsed: &Parsed, target: &Path, mut top: Tracked) -> Result<Vec<Progress>> {
    let repository = open(target)?;
    let remote = repository
        .remote_at(parsed.url.clone())
        .and_then(|remote| remote.with_refspecs(MIRROR_REFSPECS, Direction::Fetch))
        .map_err(|error| fetch_error(parsed, &error))?
        .with_fetch_tags(gix::remote::fetch::Tags::None);
    let mut connection =
        remote.connect(Direction::Fetch).map_err(|error| fetch_error(parsed, &error))?;
    let function = authenticate(parsed.credentials.clone(), parsed.url.clone(), &repository)
        .map_err(|message| fetch_error(parsed, &message))?;
    connection.set_credentials(function);
    let mut item = gix::progress::NestedProgress::add_child(&mut top, "fetch");
    let interrupt = AtomicBool::new(false);
    let outcome = connection
        .prepare_fetch(&mut item, gix::remote::ref_map::Options::default())
        .map_err(|error| fetch_error(parsed, &error))?
        .receive(&mut item, &interrupt)
        .map_err(|error| fetch_error(parsed, &error))?;
    Ok(received(&outcome))
}

/// The final count from the outcome: the tree's tasks are gone once the fetch returns.
fn received(outcome: &gix::remote::fetch::Outcome) -> Vec<Progress> {
    match &outcome.status {
        gix::remote::fetch::Status::Change { write_pack_bundle, .. } => {
            let objects = u64::from(write_pack_bundle.index.num_objects);
            vec![Progress { stage: "received objects".into(), done: objects, total: Some(objects) }]
        }
        gix::remote::fetch::Status::NoPackReceived { .. } => {
            vec![Progress { stage: "received objects".into(), done: 0, total: Some(0) }]
        }
    }
}

fn open(path: &Path) -> Result<gix::Repository> {
    gix::open(path).map_err(|error| Error::Repository {
        path: path.display().to_string(),
        message: format!("{error:#}"),
    })
}

fn head_commit(repository: &gix::Repository, path: &Path) -> Result<String> {
    repository.head_id().map(|id| id.to_string()).map_err(|error| Error::Repository {
        path: path.display().to_string(),
        message: format!("its HEAD names no commit: {error:#}"),
    })
}

fn resolve<'repo>(
    repository: &'repo gix::Repository,
    path: &Path,
    revision: &str,
) -> Result<gix::Commit<'repo>> {
    let not_found = |message: String| Error::RevisionNotFound {
        path: path.display().to_string(),
        revision: revision.to_owned(),
        message,
    };
    repository
        .rev_parse_single(revision.as_bytes().as_bstr())
        .map_err(|error| not_found(format!("{error:#}")))?
        .object()
        .map_err(|error| not_found(format!("{error:#}")))?
        .peel_to_commit()
        .map_err(|error| not_found(format!("{error:#}")))
}

/// Writes the files of `revision`'s tree under `subdir` (empty for the whole tree) into `dest`,
/// which must be empty or missing, and returns the commit id `revision` resolved to.
///
/// Regular and executable files are written (the executable bit is not kept); symbolic links and
/// submodules are skipped, so a link can never point a renderer outside `dest`. Entry names that
/// could escape `dest` (`..`, or containing a separator) are skipped too.
pub fn export_tree(repo: &Path, revision: &str, subdir: &str, dest: &Path) -> Result<String> {
    let repository = open(repo)?;
    let commit = resolve(&repository, repo, revision)?;
    let repository_error = |error: &dyn std::fmt::Display| Error::Repository {
        path: repo.display().to_string(),
        message: format!("{error:#}"),
    };
    let tree = commit.tree().map_err(|error| repository_error(&error))?;
    let subdir = subdir.trim_matches('/');
    let tree = if subdir.is_empty() || subdir == "." {
        tree
    } else {
        let not_found = || Error::PathNotFound {
            path: repo.display().to_string(),
            revision: revision.to_owned(),
            subdir: subdir.to_owned(),
        };
        let entry = tree
            .lookup_entry_by_path(subdir)
            .map_err(|error| repository_error(&error))?
            .ok_or_else(not_found)?;
        if !entry.mode().is_tree() {
            return Err(not_found());
        }
        entry.object().map_err(|error| repository_error(&error))?.into_tree()
    };
    if dest.read_dir().is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(Error::DestinationNotEmpty { path: dest.display().to_string() });
    }
    write_tree(&tree, dest).map_err(|error| match error {
        WriteError::Io(path, source) => Error::Write { path: path.display().to_string(), source },
        WriteError::Git(message) => Error::Repository { path: repo.display().to_string(), message },
    })?;
    Ok(commit.id.to_string())
}

enum WriteError {
    Io(PathBuf, std::io::Error),
    Git(String),
}

fn write_tree(tree: &gix::Tree<'_>, dest: &Path) -> Result<(), WriteError> {
    std::fs::create_dir_all(dest).map_err(|error| WriteError::Io(dest.to_path_buf(), error))?;
    for entry in tree.iter() {
        let entry = entry.map_err(|error| WriteError::Git(format!("{error:#}")))?;
        let name = entry.filename().to_str_lossy().into_owned();
        if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
            continue;
        }
        let path = dest.join(&name);
        let mode = entry.mode();
        if mode.is_tree() {
            let subtree =
                entry.object().map_err(|error| WriteError::Git(format!("{error:#}")))?.into_tree();
            write_tree(&subtree, &path)?;
        } else if mode.is_blob() {
            let blob = entry.object().map_err(|error| WriteError::Git(format!("{error:#}")))?;
            std::fs::write(&path, &blob.data).map_err(|error| WriteError::Io(path, error))?;
        }
        // Symbolic links and submodules (commits) are skipped.
    }
    Ok(())
}

/// The commits reachable from `revision` that changed `path` (a file or a directory; empty for
/// the whole tree), newest first, at most `limit`.
///
/// A commit changed the path when the path's object differs from its first parent's (or the
/// path appears in a root commit). A merge counts only when the path differs from every parent,
/// as in `git log`'s default history simplification; unlike it, all parents' histories are
/// walked (as `--full-history` would).
pub fn log_path(
    repo: &Path,
    revision: &str,
    path: &str,
    limit: usize,
) -> Result<Vec<CommitSummary>> {
    let repository = open(repo)?;
    let start = resolve(&repository, repo, revision)?;
    let repository_error = |error: &dyn std::fmt::Display| Error::Repository {
        path: repo.display().to_string(),
        message: format!("{error:#}"),
    };
    let path = path.trim_matches('/');
    let entry_at = |commit: &gix::Commit<'_>| -> Result<Option<gix::ObjectId>> {
        let tree = commit.tree().map_err(|error| repository_error(&error))?;
        if path.is_empty() || path == "." {
            return Ok(Some(tree.id));
        }
        Ok(tree
            .lookup_entry_by_path(path)
            .map_err(|error| repository_error(&error))?
            .map(|entry| entry.object_id()))
    };
    let walk = repository
        .rev_walk([start.id])
        .sorting(gix::revision::walk::Sorting::ByCommitTime(
            gix::traverse::commit::simple::CommitTimeOrder::NewestFirst,
        ))
        .all()
        .map_err(|error| repository_error(&error))?;
    let mut commits = Vec::new();
    for info in walk {
        if commits.len() >= limit {
            break;
        }
        let info = info.map_err(|error| repository_error(&error))?;
        let commit = info.object().map_err(|error| repository_error(&error))?;
        let here = entry_at(&commit)?;
        let mut parents = Vec::new();
        for parent in &info.parent_ids {
            let parent =
                repository.find_commit(*parent).map_err(|error| repository_error(&error))?;
            parents.push(entry_at(&parent)?);
        }
        let changed = if parents.is_empty() {
            here.is_some()
        } else {
            parents.iter().all(|parent| *parent != here)
        };
        if !changed {
            continue;
        }
        let author = commit.author().map_err(|error| repository_error(&error))?;
        let time = author.time().map_err(|error| repository_error(&error))?.seconds;
        let summary =
            commit.message().map_err(|error| repository_error(&error))?.summary().to_string();
        commits.push(CommitSummary {
            id: commit.id.to_string(),
            author: author.name.to_string(),
            email: author.email.to_string(),
            time,
            summary,
        });
    }
    Ok(commits)
}
