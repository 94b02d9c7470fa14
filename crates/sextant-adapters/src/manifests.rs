//! Manifests on disk, as the analyzer commands take them (`--manifests PATH...`, see
//! `shared/specs/cli-contract.md`): a PATH is a file or a directory searched recursively for
//! `*.yaml`, `*.yml` and `*.json`. A file holds one or more YAML documents, a JSON object, a JSON
//! array of objects, or a `List` kind.
//!
//! Loading is all-or-nothing for the command line: the first file that does not parse stops the
//! load with a [`ManifestError`] naming the file and the line and column. Callers that want to
//! keep going (the desktop) use [`load_file`] per file and collect the errors.

use std::{
    fmt,
    path::{Path, PathBuf},
};

use serde::Deserialize as _;
use serde_json::Value;
use sextant_domain::object::Document;

/// One object and where it came from.
#[derive(Debug, Clone)]
pub struct SourcedObject {
    /// The object as written.
    pub object: Document,
    /// The file it was read from.
    pub file: PathBuf,
    /// The 0-based document index within the file (YAML documents or JSON array elements).
    pub document: usize,
}

/// A manifest that could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    /// The file (or directory) at fault.
    pub file: PathBuf,
    /// 1-based line, when the parser knows it.
    pub line: Option<usize>,
    /// 1-based column, when the parser knows it.
    pub column: Option<usize>,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ManifestError {}

/// Reads every manifest under `paths`, in a stable order: the paths in the order given, and the
/// files of a directory sorted by path.
///
/// # Errors
/// The first path that does not exist, cannot be read, or does not parse.
pub fn load(paths: &[PathBuf]) -> Result<Vec<SourcedObject>, ManifestError> {
    let mut objects = Vec::new();
    for path in paths {
        for file in manifest_files(path)? {
            objects.extend(load_file(&file)?);
        }
    }
    Ok(objects)
}

/// The manifest files a PATH names: itself when it is a file (whatever its extension), or the
/// `*.yaml`, `*.yml` and `*.json` files below it, sorted.
///
/// # Errors
/// When the path does not exist or a directory cannot be listed.
pub fn manifest_files(path: &Path) -> Result<Vec<PathBuf>, ManifestError> {
    let metadata = std::fs::metadata(path).map_err(|error| io_error(path, &error))?;
    if !metadata.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files = Vec::new();
    let mut pending = vec![path.to_owned()];
    while let Some(directory) = pending.pop() {
        let entries =
            std::fs::read_dir(&directory).map_err(|error| io_error(&directory, &error))?;
        for entry in entries {
            let entry = entry.map_err(|error| io_error(&directory, &error))?;
            let path = entry.path();
            let file_type = entry.file_type().map_err(|error| io_error(&path, &error))?;
            if file_type.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .and_then(|extension| extension.to_str())
                .is_some_and(|extension| matches!(extension, "yaml" | "yml" | "json"))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Reads the objects of one file.
///
/// # Errors
/// When the file cannot be read or does not parse; the error names the line and column.
pub fn load_file(file: &Path) -> Result<Vec<SourcedObject>, ManifestError> {
    let text = std::fs::read_to_string(file).map_err(|error| io_error(file, &error))?;
    let documents = parse_text(&text).map_err(|mut error| {
        file.clone_into(&mut error.file);
        error
    })?;
    Ok(documents
        .into_iter()
        .enumerate()
        .map(|(document, object)| SourcedObject { object, file: file.to_owned(), document })
        .collect())
}

/// Parses the objects in `text`: YAML documents (JSON is YAML), JSON arrays of objects and
/// `List` kinds flattened, empty documents skipped. Every object must be a mapping with a
/// `kind`. The error's `file` is empty; [`load_file`] fills it in.
///
/// # Errors
/// The first syntax error, or the first document that is not a Kubernetes object.
pub fn parse_text(text: &str) -> Result<Vec<Document>, ManifestError> {
    let mut objects = Vec::new();
    for (index, document) in serde_norway::Deserializer::from_str(text).enumerate() {
        let value = Value::deserialize(document).map_err(|error| {
            let location = error.location();
            ManifestError {
                file: PathBuf::new(),
                line: location.as_ref().map(serde_norway::Location::line),
                column: location.as_ref().map(serde_norway::Location::column),
                message: strip_location(&error.to_string()),
            }
        })?;
        flatten(value, index, &mut objects)?;
    }
    Ok(objects)
}

/// Reads a file holding one YAML or JSON document that is not a Kubernetes object (an ignore-rules
/// file, a values file), as a plain value.
///
/// # Errors
/// When the file cannot be read or does not parse; the error names the line and column.
pub fn load_value(file: &Path) -> Result<Value, ManifestError> {
    let text = std::fs::read_to_string(file).map_err(|error| io_error(file, &error))?;
    serde_norway::from_str(&text).map_err(|error| {
        let location = error.location();
        ManifestError {
            file: file.to_owned(),
            line: location.as_ref().map(serde_norway::Location::line),
            column: location.as_ref().map(serde_norway::Location::column),
            message: strip_location(&error.to_string()),
        }
    })
}

fn flatten(value: Value, document: usize, out: &mut Vec<Document>) -> Result<(), ManifestError> {
    let not_an_object = |what: &str| ManifestError {
        file: PathBuf::new(),
        line: None,
        column: None,
        message: format!("document {} is {what}, not a Kubernetes object", document + 1),
    };
    match value {
        Value::Null => Ok(()),
        Value::Array(items) => {
            for item in items {
                flatten(item, document, out)?;
            }
            Ok(())
        }
        Value::Object(mut map) => {
            if map.get("kind").and_then(Value::as_str).is_some_and(|kind| kind.ends_with("List"))
                && map.get("items").is_some_and(Value::is_array)
            {
                let Some(Value::Array(items)) = map.remove("items") else { unreachable!() };
                for item in items {
                    flatten(item, document, out)?;
                }
                return Ok(());
            }
            if !map.get("kind").is_some_and(Value::is_string) {
                return Err(not_an_object("a mapping without a string `kind`"));
            }
            out.push(Document::new(Value::Object(map)));
            Ok(())
        }
        Value::Bool(_) | Value::Number(_) | Value::String(_) => Err(not_an_object("a scalar")),
    }
}

/// serde_norway appends " at line L column C" to its messages; the location is reported in its
/// own fields.
fn strip_location(message: &str) -> String {
    message.find(" at line ").map_or(message, |at| &message[..at]).to_owned()
}

fn io_error(path: &Path, error: &std::io::Error) -> ManifestError {
    let message = match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string(),
    };
    ManifestError { file: path.to_owned(), line: None, column: None, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_documents_json_arrays_and_lists_flatten_to_objects() {
        let text = "kind: A\nmetadata: {name: a}\n---\n---\nkind: List\nitems:\n- {kind: B}\n- {kind: C}\n";
        let kinds: Vec<_> = parse_text(text)
            .unwrap()
            .iter()
            .map(|o| o.0["kind"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(kinds, ["A", "B", "C"]);
        let json = r#"[{"kind": "D"}, {"kind": "ServiceList", "items": [{"kind": "E"}]}]"#;
        assert_eq!(parse_text(json).unwrap().len(), 2);
    }

    #[test]
    fn a_syntax_error_names_line_and_column() {
        let error = parse_text("kind: A\nmetadata:\n  name: [unclosed\n").unwrap_err();
        assert_eq!(error.line, Some(4), "{error:?}");
        assert!(error.column.is_some());
        assert!(!error.message.contains(" at line "), "{}", error.message);
    }

    #[test]
    fn a_document_without_kind_is_rejected_by_position() {
        let error = parse_text("kind: A\n---\nfoo: bar\n").unwrap_err();
        assert_eq!(
            error.message,
            "document 2 is a mapping without a string `kind`, not a Kubernetes object"
        );
    }

    #[test]
    fn directories_are_searched_recursively_and_sorted() {
        let directory = tempfile::tempdir().unwrap();
        std::fs::create_dir(directory.path().join("sub")).unwrap();
        std::fs::write(directory.path().join("sub/b.yml"), "kind: B\n").unwrap();
        std::fs::write(directory.path().join("a.json"), r#"{"kind": "A"}"#).unwrap();
        std::fs::write(directory.path().join("notes.txt"), "not a manifest").unwrap();
        let objects = load(&[directory.path().to_owned()]).unwrap();
        let kinds: Vec<_> = objects.iter().map(|o| o.object.0["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["A", "B"]);
        let missing = load(&[directory.path().join("nope")]).unwrap_err();
        assert_eq!(missing.message, "no such file or directory");
    }
}
