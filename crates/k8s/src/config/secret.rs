//! `Secret`: a Secret provided outside the stack (External Secrets, sealed secrets, `kubectl`),
//! declared with its keys so workloads can read them; values reach the output only through the
//! explicit, warned-about `Secret::with_values`.

use stacksmith_core::{
    Construct, KubeUse, Lower, Lowering, NameOrigin, NameRule, Scope, SourceKind,
};

use crate::NamespaceRef;
use crate::config::secret_with_values::SecretWithValues;
use crate::labels::check_data_keys;

/// A Kubernetes Secret that something outside the stack provides.
///
/// Creates: nothing; it declares the Secret's keys, so every container reading one is proven to
/// read a key that exists, and lists the Secret as a prerequisite (synth summary and
/// `manifest.json`, with a `kubectl` check). A container reading a Secret nothing declares is an
/// error (SS0205). For a secret the stack makes, use an `ExternalSecret` instead.
///
/// Defaults: the construct id is the name with characters ids cannot hold replaced by `-`;
/// `.id(...)` changes it. [`Secret::reference`] gives the handle without adding the Secret.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("rocketgraph-api"));
/// let redis = stack.add(Secret::external(&ns, "redis-credentials", ["url"]));
/// let api = Container::new("api", "rocketgraph/public-api:1.0.0").env_from_secret("REDIS_URL", &redis, "url");
/// ```
#[derive(Clone, Debug)]
pub struct Secret {
    id: String,
    namespace: NamespaceRef,
    name: String,
    keys: Vec<String>,
}

impl Secret {
    /// A Secret named `name` in `namespace`, provided outside the stack, holding `keys`.
    pub fn external<'k>(
        namespace: &NamespaceRef,
        name: impl Into<String>,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Self {
        let name = name.into();
        Self {
            id: external_id(&name),
            namespace: namespace.clone(),
            keys: keys.into_iter().map(str::to_owned).collect(),
            name,
        }
    }

    /// A Secret the stack writes, values included, in plain text in the output and in every
    /// copy of it: see [`SecretWithValues`]. Prefer [`Secret::external`] with the values
    /// delivered by External Secrets from AWS Secrets Manager.
    pub fn with_values(namespace: &NamespaceRef, id: impl Into<String>) -> SecretWithValues {
        SecretWithValues {
            id: id.into(),
            namespace: namespace.clone(),
            name: None,
            values: Vec::new(),
        }
    }

    /// Sets the construct id. Default: the name, made a valid id.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// A handle without adding the Secret to the stack.
    pub fn reference(&self) -> SecretRef {
        SecretRef {
            name: self.name.clone(),
            namespace: self.namespace.name().to_owned(),
            keys: self.keys.clone(),
            synced: false,
        }
    }
}

/// A handle to a Secret, for `Container::env_from_secret`, [`Volume::secret`](crate::Volume::secret)
/// and image pull secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRef {
    pub(crate) name: String,
    pub(crate) namespace: String,
    /// The keys it was declared with (a whole-Secret volume proves the Secret exists by one).
    pub(crate) keys: Vec<String>,
    /// Whether External Secrets keeps it in sync with the cloud ([`ExternalSecret`](crate::ExternalSecret)):
    /// its values change under running pods, so the workloads reading it are restarted by Reloader.
    pub(crate) synced: bool,
}

impl SecretRef {
    /// The Secret's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }
}

/// A construct id from an object name: characters ids cannot hold become `-`, at most 63.
pub(crate) fn external_id(name: &str) -> String {
    name.chars()
        .take(63)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

impl Lower for Secret {
    fn lower(&self, cx: &mut Lowering<'_>) {
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &self.name,
            "name",
            NameOrigin::Given("`Secret::external(..)`"),
        );
        check_data_keys(cx, "Secret", self.keys.iter().map(String::as_str));
        let ns = self.namespace.name();
        cx.prerequisite(
            format!(
                "Kubernetes Secret `{ns}/{}` with key(s) {} (made outside the stack, before the Kubernetes objects are applied)",
                self.name,
                self.keys
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "kubectl -n {ns} get secret {} -o go-template='{{{{if and {}}}}}ok{{{{end}}}}' | grep -q ok",
                self.name,
                self.keys
                    .iter()
                    .map(|k| format!("(index .data \"{k}\")"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        );
        for key in &self.keys {
            let u = KubeUse {
                owner: cx.path().clone(),
                source: SourceKind::Secret,
                namespace: self.namespace.name().to_owned(),
                name: self.name.clone(),
                key: key.clone(),
                reader: "declared external".to_owned(),
            };
            cx.external(u);
        }
    }
}

impl Construct for Secret {
    type Handle = SecretRef;

    fn id_space(&self) -> Option<&'static str> {
        Some("Secret")
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, _scope: &Scope) -> SecretRef {
        self.reference()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Namespace;
    use stacksmith_core::Stack;

    #[test]
    fn external_secret_creates_no_object() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let s = stack.add(Secret::external(&ns, "redis-credentials", ["url"]));
        assert_eq!(s.name(), "redis-credentials");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(g.objects.len(), 1);
        assert_eq!(g.externals[0].name, "redis-credentials");
        assert_eq!(g.externals[0].source, SourceKind::Secret);
        assert_eq!(g.prerequisites.len(), 1);
        assert!(g.prerequisites[0].what.contains("`apps/redis-credentials`"));
    }

    #[test]
    fn fails_invalid_secret_name() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(Secret::external(&ns, "Redis_Credentials", ["url"]).id("redis"));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
