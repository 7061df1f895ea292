//! `ConfigMap`: non-secret configuration the stack owns.

use std::collections::BTreeMap;

use crate::api::ByteString;
use crate::api::core_v1::ConfigMap as KConfigMap;
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Scope};

use crate::NamespaceRef;
use crate::config::external_config_map::ExternalConfigMap;
use crate::labels::{check_data_keys, meta, push, resolve_name};

/// A Kubernetes ConfigMap: non-secret key/value configuration that containers read as env vars
/// or mount as files ([`Volume::config_map`](crate::Volume::config_map)).
///
/// Creates: one `v1/ConfigMap` holding the given `data`.
///
/// Defaults: name is the kebab-case construct id; keys are checked (`[-._a-zA-Z0-9]+`) and every
/// key a container reads with `env_from_config_map` is proven to exist before anything is written.
/// The values together may hold at most 1 MiB, as the API server allows (SS0366).
///
/// Files: [`ConfigMap::file`] and [`ConfigMap::binary_file`] take the contents, not a path —
/// read them with `include_str!`/`include_bytes!`. stacksmith's constructs never touch the
/// filesystem (the synthesizer is the only I/O): with `include_str!` the file is a compile-time
/// input, so a missing file is a compile error instead of a synth-time one, a changed file
/// rebuilds the stack definition, and the output depends on nothing outside the source tree.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("rocketgraph-api"));
/// let xgt = stack.add(ConfigMap::new(&ns, "xgt-config").data("host", "xgt.internal"));
/// let api = Container::new("api", "rocketgraph/public-api:1.0.0").env_from_config_map("XGT_HOST", &xgt, "host");
/// ```
#[derive(Clone, Debug)]
pub struct ConfigMap {
    id: String,
    namespace: NamespaceRef,
    name: Option<String>,
    data: Vec<(String, String)>,
    binary: Vec<(String, Vec<u8>)>,
}

/// The most a ConfigMap's or Secret's values may hold together: 1 MiB.
pub(crate) const MAX_DATA_BYTES: usize = 1024 * 1024;

/// Records SS0366 when the values of a ConfigMap or Secret exceed 1 MiB.
pub(crate) fn check_size(cx: &mut Lowering<'_>, kind: &str, bytes: usize) {
    if bytes > MAX_DATA_BYTES {
        cx.error(
            "SS0366",
            format!("the {kind}'s values hold {bytes} bytes; the API server accepts at most {MAX_DATA_BYTES} (1 MiB)"),
            "split the data over several objects, or keep large files in the image or object storage",
        );
    }
}

impl ConfigMap {
    /// A ConfigMap in `namespace`, owned by the stack.
    pub fn new(namespace: &NamespaceRef, id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            namespace: namespace.clone(),
            name: None,
            data: Vec::new(),
            binary: Vec::new(),
        }
    }

    /// A ConfigMap provided outside the stack (another tool, `kubectl`, the `cluster/` Terraform
    /// root), declaring the keys it holds so containers can read them.
    pub fn external<'k>(
        namespace: &NamespaceRef,
        name: impl Into<String>,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> ExternalConfigMap {
        let name = name.into();
        ExternalConfigMap {
            id: crate::config::secret::external_id(&name),
            namespace: namespace.clone(),
            keys: keys.into_iter().map(str::to_owned).collect(),
            name,
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a key and its value.
    #[must_use]
    pub fn data(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.data.push((key.into(), value.into()));
        self
    }

    /// Adds a file under `key` (its file name, `app.yaml`) holding `contents`, for a container
    /// to mount; read it at compile time:
    /// `.file("app.yaml", include_str!("../config/app.yaml"))`. Written to `data`.
    #[must_use]
    pub fn file(mut self, key: impl Into<String>, contents: impl Into<String>) -> Self {
        self.data.push((key.into(), contents.into()));
        self
    }

    /// Adds a file that is not UTF-8 text (a keystore, an image) under `key`:
    /// `.binary_file("truststore.jks", include_bytes!("../certs/truststore.jks"))`. Written
    /// base64-encoded to `binaryData`.
    #[must_use]
    pub fn binary_file(mut self, key: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        self.binary.push((key.into(), contents.into()));
        self
    }
}

/// A handle to a ConfigMap, for `Container::env_from_config_map` and
/// [`Volume::config_map`](crate::Volume::config_map).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigMapRef {
    pub(crate) name: String,
    pub(crate) namespace: String,
    /// The keys it holds (a whole-ConfigMap volume proves the ConfigMap exists by one).
    pub(crate) keys: Vec<String>,
}

impl ConfigMapRef {
    /// The ConfigMap's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }
}

impl Lower for ConfigMap {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        let keys = self
            .data
            .iter()
            .map(|(k, _)| k)
            .chain(self.binary.iter().map(|(k, _)| k));
        check_data_keys(cx, "ConfigMap", keys.map(String::as_str));
        for (key, value) in &self.data {
            let shape = crate::config::plaintext::looks_like_a_secret(value);
            if shape.is_some()
                || (!value.is_empty() && crate::config::plaintext::names_a_secret(key))
            {
                cx.warning(
                    "SS0491",
                    format!(
                        "ConfigMap key `{key}` holds {}: ConfigMaps are not encrypted at rest or access-controlled like Secrets",
                        shape.unwrap_or("a credential, by its name")
                    ),
                    "move it to a Secret (`Secret::external(..)` for one made outside the stack) and read it with `.env_from_secret(..)` or a Secret volume",
                );
            }
        }
        let bytes = self
            .data
            .iter()
            .map(|(_, v)| v.len())
            .chain(self.binary.iter().map(|(_, v)| v.len()))
            .fold(0usize, usize::saturating_add);
        check_size(cx, "ConfigMap", bytes);
        let ns = self.namespace.name();
        let data: BTreeMap<String, String> = self.data.iter().cloned().collect();
        let binary: BTreeMap<String, ByteString> = self
            .binary
            .iter()
            .map(|(k, v)| (k.clone(), ByteString(v.clone())))
            .collect();
        let object = KConfigMap {
            metadata: meta(&name, Some(ns), [], []),
            data: Some(data),
            binary_data: (!binary.is_empty()).then_some(binary),
            ..KConfigMap::default()
        };
        push(cx, Some(ns), &name, &object);
    }
}

impl Construct for ConfigMap {
    type Handle = ConfigMapRef;

    fn id_space(&self) -> Option<&'static str> {
        Some("ConfigMap")
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> ConfigMapRef {
        ConfigMapRef {
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: self.namespace.name().to_owned(),
            keys: self.data.iter().map(|(k, _)| k.clone()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Namespace;
    use stacksmith_core::Stack;

    #[test]
    fn config_map_holds_its_data() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let cm = stack.add(ConfigMap::new(&ns, "xgt-config").data("host", "xgt"));
        assert_eq!(cm.name(), "xgt-config");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(g.objects[1].body["data"]["host"], "xgt");
        assert_eq!(g.objects[1].keys(), ["host"]);
    }

    #[test]
    fn files_go_to_data_and_binary_files_to_binary_data() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(
            ConfigMap::new(&ns, "fluentd-config")
                .file("fluent.conf", "<source>\n  @type tail\n</source>\n")
                .binary_file("logo.png", [0x89_u8, b'P', b'N', b'G']),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let body = &g.objects[1].body;
        assert_eq!(
            body["data"]["fluent.conf"],
            "<source>\n  @type tail\n</source>\n"
        );
        assert_eq!(body["binaryData"]["logo.png"], "iVBORw==");
        assert_eq!(g.objects[1].keys(), ["fluent.conf", "logo.png"]);
    }

    #[test]
    fn fails_too_large_and_key_in_data_and_binary_data() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(
            ConfigMap::new(&ns, "cfg")
                .file("big.txt", "x".repeat(MAX_DATA_BYTES))
                .binary_file("big.txt", vec![0_u8; 1]),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_invalid_and_duplicate_keys() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        stack.add(
            ConfigMap::new(&ns, "cfg")
                .data("a b", "1")
                .data("x", "1")
                .data("x", "2"),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
