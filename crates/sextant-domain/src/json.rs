//! [`Json`]: an immutable JSON tree about four times smaller than `serde_json::Value`, for the
//! hundreds of thousands of objects the watched caches hold.
//!
//! `serde_json::Value` keeps every object in a `BTreeMap`, whose first node alone reserves room
//! for eleven entries (about 630 bytes), and every key in its own `String`. A Kubernetes object
//! is mostly small maps (`metadata`, `labels`, a port, a condition), so a 400-byte Service takes
//! about 4 KB as a `Value`. Here an object is one boxed slice of `(key, value)` pairs sorted by
//! key, keys are interned (`metadata`, `name`, `app.kubernetes.io/name` are stored once for the
//! whole process), strings are boxed `str`s and every value is 24 bytes. Measured on the scale
//! benchmark's objects: 1.0–2.4 KB each instead of 4.2–9.1 KB (BENCHMARKS.md).
//!
//! The reading API follows `serde_json::Value`'s names (`get`, `pointer`, `as_str`, `as_array`,
//! indexing with `["key"]`), so analyzers read both alike. Objects serialize with their keys in
//! sorted order, as `serde_json`'s default map does, so output is unchanged. What must be
//! changed (the drift diff normalises a copy) converts to a `serde_json::Value` first.

use std::{
    collections::HashSet,
    fmt,
    sync::{Arc, Mutex, OnceLock},
};

use serde::{
    Deserialize, Deserializer, Serialize, Serializer,
    de::{MapAccess, SeqAccess, Visitor},
    ser::{SerializeMap, SerializeSeq},
};
use serde_json::Number;

/// An immutable JSON value.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Json {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as `serde_json` reads it.
    Number(Number),
    /// A string.
    String(Box<str>),
    /// An array.
    Array(Box<[Json]>),
    /// An object.
    Object(Map),
}

/// A JSON object: its members sorted by key, each key once.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Map(Box<[(Key, Json)]>);

/// An object's key, shared by every object that uses it.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(Arc<str>);

/// Keys longer than this are not interned: they are rarely shared (long annotations).
const INTERN_UP_TO: usize = 96;
/// Distinct keys kept at most; past this, new keys are allocated for their object alone, so
/// that a stream of unique keys (a ConfigMap's data) cannot grow the table without bound.
const INTERN_AT_MOST: usize = 200_000;

fn interned() -> &'static Mutex<HashSet<Arc<str>>> {
    static TABLE: OnceLock<Mutex<HashSet<Arc<str>>>> = OnceLock::new();
    TABLE.get_or_init(Mutex::default)
}

impl Key {
    /// The key `text`, shared with every other use of it.
    #[must_use]
    pub fn new(text: &str) -> Key {
        if text.len() > INTERN_UP_TO {
            return Key(Arc::from(text));
        }
        let mut table = interned().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(shared) = table.get(text) {
            return Key(Arc::clone(shared));
        }
        let key: Arc<str> = Arc::from(text);
        if table.len() < INTERN_AT_MOST {
            table.insert(Arc::clone(&key));
        }
        Key(key)
    }

    /// The key's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Key {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Key {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, formatter)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl Map {
    /// The object of `members`; a key given twice keeps its last value, as `serde_json` does.
    #[must_use]
    pub fn from_members(mut members: Vec<(Key, Json)>) -> Map {
        // A stable sort keeps equal keys in input order, so the last one is the one to keep.
        members.sort_by(|a, b| a.0.cmp(&b.0));
        let mut unique: Vec<(Key, Json)> = Vec::with_capacity(members.len());
        for member in members {
            match unique.last_mut() {
                Some(last) if last.0 == member.0 => *last = member,
                _ => unique.push(member),
            }
        }
        Map(unique.into_boxed_slice())
    }

    /// The value of `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.0.binary_search_by(|(probe, _)| probe.as_str().cmp(key)).ok().map(|at| &self.0[at].1)
    }

    /// Whether `key` is a member.
    #[must_use]
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The members, in key order.
    #[must_use]
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Key, &Json)> + ExactSizeIterator {
        self.0.iter().map(|(key, value)| (key, value))
    }

    /// The keys, in order.
    #[must_use]
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Key> + ExactSizeIterator {
        self.0.iter().map(|(key, _)| key)
    }

    /// The values, in key order.
    #[must_use]
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Json> + ExactSizeIterator {
        self.0.iter().map(|(_, value)| value)
    }

    /// How many members.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no member.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Key, &'a Json);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Key, Json)>,
        fn(&'a (Key, Json)) -> (&'a Key, &'a Json),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(key, value)| (key, value))
    }
}

static NULL: Json = Json::Null;

/// What a [`Json`] can be indexed with: a key (`&str`) or a position (`usize`).
pub trait Index {
    /// The member or element of `value`, when there is one.
    fn find(self, value: &Json) -> Option<&Json>;
}

impl Index for &str {
    fn find(self, value: &Json) -> Option<&Json> {
        value.as_object()?.get(self)
    }
}

impl Index for &String {
    fn find(self, value: &Json) -> Option<&Json> {
        value.as_object()?.get(self)
    }
}

impl Index for usize {
    fn find(self, value: &Json) -> Option<&Json> {
        value.as_array()?.get(self)
    }
}

impl Json {
    /// The member (for a key) or element (for a position), when there is one.
    pub fn get<I: Index>(&self, index: I) -> Option<&Json> {
        index.find(self)
    }

    /// The value at a JSON Pointer (RFC 6901: `/spec/rules/0/matches`, `~1` for `/`, `~0` for
    /// `~`); the empty pointer is the value itself.
    #[must_use]
    pub fn pointer(&self, pointer: &str) -> Option<&Json> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        let mut here = self;
        for token in rest.split('/') {
            let unescaped;
            let token = if token.contains('~') {
                unescaped = token.replace("~1", "/").replace("~0", "~");
                unescaped.as_str()
            } else {
                token
            };
            here = match here {
                Json::Object(map) => map.get(token)?,
                Json::Array(items) => {
                    // RFC 6901: an index is digits without a leading zero.
                    if token.len() > 1 && token.starts_with('0') {
                        return None;
                    }
                    items.get(token.parse::<usize>().ok()?)?
                }
                _ => return None,
            };
        }
        Some(here)
    }

    /// The string, when this is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    /// The boolean, when this is one.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(value) => Some(*value),
            _ => None,
        }
    }

    /// The number, when this is one.
    #[must_use]
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Json::Number(number) => Some(number),
            _ => None,
        }
    }

    /// The number as an `i64`, when it is an integer that fits.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number()?.as_i64()
    }

    /// The number as a `u64`, when it is a non-negative integer that fits.
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number()?.as_u64()
    }

    /// The number as an `f64`.
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number()?.as_f64()
    }

    /// The elements, when this is an array.
    #[must_use]
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members, when this is an object.
    #[must_use]
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Json::Object(map) => Some(map),
            _ => None,
        }
    }

    /// Whether this is `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Whether this is a boolean.
    #[must_use]
    pub fn is_boolean(&self) -> bool {
        matches!(self, Json::Bool(_))
    }

    /// Whether this is a number.
    #[must_use]
    pub fn is_number(&self) -> bool {
        matches!(self, Json::Number(_))
    }

    /// Whether this is a string.
    #[must_use]
    pub fn is_string(&self) -> bool {
        matches!(self, Json::String(_))
    }

    /// Whether this is an array.
    #[must_use]
    pub fn is_array(&self) -> bool {
        matches!(self, Json::Array(_))
    }

    /// Whether this is an object.
    #[must_use]
    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    /// The same value as a `serde_json::Value`, to change or to hand to serde.
    #[must_use]
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Json::Null => Value::Null,
            Json::Bool(value) => Value::Bool(*value),
            Json::Number(number) => Value::Number(number.clone()),
            Json::String(text) => Value::String(text.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(map) => Value::Object(
                map.iter().map(|(key, value)| (key.to_string(), value.to_value())).collect(),
            ),
        }
    }
}

impl From<serde_json::Value> for Json {
    fn from(value: serde_json::Value) -> Json {
        use serde_json::Value;
        match value {
            Value::Null => Json::Null,
            Value::Bool(value) => Json::Bool(value),
            Value::Number(number) => Json::Number(number),
            Value::String(text) => Json::String(text.into_boxed_str()),
            Value::Array(items) => Json::Array(items.into_iter().map(Json::from).collect()),
            Value::Object(map) => Json::Object(Map(map
                .into_iter()
                .map(|(key, value)| (Key::new(&key), Json::from(value)))
                .collect())),
        }
    }
}

impl From<&serde_json::Value> for Json {
    fn from(value: &serde_json::Value) -> Json {
        use serde_json::Value;
        match value {
            Value::Null => Json::Null,
            Value::Bool(value) => Json::Bool(*value),
            Value::Number(number) => Json::Number(number.clone()),
            Value::String(text) => Json::String(text.as_str().into()),
            Value::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            Value::Object(map) => Json::Object(Map(map
                .iter()
                .map(|(key, value)| (Key::new(key), Json::from(value)))
                .collect())),
        }
    }
}

impl From<&str> for Json {
    fn from(text: &str) -> Json {
        Json::String(text.into())
    }
}

impl PartialEq<serde_json::Value> for Json {
    fn eq(&self, other: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (self, other) {
            (Json::Null, Value::Null) => true,
            (Json::Bool(a), Value::Bool(b)) => a == b,
            (Json::Number(a), Value::Number(b)) => a == b,
            (Json::String(a), Value::String(b)) => **a == **b,
            (Json::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a == b)
            }
            (Json::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(key, value)| b.get(key.as_str()).is_some_and(|other| value == other))
            }
            _ => false,
        }
    }
}

impl std::ops::Index<&str> for Json {
    type Output = Json;

    /// The member, or `null` when there is none (as `serde_json::Value` answers).
    fn index(&self, key: &str) -> &Json {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<usize> for Json {
    type Output = Json;

    /// The element, or `null` when there is none (as `serde_json::Value` answers).
    fn index(&self, position: usize) -> &Json {
        self.get(position).unwrap_or(&NULL)
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(value) => serializer.serialize_bool(*value),
            Json::Number(number) => number.serialize(serializer),
            Json::String(text) => serializer.serialize_str(text),
            Json::Array(items) => {
                let mut sequence = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    sequence.serialize_element(item)?;
                }
                sequence.end()
            }
            Json::Object(map) => {
                let mut members = serializer.serialize_map(Some(map.len()))?;
                for (key, value) in map {
                    members.serialize_entry(key.as_str(), value)?;
                }
                members.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

/// Builds a [`Json`] straight from the parser's events, without a `serde_json::Value` between.
struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        Json::deserialize(deserializer)
    }

    fn visit_bool<E>(self, value: bool) -> Result<Json, E> {
        Ok(Json::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Json, E> {
        // Like serde_json: a number JSON cannot hold (NaN, infinity) becomes null.
        Ok(Number::from_f64(value).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Json, E> {
        Ok(Json::String(value.into()))
    }

    fn visit_string<E>(self, value: String) -> Result<Json, E> {
        Ok(Json::String(value.into_boxed_str()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sequence: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(sequence.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = sequence.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items.into_boxed_slice()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Json, A::Error> {
        let mut members = Vec::with_capacity(access.size_hint().unwrap_or(0).min(1024));
        while let Some(key) = access.next_key::<KeySeed>()? {
            members.push((key.0, access.next_value()?));
        }
        Ok(Json::Object(Map::from_members(members)))
    }
}

/// A key read without an intermediate `String` when the parser can lend one.
struct KeySeed(Key);

impl<'de> Deserialize<'de> for KeySeed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<KeySeed, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeySeed;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("an object key")
            }

            fn visit_str<E>(self, value: &str) -> Result<KeySeed, E> {
                Ok(KeySeed(Key::new(value)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl fmt::Display for Json {
    /// Compact JSON.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        formatter.write_str(&text)
    }
}

impl fmt::Debug for Json {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sample() -> serde_json::Value {
        json!({
            "kind": "Service",
            "metadata": {"name": "web", "labels": {"app": "web", "a/b": "slash", "m~n": "tilde"}},
            "spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443}], "ratio": 0.5, "neg": -3,
                     "big": 18_446_744_073_709_551_615_u64, "on": true, "none": null},
        })
    }

    #[test]
    fn it_reads_as_serde_json_reads() {
        let value = sample();
        let json = Json::from(&value);
        assert_eq!(json["kind"].as_str(), Some("Service"));
        assert_eq!(json.pointer("/spec/ports/1/port").and_then(Json::as_u64), Some(443));
        assert_eq!(json.pointer("/metadata/labels/a~1b").and_then(Json::as_str), Some("slash"));
        assert_eq!(json.pointer("/metadata/labels/m~0n").and_then(Json::as_str), Some("tilde"));
        assert_eq!(json.pointer(""), Some(&json));
        for pointer in ["/spec/ports/01", "/spec/ports/2", "/nothing", "spec", "/kind/x"] {
            assert_eq!(json.pointer(pointer), None, "{pointer}");
            assert_eq!(value.pointer(pointer), None, "serde_json agrees on {pointer}");
        }
        assert_eq!(json["spec"]["ratio"].as_f64(), Some(0.5));
        assert_eq!(json["spec"]["neg"].as_i64(), Some(-3));
        assert_eq!(json["spec"]["neg"].as_u64(), None);
        assert_eq!(json["spec"]["big"].as_u64(), Some(u64::MAX));
        assert_eq!(json["spec"]["on"].as_bool(), Some(true));
        assert!(json["spec"]["none"].is_null());
        assert!(json["missing"]["deeper"][3].is_null(), "indexing a miss is null, as serde_json");
        assert_eq!(json["spec"]["ports"].as_array().map(<[Json]>::len), Some(2));
        assert_eq!(
            json.get("spec")
                .and_then(|spec| spec.get("ports"))
                .and_then(|ports| ports.get(0))
                .map(|port| port["name"].as_str()),
            Some(Some("http"))
        );
        let labels: Vec<(&str, &str)> = json["metadata"]["labels"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str().unwrap()))
            .collect();
        assert_eq!(
            labels,
            [("a/b", "slash"), ("app", "web"), ("m~n", "tilde")],
            "sorted as serde_json's map"
        );
    }

    #[test]
    fn it_round_trips_through_text_and_serde_json_unchanged() {
        let value = sample();
        let text = serde_json::to_string(&value).unwrap();
        let parsed: Json = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_string(&parsed).unwrap(), text, "the same bytes back");
        assert_eq!(parsed.to_value(), value);
        assert_eq!(Json::from(value.clone()), parsed);
        assert!(parsed == value, "compares equal to the serde_json value");
        assert_eq!(parsed.to_string(), text, "Display is compact JSON");
        // YAML reads into it too (the manifests' format), through serde.
        let from_yaml: Json = serde_norway::from_str("a: [1, {b: two}]\nc: ~\n").unwrap();
        assert_eq!(from_yaml, Json::from(json!({"a": [1, {"b": "two"}], "c": null})));
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_as_serde_json_does() {
        let text = r#"{"b": 1, "a": 2, "b": 3}"#;
        let parsed: Json = serde_json::from_str(text).unwrap();
        let reference: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(parsed, Json::from(reference));
        assert_eq!(parsed["b"].as_i64(), Some(3));
    }

    #[test]
    fn keys_are_shared_between_objects() {
        let first: Json = serde_json::from_str(r#"{"a-rather-distinctive-key": 1}"#).unwrap();
        let second: Json = serde_json::from_str(r#"{"a-rather-distinctive-key": 2}"#).unwrap();
        let key = |json: &Json| json.as_object().unwrap().keys().next().unwrap().0.clone();
        assert!(Arc::ptr_eq(&key(&first), &key(&second)), "one allocation for both");
        let long = "k".repeat(INTERN_UP_TO + 1);
        assert!(!Arc::ptr_eq(&Key::new(&long).0, &Key::new(&long).0), "long keys are not interned");
    }

    #[test]
    fn a_value_is_three_words() {
        assert_eq!(std::mem::size_of::<Json>(), 24);
    }
}
