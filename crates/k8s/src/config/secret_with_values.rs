//! `SecretWithValues`: a Secret the stack writes with its values, explicitly and warned about.

use std::collections::BTreeMap;

use crate::api::core_v1::Secret as KSecret;
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Scope};

use crate::NamespaceRef;
use crate::config::config_map::check_size;
use crate::config::secret::{Secret, SecretRef};
use crate::labels::{check_data_keys, meta, push, resolve_name};

/// A Secret whose values the stack writes into its output, made by [`Secret::with_values`].
///
/// Creates: one `v1/Secret` of `type: Opaque` with the values in `stringData` (the API server
/// encodes them into `data`; `stringData` keeps the output readable for review).
///
/// Defaults worth knowing: every synthesis warns (SS0365) — the values sit in plain text in
/// the generated YAML, in version control and CI logs if those keep it. Use it for non-critical
/// values in development; in production declare the Secret with [`Secret::external`] and let
/// External Secrets or the Secrets Store CSI driver bring the values from AWS Secrets Manager.
/// Keys are checked (SS0316) and the values may hold at most 1 MiB together (SS0366). The name
/// is the kebab-case construct path below the stack.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("dev", "us-east-1");
/// let ns = stack.add(Namespace::new("flagwise"));
/// let creds = stack.add(
///     Secret::with_values(&ns, "dev-credentials").insecure_value("redis-password", "dev-only"),
/// );
/// let api = Container::new("api", "flagwise/api:1.0.0")
///     .env_from_secret("REDIS_PASSWORD", &creds, "redis-password");
/// ```
#[derive(Clone, Debug)]
pub struct SecretWithValues {
    pub(super) id: String,
    pub(super) namespace: NamespaceRef,
    pub(super) name: Option<String>,
    pub(super) values: Vec<(String, String)>,
}

impl SecretWithValues {
    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a key and its value, written in plain text into the output (warns, SS0365).
    #[must_use]
    pub fn insecure_value(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.values.push((key.into(), value.into()));
        self
    }
}

impl Lower for SecretWithValues {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        check_data_keys(cx, "Secret", self.values.iter().map(|(k, _)| k.as_str()));
        check_size(
            cx,
            "Secret",
            self.values.iter().map(|(_, v)| v.len()).sum::<usize>(),
        );
        let keys: Vec<&str> = self.values.iter().map(|(k, _)| k.as_str()).collect();
        cx.warning(
            "SS0365",
            format!(
                "Secret `{name}` has its values ({}) written into the output in plain text",
                keys.join(", ")
            ),
            "prefer `Secret::external` with the values brought from AWS Secrets Manager (External Secrets or the Secrets Store CSI driver); keep `with_values` for development",
        );
        let ns = self.namespace.name();
        let values: BTreeMap<String, String> = self.values.iter().cloned().collect();
        let object = KSecret {
            metadata: meta(&name, Some(ns), [], []),
            type_: Some("Opaque".to_owned()),
            string_data: Some(values),
            ..KSecret::default()
        };
        push(cx, Some(ns), &name, &object);
    }
}

impl Construct for SecretWithValues {
    type Handle = SecretRef;

    fn id_space(&self) -> Option<&'static str> {
        Some("Secret")
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> SecretRef {
        // Made through the external declaration so SecretRef's fields are filled in one place.
        let name = resolve_name(self.name.as_ref(), &scope.path);
        let keys = self.values.iter().map(|(k, _)| k.as_str());
        Secret::external(&self.namespace, name, keys).reference()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Namespace, Secret};
    use stacksmith_core::Stack;

    #[test]
    fn secret_with_values_writes_string_data_and_warns() {
        let mut stack = Stack::new("dev", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let s = stack.add(
            Secret::with_values(&ns, "dev-credentials")
                .insecure_value("redis-password", "dev-only")
                .insecure_value("jwt-secret", "not-for-production"),
        );
        assert_eq!((s.name(), s.namespace()), ("dev-credentials", "apps"));
        stack.add(crate::Deployment::new(&ns, "api").container(
            crate::Container::new("api", "flagwise/api:1.0.0").env_from_secret(
                "REDIS_PASSWORD",
                &s,
                "redis-password",
            ),
        ));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let secret = &g.objects[1];
        assert_eq!(secret.kind, "Secret");
        assert_eq!(secret.body.get("data"), None);
        assert_eq!(secret.body["type"], "Opaque");
        assert_eq!(
            secret.body["stringData"],
            serde_json::json!({"jwt-secret": "not-for-production", "redis-password": "dev-only"})
        );
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
