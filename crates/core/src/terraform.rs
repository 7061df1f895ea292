//! The neutral Terraform layer constructs lower into: resources, data sources, outputs and
//! provider requirements, with values that may hold typed references.
//!
//! Serializer corner cases, decided once here:
//! - absent vs empty: a key is written only if the construct set it; an empty list is written
//!   as `[]` on purpose (e.g. to clear the default security group's rules).
//! - numbers stay JSON numbers; booleans stay booleans (never `"true"`).
//! - literal strings escape Terraform's template sequences: `${` → `$${`, `%{` → `%%{`; a
//!   leading byte-order mark, which Terraform drops from a template, is written `${"\uFEFF"}`.
//! - references are written as `"${type.name.attr}"`; templates join adjacent literals before
//!   escaping them (`$` then `{x}` must not meet as `${x}`), and the `$`s of a literal right
//!   before an interpolation are written `${"$"}` (`$${` would escape it).
//! - a lone CR (not before a LF) is written `${"\r"}`: Terraform reads the rest of a template
//!   differently past one (it interpolates nothing and unescapes only some sequences).

use indexmap::IndexMap;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::{Address, Facts, Path, Ref, Template, reference::Part};

/// An attribute or block body: keys in insertion order.
pub type Map = IndexMap<Key, Value>;

/// A [`Map`]'s key: an attribute name written as a literal is held as it is (no allocation of
/// its own for each of the hundreds of thousands of keys a large stack has), a computed one
/// (a tag, a policy's statement) is owned.
pub type Key = std::borrow::Cow<'static, str>;

/// What [`tf!`](crate::tf) takes as a key: a `'static` literal (held as is) or a `String`
/// (a borrowed `&str` that is not `'static` is passed as `s.to_owned()`).
pub trait IntoKey {
    /// The key.
    fn into_key(self) -> Key;
}

impl IntoKey for &'static str {
    fn into_key(self) -> Key {
        Key::Borrowed(self)
    }
}

impl IntoKey for String {
    fn into_key(self) -> Key {
        Key::Owned(self)
    }
}

impl IntoKey for &String {
    fn into_key(self) -> Key {
        Key::Owned(self.clone())
    }
}

/// A Terraform JSON value that may hold references.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// Literal text (escaped on output).
    String(String),
    /// A reference to another resource's attribute.
    Ref(Ref<()>),
    /// Literals and references joined.
    Template(Template),
    /// A raw Terraform expression, written as `${expr}` (escape hatch; references inside it are
    /// not checked).
    Expr(String),
    /// A list, or a repeated block.
    List(Vec<Value>),
    /// An object, or a nested block.
    Map(Map),
}

impl Value {
    /// Every reference inside this value.
    pub fn refs<'a>(&'a self, out: &mut Vec<&'a Ref<()>>) {
        match self {
            Value::Ref(r) => out.push(r),
            Value::Template(t) => {
                for p in t.parts() {
                    if let Part::Ref(r) = p {
                        out.push(r);
                    }
                }
            }
            Value::List(l) => l.iter().for_each(|v| v.refs(out)),
            Value::Map(m) => m.values().for_each(|v| v.refs(out)),
            _ => {}
        }
    }

    /// The value at a dotted path of map keys (`vpc_config.endpoint_public_access`), if any.
    pub fn get(&self, dotted: &str) -> Option<&Value> {
        dotted.split('.').try_fold(self, |v, k| match v {
            Value::Map(m) => m.get(k),
            _ => None,
        })
    }
}

/// Literal text as a template that evaluates to exactly it.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_literal(&mut out, s, None);
    out
}

/// Appends literal text to a template being written (`out` is empty at its start), then
/// `${expr}` if given.
fn push_literal(out: &mut String, s: &str, then: Option<&str>) {
    let s = match s.strip_prefix('\u{feff}') {
        Some(rest) if out.is_empty() => {
            out.push_str("${\"\\uFEFF\"}");
            rest
        }
        _ => s,
    };
    let mut text = std::borrow::Cow::Borrowed(s);
    if s.contains('\r') {
        // Terraform reads a template differently past a lone CR (one not before a LF): each is
        // written as an interpolated string.
        let mut rest = String::new();
        let mut pieces = s.split_inclusive('\r').peekable();
        while let Some(piece) = pieces.next() {
            match piece.strip_suffix('\r') {
                Some(head) if !pieces.peek().is_some_and(|n| n.starts_with('\n')) => {
                    rest.push_str(head);
                    interpolate(out, &rest, "\"\\r\"");
                    rest.clear();
                }
                _ => rest.push_str(piece),
            }
        }
        text = std::borrow::Cow::Owned(rest);
    }
    match then {
        Some(expr) => interpolate(out, &text, expr),
        None => push_escaped(out, &text),
    }
}

/// Appends literal text, then `${expr}`. The text's trailing `$`s, which would escape the
/// interpolation (`$${`), are written as an interpolated string.
fn interpolate(out: &mut String, text: &str, expr: &str) {
    let head = text.trim_end_matches('$');
    push_escaped(out, head);
    if let Some(dollars) = text.strip_prefix(head).filter(|d| !d.is_empty()) {
        out.push_str("${\"");
        out.push_str(dollars);
        out.push_str("\"}");
    }
    out.push_str("${");
    out.push_str(expr);
    out.push('}');
}

/// Appends text with Terraform's template sequences escaped.
fn push_escaped(out: &mut String, s: &str) {
    if s.contains("${") || s.contains("%{") {
        out.push_str(&s.replace("${", "$${").replace("%{", "%%{"));
    } else {
        out.push_str(s);
    }
}

/// A template's parts as written: adjacent literals joined, then escaped.
fn template(t: &Template) -> String {
    let mut out = String::new();
    let mut literal = String::new();
    for p in t.parts() {
        match p {
            Part::Literal(l) => literal.push_str(l),
            Part::Ref(r) => {
                push_literal(&mut out, &literal, Some(&r.expression()));
                literal.clear();
            }
        }
    }
    push_literal(&mut out, &literal, None);
    out
}

/// A literal, or an object key, as written ([`escape`]): Terraform's JSON syntax reads the keys
/// of an object value as templates too (a tag key `${file("/etc/passwd")}` would be
/// evaluated), so they are escaped like literals. Text without a template sequence, a CR or a
/// leading byte-order mark is written as it is, without a copy.
fn escaped(k: &str) -> std::borrow::Cow<'_, str> {
    if k.contains("${") || k.contains("%{") || k.contains('\r') || k.starts_with('\u{feff}') {
        std::borrow::Cow::Owned(escape(k))
    } else {
        std::borrow::Cow::Borrowed(k)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::String(t) => s.serialize_str(&escaped(t)),
            // Written straight into the output, without a string of their own.
            Value::Ref(r) => s.collect_str(&r.interpolation()),
            Value::Expr(e) => s.collect_str(&format_args!("${{{e}}}")),
            Value::Template(t) => s.serialize_str(&template(t)),
            Value::List(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for v in l {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(&escaped(k), v)?;
                }
                map.end()
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::String(s.clone())
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<u32> for Value {
    fn from(i: u32) -> Self {
        Value::Int(i64::from(i))
    }
}
impl From<u16> for Value {
    fn from(i: u16) -> Self {
        Value::Int(i64::from(i))
    }
}
impl<T> From<Ref<T>> for Value {
    fn from(r: Ref<T>) -> Self {
        Value::Ref(r.untyped())
    }
}
impl<T> From<&Ref<T>> for Value {
    fn from(r: &Ref<T>) -> Self {
        Value::Ref(r.untyped())
    }
}
impl From<Template> for Value {
    fn from(t: Template) -> Self {
        Value::Template(t)
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Self {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}

/// Builds a [`Map`] from `key => value` pairs; values go through `Value::from`. The map is
/// allocated once, at its size (not grown and copied as the pairs go in).
#[macro_export]
macro_rules! tf {
    ($($k:expr => $v:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut m = $crate::terraform::Map::with_capacity(
            <[&str]>::len(&[$($crate::tf!(@one $k)),*]),
        );
        $( m.insert($crate::terraform::IntoKey::into_key($k), $crate::terraform::Value::from($v)); )*
        m
    }};
    (@one $k:expr) => {
        ""
    };
}

/// A managed resource or data source in a stack's Terraform root.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// `aws_vpc.network`.
    pub address: Address,
    /// The construct that created it.
    pub owner: Path,
    /// Arguments and nested blocks.
    pub body: Map,
    /// Explicit ordering (`depends_on`).
    pub depends_on: Vec<Address>,
    /// `lifecycle.ignore_changes` attribute paths.
    pub ignore_changes: Vec<String>,
    /// What the resource is, as the construct that created it declared.
    pub facts: Facts,
}

impl Resource {
    /// A resource with the given body.
    pub fn new(address: Address, owner: Path, body: Map) -> Self {
        Self {
            address,
            owner,
            body,
            depends_on: Vec::new(),
            ignore_changes: Vec::new(),
            facts: Facts::new(),
        }
    }

    /// Adds an explicit dependency.
    #[must_use]
    pub fn depends_on(mut self, a: &Address) -> Self {
        self.depends_on.push(a.clone());
        self
    }

    /// Ignores drift on an attribute (e.g. a node group's desired size managed by an autoscaler).
    #[must_use]
    pub fn ignore_changes(mut self, attr: &str) -> Self {
        self.ignore_changes.push(attr.to_owned());
        self
    }

    /// Declares what the resource is (replacing what was declared before).
    #[must_use]
    pub fn facts(mut self, facts: Facts) -> Self {
        self.facts = facts;
        self
    }

    /// A typed reference to one of its attributes.
    pub fn attr<T>(&self, attr: &str) -> Ref<T> {
        self.address.attr(attr)
    }

    /// The body as written to JSON, lifecycle and `depends_on` included (a copy; the
    /// synthesizer serializes the resource itself without copying).
    pub fn to_value(&self) -> Value {
        let mut body = self.body.clone();
        if !self.depends_on.is_empty() {
            let deps = self
                .depends_on
                .iter()
                .map(|a| Value::String(a.expression()))
                .collect();
            body.insert("depends_on".into(), Value::List(deps));
        }
        if !self.ignore_changes.is_empty() {
            let ign = self
                .ignore_changes
                .iter()
                .map(|a| Value::String(a.clone()))
                .collect();
            body.insert(
                "lifecycle".into(),
                Value::Map(crate::tf! { "ignore_changes" => Value::List(ign) }),
            );
        }
        Value::Map(body)
    }
}

impl Serialize for Resource {
    /// Writes the body, then `depends_on` and `lifecycle`, as [`Resource::to_value`] would.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let extra = usize::from(!self.depends_on.is_empty())
            .saturating_add(usize::from(!self.ignore_changes.is_empty()));
        let mut map = s.serialize_map(Some(self.body.len().saturating_add(extra)))?;
        for (k, v) in &self.body {
            map.serialize_entry(&escaped(k), v)?;
        }
        if !self.depends_on.is_empty() {
            let deps: Vec<String> = self.depends_on.iter().map(Address::expression).collect();
            map.serialize_entry("depends_on", &deps)?;
        }
        if !self.ignore_changes.is_empty() {
            map.serialize_entry(
                "lifecycle",
                &crate::tf! { "ignore_changes" => self.ignore_changes.clone() },
            )?;
        }
        map.end()
    }
}

/// A root-module output.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// Output name.
    pub name: String,
    /// The construct that declared it.
    pub owner: Path,
    /// Its value.
    pub value: Value,
    /// What it is, for `terraform output`.
    pub description: String,
    /// Hidden from plan output.
    pub sensitive: bool,
}

/// A provider the root needs: its source, pinned version and configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Provider {
    /// `hashicorp/aws`.
    pub source: String,
    /// Exact version, e.g. `6.47.0`.
    pub version: String,
    /// The provider block; `None` when the provider needs no configuration.
    pub config: Option<Map>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_template_sequences() {
        let v = Value::from("a ${b} %{c}");
        assert_eq!(
            serde_json::to_string(&v).ok(),
            Some(r#""a $${b} %%{c}""#.to_owned())
        );
    }

    #[test]
    fn keys_escape_template_sequences() {
        let v = Value::from(
            crate::tf! { "${file(\"/etc/passwd\")}" => "x", "%{ if true }k" => "y", "Name" => "z" },
        );
        assert_eq!(
            serde_json::to_string(&v).ok(),
            Some(r#"{"$${file(\"/etc/passwd\")}":"x","%%{ if true }k":"y","Name":"z"}"#.to_owned())
        );
    }

    #[test]
    fn template_literals_stay_literal_next_to_each_other_and_to_references() {
        let r: Ref = Address::resource("prod", "aws_s3_bucket", "b").attr("id");
        let t = |t: Template| serde_json::to_string(&Value::from(t)).ok();
        // `$` then `{x}` must not meet as `${x}`.
        assert_eq!(
            t(Template::new().lit("$").lit("{x}")),
            Some(r#""$${x}""#.to_owned())
        );
        // `$` before a reference: `$${` would turn the reference into text.
        assert_eq!(
            t(Template::new().lit("cost $$").with(&r)),
            Some(r#""cost ${\"$$\"}${aws_s3_bucket.b.id}""#.to_owned())
        );
        // Terraform interpolates nothing past a lone CR.
        assert_eq!(
            t(Template::new().lit("a\rb\r\n").with(&r)),
            Some(r#""a${\"\\r\"}b\r\n${aws_s3_bucket.b.id}""#.to_owned())
        );
        assert_eq!(
            serde_json::to_string(&Value::from("a\r${x}")).ok(),
            Some(r#""a${\"\\r\"}$${x}""#.to_owned())
        );
        // Terraform drops a template's leading byte-order mark.
        assert_eq!(
            serde_json::to_string(&Value::from("\u{feff}x")).ok(),
            Some(r#""${\"\\uFEFF\"}x""#.to_owned())
        );
    }

    #[test]
    fn references_and_templates_interpolate() {
        let host: Ref = Address::resource("prod", "aws_elasticache_replication_group", "cache")
            .attr("primary_endpoint_address");
        let t = Template::new()
            .lit("rediss://${x}")
            .with(&host)
            .lit(":6379");
        assert_eq!(
            serde_json::to_string(&Value::from(t)).ok(),
            Some(r#""rediss://$${x}${aws_elasticache_replication_group.cache.primary_endpoint_address}:6379""#.to_owned())
        );
    }
}
