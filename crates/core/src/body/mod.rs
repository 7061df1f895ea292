//! A Kubernetes object's body held compactly until it is rendered.
//!
//! A lowered graph holds every object body of the stack at once, so their size is the synth's
//! peak memory (issue 12). A `serde_json::Value` map is an `IndexMap` (a hash table plus 112-byte
//! entries) per map; a [`Body`] map is one boxed slice of 40-byte entries, read by a scan (object
//! maps have a handful of keys). The shape, key order and values are the `Value`'s the body was
//! made from, so it renders and serializes to the same bytes.
//!
//! The read API follows `serde_json::Value` (`get`, `as_str`, indexing with a missing key giving
//! `Null`, comparison with a `Value`), so readers change little.

use std::fmt;
use std::ops::Deref;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Number, Value};

mod ser;

pub use ser::to_body;

/// A JSON value, immutable once built: an object body of a [`crate::KubeObject`].
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Body {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as JSON holds it.
    Number(Number),
    /// A string.
    String(Str),
    /// A list.
    Array(Box<[Body]>),
    /// A map, in insertion order.
    Object(BodyMap),
}

/// A map of a [`Body`], its keys in insertion order (unique, as in the `Value` it came from).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BodyMap(Box<[(Key, Body)]>);

/// A key of a [`BodyMap`]: a struct field's name (`apiVersion`, `containerPort`) is `'static`
/// and costs no allocation; a map's own keys (labels, data) are owned.
#[derive(Clone)]
enum Key {
    Static(&'static str),
    Owned(Str),
}

impl Deref for Key {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Key::Static(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        **self == **other
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A string of a [`Body`]: up to [`Str::INLINE`] bytes are held in place (most names, label
/// values and quantities: `svc1-config`, `production`, `250m`), longer ones on the heap. Reads as
/// a `str`.
#[derive(Clone)]
pub struct Str(Repr);

#[derive(Clone)]
enum Repr {
    Inline(u8, [u8; Str::INLINE]),
    Heap(Box<str>),
}

impl Str {
    /// The longest string held without an allocation of its own.
    pub const INLINE: usize = 22;

    /// The string.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline(len, bytes) => bytes
                .get(..usize::from(*len))
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
            Repr::Heap(s) => s,
        }
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Self {
        let mut bytes = [0; Str::INLINE];
        match (bytes.get_mut(..s.len()), u8::try_from(s.len())) {
            (Some(head), Ok(len)) => {
                head.copy_from_slice(s.as_bytes());
                Str(Repr::Inline(len, bytes))
            }
            _ => Str(Repr::Heap(s.into())),
        }
    }
}

impl From<String> for Str {
    fn from(s: String) -> Self {
        if s.len() <= Str::INLINE {
            Str::from(s.as_str())
        } else {
            Str(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl Deref for Str {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a missing key or index reads as.
static NULL: Body = Body::Null;

impl BodyMap {
    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Body> {
        self.0.iter().find(|(k, _)| &**k == key).map(|(_, v)| v)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Key and value pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Body)> {
        self.0.iter().map(|(k, v)| (&**k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| &**k)
    }

    /// The values in order.
    pub fn values(&self) -> impl Iterator<Item = &Body> {
        self.0.iter().map(|(_, v)| v)
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the map has no keys.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a BodyMap {
    type Item = (&'a str, &'a Body);
    type IntoIter = BodyIter<'a>;

    fn into_iter(self) -> BodyIter<'a> {
        BodyIter(self.0.iter())
    }
}

/// The key and value pairs of a [`BodyMap`], in order.
pub struct BodyIter<'a>(std::slice::Iter<'a, (Key, Body)>);

impl<'a> Iterator for BodyIter<'a> {
    type Item = (&'a str, &'a Body);

    fn next(&mut self) -> Option<(&'a str, &'a Body)> {
        self.0.next().map(|(k, v)| (&**k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for BodyIter<'_> {}

impl Body {
    /// The value under `key` of a map (`None` for a missing key or a body that is not a map).
    pub fn get(&self, key: &str) -> Option<&Body> {
        self.as_object()?.get(key)
    }

    /// The value at a JSON pointer (`/spec/template`), as [`Value::pointer`].
    pub fn pointer(&self, pointer: &str) -> Option<&Body> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').try_fold(self, |at, token| {
            let token = token.replace("~1", "/").replace("~0", "~");
            match at {
                Body::Object(m) => m.get(&token),
                Body::Array(a) => token.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            }
        })
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Body::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Body::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as an `i64`, if it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Body::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// The number as a `u64`, if it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Body::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The number as an `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Body::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    /// The items, if this is a list.
    pub fn as_array(&self) -> Option<&[Body]> {
        match self {
            Body::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The map, if this is one.
    pub fn as_object(&self) -> Option<&BodyMap> {
        match self {
            Body::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Body::Null)
    }

    /// Whether this is a string.
    pub fn is_string(&self) -> bool {
        matches!(self, Body::String(_))
    }

    /// Whether this is a map.
    pub fn is_object(&self) -> bool {
        matches!(self, Body::Object(_))
    }

    /// Whether this is a list.
    pub fn is_array(&self) -> bool {
        matches!(self, Body::Array(_))
    }

    /// The same value as a `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        match self {
            Body::Null => Value::Null,
            Body::Bool(b) => Value::Bool(*b),
            Body::Number(n) => Value::Number(n.clone()),
            Body::String(s) => Value::String(s.to_string()),
            Body::Array(a) => Value::Array(a.iter().map(Body::to_value).collect()),
            Body::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.to_owned(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

impl From<Value> for Body {
    /// Moves the strings over; each map and list becomes one exactly sized allocation.
    fn from(v: Value) -> Self {
        match v {
            Value::Null => Body::Null,
            Value::Bool(b) => Body::Bool(b),
            Value::Number(n) => Body::Number(n),
            Value::String(s) => Body::String(s.into()),
            Value::Array(a) => Body::Array(a.into_iter().map(Body::from).collect()),
            Value::Object(m) => Body::Object(BodyMap(
                m.into_iter()
                    .map(|(k, v)| (Key::Owned(k.into()), Body::from(v)))
                    .collect(),
            )),
        }
    }
}

impl From<&str> for Body {
    fn from(s: &str) -> Self {
        Body::String(s.into())
    }
}

impl From<&Body> for Value {
    fn from(b: &Body) -> Self {
        b.to_value()
    }
}

impl Serialize for Body {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Body::Null => s.serialize_unit(),
            Body::Bool(b) => s.serialize_bool(*b),
            Body::Number(n) => n.serialize(s),
            Body::String(v) => s.serialize_str(v),
            Body::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for item in a {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Body::Object(m) => m.serialize(s),
        }
    }
}

impl Serialize for BodyMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl fmt::Display for Body {
    /// Compact JSON, as `Value` displays.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl std::ops::Index<&str> for Body {
    type Output = Body;

    /// The value under `key`, or `Null` (as indexing a `Value`).
    fn index(&self, key: &str) -> &Body {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<&String> for Body {
    type Output = Body;

    /// The value under `key`, or `Null` (as indexing a `Value`).
    fn index(&self, key: &String) -> &Body {
        &self[key.as_str()]
    }
}

impl std::ops::Index<usize> for Body {
    type Output = Body;

    /// The item at `i`, or `Null` (as indexing a `Value`).
    fn index(&self, i: usize) -> &Body {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NULL)
    }
}

impl PartialEq<Value> for Body {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Body::Null, Value::Null) => true,
            (Body::Bool(a), Value::Bool(b)) => a == b,
            (Body::Number(a), Value::Number(b)) => a == b,
            (Body::String(a), Value::String(b)) => a.as_str() == b,
            (Body::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (Body::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v == w))
            }
            _ => false,
        }
    }
}

impl PartialEq<Body> for Value {
    fn eq(&self, other: &Body) -> bool {
        other == self
    }
}

impl PartialEq<str> for Body {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Body {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<String> for Body {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}

impl PartialEq<bool> for Body {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

macro_rules! eq_signed {
    ($($t:ty)*) => {$(
        impl PartialEq<$t> for Body {
            fn eq(&self, other: &$t) -> bool {
                self.as_i64() == Some(i64::from(*other))
            }
        }

        impl PartialEq<$t> for &Body {
            fn eq(&self, other: &$t) -> bool {
                self.as_i64() == Some(i64::from(*other))
            }
        }
    )*};
}
eq_signed!(i8 i16 i32 i64);

macro_rules! eq_unsigned {
    ($($t:ty)*) => {$(
        impl PartialEq<$t> for Body {
            fn eq(&self, other: &$t) -> bool {
                self.as_u64() == Some(u64::from(*other))
            }
        }

        impl PartialEq<$t> for &Body {
            fn eq(&self, other: &$t) -> bool {
                self.as_u64() == Some(u64::from(*other))
            }
        }
    )*};
}
eq_unsigned!(u8 u16 u32 u64);

impl PartialEq<usize> for Body {
    fn eq(&self, other: &usize) -> bool {
        self.as_u64()
            .is_some_and(|n| u64::try_from(*other).is_ok_and(|o| o == n))
    }
}

impl PartialEq<f64> for Body {
    fn eq(&self, other: &f64) -> bool {
        self.as_f64() == Some(*other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_body_keeps_the_shape_order_and_values_of_its_value() {
        let v = json!({"b": 1, "a": [true, null, "x", {"z": 1.5, "y": -2}], "c": {}});
        let b = Body::from(v.clone());
        assert_eq!(b, v);
        assert_eq!(b.to_value(), v);
        assert_eq!(serde_json::to_string(&b).ok(), Some(v.to_string()));
        assert_eq!(b.to_string(), v.to_string());
        assert_eq!(b["a"][3]["y"], -2);
        assert_eq!(b["a"][2], "x");
        assert!(b["missing"]["deeper"].is_null());
        assert_eq!(b.pointer("/a/3/z"), Some(&Body::from(json!(1.5))));
        assert_eq!(std::mem::size_of::<Body>(), 24);
        assert_eq!(std::mem::size_of::<Key>(), 24);
        let long = "a string longer than twenty-two bytes";
        assert_eq!(Body::from(json!(long)), json!(long));
        assert_eq!(Body::from(json!("é".repeat(11))), json!("é".repeat(11)));
        assert_eq!(
            b.as_object().map(|m| m.keys().collect::<Vec<_>>()),
            Some(vec!["b", "a", "c"])
        );
    }
}
