//! `CustomResource`: any custom resource as a typed Rust struct, checked at synthesis against the
//! JSON schema derived from that struct, or as untyped JSON for kinds without a type.
//!
//! Output corner cases: the object is `apiVersion`, `kind`, `metadata` (name, namespace, the
//! managed-by label plus the user's labels, annotations when any), then the content: for a typed
//! resource `spec` is the struct as serde writes it (fields the struct skips are absent, `None`
//! without `skip_serializing_if` is `null`); for an untyped resource the given JSON object's
//! fields, in the given order.

pub(crate) mod cert_manager;
pub(crate) mod external_secrets;
pub(crate) mod kubedb;
pub(crate) mod prometheus;
mod schema;

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde::Serialize;
use serde_json::{Map, Value};
use stacksmith_core::{Construct, KubeObject, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::NamespaceRef;
use crate::config::secret::external_id;
use crate::labels::{check_key, check_labels, meta};

/// Whether a kind lives in a namespace; the scope of a [`CustomResourceKind`].
pub trait ResourceScope: sealed::Sealed {
    /// True for namespaced kinds.
    const NAMESPACED: bool;
}

/// Marks a kind whose objects live in a namespace (`MongoDB`, `ServiceMonitor`).
#[derive(Clone, Copy, Debug)]
pub enum Namespaced {}

/// Marks a cluster-scoped kind (`ClusterIssuer`).
#[derive(Clone, Copy, Debug)]
pub enum ClusterScoped {}

impl ResourceScope for Namespaced {
    const NAMESPACED: bool = true;
}

impl ResourceScope for ClusterScoped {
    const NAMESPACED: bool = false;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Namespaced {}
    impl Sealed for super::ClusterScoped {}
}

/// The `spec` of a custom resource kind: a serde + schemars struct that names its kind.
///
/// The JSON schema schemars derives from the struct (as the API server would read it: the
/// *deserialize* contract, so `#[schemars(required)]` on an `Option` field makes it required,
/// `#[schemars(range(min = 3))]` bounds a number, `#[schemars(pattern(...))]` constrains a
/// string) is checked against the serialised spec at synthesis; every violation is an error
/// (SS0370) naming the field path.
pub trait CustomResourceKind: Serialize + JsonSchema {
    /// `group/version`: `kubedb.com/v1`.
    const API_VERSION: &'static str;
    /// `MongoDB`.
    const KIND: &'static str;
    /// [`Namespaced`] or [`ClusterScoped`].
    type Scope: ResourceScope;
}

/// Any custom resource, typed or untyped.
///
/// Creates: one object of the given kind, with `metadata.name`, the namespace (for namespaced
/// kinds) and the label `app.kubernetes.io/managed-by: stacksmith`.
///
/// Checks: the name is a DNS subdomain; a typed spec matches the JSON schema derived from its
/// type (SS0370: missing required fields, wrong types, values outside an enum, range, length or
/// pattern, unknown fields where the type denies them); schema keywords the checker does not
/// evaluate are a warning (SS0372), never silently passed. An untyped resource is checked only
/// for its apiVersion, kind, name and shape (SS0371).
///
/// Defaults: the construct id is the name (characters ids cannot hold become `-`); `.id(...)`
/// changes it.
///
/// ```no_run
/// use schemars::JsonSchema;
/// use serde::Serialize;
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// #[derive(Serialize, JsonSchema)]
/// #[serde(rename_all = "camelCase")]
/// struct BackupScheduleSpec {
///     #[schemars(length(min = 1))]
///     schedule: String,
///     #[schemars(required)]
///     #[serde(skip_serializing_if = "Option::is_none")]
///     repository: Option<String>,
/// }
///
/// impl CustomResourceKind for BackupScheduleSpec {
///     const API_VERSION: &'static str = "backup.example.com/v1";
///     const KIND: &'static str = "BackupSchedule";
///     type Scope = Namespaced;
/// }
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("dbaas-system"));
/// stack.add(CustomResource::namespaced(
///     &ns,
///     "nightly",
///     BackupScheduleSpec { schedule: "0 3 * * *".into(), repository: Some("s3-backups".into()) },
/// ));
/// stack.add(CustomResource::untyped(
///     "example.com/v1alpha1",
///     "Widget",
///     Some(&ns),
///     "blue",
///     serde_json::json!({"spec": {"color": "blue"}}),
/// ));
/// ```
#[derive(Clone, Debug)]
pub struct CustomResource {
    id: String,
    api_version: String,
    kind: String,
    namespace: Option<NamespaceRef>,
    name: String,
    labels: Vec<(String, String)>,
    annotations: Vec<(String, String)>,
    content: Content,
}

#[derive(Clone, Debug)]
enum Content {
    /// A serialised spec and the schema of its type.
    Typed {
        spec: Result<Value, String>,
        schema: Value,
    },
    /// The object's fields other than apiVersion, kind and metadata.
    Untyped(Value),
}

impl CustomResource {
    /// A namespaced custom resource named `name` in `namespace`, with `spec`.
    pub fn namespaced<T>(namespace: &NamespaceRef, name: impl Into<String>, spec: T) -> Self
    where
        T: CustomResourceKind<Scope = Namespaced>,
    {
        Self::typed(Some(namespace), name.into(), &spec)
    }

    /// A cluster-scoped custom resource named `name`, with `spec`.
    pub fn cluster<T>(name: impl Into<String>, spec: T) -> Self
    where
        T: CustomResourceKind<Scope = ClusterScoped>,
    {
        Self::typed(None, name.into(), &spec)
    }

    /// The escape hatch for any other kind: `body` holds the object's fields other than
    /// apiVersion, kind and metadata (usually `{"spec": {...}}`) and is written as given; it is
    /// checked only for being a JSON object. `namespace` is `None` for cluster-scoped kinds.
    pub fn untyped(
        api_version: impl Into<String>,
        kind: impl Into<String>,
        namespace: Option<&NamespaceRef>,
        name: impl Into<String>,
        body: Value,
    ) -> Self {
        let name = name.into();
        Self {
            id: external_id(&name),
            api_version: api_version.into(),
            kind: kind.into(),
            namespace: namespace.cloned(),
            name,
            labels: Vec::new(),
            annotations: Vec::new(),
            content: Content::Untyped(body),
        }
    }

    fn typed<T: CustomResourceKind>(
        namespace: Option<&NamespaceRef>,
        name: String,
        spec: &T,
    ) -> Self {
        Self {
            id: external_id(&name),
            api_version: T::API_VERSION.to_owned(),
            kind: T::KIND.to_owned(),
            namespace: namespace.cloned(),
            name,
            labels: Vec::new(),
            annotations: Vec::new(),
            content: Content::Typed {
                spec: serde_json::to_value(spec).map_err(|e| e.to_string()),
                schema: schema_for::<T>(),
            },
        }
    }

    /// Sets the construct id. Default: the name, made a valid id.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Adds a label to the object.
    #[must_use]
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((key.into(), value.into()));
        self
    }

    /// Adds an annotation to the object.
    #[must_use]
    pub fn annotation(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.annotations.push((key.into(), value.into()));
        self
    }
}

/// A handle to a [`CustomResource`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomResourceRef {
    path: Path,
    api_version: String,
    kind: String,
    name: String,
    namespace: Option<String>,
}

impl CustomResourceRef {
    /// Its construct path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its apiVersion.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// Its kind.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// Its `metadata.name`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its namespace; `None` for cluster-scoped objects.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }
}

impl Lower for CustomResource {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let mut ok = cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &self.name,
            "name",
            NameOrigin::Given("the custom resource's constructor"),
        );
        ok &= check_identity(cx, &self.api_version, &self.kind);
        let content = match &self.content {
            Content::Typed { spec, schema } => match spec {
                Ok(spec) => {
                    if ok {
                        check_spec(cx, &self.kind, &self.name, schema, spec);
                    }
                    Some(Map::from_iter([("spec".to_owned(), spec.clone())]))
                }
                Err(e) => {
                    serialise_error(cx, &self.kind, &self.name, e);
                    None
                }
            },
            Content::Untyped(body) => untyped_content(cx, &self.kind, &self.name, body),
        };
        let Some(content) = content else { return };
        let m = Manifest {
            api_version: &self.api_version,
            kind: &self.kind,
            name: &self.name,
            namespace: self.namespace.as_ref().map(NamespaceRef::name),
            labels: &self.labels,
            annotations: &self.annotations,
        };
        push_manifest(cx, &m, content);
    }
}

impl Construct for CustomResource {
    type Handle = CustomResourceRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> CustomResourceRef {
        CustomResourceRef {
            path: scope.path.clone(),
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            namespace: self.namespace.as_ref().map(|n| n.name().to_owned()),
        }
    }
}

/// What a custom resource's object is made of, besides its content.
pub(crate) struct Manifest<'a> {
    pub(crate) api_version: &'a str,
    pub(crate) kind: &'a str,
    pub(crate) name: &'a str,
    pub(crate) namespace: Option<&'a str>,
    pub(crate) labels: &'a [(String, String)],
    pub(crate) annotations: &'a [(String, String)],
}

/// The JSON schema of `T` as the API server would read it (draft 2020-12, deserialize contract).
pub(crate) fn schema_for<T: JsonSchema>() -> Value {
    SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value()
}

/// Serialises a typed spec, checks it against its schema when `check` is set (callers skip the
/// check when their own, more specific checks already failed), and adds the object.
pub(crate) fn lower_typed<T: CustomResourceKind>(
    cx: &mut Lowering<'_>,
    m: &Manifest<'_>,
    spec: &T,
    check: bool,
) {
    match serde_json::to_value(spec) {
        Ok(value) => {
            if check {
                check_spec(cx, m.kind, m.name, &schema_for::<T>(), &value);
            }
            push_manifest(cx, m, Map::from_iter([("spec".to_owned(), value)]));
        }
        Err(e) => serialise_error(cx, m.kind, m.name, &e.to_string()),
    }
}

/// Checks labels and annotation keys, builds the object and adds it to the graph.
pub(crate) fn push_manifest(cx: &mut Lowering<'_>, m: &Manifest<'_>, content: Map<String, Value>) {
    check_labels(cx, m.labels);
    for (k, _) in m.annotations {
        check_key(cx, "annotation", k);
    }
    let metadata = meta(
        m.name,
        m.namespace,
        m.labels.iter().map(|(k, v)| (k, v)),
        m.annotations.iter().map(|(k, v)| (k, v)),
    );
    let metadata = match serde_json::to_value(&metadata) {
        Ok(v) => v,
        Err(e) => {
            serialise_error(cx, m.kind, m.name, &e.to_string());
            return;
        }
    };
    let mut body = Map::new();
    body.insert(
        "apiVersion".to_owned(),
        Value::String(m.api_version.to_owned()),
    );
    body.insert("kind".to_owned(), Value::String(m.kind.to_owned()));
    body.insert("metadata".to_owned(), metadata);
    body.extend(content);
    let owner = cx.path().clone();
    cx.object(KubeObject {
        owner,
        api_version: m.api_version.to_owned(),
        kind: m.kind.to_owned(),
        namespace: m.namespace.map(str::to_owned),
        name: m.name.to_owned(),
        body: Value::Object(body).into(),
    });
}

/// Records every way `spec` departs from `schema` (SS0370), and the schema keywords that were
/// not evaluated (SS0372). True when the spec matches.
pub(crate) fn check_spec(
    cx: &mut Lowering<'_>,
    kind: &str,
    name: &str,
    schema: &Value,
    spec: &Value,
) -> bool {
    let report = schema::validate(schema, spec, "spec");
    let ok = report.violations.is_empty();
    for v in report.violations {
        cx.error(
            "SS0370",
            format!("{kind} `{name}` does not match its schema: {}", v.problem),
            v.hint,
        );
    }
    if !report.unsupported.is_empty() {
        let list: Vec<String> = report.unsupported.into_iter().collect();
        cx.warning(
            "SS0372",
            format!(
                "{kind} `{name}`: its schema uses {}, which stacksmith does not check",
                list.join(", ")
            ),
            "those constraints are checked only by the API server at apply time; express them with keywords stacksmith checks (required, enum, range, length, pattern) to catch them at synthesis",
        );
    }
    ok
}

fn serialise_error(cx: &mut Lowering<'_>, kind: &str, name: &str, e: &str) {
    cx.error(
        "SS0300",
        format!("{kind} `{name}` could not be serialised: {e}"),
        "check the spec's Serialize implementation; maps need string keys and numbers must be finite",
    );
}

/// Checks an apiVersion (`group/version`, the group a DNS subdomain with a dot) and a kind
/// (an UpperCamelCase identifier); records SS0371.
fn check_identity(cx: &mut Lowering<'_>, api_version: &str, kind: &str) -> bool {
    let mut ok = true;
    let valid_version = api_version.split_once('/').is_some_and(|(group, version)| {
        group.contains('.')
            && NameRule::DNS_SUBDOMAIN.check(group).is_ok()
            && NameRule::DNS_LABEL.check(version).is_ok()
            && version.starts_with('v')
    });
    if !valid_version {
        ok = false;
        cx.error(
            "SS0371",
            format!("custom resource apiVersion `{api_version}` is not `group/version`"),
            "write the CRD's group and served version (`kubedb.com/v1`, `cert-manager.io/v1`); built-in kinds go through `RawObject` instead",
        );
    }
    let valid_kind = kind.starts_with(|c: char| c.is_ascii_uppercase())
        && kind.chars().all(|c| c.is_ascii_alphanumeric());
    if !valid_kind {
        ok = false;
        cx.error(
            "SS0371",
            format!("custom resource kind `{kind}` is not a kind name"),
            "write the kind as the CRD names it: letters and digits, starting with a capital (`ServiceMonitor`)",
        );
    }
    ok
}

/// The fields of an untyped body, or None (with SS0371) when it is not an object or sets the
/// fields stacksmith writes itself.
fn untyped_content(
    cx: &mut Lowering<'_>,
    kind: &str,
    name: &str,
    body: &Value,
) -> Option<Map<String, Value>> {
    let Value::Object(map) = body else {
        cx.error(
            "SS0371",
            format!("{kind} `{name}`: the body is not a JSON object but {body}"),
            "pass the object's fields other than apiVersion, kind and metadata: `json!({\"spec\": {...}})`",
        );
        return None;
    };
    let reserved: Vec<&str> = ["apiVersion", "kind", "metadata"]
        .into_iter()
        .filter(|k| map.contains_key(*k))
        .collect();
    if !reserved.is_empty() {
        cx.error(
            "SS0371",
            format!("{kind} `{name}`: the body sets {}, which stacksmith writes itself", reserved.join(", ")),
            "pass apiVersion, kind, namespace and name as arguments, and labels with `.label(...)`; the body holds the other fields",
        );
        return None;
    }
    Some(map.clone())
}

#[cfg(test)]
mod tests {
    use schemars::JsonSchema;
    use serde::Serialize;
    use serde_json::json;
    use stacksmith_core::Stack;

    use super::*;
    use crate::Namespace;

    #[derive(Serialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    struct BackupScheduleSpec {
        #[schemars(length(min = 1))]
        schedule: String,
        #[schemars(required)]
        #[serde(skip_serializing_if = "Option::is_none")]
        repository: Option<String>,
        #[schemars(range(min = 1, max = 90))]
        retention_days: u32,
        #[schemars(pattern(r"^[0-9]+(s|m|h)$"))]
        timeout: String,
        mode: BackupMode,
    }

    #[derive(Serialize, JsonSchema)]
    enum BackupMode {
        Full,
        Incremental,
    }

    impl CustomResourceKind for BackupScheduleSpec {
        const API_VERSION: &'static str = "backup.example.com/v1";
        const KIND: &'static str = "BackupSchedule";
        type Scope = Namespaced;
    }

    #[derive(Serialize, JsonSchema)]
    struct PolicySpec {
        enforce: bool,
    }

    impl CustomResourceKind for PolicySpec {
        const API_VERSION: &'static str = "policy.example.com/v1beta1";
        const KIND: &'static str = "ClusterPolicy";
        type Scope = ClusterScoped;
    }

    #[derive(Serialize, JsonSchema)]
    #[schemars(extend("unevaluatedProperties" = false))]
    struct LooseSpec {
        size: u32,
    }

    impl CustomResourceKind for LooseSpec {
        const API_VERSION: &'static str = "loose.example.com/v1";
        const KIND: &'static str = "Loose";
        type Scope = Namespaced;
    }

    fn good() -> BackupScheduleSpec {
        BackupScheduleSpec {
            schedule: "0 3 * * *".into(),
            repository: Some("s3-backups".into()),
            retention_days: 30,
            timeout: "30m".into(),
            mode: BackupMode::Full,
        }
    }

    fn stack() -> (Stack, NamespaceRef) {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("dbaas-system"));
        (stack, ns)
    }

    #[test]
    fn typed_resource_is_lowered_with_metadata_and_spec() {
        let (mut stack, ns) = stack();
        let h = stack.add(CustomResource::namespaced(&ns, "nightly", good()).label("team", "data"));
        assert_eq!(h.kind(), "BackupSchedule");
        assert_eq!(h.namespace(), Some("dbaas-system"));
        assert_eq!(h.path().to_string(), "prod/nightly");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let o = &g.objects[1];
        assert_eq!(o.namespace.as_deref(), Some("dbaas-system"));
        assert_eq!(
            o.body,
            json!({
                "apiVersion": "backup.example.com/v1",
                "kind": "BackupSchedule",
                "metadata": {
                    "labels": {"app.kubernetes.io/managed-by": "stacksmith", "team": "data"},
                    "name": "nightly",
                    "namespace": "dbaas-system"
                },
                "spec": {
                    "schedule": "0 3 * * *",
                    "repository": "s3-backups",
                    "retentionDays": 30,
                    "timeout": "30m",
                    "mode": "Full"
                }
            })
        );
    }

    #[test]
    fn cluster_scoped_resource_has_no_namespace() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(CustomResource::cluster(
            "require-labels",
            PolicySpec { enforce: true },
        ));
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(g.objects[0].namespace, None);
        assert_eq!(g.objects[0].body["metadata"].get("namespace"), None);
        assert_eq!(g.objects[0].body["spec"], json!({"enforce": true}));
    }

    #[test]
    fn fails_missing_required_field() {
        let (mut stack, ns) = stack();
        let spec = BackupScheduleSpec {
            repository: None,
            ..good()
        };
        stack.add(CustomResource::namespaced(&ns, "nightly", spec));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_length_range_and_pattern() {
        let (mut stack, ns) = stack();
        let spec = BackupScheduleSpec {
            schedule: String::new(),
            retention_days: 365,
            timeout: "30 minutes".into(),
            mode: BackupMode::Incremental,
            ..good()
        };
        stack.add(CustomResource::namespaced(&ns, "nightly", spec));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn unchecked_schema_keywords_are_a_warning() {
        let (mut stack, ns) = stack();
        stack.add(CustomResource::namespaced(
            &ns,
            "loose",
            LooseSpec { size: 1 },
        ));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert_eq!(g.diagnostics.warning_count(), 1);
        assert!(g.diagnostics.to_string().contains("SS0372"));
        assert!(
            g.diagnostics
                .to_string()
                .contains("`unevaluatedProperties`")
        );
    }

    #[test]
    fn untyped_resource_is_written_as_given() {
        let (mut stack, ns) = stack();
        let h = stack.add(
            CustomResource::untyped(
                "example.com/v1alpha1",
                "Widget",
                Some(&ns),
                "blue.widget",
                json!({"spec": {"color": "blue", "sizes": [1, 2]}}),
            )
            .annotation("example.com/owner", "data"),
        );
        assert_eq!(h.path().to_string(), "prod/blue-widget");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(
            g.objects[1].body,
            json!({
                "apiVersion": "example.com/v1alpha1",
                "kind": "Widget",
                "metadata": {
                    "annotations": {"example.com/owner": "data"},
                    "labels": {"app.kubernetes.io/managed-by": "stacksmith"},
                    "name": "blue.widget",
                    "namespace": "dbaas-system"
                },
                "spec": {"color": "blue", "sizes": [1, 2]}
            })
        );
    }

    #[test]
    fn fails_untyped_resource_with_bad_identity() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(
            CustomResource::untyped(
                "v1",
                "widget",
                None,
                "Blue",
                json!({"metadata": {}, "spec": {}}),
            )
            .id("widget"),
        );
        stack.add(CustomResource::untyped(
            "example.com/v1",
            "Widget",
            None,
            "red",
            json!([1]),
        ));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
