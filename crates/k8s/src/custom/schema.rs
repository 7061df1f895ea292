//! A small JSON Schema (2020-12) validator for the schemas schemars derives, so a custom
//! resource is checked against its own type's schema before it is written.
//!
//! Evaluated: `$ref` (local `#/...` pointers), `type`, `enum`, `const`, `properties`,
//! `required`, `additionalProperties`, `patternProperties`, `propertyNames`,
//! `minProperties`/`maxProperties`, `dependentRequired`, `items`, `prefixItems`,
//! `minItems`/`maxItems`, `uniqueItems`, `contains`, `minimum`/`maximum`,
//! `exclusiveMinimum`/`exclusiveMaximum`, `multipleOf`, `minLength`/`maxLength` (in characters),
//! `pattern` (regex-lite syntax, unanchored as JSON Schema says), the integer `format`s schemars
//! writes (`int8`…`uint64`, `int`, `uint`), `nullable`, `allOf`, `anyOf`, `oneOf`, `not` and
//! `if`/`then`/`else`. Annotations (`title`, `description`, `default`, other `format`s...) are
//! ignored. Any other keyword (`unevaluatedProperties`, `$dynamicRef`...) is not evaluated and
//! is reported back as unsupported, so the caller can say so instead of passing silently.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// One way a value does not match its schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Violation {
    /// Where: `spec.cluster.shards`, `spec.endpoints[0].port`.
    pub(crate) path: String,
    /// What is wrong, naming the path and the value.
    pub(crate) problem: String,
    /// How to fix it.
    pub(crate) hint: String,
}

/// The outcome of a validation: every violation, and the keywords that were not evaluated.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) violations: Vec<Violation>,
    pub(crate) unsupported: BTreeSet<String>,
}

/// Keywords that only annotate, or that are handled together with another keyword.
const IGNORED: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$defs",
    "definitions",
    "title",
    "description",
    "default",
    "examples",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "format",
    "contentEncoding",
    "contentMediaType",
    "then",
    "else",
    "nullable",
];

/// Keywords this validator evaluates.
const EVALUATED: &[&str] = &[
    "$ref",
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
];

/// A bound on `$ref` chains, against a schema that refers to itself without consuming input.
const MAX_DEPTH: usize = 64;

/// Validates `value` (found at `path`, e.g. `spec`) against `schema`, whose `$ref`s resolve
/// inside `schema` itself.
pub(crate) fn validate(schema: &Value, value: &Value, path: &str) -> Report {
    let mut v = Validator {
        root: schema,
        report: Report::default(),
    };
    v.check(schema, value, path, 0);
    v.report
}

struct Validator<'s> {
    root: &'s Value,
    report: Report,
}

impl<'s> Validator<'s> {
    fn violation(&mut self, path: &str, problem: String, hint: String) {
        self.report.violations.push(Violation {
            path: path.to_owned(),
            problem,
            hint,
        });
    }

    /// Runs `schema` on `value` in a scratch validator: its violations, without recording them.
    fn trial(
        &mut self,
        schema: &'s Value,
        value: &Value,
        path: &str,
        depth: usize,
    ) -> Vec<Violation> {
        let mut sub = Validator {
            root: self.root,
            report: Report::default(),
        };
        sub.check(schema, value, path, depth);
        self.report.unsupported.append(&mut sub.report.unsupported);
        sub.report.violations
    }

    fn resolve(&mut self, reference: &str) -> Option<&'s Value> {
        let pointer = reference.strip_prefix('#')?;
        self.root.pointer(pointer)
    }

    fn check(&mut self, schema: &'s Value, value: &Value, path: &str, depth: usize) {
        let s = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => {
                self.violation(
                    path,
                    format!("`{path}` is not allowed here"),
                    format!("remove `{path}`"),
                );
                return;
            }
            Value::Object(s) => s,
            _ => {
                self.report
                    .unsupported
                    .insert("a schema that is not an object".to_owned());
                return;
            }
        };
        if depth > MAX_DEPTH {
            self.report
                .unsupported
                .insert("`$ref` nested too deeply".to_owned());
            return;
        }
        for k in s.keys() {
            if !IGNORED.contains(&k.as_str()) && !EVALUATED.contains(&k.as_str()) {
                self.report.unsupported.insert(format!("`{k}`"));
            }
        }
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            match self.resolve(r) {
                Some(target) => self.check(target, value, path, depth.saturating_add(1)),
                None => {
                    self.report.unsupported.insert(format!("`$ref` to `{r}`"));
                }
            }
        }
        if value.is_null() && s.get("nullable") == Some(&Value::Bool(true)) {
            return;
        }
        if !self.check_type(s, value, path) {
            return;
        }
        self.check_enum(s, value, path);
        match value {
            Value::Number(_) => self.check_number(s, value, path),
            Value::String(text) => self.check_string(s, text, path),
            Value::Array(items) => self.check_array(s, items, path, depth),
            Value::Object(map) => self.check_object(s, map, path, depth),
            Value::Null | Value::Bool(_) => {}
        }
        self.check_combinators(s, value, path, depth);
    }

    /// Checks `type`; false when the value has the wrong type (nothing else is worth checking).
    fn check_type(&mut self, s: &Map<String, Value>, value: &Value, path: &str) -> bool {
        let allowed: Vec<&str> = match s.get("type") {
            None => return true,
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            Some(_) => {
                self.report
                    .unsupported
                    .insert("a `type` that is not a name or list".to_owned());
                return true;
            }
        };
        let nullable = s.get("nullable") == Some(&Value::Bool(true));
        if allowed.iter().any(|t| has_type(value, t)) || (nullable && value.is_null()) {
            return true;
        }
        if value.is_null() {
            self.violation(
                path,
                format!(
                    "`{path}` is missing (null), but the schema wants {}",
                    article_list(&allowed)
                ),
                format!("set `{path}`"),
            );
        } else {
            self.violation(
                path,
                format!(
                    "`{path}` is {} ({}), but the schema wants {}",
                    with_article(type_name(value)),
                    show(value),
                    article_list(&allowed)
                ),
                format!("give `{path}` {}", article_list(&allowed)),
            );
        }
        false
    }

    fn check_enum(&mut self, s: &Map<String, Value>, value: &Value, path: &str) {
        if let Some(Value::Array(options)) = s.get("enum") {
            if !options.contains(value) {
                let list: Vec<String> = options.iter().map(show).collect();
                self.violation(
                    path,
                    format!(
                        "`{path}` is {}, which is not one of: {}",
                        show(value),
                        list.join(", ")
                    ),
                    format!("set `{path}` to one of: {}", list.join(", ")),
                );
            }
        }
        if let Some(c) = s.get("const") {
            if c != value {
                self.violation(
                    path,
                    format!(
                        "`{path}` is {}, but the schema allows only {}",
                        show(value),
                        show(c)
                    ),
                    format!("set `{path}` to {}", show(c)),
                );
            }
        }
    }

    fn check_number(&mut self, s: &Map<String, Value>, value: &Value, path: &str) {
        let Some(n) = value.as_f64() else { return };
        let bound = |k: &str| s.get(k).and_then(Value::as_f64);
        let shown = show(value);
        if let Some(min) = bound("minimum") {
            if n < min {
                self.violation(
                    path,
                    format!("`{path}` is {shown}, below the minimum {}", num(min)),
                    format!("set `{path}` to {} or more", num(min)),
                );
            }
        }
        if let Some(max) = bound("maximum") {
            if n > max {
                self.violation(
                    path,
                    format!("`{path}` is {shown}, above the maximum {}", num(max)),
                    format!("set `{path}` to {} or less", num(max)),
                );
            }
        }
        if let Some(min) = bound("exclusiveMinimum") {
            if n <= min {
                self.violation(
                    path,
                    format!("`{path}` is {shown}, but must be greater than {}", num(min)),
                    format!("set `{path}` above {}", num(min)),
                );
            }
        }
        if let Some(max) = bound("exclusiveMaximum") {
            if n >= max {
                self.violation(
                    path,
                    format!("`{path}` is {shown}, but must be less than {}", num(max)),
                    format!("set `{path}` below {}", num(max)),
                );
            }
        }
        if let Some(m) = bound("multipleOf") {
            if m > 0.0 && (n / m).fract() != 0.0 {
                self.violation(
                    path,
                    format!("`{path}` is {shown}, which is not a multiple of {}", num(m)),
                    format!("set `{path}` to a multiple of {}", num(m)),
                );
            }
        }
        if let Some((lo, hi)) = s.get("format").and_then(Value::as_str).and_then(int_range) {
            if n < lo || n > hi {
                self.violation(
                    path,
                    format!(
                        "`{path}` is {shown}, outside the range {}–{}",
                        num(lo),
                        num(hi)
                    ),
                    format!("set `{path}` between {} and {}", num(lo), num(hi)),
                );
            }
        }
    }

    fn check_string(&mut self, s: &Map<String, Value>, text: &str, path: &str) {
        let chars = text.chars().count() as u64;
        if let Some(min) = s.get("minLength").and_then(Value::as_u64) {
            if chars < min {
                let problem = if chars == 0 {
                    format!(
                        "`{path}` is empty, but needs at least {min} character{}",
                        plural(min)
                    )
                } else {
                    format!(
                        "`{path}` has {chars} character{}, fewer than the minimum {min}",
                        plural(chars)
                    )
                };
                self.violation(
                    path,
                    problem,
                    format!("give `{path}` at least {min} character{}", plural(min)),
                );
            }
        }
        if let Some(max) = s.get("maxLength").and_then(Value::as_u64) {
            if chars > max {
                self.violation(
                    path,
                    format!("`{path}` has {chars} characters, more than the maximum {max}"),
                    format!("shorten `{path}` to at most {max} characters"),
                );
            }
        }
        if let Some(pattern) = s.get("pattern").and_then(Value::as_str) {
            match regex_lite::Regex::new(pattern) {
                Ok(re) if !re.is_match(text) => self.violation(
                    path,
                    format!(
                        "`{path}` ({}) does not match the pattern `{pattern}`",
                        show_str(text)
                    ),
                    format!("write `{path}` in the form the pattern `{pattern}` describes"),
                ),
                Ok(_) => {}
                Err(_) => {
                    self.report
                        .unsupported
                        .insert(format!("`pattern` `{pattern}`"));
                }
            }
        }
    }

    fn check_array(
        &mut self,
        s: &'s Map<String, Value>,
        items: &[Value],
        path: &str,
        depth: usize,
    ) {
        let len = items.len() as u64;
        if let Some(min) = s.get("minItems").and_then(Value::as_u64) {
            if len < min {
                self.violation(
                    path,
                    format!(
                        "`{path}` has {len} item{}, fewer than the minimum {min}",
                        plural(len)
                    ),
                    format!("give `{path}` at least {min} item{}", plural(min)),
                );
            }
        }
        if let Some(max) = s.get("maxItems").and_then(Value::as_u64) {
            if len > max {
                self.violation(
                    path,
                    format!("`{path}` has {len} items, more than the maximum {max}"),
                    format!("give `{path}` at most {max} item{}", plural(max)),
                );
            }
        }
        if s.get("uniqueItems") == Some(&Value::Bool(true)) {
            for (i, item) in items.iter().enumerate() {
                if items.iter().take(i).any(|other| other == item) {
                    self.violation(
                        path,
                        format!("`{path}[{i}]` ({}) repeats an earlier item", show(item)),
                        format!("give each item of `{path}` once"),
                    );
                }
            }
        }
        let prefix: &[Value] = match s.get("prefixItems") {
            Some(Value::Array(p)) => p,
            _ => &[],
        };
        for (i, item) in items.iter().enumerate() {
            let at = format!("{path}[{i}]");
            if let Some(p) = prefix.get(i) {
                self.check(p, item, &at, depth);
            } else if let Some(each) = s.get("items") {
                self.check(each, item, &at, depth);
            }
        }
        if let Some(c) = s.get("contains") {
            let found = items.iter().enumerate().any(|(i, item)| {
                self.trial(c, item, &format!("{path}[{i}]"), depth)
                    .is_empty()
            });
            if !found {
                self.violation(
                    path,
                    format!("`{path}` has no item of the kind the schema requires"),
                    format!("add an item of the required kind to `{path}`"),
                );
            }
        }
    }

    fn check_object(
        &mut self,
        s: &'s Map<String, Value>,
        map: &Map<String, Value>,
        path: &str,
        depth: usize,
    ) {
        let field = |k: &str| {
            if path.is_empty() {
                k.to_owned()
            } else {
                format!("{path}.{k}")
            }
        };
        if let Some(Value::Array(required)) = s.get("required") {
            for k in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(k) {
                    let at = field(k);
                    self.violation(
                        &at,
                        format!("`{at}` is missing, and the schema requires it"),
                        format!("set `{at}`"),
                    );
                }
            }
        }
        let count = map.len() as u64;
        if let Some(min) = s.get("minProperties").and_then(Value::as_u64) {
            if count < min {
                self.violation(
                    path,
                    format!(
                        "`{path}` has {count} field{}, fewer than the minimum {min}",
                        plural(count)
                    ),
                    format!("set at least {min} field{} of `{path}`", plural(min)),
                );
            }
        }
        if let Some(max) = s.get("maxProperties").and_then(Value::as_u64) {
            if count > max {
                self.violation(
                    path,
                    format!("`{path}` has {count} fields, more than the maximum {max}"),
                    format!("set at most {max} field{} of `{path}`", plural(max)),
                );
            }
        }
        if let Some(Value::Object(deps)) = s.get("dependentRequired") {
            for (k, needs) in deps {
                if !map.contains_key(k) {
                    continue;
                }
                for n in needs
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if !map.contains_key(n) {
                        let at = field(n);
                        self.violation(
                            &at,
                            format!(
                                "`{at}` is missing, and the schema requires it when `{}` is set",
                                field(k)
                            ),
                            format!("set `{at}`, or unset `{}`", field(k)),
                        );
                    }
                }
            }
        }
        let properties = s.get("properties").and_then(Value::as_object);
        let patterns: Vec<(regex_lite::Regex, &'s Value)> = match s.get("patternProperties") {
            Some(Value::Object(p)) => p
                .iter()
                .filter_map(|(pat, sub)| match regex_lite::Regex::new(pat) {
                    Ok(re) => Some((re, sub)),
                    Err(_) => {
                        self.report
                            .unsupported
                            .insert(format!("`patternProperties` `{pat}`"));
                        None
                    }
                })
                .collect(),
            _ => Vec::new(),
        };
        for (k, v) in map {
            let at = field(k);
            if let Some(names) = s.get("propertyNames") {
                self.check(names, &Value::String(k.clone()), &at, depth);
            }
            let mut matched = false;
            if let Some(sub) = properties.and_then(|p| p.get(k)) {
                matched = true;
                self.check(sub, v, &at, depth);
            }
            for (re, sub) in &patterns {
                if re.is_match(k) {
                    matched = true;
                    self.check(sub, v, &at, depth);
                }
            }
            if matched {
                continue;
            }
            match s.get("additionalProperties") {
                Some(Value::Bool(false)) => {
                    let known: Vec<String> = properties
                        .map(|p| p.keys().map(|k| format!("`{k}`")).collect())
                        .unwrap_or_default();
                    self.violation(
                        &at,
                        format!("`{at}` is not a field the schema allows"),
                        if known.is_empty() {
                            format!("remove `{at}`")
                        } else {
                            format!("remove `{at}`; the allowed fields are {}", known.join(", "))
                        },
                    );
                }
                Some(extra) => self.check(extra, v, &at, depth),
                None => {}
            }
        }
    }

    fn check_combinators(
        &mut self,
        s: &'s Map<String, Value>,
        value: &Value,
        path: &str,
        depth: usize,
    ) {
        if let Some(Value::Array(all)) = s.get("allOf") {
            for sub in all {
                self.check(sub, value, path, depth.saturating_add(1));
            }
        }
        for (key, exactly_one) in [("anyOf", false), ("oneOf", true)] {
            let Some(Value::Array(alternatives)) = s.get(key) else {
                continue;
            };
            let results: Vec<Vec<Violation>> = alternatives
                .iter()
                .map(|alt| self.trial(alt, value, path, depth.saturating_add(1)))
                .collect();
            let passing = results.iter().filter(|r| r.is_empty()).count();
            if passing == 0 {
                // Report the violations of the one alternative the value's shape fits, when
                // there is exactly one (`Option<Enum>` is `anyOf: [enum, null]`); otherwise say
                // that no alternative fits.
                let fitting: Vec<usize> = alternatives
                    .iter()
                    .enumerate()
                    .filter(|(_, alt)| self.shape_fits(alt, value, depth.saturating_add(1)))
                    .map(|(i, _)| i)
                    .collect();
                if let [only] = fitting.as_slice() {
                    self.report
                        .violations
                        .extend(results.get(*only).into_iter().flatten().cloned());
                } else {
                    self.violation(
                        path,
                        format!(
                            "`{path}` ({}) matches none of the {} forms the schema allows",
                            show(value),
                            alternatives.len()
                        ),
                        format!("give `{path}` one of the allowed forms"),
                    );
                }
            } else if exactly_one && passing > 1 {
                self.violation(
                    path,
                    format!("`{path}` ({}) matches {passing} of the forms the schema allows, but must match exactly one", show(value)),
                    format!("make `{path}` unambiguous"),
                );
            }
        }
        if let Some(not) = s.get("not") {
            if self
                .trial(not, value, path, depth.saturating_add(1))
                .is_empty()
            {
                self.violation(
                    path,
                    format!("`{path}` ({}) has a form the schema forbids", show(value)),
                    format!("change `{path}`"),
                );
            }
        }
        if let Some(condition) = s.get("if") {
            let branch = if self
                .trial(condition, value, path, depth.saturating_add(1))
                .is_empty()
            {
                s.get("then")
            } else {
                s.get("else")
            };
            if let Some(b) = branch {
                self.check(b, value, path, depth.saturating_add(1));
            }
        }
    }

    /// Whether `value` passes the `type`, `const` and top-level `required` keywords of `schema`
    /// (through `$ref`s): the value is "of this alternative" even if something deeper is wrong.
    fn shape_fits(&mut self, schema: &'s Value, value: &Value, depth: usize) -> bool {
        let Value::Object(s) = schema else {
            return schema == &Value::Bool(true);
        };
        if depth > MAX_DEPTH {
            return false;
        }
        if let Some(target) = s
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| self.resolve(r))
        {
            if !self.shape_fits(target, value, depth.saturating_add(1)) {
                return false;
            }
        }
        let type_ok = match s.get("type") {
            Some(Value::String(t)) => has_type(value, t),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .any(|t| has_type(value, t)),
            _ => true,
        };
        let const_ok = s.get("const").is_none_or(|c| c == value);
        let (required_ok, tags_ok) = match value {
            Value::Object(map) => {
                let required = s.get("required").and_then(Value::as_array);
                let required_ok = required
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .all(|k| map.contains_key(k));
                // A property fixed by `const` is a tag (`kind: Acme`) telling alternatives apart.
                let tags_ok = s
                    .get("properties")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .all(|(k, p)| match (p.get("const"), map.get(k)) {
                        (Some(c), Some(v)) => c == v,
                        _ => true,
                    });
                (required_ok, tags_ok)
            }
            _ => (true, true),
        };
        type_ok && const_ok && required_ok && tags_ok
    }
}

fn has_type(value: &Value, t: &str) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => match value {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        _ => false,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn with_article(t: &str) -> String {
    match t {
        "integer" | "array" | "object" => format!("an {t}"),
        "null" => "null".to_owned(),
        _ => format!("a {t}"),
    }
}

fn article_list(types: &[&str]) -> String {
    let named: Vec<String> = types
        .iter()
        .filter(|t| **t != "null")
        .map(|t| with_article(t))
        .collect();
    if named.is_empty() {
        "null".to_owned()
    } else {
        named.join(" or ")
    }
}

/// The value range of the integer `format`s schemars writes.
#[allow(clippy::cast_precision_loss)]
fn int_range(format: &str) -> Option<(f64, f64)> {
    Some(match format {
        "int8" => (f64::from(i8::MIN), f64::from(i8::MAX)),
        "int16" => (f64::from(i16::MIN), f64::from(i16::MAX)),
        "int32" => (f64::from(i32::MIN), f64::from(i32::MAX)),
        "int64" | "int" => (i64::MIN as f64, i64::MAX as f64),
        "uint8" => (0.0, f64::from(u8::MAX)),
        "uint16" => (0.0, f64::from(u16::MAX)),
        "uint32" => (0.0, f64::from(u32::MAX)),
        "uint64" | "uint" => (0.0, u64::MAX as f64),
        _ => return None,
    })
}

/// A bound for messages: whole numbers without a fraction.
fn num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A value for messages: compact JSON, at most 60 characters.
fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

fn show_str(text: &str) -> String {
    show(&Value::String(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(schema: &Value, value: &Value) -> Vec<String> {
        validate(schema, value, "spec")
            .violations
            .into_iter()
            .map(|v| v.problem)
            .collect()
    }

    #[test]
    fn required_type_enum_and_range_are_checked() {
        let schema = json!({
            "type": "object",
            "required": ["version", "mode"],
            "properties": {
                "version": {"type": "string", "minLength": 1},
                "mode": {"enum": ["Standalone", "Cluster"]},
                "shards": {"type": "integer", "format": "uint32", "minimum": 3}
            }
        });
        assert_eq!(
            problems(&schema, &json!({"mode": "Sentinel", "shards": 2})),
            vec![
                "`spec.version` is missing, and the schema requires it",
                "`spec.mode` is \"Sentinel\", which is not one of: \"Standalone\", \"Cluster\"",
                "`spec.shards` is 2, below the minimum 3",
            ]
        );
        assert_eq!(
            problems(&schema, &json!({"version": 8, "mode": "Cluster"})),
            vec!["`spec.version` is an integer (8), but the schema wants a string"]
        );
        assert!(
            problems(
                &schema,
                &json!({"version": "8.0.4", "mode": "Cluster", "shards": 3})
            )
            .is_empty()
        );
    }

    #[test]
    fn refs_arrays_and_patterns_are_followed() {
        let schema = json!({
            "type": "object",
            "properties": {"endpoints": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Endpoint"}}},
            "$defs": {"Endpoint": {
                "type": "object",
                "required": ["port"],
                "additionalProperties": false,
                "properties": {
                    "port": {"type": "string"},
                    "interval": {"type": "string", "pattern": "^[0-9]+(ms|s|m|h)$"}
                }
            }}
        });
        assert_eq!(
            problems(
                &schema,
                &json!({"endpoints": [{"port": "http", "interval": "30 s", "x": 1}, {}]})
            ),
            vec![
                "`spec.endpoints[0].interval` (\"30 s\") does not match the pattern `^[0-9]+(ms|s|m|h)$`",
                "`spec.endpoints[0].x` is not a field the schema allows",
                "`spec.endpoints[1].port` is missing, and the schema requires it",
            ]
        );
        assert_eq!(
            problems(&schema, &json!({"endpoints": []})),
            vec!["`spec.endpoints` has 0 items, fewer than the minimum 1"]
        );
    }

    #[test]
    fn optional_enum_reports_the_inner_problem() {
        let schema = json!({
            "type": "object",
            "properties": {"policy": {"anyOf": [{"$ref": "#/$defs/P"}, {"type": "null"}]}},
            "$defs": {"P": {"type": "string", "enum": ["Halt", "Delete"]}}
        });
        assert!(problems(&schema, &json!({"policy": null})).is_empty());
        assert_eq!(
            problems(&schema, &json!({"policy": "Keep"})),
            vec!["`spec.policy` is \"Keep\", which is not one of: \"Halt\", \"Delete\""]
        );
        assert_eq!(
            problems(&schema, &json!({"policy": 3})),
            vec!["`spec.policy` (3) matches none of the 2 forms the schema allows"]
        );
    }

    #[test]
    fn unknown_keywords_are_reported_not_ignored() {
        let schema = json!({"type": "object", "unevaluatedProperties": false});
        let report = validate(&schema, &json!({}), "spec");
        assert!(report.violations.is_empty());
        assert_eq!(
            report.unsupported.into_iter().collect::<Vec<_>>(),
            vec!["`unevaluatedProperties`".to_owned()]
        );
    }

    #[test]
    fn integer_formats_bound_the_value() {
        let schema = json!({"type": "integer", "format": "int32"});
        assert_eq!(
            problems(&schema, &json!(3_000_000_000_u64)),
            vec!["`spec` is 3000000000, outside the range -2147483648–2147483647"]
        );
        assert!(problems(&schema, &json!(2.0)).is_empty());
    }
}
