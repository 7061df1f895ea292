//! `Service`: a stable virtual IP and DNS name in front of a workload's pods, selecting them by
//! the identity label, and `ServiceRef`, whose intent method makes an Ingress.

use k8s_openapi::api::core::v1::{Service as KService, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use stacksmith_core::{Construct, Lower, Lowering, NameRule, Path, Scope};

use crate::Ingress;
use crate::labels::{identity_labels, meta, push, resolve_name};
use crate::pod::{Pods, describe_ports};

/// A container port, by name or by number: what a Service targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortRef {
    /// A named container port (`http`).
    Name(String),
    /// A container port number (`8000`).
    Number(u16),
}

impl From<&str> for PortRef {
    fn from(name: &str) -> Self {
        PortRef::Name(name.to_owned())
    }
}

impl From<String> for PortRef {
    fn from(name: String) -> Self {
        PortRef::Name(name)
    }
}

impl From<u16> for PortRef {
    fn from(port: u16) -> Self {
        PortRef::Number(port)
    }
}

impl std::fmt::Display for PortRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortRef::Name(n) => write!(f, "`{n}`"),
            PortRef::Number(p) => write!(f, "{p}"),
        }
    }
}

/// How a Service is reachable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ServiceType {
    /// Inside the cluster only. The default.
    #[default]
    ClusterIp,
    /// On a port of every node.
    NodePort,
    /// Through a cloud load balancer.
    LoadBalancer,
}

impl ServiceType {
    fn as_str(self) -> &'static str {
        match self {
            ServiceType::ClusterIp => "ClusterIP",
            ServiceType::NodePort => "NodePort",
            ServiceType::LoadBalancer => "LoadBalancer",
        }
    }
}

/// A Kubernetes Service in front of a workload's pods, made by
/// [`DeploymentRef::expose_via_service`](crate::DeploymentRef::expose_via_service),
/// [`StatefulSetRef::expose_via_service`](crate::StatefulSetRef::expose_via_service) or
/// [`DaemonSetRef::expose_via_service`](crate::DaemonSetRef::expose_via_service).
///
/// Creates: one `v1/Service`.
///
/// Defaults: `type: ClusterIP`; the selector is only the workload's identity label; each port
/// is named after the container port it targets (`http`); the construct id is `service`, a child
/// of the workload, so the name is `<workload>-service`. Every target must be a port a
/// container of the workload exposes (SS0305).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("rocketgraph-api"));
/// let api = stack.add(
///     Deployment::new(&ns, "rocketgraph-public-api")
///         .container(Container::new("api", "rocketgraph/public-api:1.0.0").port("http", 8000).port("metrics", 9090)),
/// );
/// let svc = stack.add(api.expose_via_service(80, "http").port(9090, 9090));
/// ```
#[derive(Clone, Debug)]
pub struct Service {
    pods: Pods,
    name: Option<String>,
    ports: Vec<(u16, PortRef)>,
    service_type: ServiceType,
}

/// A resolved service port: its name, number, target and whether a container exposes it.
struct Resolved<'a> {
    name: String,
    port: u16,
    target: &'a PortRef,
    exposed: bool,
}

impl Service {
    pub(crate) fn new(pods: &Pods, port: u16, target: PortRef) -> Self {
        Self {
            pods: pods.clone(),
            name: None,
            ports: vec![(port, target)],
            service_type: ServiceType::ClusterIp,
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a port sending `port` to the container port `target`.
    #[must_use]
    pub fn port(mut self, port: u16, target: impl Into<PortRef>) -> Self {
        self.ports.push((port, target.into()));
        self
    }

    /// Sets how the Service is reachable. Default: [`ServiceType::ClusterIp`].
    #[must_use]
    pub fn service_type(mut self, service_type: ServiceType) -> Self {
        self.service_type = service_type;
        self
    }

    fn resolve(&self) -> Vec<Resolved<'_>> {
        let mut out: Vec<Resolved<'_>> = Vec::with_capacity(self.ports.len());
        for (port, target) in &self.ports {
            let found = self.pods.ports.iter().find(|(n, p)| match target {
                PortRef::Name(t) => n == t,
                PortRef::Number(t) => p == t,
            });
            let mut name = found.map_or_else(|| format!("port-{port}"), |(n, _)| n.clone());
            if out.iter().any(|r| r.name == name) {
                name = format!("{name}-{port}");
            }
            out.push(Resolved {
                name,
                port: *port,
                target,
                exposed: found.is_some(),
            });
        }
        out
    }
}

/// A handle to a [`Service`]: its name and ports, and the intent method that makes an Ingress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRef {
    pub(crate) path: Path,
    pub(crate) parent: Path,
    pub(crate) name: String,
    pub(crate) namespace: String,
    pub(crate) ports: Vec<(String, u16)>,
}

impl ServiceRef {
    /// The Service's construct path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its object name (its DNS name inside the namespace).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Its ports, as (name, number).
    pub fn ports(&self) -> &[(String, u16)] {
        &self.ports
    }

    /// An Ingress (id `ingress`, a child of the workload, so named `<workload>-ingress`)
    /// routing `https://host/path_prefix…` to this Service's first port.
    pub fn expose_via_ingress(
        &self,
        host: impl Into<String>,
        path_prefix: impl Into<String>,
    ) -> Ingress {
        Ingress::new(self, host.into(), path_prefix.into())
    }
}

impl Lower for Service {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name(&NameRule::DNS_LABEL, &name, "name");
        let resolved = self.resolve();
        let d = &self.pods;
        for (i, r) in resolved.iter().enumerate() {
            if !r.exposed {
                cx.error(
                    "SS0305",
                    format!(
                        "service port {} targets {}, which no container of {} exposes",
                        r.port, r.target, d.path
                    ),
                    format!(
                        "target one of the exposed ports: {}",
                        describe_ports(&d.ports)
                    ),
                );
            }
            if resolved[..i].iter().any(|o| o.port == r.port) {
                cx.error(
                    "SS0324",
                    format!("service port {} is declared twice", r.port),
                    "give each port of a Service a distinct number",
                );
            }
        }
        let ports = resolved
            .iter()
            .map(|r| ServicePort {
                name: Some(r.name.clone()),
                port: i32::from(r.port),
                target_port: Some(match r.target {
                    PortRef::Name(n) => IntOrString::String(n.clone()),
                    PortRef::Number(p) => IntOrString::Int(i32::from(*p)),
                }),
                protocol: Some("TCP".to_owned()),
                ..ServicePort::default()
            })
            .collect();
        let object = KService {
            metadata: meta(&name, Some(&d.namespace), [], []),
            spec: Some(ServiceSpec {
                type_: Some(self.service_type.as_str().to_owned()),
                selector: Some(identity_labels(&d.identity)),
                ports: Some(ports),
                ..ServiceSpec::default()
            }),
            ..KService::default()
        };
        push(cx, Some(&d.namespace), &name, &object);
    }
}

impl Construct for Service {
    type Handle = ServiceRef;

    fn id(&self) -> &str {
        "service"
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.pods.path)
    }

    fn handle(&self, scope: &Scope) -> ServiceRef {
        ServiceRef {
            path: scope.path.clone(),
            parent: self.pods.path.clone(),
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: self.pods.namespace.clone(),
            ports: self
                .resolve()
                .into_iter()
                .map(|r| (r.name, r.port))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Container, Deployment, Namespace};
    use stacksmith_core::Stack;

    fn stack() -> (Stack, crate::DeploymentRef) {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let api = stack.add(
            Deployment::new(&ns, "rocketgraph-public-api")
                .label("app", "api")
                .container(
                    Container::new("api", "rocketgraph/public-api:1.0.0").port("http", 8000),
                ),
        );
        (stack, api)
    }

    #[test]
    fn service_selects_the_identity_label_and_names_its_port() {
        let (mut stack, api) = stack();
        let svc = stack.add(api.expose_via_service(80, 8000));
        assert_eq!(svc.name(), "rocketgraph-public-api-service");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let spec = &g.objects[2].body["spec"];
        assert_eq!(spec["type"], "ClusterIP");
        assert_eq!(
            spec["selector"],
            serde_json::json!({"stacksmith.dev/id": "prod-rocketgraph-public-api"})
        );
        assert_eq!(
            spec["ports"][0],
            serde_json::json!({"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8000})
        );
        assert_eq!(
            g.objects[2].owner.to_string(),
            "prod/rocketgraph-public-api/service"
        );
    }

    #[test]
    fn service_targets_a_named_port() {
        let (mut stack, api) = stack();
        stack.add(api.expose_via_service(80, "http"));
        let g = stack.lower();
        assert_eq!(g.objects[2].body["spec"]["ports"][0]["targetPort"], "http");
    }

    #[test]
    fn fails_target_port_not_exposed() {
        let (mut stack, api) = stack();
        stack.add(api.expose_via_service(80, 8080).port(81, "grpc"));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_duplicate_service_port() {
        let (mut stack, api) = stack();
        stack.add(api.expose_via_service(80, 8000).port(80, "http"));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
