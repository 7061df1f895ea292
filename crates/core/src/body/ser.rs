//! Serializing straight into a [`Body`], as `serde_json::to_value` serializes into a `Value`
//! (same shapes, same order, same numbers), without building the `Value` first: a struct's
//! field names stay `'static` keys and no `IndexMap` is built and dropped per map.

use crate::hash::{HashMap, HashMapExt, HashSet, HashSetExt};

use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::{Error, Number, Value};

use super::{Body, BodyMap, Key};

/// `value` as a [`Body`]: the body `Body::from(serde_json::to_value(value)?)` would give, and the
/// same errors.
pub fn to_body<T: Serialize + ?Sized>(value: &T) -> Result<Body, Error> {
    value.serialize(Serializer)
}

/// Serializes into a [`Body`].
struct Serializer;

/// A scalar as `serde_json`'s value serializer makes it.
fn scalar(v: Value) -> Body {
    Body::from(v)
}

/// A map of one entry, `{variant: value}`: how an enum variant with content serializes.
fn tagged(variant: &'static str, value: Body) -> Body {
    Body::Object(BodyMap(Box::new([(Key::Static(variant), value)])))
}

impl ser::Serializer for Serializer {
    type Ok = Body;
    type Error = Error;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = VariantSeq;
    type SerializeMap = Map;
    type SerializeStruct = Map;
    type SerializeStructVariant = VariantMap;

    fn serialize_bool(self, v: bool) -> Result<Body, Error> {
        Ok(Body::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Body, Error> {
        Ok(Body::Number(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Body, Error> {
        Ok(Body::Number(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Body, Error> {
        Ok(Body::Number(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Body, Error> {
        Ok(Body::Number(v.into()))
    }
    fn serialize_i128(self, v: i128) -> Result<Body, Error> {
        serde_json::to_value(v).map(scalar)
    }
    fn serialize_u8(self, v: u8) -> Result<Body, Error> {
        Ok(Body::Number(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Body, Error> {
        Ok(Body::Number(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Body, Error> {
        Ok(Body::Number(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Body, Error> {
        Ok(Body::Number(v.into()))
    }
    fn serialize_u128(self, v: u128) -> Result<Body, Error> {
        serde_json::to_value(v).map(scalar)
    }
    fn serialize_f32(self, v: f32) -> Result<Body, Error> {
        Ok(scalar(Value::from(v)))
    }
    fn serialize_f64(self, v: f64) -> Result<Body, Error> {
        Ok(Number::from_f64(v).map_or(Body::Null, Body::Number))
    }
    fn serialize_char(self, v: char) -> Result<Body, Error> {
        Ok(Body::String(v.to_string().into()))
    }
    fn serialize_str(self, v: &str) -> Result<Body, Error> {
        Ok(Body::String(v.into()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Body, Error> {
        Ok(Body::Array(
            v.iter().map(|b| Body::Number((*b).into())).collect(),
        ))
    }
    fn serialize_none(self) -> Result<Body, Error> {
        Ok(Body::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Body, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Body, Error> {
        Ok(Body::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Body, Error> {
        Ok(Body::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Body, Error> {
        Ok(Body::String(variant.into()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Body, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Body, Error> {
        Ok(tagged(variant, value.serialize(Serializer)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq, Error> {
        Ok(Seq(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSeq, Error> {
        Ok(VariantSeq(variant, Seq(Vec::with_capacity(len))))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Map, Error> {
        Ok(Map::new(len.unwrap_or(0)))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Map, Error> {
        Ok(Map::new(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantMap, Error> {
        Ok(VariantMap(variant, Map::new(len)))
    }
}

/// A list being serialized.
struct Seq(Vec<Body>);

impl ser::SerializeSeq for Seq {
    type Ok = Body;
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.0.push(value.serialize(Serializer)?);
        Ok(())
    }
    fn end(self) -> Result<Body, Error> {
        Ok(Body::Array(self.0.into_boxed_slice()))
    }
}

impl ser::SerializeTuple for Seq {
    type Ok = Body;
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Body, Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Seq {
    type Ok = Body;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Body, Error> {
        ser::SerializeSeq::end(self)
    }
}

/// A tuple variant being serialized: `{variant: [...]}`.
struct VariantSeq(&'static str, Seq);

impl ser::SerializeTupleVariant for VariantSeq {
    type Ok = Body;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(&mut self.1, value)
    }
    fn end(self) -> Result<Body, Error> {
        Ok(tagged(self.0, ser::SerializeSeq::end(self.1)?))
    }
}

/// A map or struct being serialized. A map key given twice keeps its first place and takes the
/// last value, as a `serde_json::Map` does (checked once at the end, in time linear in the map).
struct Map {
    entries: Vec<(Key, Body)>,
    next_key: Option<Key>,
}

impl Map {
    fn new(len: usize) -> Self {
        Map {
            entries: Vec::with_capacity(len),
            next_key: None,
        }
    }

    fn finish(self) -> Body {
        Body::Object(BodyMap(self.entries.into_boxed_slice()))
    }

    /// [`Map::finish`] for a map whose keys may repeat (a struct's never do).
    fn finish_unique(mut self) -> Body {
        let e = &self.entries;
        // Small maps (labels, a ConfigMap's few keys) are compared pairwise, larger ones
        // through a set.
        let repeats = if e.len() <= 8 {
            e.iter()
                .enumerate()
                .any(|(i, (k, _))| e.iter().take(i).any(|(j, _)| j == k))
        } else {
            let mut seen = HashSet::with_capacity(e.len());
            !e.iter().all(|(k, _)| seen.insert(&**k))
        };
        if repeats {
            let mut first: HashMap<String, usize> = HashMap::with_capacity(self.entries.len());
            let mut unique: Vec<(Key, Body)> = Vec::with_capacity(self.entries.len());
            for (k, v) in self.entries {
                match first.get(&*k).and_then(|&i| unique.get_mut(i)) {
                    Some(entry) => entry.1 = v,
                    None => {
                        first.insert(k.to_string(), unique.len());
                        unique.push((k, v));
                    }
                }
            }
            self.entries = unique;
        }
        self.finish()
    }
}

impl ser::SerializeMap for Map {
    type Ok = Body;
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.next_key = Some(key.serialize(KeySerializer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .next_key
            .take()
            .ok_or_else(|| <Error as ser::Error>::custom("a map value without its key"))?;
        let value = value.serialize(Serializer)?;
        self.entries.push((key, value));
        Ok(())
    }
    fn end(self) -> Result<Body, Error> {
        Ok(self.finish_unique())
    }
}

impl ser::SerializeStruct for Map {
    type Ok = Body;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        // A struct's fields are distinct names (serde's derive and k8s-openapi's impls write
        // each once): appended without looking for an earlier one.
        let value = value.serialize(Serializer)?;
        self.entries.push((Key::Static(key), value));
        Ok(())
    }
    fn end(self) -> Result<Body, Error> {
        Ok(self.finish())
    }
}

/// A struct variant being serialized: `{variant: {...}}`.
struct VariantMap(&'static str, Map);

impl ser::SerializeStructVariant for VariantMap {
    type Ok = Body;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(&mut self.1, key, value)
    }
    fn end(self) -> Result<Body, Error> {
        Ok(tagged(self.0, self.1.finish()))
    }
}

/// A map key: a string, or a scalar written as one (as `serde_json` writes map keys).
struct KeySerializer;

/// The error for a key `serde_json` would not take either.
fn key_must_be_a_string() -> Error {
    <Error as ser::Error>::custom("key must be a string")
}

impl ser::Serializer for KeySerializer {
    type Ok = Key;
    type Error = Error;
    type SerializeSeq = Impossible<Key, Error>;
    type SerializeTuple = Impossible<Key, Error>;
    type SerializeTupleStruct = Impossible<Key, Error>;
    type SerializeTupleVariant = Impossible<Key, Error>;
    type SerializeMap = Impossible<Key, Error>;
    type SerializeStruct = Impossible<Key, Error>;
    type SerializeStructVariant = Impossible<Key, Error>;

    fn serialize_bool(self, v: bool) -> Result<Key, Error> {
        Ok(Key::Static(if v { "true" } else { "false" }))
    }
    fn serialize_i8(self, v: i8) -> Result<Key, Error> {
        Ok(Key::Owned(v.to_string().into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Key, Error> {
        Ok(Key::Owned(v.to_string().into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Key, Error> {
        Ok(Key::Owned(v.to_string().into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Key, Error> {
        Ok(Key::Owned(v.to_string().into()))
    }
    fn serialize_i128(self, v: i128) -> Result<Key, Error> {
        Ok(Key::Owned(v.to_string().into()))
    }
    fn serialize_u8(self, v: u8) -> Result<Key, Error> {
        Ok(Key::Owned(v.to_string().into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Key, Error> {
        Ok(Key::Owned(v.to_string().into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Key, Error> {
        Ok(Key::Owned(v.to_string().into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Key, Error> {
        Ok(Key::Owned(v.to_string().into()))
    }
    fn serialize_u128(self, v: u128) -> Result<Key, Error> {
        Ok(Key::Owned(v.to_string().into()))
    }
    fn serialize_f32(self, _v: f32) -> Result<Key, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_f64(self, _v: f64) -> Result<Key, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_char(self, v: char) -> Result<Key, Error> {
        Ok(Key::Owned(v.to_string().into()))
    }
    fn serialize_str(self, v: &str) -> Result<Key, Error> {
        Ok(Key::Owned(v.into()))
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<Key, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result<Key, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<Key, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result<Key, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Key, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Key, Error> {
        Ok(Key::Static(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Key, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Key, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::json;

    use super::to_body;
    use crate::Body;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Spec {
        replicas: Option<i32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        paused: Option<bool>,
        labels: BTreeMap<String, String>,
        ports: Vec<(u16, String)>,
        ratio: f64,
        nan: f64,
        small: f32,
        kind: Kind,
        unit: (),
        by_number: BTreeMap<u32, bool>,
    }

    /// Writes its entries as a map, in order, repeated keys included.
    struct Entries(Vec<(String, u8)>);

    impl Serialize for Entries {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in &self.0 {
                m.serialize_entry(k, v)?;
            }
            m.end()
        }
    }

    #[derive(Serialize)]
    enum Kind {
        Plain,
        Wrapped(u8),
        Pair(u8, u8),
        Named { a: i64 },
    }

    /// Serializing into a body gives what `serde_json::to_value` gives, field for field.
    #[test]
    fn serializing_into_a_body_matches_serde_json_values() {
        for kind in [
            Kind::Plain,
            Kind::Wrapped(3),
            Kind::Pair(1, 2),
            Kind::Named { a: -4 },
        ] {
            let spec = Spec {
                replicas: Some(3),
                paused: None,
                labels: BTreeMap::from([("b".into(), "2".into()), ("a".into(), "1".into())]),
                ports: vec![(80, "http".into())],
                ratio: 0.5,
                nan: f64::NAN,
                small: 0.1,
                kind,
                unit: (),
                by_number: BTreeMap::from([(7, true)]),
            };
            let value = serde_json::to_value(&spec).ok();
            let body = to_body(&spec).ok();
            assert!(value.is_some());
            assert_eq!(body.as_ref().map(Body::to_value), value);
            assert_eq!(body, value.map(Body::from));
        }
        assert_eq!(
            to_body(&json!({"x": [1, "y"]})).ok(),
            Some(Body::from(json!({"x": [1, "y"]})))
        );
        // Repeated keys keep their first place and take the last value, in a small map and in
        // a large one.
        for n in [3, 20] {
            let mut entries: Vec<(String, u8)> = (0..n).map(|i| (i.to_string(), i)).collect();
            entries.push(("1".into(), 99));
            let entries = Entries(entries);
            let body = to_body(&entries).ok();
            assert_eq!(body, serde_json::to_value(&entries).ok().map(Body::from));
            assert_eq!(
                body.as_ref().map(|b| b["1"].clone()),
                Some(Body::from(json!(99)))
            );
            assert_eq!(
                body.and_then(|b| b.as_object().map(|m| m.len())),
                Some(usize::from(n))
            );
        }
        let bad: BTreeMap<Vec<u8>, u8> = BTreeMap::from([(vec![1], 1)]);
        assert!(to_body(&bad).is_err() && serde_json::to_value(&bad).is_err());
    }
}
