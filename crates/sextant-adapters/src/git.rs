//! Git repositories through gix: creating the demo platform's repositories from plain files,
//! and reading a repository's head back.
//!
//! The demo's Git sources ship as plain files (`assets/demo/git/<name>/`, never nested `.git`
//! folders). When the demo starts, each becomes a bare repository with one commit on `main`,
//! written with a fixed author and time so its commit id is the same on every machine. They are
//! cached under the user's cache directory, keyed by the content, so a start creates them only
//! when the embedded files changed.

use std::path::{Path, PathBuf};

pub mod remote;

use gix::objs::{
    Tree,
    tree::{Entry, EntryKind},
};
use include_dir::Dir;

/// How a repository could not be created or read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The directory could not be created or moved into place.
    #[error("cannot create {path}: {source}")]
    DirectoryUnwritable {
        /// The directory.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// gix could not initialise, write or read the repository.
    #[error("git repository {path}: {message}")]
    Repository {
        /// The repository.
        path: String,
        /// gix's description.
        message: String,
    },
}

/// The module's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A repository on disk, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositoryHead {
    /// Where it is.
    pub path: PathBuf,
    /// The commit `main` points at.
    pub head: String,
    /// How many files its tree holds.
    pub files: usize,
}

const AUTHOR_NAME: &str = "Northwind Platform Team";
const AUTHOR_EMAIL: &str = "platform@northwind.example";
/// 2026-11-01T09:00:00Z: fixed, so the commit id depends on the content alone.
const AUTHOR_TIME: &str = "1793523600 +0000";

/// How many repositories this process started building (names their build directories).
static BUILDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The repository for the files of `dir`, created under `cache` unless it is already there.
pub fn materialize(dir: &Dir<'_>, name: &str, cache: &Path) -> Result<RepositoryHead> {
    let target = cache.join(content_key(dir)).join(format!("{name}.git"));
    if !target.join("refs/heads/main").exists() {
        let parent = target.parent().unwrap_or(cache);
        let unwritable =
            |source| Error::DirectoryUnwritable { path: parent.display().to_string(), source };
        std::fs::create_dir_all(parent).map_err(unwritable)?;
        // Build beside the target and move it into place, so a half-written repository is
        // never visible and two starting processes do not trip over each other.
        // Unique per process and per call: two cockpits in one process may build at once.
        let build = BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let building = parent.join(format!(".{name}.{}.{build}.building", std::process::id()));
        let _ = std::fs::remove_dir_all(&building);
        write_repository(dir, &building)?;
        if std::fs::rename(&building, &target).is_err() {
            // Another process put the same content in place first.
            let _ = std::fs::remove_dir_all(&building);
        }
    }
    read_head(&target)
}

fn repository_error(path: &Path, error: impl std::fmt::Display) -> Error {
    Error::Repository { path: path.display().to_string(), message: error.to_string() }
}

fn write_repository(dir: &Dir<'_>, path: &Path) -> Result<()> {
    let repository = gix::init_bare(path).map_err(|error| repository_error(path, error))?;
    let tree = write_tree(&repository, dir).map_err(|error| repository_error(path, error))?;
    let signature = gix::actor::SignatureRef {
        name: AUTHOR_NAME.into(),
        email: AUTHOR_EMAIL.into(),
        time: AUTHOR_TIME,
    };
    repository
        .commit_as(
            signature,
            signature,
            "refs/heads/main",
            "The platform as the demo shows it",
            tree,
            Vec::<gix::ObjectId>::new(),
        )
        .map_err(|error| repository_error(path, error))?;
    Ok(())
}

fn write_tree(
    repository: &gix::Repository,
    dir: &Dir<'_>,
) -> Result<gix::ObjectId, Box<dyn std::error::Error + Send + Sync>> {
    let mut entries = Vec::new();
    for file in dir.files() {
        let filename = file
            .path()
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let oid = repository.write_blob(file.contents())?.detach();
        entries.push(Entry { mode: EntryKind::Blob.into(), filename: filename.into(), oid });
    }
    for sub in dir.dirs() {
        let filename = sub
            .path()
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let oid = write_tree(repository, sub)?;
        entries.push(Entry { mode: EntryKind::Tree.into(), filename: filename.into(), oid });
    }
    // Git orders tree entries by name, with directories compared as if they ended in `/`.
    entries.sort();
    Ok(repository.write_object(&Tree { entries })?.detach())
}

/// The commit `main` points at in the repository at `path`, and how many files it holds.
pub fn read_head(path: &Path) -> Result<RepositoryHead> {
    let repository = gix::open(path).map_err(|error| repository_error(path, error))?;
    let commit = repository
        .find_reference("refs/heads/main")
        .map_err(|error| repository_error(path, error))?
        .peel_to_commit()
        .map_err(|error| repository_error(path, error))?;
    let tree = commit.tree().map_err(|error| repository_error(path, error))?;
    let files = count_files(&tree).map_err(|error| repository_error(path, error))?;
    Ok(RepositoryHead { path: path.to_path_buf(), head: commit.id.to_string(), files })
}

fn count_files(tree: &gix::Tree<'_>) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    let mut files = 0;
    for entry in tree.iter() {
        let entry = entry?;
        if entry.mode().is_tree() {
            files += count_files(&entry.object()?.into_tree())?;
        } else {
            files += 1;
        }
    }
    Ok(files)
}

/// A key that changes whenever any embedded path or byte does.
fn content_key(dir: &Dir<'_>) -> String {
    use std::hash::{Hash, Hasher};
    fn feed(dir: &Dir<'_>, hasher: &mut std::collections::hash_map::DefaultHasher) {
        for file in dir.files() {
            file.path().hash(hasher);
            file.contents().hash(hasher);
        }
        for sub in dir.dirs() {
            feed(sub, hasher);
        }
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    feed(dir, &mut hasher);
    format!("{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use include_dir::include_dir;

    use super::*;

    static FLEET: Dir<'static> =
        include_dir!("$CARGO_MANIFEST_DIR/../../assets/demo/git/northwind-fleet");

    fn files_in(dir: &Dir<'_>) -> usize {
        dir.files().count() + dir.dirs().map(files_in).sum::<usize>()
    }

    /// The real `git` is the oracle: it must read the repository gix wrote, with every file.
    #[test]
    fn the_demo_fleet_becomes_a_repository_git_itself_reads() {
        let cache = tempfile::tempdir().unwrap();
        let head = materialize(&FLEET, "northwind-fleet", cache.path()).unwrap();
        let git = |arguments: &[&str]| {
            #[allow(clippy::disallowed_methods, reason = "the real git is the test oracle")]
            let output = std::process::Command::new("git")
                .arg("--git-dir")
                .arg(&head.path)
                .args(arguments)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "git {arguments:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8(output.stdout).unwrap()
        };
        assert_eq!(git(&["rev-parse", "refs/heads/main"]).trim(), head.head);
        let listed = git(&["ls-tree", "-r", "--name-only", "main"]);
        assert_eq!(listed.lines().count(), files_in(&FLEET), "every embedded file is committed");
        assert_eq!(head.files, files_in(&FLEET));
        assert!(
            listed.lines().any(|path| path == "charts/storefront/Chart.yaml"),
            "nested folders keep their paths"
        );
        assert_eq!(
            git(&["cat-file", "-p", "main:charts/storefront/Chart.yaml"]),
            FLEET.get_file("charts/storefront/Chart.yaml").unwrap().contents_utf8().unwrap()
        );
        git(&["fsck", "--strict"]);

        // The same content gives the same commit anywhere, and a second start reuses it.
        let elsewhere = tempfile::tempdir().unwrap();
        assert_eq!(
            materialize(&FLEET, "northwind-fleet", elsewhere.path()).unwrap().head,
            head.head
        );
        assert_eq!(materialize(&FLEET, "northwind-fleet", cache.path()).unwrap(), head);
    }
}
