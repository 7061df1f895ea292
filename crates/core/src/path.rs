//! Construct paths (`prod/api/deployment`): the identity every name and diagnostic derives from.

use std::fmt;
use std::sync::Arc;

/// Where a construct sits in its app: the stack name, then construct ids down the tree.
///
/// Paths are the one identity everything derives from: Terraform addresses, AWS names,
/// Kubernetes names, the private selector label and every diagnostic.
///
/// Every resource, object, diagnostic and handle of a construct holds its path: the segments
/// are shared, so a clone is a reference count, not a copy.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path {
    segments: Arc<[String]>,
}

impl Path {
    /// The root path of a stack.
    pub fn root(stack: &str) -> Self {
        Self {
            segments: Arc::from([stack.to_owned()]),
        }
    }

    /// The path of a child construct with the given id.
    #[must_use]
    pub fn child(&self, id: &str) -> Self {
        let segments: Vec<String> = self
            .segments
            .iter()
            .cloned()
            .chain(std::iter::once(id.to_owned()))
            .collect();
        Self {
            segments: segments.into(),
        }
    }

    /// The stack this path belongs to.
    pub fn stack(&self) -> &str {
        self.segments.first().map_or("", String::as_str)
    }

    /// The construct's own id (the last segment).
    pub fn id(&self) -> &str {
        self.segments.last().map_or("", String::as_str)
    }

    /// The segments below the stack, e.g. `["api", "deployment"]` for `prod/api/deployment`.
    pub fn below_stack(&self) -> &[String] {
        self.segments.get(1..).unwrap_or_default()
    }

    /// All segments, stack first.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// Whether `self` is `other` or one of its descendants.
    pub fn starts_with(&self, other: &Path) -> bool {
        self.segments.starts_with(&other.segments)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut segments = self.segments.iter();
        if let Some(first) = segments.next() {
            f.write_str(first)?;
        }
        for s in segments {
            f.write_str("/")?;
            f.write_str(s)?;
        }
        Ok(())
    }
}

/// Checks a construct id: 1–63 characters, ASCII letters, digits, `-` and `_`, starting with a
/// letter. Returns what is wrong, in words fit for a diagnostic.
pub fn validate_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("the id is empty".into());
    }
    if id.len() > 63 {
        return Err(format!(
            "the id `{id}` is {} characters long; at most 63 are allowed",
            id.len()
        ));
    }
    if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(format!("the id `{id}` must start with a letter"));
    }
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "the id `{id}` contains `{bad}`; only letters, digits, `-` and `_` are allowed"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_renders_with_slashes() {
        let p = Path::root("prod").child("api").child("deployment");
        assert_eq!(p.to_string(), "prod/api/deployment");
        assert_eq!(p.stack(), "prod");
        assert_eq!(p.id(), "deployment");
        assert_eq!(p.below_stack(), ["api", "deployment"]);
        assert!(p.starts_with(&Path::root("prod").child("api")));
    }

    #[test]
    fn ids_are_checked() {
        assert!(validate_id("api-v2_x").is_ok());
        assert!(validate_id("").is_err());
        assert!(validate_id("2api").is_err());
        assert!(validate_id("a/b").is_err());
        assert!(validate_id(&"a".repeat(64)).is_err());
    }
}
