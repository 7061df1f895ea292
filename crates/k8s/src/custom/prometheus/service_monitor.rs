//! Prometheus Operator `ServiceMonitor` (monitoring.coreos.com/v1): scraping a Service's named
//! metrics port, made by the `ServiceRef::monitor` intent method.

use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;
use stacksmith_core::{
    Construct, KubeUse, Lower, Lowering, NameOrigin, NameRule, Path, Scope, SourceKind,
};

use crate::custom::{CustomResourceKind, Manifest, Namespaced, lower_typed};
use crate::labels::{MANAGED_BY_LABEL, resolve_name};
use crate::{SecretRef, ServiceRef};

/// A Prometheus duration (`30s`, `1m30s`, `500ms`), as the operator's CRD accepts it.
const PROMETHEUS_DURATION: &str =
    r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$";

/// TLS for scraping over HTTPS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScrapeTls {
    server_name: String,
    ca: Option<(SecretRef, String)>,
}

impl ScrapeTls {
    /// Verifies the target's certificate for `server_name` (usually the Service's DNS name,
    /// `api.rocketgraph-api.svc`) against Prometheus's trusted roots. Certificate verification is
    /// always on.
    pub fn new(server_name: impl Into<String>) -> Self {
        Self {
            server_name: server_name.into(),
            ca: None,
        }
    }

    /// Trusts the CA certificate under `key` of `secret` (which must be in the Service's
    /// namespace) instead of the default roots. Default: the default roots.
    #[must_use]
    pub fn ca_from_secret(mut self, secret: &SecretRef, key: impl Into<String>) -> Self {
        self.ca = Some((secret.clone(), key.into()));
        self
    }
}

/// A Prometheus Operator ServiceMonitor scraping one named port of a Service, made by
/// [`ServiceRef::monitor`].
///
/// Creates: one `monitoring.coreos.com/v1/ServiceMonitor` in the Service's namespace.
///
/// Selection: Services made by stacksmith carry only the label
/// `app.kubernetes.io/managed-by: stacksmith`, so the selector matches that label in the
/// Service's namespace (`namespaceSelector.matchNames`) and the endpoint keeps only targets whose
/// `__meta_kubernetes_service_name` is this Service's name (a `keep` relabeling): exactly this
/// Service is scraped.
///
/// Defaults: path `/metrics`, interval 30s, scheme `http` (HTTPS with certificate verification
/// when [`ServiceMonitor::tls`] is set), Prometheus's scrape timeout (10s, or the interval if
/// shorter). The construct id is `monitor`, a child of the Deployment, so the name is
/// `<deployment>-monitor`. The port must be a named port of the Service (SS0380). Prometheus
/// instances usually select ServiceMonitors by label (kube-prometheus-stack: `release:
/// <release>`); add it with [`ServiceMonitor::label`].
///
/// ```no_run
/// use std::time::Duration;
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("dbaas-system"));
/// let api = stack.add(
///     Deployment::new(&ns, "dbaas-api").container(
///         Container::new("api", "rocketgraph/dbaas-api:1.4.2").port("http", 8000).port("metrics", 9090),
///     ),
/// );
/// let svc = stack.add(api.expose_via_service(80, "http").port(9090, "metrics"));
/// stack.add(svc.monitor("metrics").interval(Duration::from_secs(15)).label("release", "prometheus"));
/// ```
#[derive(Clone, Debug)]
pub struct ServiceMonitor {
    service: ServiceRef,
    id: String,
    name: Option<String>,
    port: String,
    path: String,
    interval: Duration,
    scrape_timeout: Option<Duration>,
    tls: Option<ScrapeTls>,
    labels: Vec<(String, String)>,
}

impl ServiceRef {
    /// A ServiceMonitor (id `monitor`, a child of the Deployment) scraping this Service's port
    /// named `port` every 30s at `/metrics`.
    pub fn monitor(&self, port: impl Into<String>) -> ServiceMonitor {
        ServiceMonitor {
            service: self.clone(),
            id: "monitor".to_owned(),
            name: None,
            port: port.into(),
            path: "/metrics".to_owned(),
            interval: Duration::from_secs(30),
            scrape_timeout: None,
            tls: None,
            labels: Vec::new(),
        }
    }
}

impl ServiceMonitor {
    /// Sets the construct id, for a second monitor of the same Deployment. Default: `monitor`.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the HTTP path metrics are served at. Default: `/metrics`.
    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Sets how often targets are scraped (whole milliseconds). Default: 30s.
    #[must_use]
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Sets how long a scrape may take, at most the interval. Default: Prometheus's (10s, or the
    /// interval if shorter).
    #[must_use]
    pub fn scrape_timeout(mut self, timeout: Duration) -> Self {
        self.scrape_timeout = Some(timeout);
        self
    }

    /// Scrapes over HTTPS, verifying the certificate. Default: plain HTTP.
    #[must_use]
    pub fn tls(mut self, tls: ScrapeTls) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Adds a label to the ServiceMonitor object (what a Prometheus `serviceMonitorSelector`
    /// matches).
    #[must_use]
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((key.into(), value.into()));
        self
    }
}

/// A handle to a [`ServiceMonitor`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceMonitorRef {
    path: Path,
    name: String,
    namespace: String,
}

impl ServiceMonitorRef {
    /// Its construct path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its object name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }
}

/// `d` in Prometheus's duration syntax (`1h30m`, `1s500ms`), or why it cannot be written: zero,
/// or not a whole number of milliseconds.
pub(crate) fn prometheus_duration(d: Duration) -> Result<String, &'static str> {
    if d.is_zero() {
        return Err("is zero");
    }
    if d.subsec_nanos() % 1_000_000 != 0 {
        return Err("is not a whole number of milliseconds");
    }
    let mut ms = d.as_millis();
    let mut out = String::new();
    for (unit, size) in [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
        if let (Some(n), Some(rest)) = (ms.checked_div(size), ms.checked_rem(size))
            && n > 0
        {
            out.push_str(&format!("{n}{unit}"));
            ms = rest;
        }
    }
    Ok(out)
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServiceMonitorSpec {
    selector: LabelSelector,
    namespace_selector: NamespaceSelector,
    #[schemars(length(min = 1))]
    endpoints: Vec<Endpoint>,
}

impl CustomResourceKind for ServiceMonitorSpec {
    const API_VERSION: &'static str = "monitoring.coreos.com/v1";
    const KIND: &'static str = "ServiceMonitor";
    type Scope = Namespaced;
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct LabelSelector {
    match_labels: std::collections::BTreeMap<String, String>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct NamespaceSelector {
    #[schemars(length(min = 1))]
    match_names: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Endpoint {
    #[schemars(length(min = 1))]
    port: String,
    #[schemars(pattern(r"^/"))]
    path: String,
    #[schemars(pattern(PROMETHEUS_DURATION))]
    interval: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(PROMETHEUS_DURATION))]
    scrape_timeout: Option<String>,
    scheme: Scheme,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_config: Option<TlsConfig>,
    relabelings: Vec<Relabeling>,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Scheme {
    Http,
    Https,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct TlsConfig {
    #[schemars(length(min = 1))]
    server_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    ca: Option<SecretOrConfigMap>,
}

#[derive(Serialize, JsonSchema)]
struct SecretOrConfigMap {
    secret: SecretKeySelector,
}

#[derive(Serialize, JsonSchema)]
struct SecretKeySelector {
    name: String,
    key: String,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Relabeling {
    #[schemars(length(min = 1))]
    source_labels: Vec<String>,
    regex: String,
    action: RelabelAction,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum RelabelAction {
    Keep,
}

impl ServiceMonitor {
    /// Checks the port, path and durations; true when all are valid.
    fn check(&self, cx: &mut Lowering<'_>) -> bool {
        let mut ok = true;
        let s = &self.service;
        if !s.ports.iter().any(|(n, _)| n == &self.port) {
            ok = false;
            let named: Vec<String> = s
                .ports
                .iter()
                .map(|(n, p)| format!("`{n}` ({p})"))
                .collect();
            cx.error(
                "SS0380",
                format!(
                    "ServiceMonitor scrapes port `{}`, which Service `{}` does not have",
                    self.port, s.name
                ),
                format!(
                    "monitor one of the Service's named ports: {}; or add the port with `.port(number, \"{}\")` on the Service",
                    named.join(", "),
                    self.port
                ),
            );
        }
        if !self.path.starts_with('/') {
            ok = false;
            cx.error(
                "SS0382",
                format!(
                    "ServiceMonitor path `{}` does not start with `/`",
                    self.path
                ),
                format!("write the path as `/{}`", self.path),
            );
        }
        let durations = [
            ("interval", Some(self.interval)),
            ("scrape timeout", self.scrape_timeout),
        ];
        for (what, d) in durations {
            let Some(d) = d else { continue };
            if let Err(problem) = prometheus_duration(d) {
                ok = false;
                cx.error(
                    "SS0381",
                    format!("ServiceMonitor {what} ({d:?}) {problem}"),
                    "use a positive whole number of milliseconds (`Duration::from_secs(30)`)",
                );
            }
        }
        if let Some(t) = self.scrape_timeout {
            if t > self.interval {
                ok = false;
                cx.error(
                    "SS0381",
                    format!(
                        "ServiceMonitor scrape timeout ({t:?}) is longer than its interval ({:?})",
                        self.interval
                    ),
                    "Prometheus rejects a timeout longer than the interval; shorten the timeout or lengthen the interval",
                );
            }
        }
        if let Some(ScrapeTls {
            server_name,
            ca: Some((secret, key)),
        }) = &self.tls
        {
            if secret.namespace() != s.namespace {
                ok = false;
                cx.error(
                    "SS0319",
                    format!(
                        "ServiceMonitor reads its CA from Secret `{}` in namespace `{}`, but scrapes namespace `{}`",
                        secret.name(),
                        secret.namespace(),
                        s.namespace
                    ),
                    "Prometheus reads the CA from the ServiceMonitor's namespace; declare the Secret there",
                );
            }
            ok &= cx.check_name(&NameRule::DNS_SUBDOMAIN, server_name, "TLS server name");
            cx.uses(KubeUse {
                owner: cx.path().clone(),
                source: SourceKind::Secret,
                namespace: secret.namespace().to_owned(),
                name: secret.name().to_owned(),
                key: key.clone(),
                reader: "the ServiceMonitor's TLS CA".to_owned(),
            });
        }
        ok
    }

    fn spec(&self) -> ServiceMonitorSpec {
        let s = &self.service;
        let duration = |d: Duration| prometheus_duration(d).unwrap_or_default();
        ServiceMonitorSpec {
            selector: LabelSelector {
                match_labels: [(MANAGED_BY_LABEL.to_owned(), "stacksmith".to_owned())].into(),
            },
            namespace_selector: NamespaceSelector {
                match_names: vec![s.namespace.clone()],
            },
            endpoints: vec![Endpoint {
                port: self.port.clone(),
                path: self.path.clone(),
                interval: duration(self.interval),
                scrape_timeout: self.scrape_timeout.map(duration),
                scheme: if self.tls.is_some() {
                    Scheme::Https
                } else {
                    Scheme::Http
                },
                tls_config: self.tls.as_ref().map(|t| TlsConfig {
                    server_name: t.server_name.clone(),
                    ca: t.ca.as_ref().map(|(secret, key)| SecretOrConfigMap {
                        secret: SecretKeySelector {
                            name: secret.name().to_owned(),
                            key: key.clone(),
                        },
                    }),
                }),
                relabelings: vec![Relabeling {
                    source_labels: vec!["__meta_kubernetes_service_name".to_owned()],
                    regex: s.name.clone(),
                    action: RelabelAction::Keep,
                }],
            }],
        }
    }
}

impl Lower for ServiceMonitor {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        let mut ok = cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        ok &= self.check(cx);
        let m = Manifest {
            api_version: ServiceMonitorSpec::API_VERSION,
            kind: ServiceMonitorSpec::KIND,
            name: &name,
            namespace: Some(&self.service.namespace),
            labels: &self.labels,
            annotations: &[],
        };
        lower_typed(cx, &m, &self.spec(), ok);
    }
}

impl Construct for ServiceMonitor {
    type Handle = ServiceMonitorRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.service.parent)
    }

    fn handle(&self, scope: &Scope) -> ServiceMonitorRef {
        ServiceMonitorRef {
            path: scope.path.clone(),
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: self.service.namespace.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Container, Deployment, Namespace, Secret};
    use stacksmith_core::Stack;

    fn stack() -> (Stack, ServiceRef) {
        let (stack, _, svc) = stack_ns();
        (stack, svc)
    }

    fn stack_ns() -> (Stack, crate::NamespaceRef, ServiceRef) {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("dbaas-system"));
        let api = stack.add(
            Deployment::new(&ns, "dbaas-api").container(
                Container::new("api", "rocketgraph/dbaas-api:1.4.2")
                    .port("http", 8000)
                    .port("metrics", 9090),
            ),
        );
        let svc = stack.add(api.expose_via_service(80, "http").port(9090, "metrics"));
        (stack, ns, svc)
    }

    #[test]
    fn monitor_selects_exactly_its_service_on_the_named_port() {
        let (mut stack, svc) = stack();
        let m = stack.add(svc.monitor("metrics").label("release", "prometheus"));
        assert_eq!(m.name(), "dbaas-api-monitor");
        assert_eq!(m.path().to_string(), "prod/dbaas-api/monitor");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let o = g.objects.iter().find(|o| o.kind == "ServiceMonitor");
        let Some(o) = o else {
            panic!("no ServiceMonitor")
        };
        assert_eq!(o.namespace.as_deref(), Some("dbaas-system"));
        let e = &o.body["spec"]["endpoints"][0];
        assert_eq!(e["port"], "metrics");
        assert_eq!(e["path"], "/metrics");
        assert_eq!(e["interval"], "30s");
        assert_eq!(e["relabelings"][0]["regex"], "dbaas-api-service");
        assert_eq!(o.body["metadata"]["labels"]["release"], "prometheus");
        insta::assert_json_snapshot!(o.body);
    }

    #[test]
    fn https_scrape_verifies_with_a_declared_ca() {
        let (mut stack, ns, svc) = stack_ns();
        let ca = stack.add(Secret::external(&ns, "metrics-ca", ["ca.crt"]));
        stack.add(
            svc.monitor("metrics")
                .path("/internal/metrics")
                .interval(Duration::from_millis(1500))
                .scrape_timeout(Duration::from_secs(1))
                .tls(
                    ScrapeTls::new("dbaas-api-service.dbaas-system.svc")
                        .ca_from_secret(&ca, "ca.crt"),
                ),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let Some(o) = g.objects.iter().find(|o| o.kind == "ServiceMonitor") else {
            panic!("no ServiceMonitor")
        };
        let e = &o.body["spec"]["endpoints"][0];
        assert_eq!(e["scheme"], "https");
        assert_eq!(e["interval"], "1s500ms");
        assert_eq!(e["scrapeTimeout"], "1s");
        assert_eq!(
            e["tlsConfig"],
            serde_json::json!({"serverName": "dbaas-api-service.dbaas-system.svc", "ca": {"secret": {"name": "metrics-ca", "key": "ca.crt"}}})
        );
    }

    #[test]
    fn durations_use_prometheus_syntax() {
        assert_eq!(
            prometheus_duration(Duration::from_secs(30)),
            Ok("30s".to_owned())
        );
        assert_eq!(
            prometheus_duration(Duration::from_secs(90)),
            Ok("1m30s".to_owned())
        );
        assert_eq!(
            prometheus_duration(Duration::from_secs(7200)),
            Ok("2h".to_owned())
        );
        assert_eq!(
            prometheus_duration(Duration::from_millis(250)),
            Ok("250ms".to_owned())
        );
        assert!(prometheus_duration(Duration::ZERO).is_err());
        assert!(prometheus_duration(Duration::from_micros(1500)).is_err());
    }

    #[test]
    fn fails_port_the_service_does_not_have() {
        let (mut stack, svc) = stack();
        stack.add(svc.monitor("prometheus"));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_bad_path_and_durations() {
        let (mut stack, svc) = stack();
        stack.add(
            svc.monitor("metrics")
                .path("metrics")
                .interval(Duration::from_secs(10))
                .scrape_timeout(Duration::from_secs(20)),
        );
        stack.add(svc.monitor("metrics").id("fast").interval(Duration::ZERO));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
