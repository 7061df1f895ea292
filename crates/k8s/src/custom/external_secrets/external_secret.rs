//! `ExternalSecret` (external-secrets.io/v1): a Kubernetes Secret External Secrets keeps in sync
//! with secrets of the cloud's secret store, named by typed handles, never by strings.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use stacksmith_core::{
    Construct, KubeUse, Lower, Lowering, NameOrigin, NameRule, Scope, SourceKind, StoredSecret,
};

use crate::custom::external_secrets::cluster_secret_store::ClusterSecretStoreRef;
use crate::custom::{CustomResourceKind, Manifest, Namespaced, lower_typed};
use crate::labels::check_data_keys;
use crate::{NamespaceRef, SecretRef};

/// One piece of a templated key: literal text, or the value of a synced key.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Key(String),
}

/// A value assembled from synced keys and literal text, such as a connection URL; rendered as
/// an External Secrets template, so it is rebuilt whenever a synced value changes.
///
/// ```no_run
/// use stacksmith_k8s::SyncedTemplate;
/// let uri = SyncedTemplate::new()
///     .text("mongodb://")
///     .key("username")
///     .text(":")
///     .key("password")
///     .text("@")
///     .key("host")
///     .text(":27017/?tls=true");
/// // The same from a database secret's four fields:
/// let url = SyncedTemplate::connection_url("postgresql").text("/orders?sslmode=verify-full");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncedTemplate {
    pieces: Vec<Piece>,
}

impl SyncedTemplate {
    /// An empty template.
    pub fn new() -> Self {
        Self::default()
    }

    /// `<scheme>://<username>:<password>@<host>:<port>` from the synced keys of a database
    /// secret's fields (`ExternalSecret::fields_for_template(&db.stored_master_secret())`); append
    /// the path and options with [`text`](Self::text): `.text("/orders?sslmode=verify-full")`.
    /// The stack's generated passwords hold letters and digits only, so they need no escaping.
    pub fn connection_url(scheme: &str) -> Self {
        Self::new()
            .text(format!("{scheme}://"))
            .key("username")
            .text(":")
            .key("password")
            .text("@")
            .key("host")
            .text(":")
            .key("port")
    }

    /// Appends literal text (Go template delimiters in it are written escaped).
    #[must_use]
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.pieces.push(Piece::Text(text.into()));
        self
    }

    /// Appends the value of the synced key `key` (declared with [`ExternalSecret::key`] or
    /// [`ExternalSecret::field`]; SS0502 otherwise).
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.pieces.push(Piece::Key(key.into()));
        self
    }

    /// The Go template External Secrets renders.
    fn render(&self) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text(t) if t.contains("{{") || t.contains("}}") => {
                    out.push_str(&format!("{{{{ {} }}}}", go_string(t)));
                }
                Piece::Text(t) => out.push_str(t),
                Piece::Key(k) => out.push_str(&format!("{{{{ index . {} }}}}", go_string(k))),
            }
        }
        out
    }
}

/// A Go string literal.
fn go_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A synced key: from a whole cloud secret, or one JSON field of it.
#[derive(Clone, Debug)]
struct Synced {
    key: String,
    secret: StoredSecret,
    field: Option<String>,
    /// Whether the key is also a key of the Secret (not only a template input).
    visible: bool,
}

/// A Kubernetes Secret that External Secrets Operator creates and keeps in sync with secrets of
/// AWS Secrets Manager (an `ApplicationSecret`, a database's master secret, a cache's AUTH
/// token), through a [`ClusterSecretStore`](crate::ClusterSecretStore).
///
/// Creates: one `external-secrets.io/v1/ExternalSecret` whose target is the Secret of the same
/// name (owned by it: deleting the ExternalSecret deletes the Secret). The cloud secrets it
/// names are what `ClusterAddon::ExternalSecrets`' IAM role may read.
///
/// Defaults: refreshed every 60 minutes (External Secrets' own default, `1h`): a rotated value
/// reaches the Secret within the hour; `.refresh_minutes(..)` changes it. Env vars are read when
/// a container starts, so what restarts the pods after a rotation is Stakater Reloader: every
/// Deployment, StatefulSet and DaemonSet whose containers read the Secret (env var or mount)
/// gets `secret.reloader.stakater.com/reload: "<its synced Secrets>"` on its own metadata (not
/// the pod template, so writing it rolls nothing), which requires a reloader
/// (`ClusterAddon::Reloader`, installed by `.platform_defaults()`; SS0450 otherwise); Reloader
/// then rolls the pods when External Secrets writes a new value. Jobs and CronJobs are not
/// annotated (each run reads the current value), nor a `ProgressiveCanary`'s Rollout. Needs the
/// `external-secrets.io` CRDs (`ClusterAddon::ExternalSecrets`, SS0450 otherwise). The handle is
/// the target Secret's [`SecretRef`]: `Container::env_from_secret(name, &synced, "key")` reads
/// a key proven to exist.
///
/// ```no_run
/// use stacksmith_core::{Path, Ref, Stack, StoredSecret};
/// use stacksmith_k8s::*;
///
/// # let signing = StoredSecret { owner: Path::root("prod"), name: "prod-secret-key".into(),
/// #     arn: stacksmith_core::Address::resource("prod", "aws_secretsmanager_secret", "k").attr("arn"),
/// #     key: None, fields: vec![], unnamed: None };
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("apps"));
/// let store = stack.add(ClusterSecretStore::aws_secrets_manager("aws-secrets-manager"));
/// let synced = stack.add(ExternalSecret::new(&ns, "app-secrets", &store).key("secret-key", &signing));
/// let api = Container::new("api", "rocketgraph/api:1.0.0").env_from_secret("SECRET_KEY", &synced, "secret-key");
/// ```
#[derive(Clone, Debug)]
pub struct ExternalSecret {
    id: String,
    namespace: NamespaceRef,
    name: String,
    store: ClusterSecretStoreRef,
    refresh_minutes: u32,
    synced: Vec<Synced>,
    templates: Vec<(String, SyncedTemplate)>,
}

impl ExternalSecret {
    /// The Secret `name` in `namespace`, synced through `store`.
    pub fn new(
        namespace: &NamespaceRef,
        name: impl Into<String>,
        store: &ClusterSecretStoreRef,
    ) -> Self {
        let name = name.into();
        Self {
            id: crate::config::secret::external_id(&name),
            namespace: namespace.clone(),
            name,
            store: store.clone(),
            refresh_minutes: 60,
            synced: Vec::new(),
            templates: Vec::new(),
        }
    }

    /// Key `key` holds the whole value of `secret` (a plain-string secret: an
    /// `ApplicationSecret`, a cache's AUTH token).
    #[must_use]
    pub fn key(mut self, key: impl Into<String>, secret: &StoredSecret) -> Self {
        self.synced.push(Synced {
            key: key.into(),
            secret: secret.clone(),
            field: None,
            visible: true,
        });
        self
    }

    /// Key `key` holds the JSON field `field` of `secret` (a database's `password`); the field
    /// must be one the secret holds (SS0501).
    #[must_use]
    pub fn field(
        mut self,
        key: impl Into<String>,
        secret: &StoredSecret,
        field: impl Into<String>,
    ) -> Self {
        self.synced.push(Synced {
            key: key.into(),
            secret: secret.clone(),
            field: Some(field.into()),
            visible: true,
        });
        self
    }

    /// Reads every JSON field of `secret` as a template input under its own name, without
    /// making it a key of the Secret: for keys assembled with [`ExternalSecret::template`].
    #[must_use]
    pub fn fields_for_template(mut self, secret: &StoredSecret) -> Self {
        for f in &secret.fields {
            self.synced.push(Synced {
                key: f.clone(),
                secret: secret.clone(),
                field: Some(f.clone()),
                visible: false,
            });
        }
        self
    }

    /// Key `key` holds `template`, assembled from synced keys (a connection URL from a
    /// database's `username`, `password`, `host`), rebuilt whenever one of them changes.
    #[must_use]
    pub fn template(mut self, key: impl Into<String>, template: SyncedTemplate) -> Self {
        self.templates.push((key.into(), template));
        self
    }

    /// Sets how often the cloud values are read again. Default: 60 minutes (External Secrets'
    /// default): a rotated password reaches the Secret within the hour. At least 1 (SS0503).
    #[must_use]
    pub fn refresh_minutes(mut self, minutes: u32) -> Self {
        self.refresh_minutes = minutes;
        self
    }

    /// Sets the construct id. Default: the Secret's name, made a valid id.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// The keys the target Secret holds.
    fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .synced
            .iter()
            .filter(|s| s.visible)
            .map(|s| s.key.clone())
            .collect();
        keys.extend(self.templates.iter().map(|(k, _)| k.clone()));
        keys
    }
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExternalSecretSpec {
    #[schemars(pattern(r"^[0-9]+m$"))]
    refresh_interval: String,
    secret_store_ref: StoreRef,
    target: Target,
    #[schemars(length(min = 1))]
    data: Vec<DataItem>,
}

impl CustomResourceKind for ExternalSecretSpec {
    const API_VERSION: &'static str = "external-secrets.io/v1";
    const KIND: &'static str = "ExternalSecret";
    type Scope = Namespaced;
}

#[derive(Serialize, JsonSchema)]
struct StoreRef {
    kind: &'static str,
    #[schemars(length(min = 1))]
    name: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Target {
    #[schemars(length(min = 1, max = 253))]
    name: String,
    creation_policy: &'static str,
    template: TargetTemplate,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct TargetTemplate {
    engine_version: &'static str,
    r#type: &'static str,
    data: BTreeMap<String, String>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct DataItem {
    #[schemars(length(min = 1))]
    secret_key: String,
    remote_ref: RemoteRef,
}

#[derive(Serialize, JsonSchema)]
struct RemoteRef {
    #[schemars(length(min = 1))]
    key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    property: Option<String>,
}

impl Construct for ExternalSecret {
    type Handle = SecretRef;

    fn id_space(&self) -> Option<&'static str> {
        Some("Secret")
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, _scope: &Scope) -> SecretRef {
        SecretRef {
            name: self.name.clone(),
            namespace: self.namespace.name().to_owned(),
            keys: self.keys(),
            synced: true,
        }
    }
}

impl Lower for ExternalSecret {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let mut ok = cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &self.name,
            "name",
            NameOrigin::Given("`ExternalSecret::new(..)`"),
        );
        let keys = self.keys();
        check_data_keys(cx, "Secret", keys.iter().map(String::as_str));
        if self.synced.is_empty() {
            cx.error(
                "SS0504",
                format!("ExternalSecret `{}` syncs no key", self.name),
                "add `.key(name, &secret.stored())` or `.field(name, &db_secret, \"password\")`; a Secret with nothing in it is not worth a controller",
            );
            ok = false;
        }
        let mut unnamed: Vec<&str> = Vec::new();
        for s in &self.synced {
            if let Some(why) = &s.secret.unnamed {
                if !unnamed.contains(&why.as_str()) {
                    unnamed.push(why);
                    cx.error(
                        "SS0505",
                        format!(
                            "ExternalSecret `{}` key `{}` reads a secret it cannot name: {why}",
                            self.name, s.key
                        ),
                        "sync a secret the stack names (an `ApplicationSecret`, a database with `MasterPassword::StackSecret`, a cache's AUTH token)",
                    );
                }
                ok = false;
                continue;
            }
            let problem = match &s.field {
                Some(f) if !s.secret.has_field(f) => Some(if s.secret.fields.is_empty() {
                    format!(
                        "reads JSON field `{f}` of `{}`, which holds one plain string, not JSON",
                        s.secret.name
                    )
                } else {
                    format!(
                        "reads JSON field `{f}` of `{}`, which holds only {}",
                        s.secret.name,
                        s.secret.fields.join(", ")
                    )
                }),
                None if !s.secret.fields.is_empty() => Some(format!(
                    "reads the whole of `{}`, a JSON document ({}): the key would hold the document",
                    s.secret.name,
                    s.secret.fields.join(", ")
                )),
                _ => None,
            };
            if let Some(problem) = problem {
                cx.error(
                    "SS0501",
                    format!("ExternalSecret `{}` key `{}` {problem}", self.name, s.key),
                    "read a field the secret holds with `.field(key, &secret, field)`, or a plain-string secret whole with `.key(key, &secret)`",
                );
                ok = false;
            }
        }
        // Every synced key is one `data[].secretKey`: two sources under one key leave one of
        // them (ESO keeps the last), so a template would assemble a URL from the other
        // database's password.
        let mut sources: std::collections::HashMap<&str, &Synced> =
            std::collections::HashMap::new();
        for s in &self.synced {
            match sources.get(s.key.as_str()) {
                Some(first) if first.secret.name != s.secret.name || first.field != s.field => {
                    cx.error(
                        "SS0520",
                        format!(
                            "ExternalSecret `{}` syncs key `{}` from two sources: `{}`{} and `{}`{}",
                            self.name,
                            s.key,
                            first.secret.name,
                            first.field.as_ref().map(|f| format!(" field `{f}`")).unwrap_or_default(),
                            s.secret.name,
                            s.field.as_ref().map(|f| format!(" field `{f}`")).unwrap_or_default(),
                        ),
                        "give each a key of its own (`.field(\"db2-password\", &secret, \"password\")`), or sync the second secret in an ExternalSecret of its own",
                    );
                    ok = false;
                }
                Some(_) => {}
                None => {
                    sources.insert(&s.key, s);
                }
            }
        }
        for (key, t) in &self.templates {
            for p in &t.pieces {
                if let Piece::Key(k) = p {
                    if !self.synced.iter().any(|s| &s.key == k) {
                        cx.error(
                            "SS0502",
                            format!(
                                "ExternalSecret `{}` template `{key}` uses `{k}`, which it does not sync",
                                self.name
                            ),
                            "sync it first with `.key(..)`, `.field(..)` or `.fields_for_template(&secret)`",
                        );
                        ok = false;
                    }
                }
            }
        }
        if self.refresh_minutes == 0 {
            cx.error(
                "SS0503",
                format!(
                    "ExternalSecret `{}` has refresh interval 0: the Secret is written once and a rotated value never reaches it",
                    self.name
                ),
                "leave the default (60 minutes) or set `.refresh_minutes(..)` to at least 1",
            );
            ok = false;
        }
        for s in self.synced.iter().filter(|s| s.secret.unnamed.is_none()) {
            cx.sync_secret(&s.secret);
        }
        for key in &keys {
            cx.external(KubeUse {
                owner: cx.path().clone(),
                source: SourceKind::Secret,
                namespace: self.namespace.name().to_owned(),
                name: self.name.clone(),
                key: key.clone(),
                reader: format!("synced by ExternalSecret `{}`", self.name),
            });
        }
        let mut data: BTreeMap<String, String> = BTreeMap::new();
        for s in self.synced.iter().filter(|s| s.visible) {
            data.insert(
                s.key.clone(),
                SyncedTemplate::new().key(s.key.clone()).render(),
            );
        }
        for (key, t) in &self.templates {
            data.insert(key.clone(), t.render());
        }
        let spec = ExternalSecretSpec {
            refresh_interval: format!("{}m", self.refresh_minutes),
            secret_store_ref: StoreRef {
                kind: "ClusterSecretStore",
                name: self.store.name.clone(),
            },
            target: Target {
                name: self.name.clone(),
                creation_policy: "Owner",
                template: TargetTemplate {
                    engine_version: "v2",
                    r#type: "Opaque",
                    data,
                },
            },
            data: self
                .synced
                .iter()
                .map(|s| DataItem {
                    secret_key: s.key.clone(),
                    remote_ref: RemoteRef {
                        key: s.secret.name.clone(),
                        property: s.field.clone(),
                    },
                })
                .collect(),
        };
        let m = Manifest {
            api_version: ExternalSecretSpec::API_VERSION,
            kind: ExternalSecretSpec::KIND,
            name: &self.name,
            namespace: Some(self.namespace.name()),
            labels: &[],
            annotations: &[],
        };
        lower_typed(cx, &m, &spec, ok);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClusterSecretStore, Container, Deployment, Namespace};
    use stacksmith_core::{Address, Path, Stack};

    fn stored(name: &str, fields: &[&str]) -> StoredSecret {
        StoredSecret {
            owner: Path::root("prod"),
            name: name.to_owned(),
            arn: Address::resource("prod", "aws_secretsmanager_secret", name).attr("arn"),
            key: None,
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            unnamed: None,
        }
    }

    #[test]
    fn a_synced_secret_is_declared_and_its_url_assembled() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let store = stack.add(ClusterSecretStore::aws_secrets_manager("aws"));
        let db = stored("prod-db/master", &["username", "password", "host", "port"]);
        let synced = stack.add(
            ExternalSecret::new(&ns, "db", &store)
                .fields_for_template(&db)
                .template(
                    "url",
                    SyncedTemplate::new()
                        .text("postgres://")
                        .key("username")
                        .text(":")
                        .key("password")
                        .text("@")
                        .key("host"),
                ),
        );
        stack.add(Deployment::new(&ns, "api").container(
            Container::new("api", "acme/api:1.0.0").env_from_secret("DATABASE_URL", &synced, "url"),
        ));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(g.synced_secrets, vec![db]);
        let es = g.objects.iter().find(|o| o.kind == "ExternalSecret");
        let Some(es) = es else {
            panic!("no ExternalSecret");
        };
        insta::assert_json_snapshot!(es.body);
    }

    #[test]
    fn fails_bad_external_secrets() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let store = stack.add(ClusterSecretStore::aws_secrets_manager("aws"));
        let db = stored("prod-db/master", &["username", "password"]);
        let token = stored("prod-cache/auth-token", &[]);
        let managed = StoredSecret {
            unnamed: Some("RDS names it".to_owned()),
            ..stored("", &["password"])
        };
        stack.add(ExternalSecret::new(&ns, "managed", &store).field("pw", &managed, "password"));
        stack.add(ExternalSecret::new(&ns, "empty", &store));
        stack.add(
            ExternalSecret::new(&ns, "wrong", &store)
                .field("pw", &db, "passwd")
                .field("token", &token, "value")
                .key("whole", &db)
                .template("url", SyncedTemplate::new().key("user"))
                .refresh_minutes(0),
        );
        // Two databases' fields under the same names.
        let other = stored("prod-db2/master", &["username", "password"]);
        stack.add(
            ExternalSecret::new(&ns, "two-databases", &store)
                .fields_for_template(&db)
                .fields_for_template(&other),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
