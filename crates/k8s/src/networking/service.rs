//! `Service`: a stable virtual IP and DNS name in front of a workload's pods, selecting them by
//! the identity label, optionally behind an AWS Network Load Balancer (`Nlb`), and `ServiceRef`,
//! whose intent method makes an Ingress.

use std::collections::BTreeMap;

use crate::api::IntOrString;
use crate::api::core_v1::{Service as KService, ServicePort, ServiceSpec};
use crate::api::meta_v1::LabelSelector;
use crate::api::networking_v1::NetworkPolicyIngressRule;
use stacksmith_core::{Cidr, Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::Ingress;
use crate::labels::{check_service_name, identity_labels, meta, push, resolve_name};
use crate::networking::network_policy::{Opening, bounded, cidr_peer, port};
use crate::pod::{Pods, describe_ports};

/// The prefix of the AWS Load Balancer Controller's Service annotations.
const AWS_LB: &str = "service.beta.kubernetes.io/aws-load-balancer-";

/// The TLS policy of an NLB's TLS listeners: TLS 1.3 and 1.2 only, forward-secret ciphers.
const TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// An AWS Network Load Balancer in front of a Service, provisioned by the AWS Load Balancer
/// Controller (`spec.loadBalancerClass: service.k8s.aws/nlb`), set with
/// [`Service::aws_network_load_balancer`].
///
/// What it writes, every default spelled out:
/// - `spec.type: LoadBalancer`, `spec.loadBalancerClass: service.k8s.aws/nlb`, and
///   `spec.allocateLoadBalancerNodePorts: false`: the NLB sends traffic straight to pod IPs
///   (`aws-load-balancer-nlb-target-type: ip`), so no node port is opened on every node.
/// - `aws-load-balancer-scheme`: `internal` (reachable from the VPC and peered networks) unless
///   made with [`Nlb::internet_facing`].
/// - with [`Nlb::tls_certificate_arn`]: `aws-load-balancer-ssl-cert`, `aws-load-balancer-ssl-ports`
///   (Default: every port of the Service; [`Nlb::tls_ports`] narrows it) and
///   `aws-load-balancer-ssl-negotiation-policy: ELBSecurityPolicy-TLS13-1-2-2021-06` (TLS 1.2 and
///   1.3 only). The NLB terminates TLS and forwards plain TCP to the pods inside the VPC.
/// - with [`Nlb::source_ranges`]: `spec.loadBalancerSourceRanges`, enforced by the security
///   group the controller (v2.6 or later) puts in front of the NLB.
///
/// An internet-facing NLB without a certificate is a warning (SS0393): traffic from the
/// internet would arrive unencrypted unless the pods terminate TLS themselves. An
/// internet-facing NLB without source ranges is open to every address: that is what a public
/// endpoint is, so it is not flagged; restrict it when only known networks should connect.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("kgas"));
/// let api = stack.add(
///     Deployment::new(&ns, "kgas-api")
///         .container(Container::new("api", "kgas/api:1.4.0").port("http", 8000)),
/// );
/// // TLS ends at the NLB; it forwards plain TCP to the pods' `http` port inside the VPC.
/// stack.add(
///     api.expose_via_service(443, "http").aws_network_load_balancer(
///         Nlb::internet_facing()
///             .tls_certificate_arn("arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab")
///             .source_ranges(["203.0.113.0/24"]),
///     ),
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nlb {
    internet_facing: bool,
    certificates: Vec<String>,
    tls_ports: Vec<u16>,
    source_ranges: Vec<String>,
    vpc: Option<String>,
}

impl Nlb {
    /// An NLB reachable only from inside the VPC (and networks routed to it). The default
    /// scheme.
    pub fn internal() -> Self {
        Self {
            internet_facing: false,
            certificates: Vec::new(),
            tls_ports: Vec::new(),
            source_ranges: Vec::new(),
            vpc: None,
        }
    }

    /// An NLB with public addresses, reachable from the internet (in the public subnets).
    pub fn internet_facing() -> Self {
        Self {
            internet_facing: true,
            ..Self::internal()
        }
    }

    /// Terminates TLS on the NLB with this ACM (or IAM server) certificate. Call again to add
    /// certificates for more host names (SNI); the first is the default. Default: no TLS.
    #[must_use]
    pub fn tls_certificate_arn(mut self, arn: impl Into<String>) -> Self {
        self.certificates.push(arn.into());
        self
    }

    /// The Service ports whose listeners are TLS (`aws-load-balancer-ssl-ports`); each must be
    /// a port of the Service. Default: every port of the Service, once a certificate is set.
    #[must_use]
    pub fn tls_ports(mut self, ports: impl IntoIterator<Item = u16>) -> Self {
        self.tls_ports.extend(ports);
        self
    }

    /// Admits only clients from these IPv4 networks (`spec.loadBalancerSourceRanges`, e.g.
    /// `"203.0.113.0/24"`). Default: no restriction (the VPC for an internal NLB, every address
    /// for an internet-facing one).
    #[must_use]
    pub fn source_ranges(mut self, cidrs: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.source_ranges.extend(cidrs.into_iter().map(Into::into));
        self
    }

    /// The VPC's CIDR block (`network.cidr()`): the NLB reaches pod IPs (target type `ip`,
    /// client IP preservation off) from its addresses in the VPC, so the Service also creates a
    /// NetworkPolicy `<service>-from-nlb` admitting this block on the target ports; a
    /// namespace's default deny would drop the NLB's traffic and health checks otherwise.
    /// With the VPC CNI every pod has a VPC address too, so the block admits the VPC's pods.
    /// Default: no policy — the stack does not know the VPC of a Kubernetes-only Service, so
    /// under a default deny the NLB reaches nothing until this is set.
    #[must_use]
    pub fn from_vpc(mut self, cidr: impl Into<String>) -> Self {
        self.vpc = Some(cidr.into());
        self
    }

    fn scheme(&self) -> &'static str {
        if self.internet_facing {
            "internet-facing"
        } else {
            "internal"
        }
    }

    /// Checks the settings against the Service's ports; returns the source ranges to write.
    fn check(&self, cx: &mut Lowering<'_>, ports: &[u16]) -> Vec<String> {
        for arn in &self.certificates {
            if let Some(problem) = certificate_arn_problem(arn) {
                cx.error(
                    "SS0395",
                    format!("NLB `tls_certificate_arn` `{arn}` {problem}"),
                    "give the ARN of an ACM certificate, `arn:aws:acm:<region>:<account>:certificate/<id>`, in the NLB's region",
                );
            } else {
                let region = arn.split(':').nth(3).unwrap_or_default();
                cx.prerequisite(
                    format!("ACM certificate `{arn}`: the NLB's TLS listeners serve it"),
                    format!(
                        "aws acm describe-certificate --region {region} --certificate-arn {arn} --query Certificate.Status --output text"
                    ),
                );
            }
        }
        if self.certificates.is_empty() && !self.tls_ports.is_empty() {
            cx.error(
                "SS0396",
                "NLB `tls_ports` are set but no certificate is",
                "add `.tls_certificate_arn(arn)` for the TLS listeners, or remove `.tls_ports(...)`",
            );
        }
        for p in &self.tls_ports {
            if !ports.contains(p) {
                cx.error(
                    "SS0396",
                    format!("NLB `tls_ports` names port {p}, which is not a port of the Service"),
                    format!(
                        "name one of the Service's ports: {}",
                        ports
                            .iter()
                            .map(u16::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
        if self.internet_facing && self.certificates.is_empty() {
            cx.warning(
                "SS0393",
                "the NLB is internet-facing but terminates no TLS: clients' traffic crosses the internet unencrypted unless the pods terminate TLS themselves",
                "add `.tls_certificate_arn(arn)` with an ACM certificate for the host name, or use `Nlb::internal()`",
            );
        }
        let mut ranges = Vec::with_capacity(self.source_ranges.len());
        for c in &self.source_ranges {
            match Cidr::parse(c) {
                Ok(cidr) => ranges.push(cidr.to_string()),
                Err(e) => cx.error(
                    "SS0392",
                    format!("NLB `source_ranges` value `{c}` is not an IPv4 network: {e}"),
                    "write a network such as `203.0.113.0/24` (one address is `203.0.113.7/32`)",
                ),
            }
        }
        ranges
    }

    /// The controller's annotations, for a Service with `ports`.
    fn annotations(&self, ports: &[u16]) -> Vec<(String, String)> {
        let mut out = vec![
            (format!("{AWS_LB}nlb-target-type"), "ip".to_owned()),
            (format!("{AWS_LB}scheme"), self.scheme().to_owned()),
        ];
        if !self.certificates.is_empty() {
            let tls = if self.tls_ports.is_empty() {
                ports
            } else {
                &self.tls_ports
            };
            let tls: Vec<String> = tls.iter().map(u16::to_string).collect();
            out.push((format!("{AWS_LB}ssl-cert"), self.certificates.join(",")));
            out.push((format!("{AWS_LB}ssl-ports"), tls.join(",")));
            out.push((
                format!("{AWS_LB}ssl-negotiation-policy"),
                TLS_POLICY.to_owned(),
            ));
        }
        out
    }
}

/// What is wrong with a certificate ARN, if anything: it must name an ACM certificate
/// (`arn:<partition>:acm:<region>:<account>:certificate/<id>`) or an IAM server certificate
/// (`arn:<partition>:iam::<account>:server-certificate/<name>`).
fn certificate_arn_problem(arn: &str) -> Option<&'static str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts[..] else {
        return Some("is not an ARN");
    };
    if prefix != "arn" || partition.is_empty() {
        return Some("is not an ARN");
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Some("does not hold a 12-digit account id");
    }
    let named = |kind: &str| resource.strip_prefix(kind).is_some_and(|id| !id.is_empty());
    match service {
        "acm" if !region.is_empty() && named("certificate/") => None,
        "iam" if region.is_empty() && named("server-certificate/") => None,
        _ => Some("is not the ARN of an ACM certificate or IAM server certificate"),
    }
}

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
/// Defaults: `type: ClusterIP`; the selector is only the workload's identity label (a
/// [`BlueGreenRef::expose_via_service`](crate::BlueGreenRef::expose_via_service) Service selects
/// the release's live colour instead); each port is named after the container port it targets
/// (`http`); the construct id is `service`, a child of the workload, so the name is
/// `<workload>-service`. Every target must be a port a container of the workload exposes
/// (SS0305). [`Service::aws_network_load_balancer`] puts an AWS NLB in front of it.
///
/// A workload can have several Services (a gRPC port behind an internal NLB and a metrics port
/// on a ClusterIP): give each after the first its own [`Service::id`], which names it
/// `<workload>-<id>`. Two with one id are SS0002; two with one name, a duplicate object.
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
    id: String,
    pods: Pods,
    name: Option<String>,
    ports: Vec<(u16, PortRef)>,
    service_type: ServiceType,
    nlb: Option<Nlb>,
    /// The selector, when not the workload's identity label (a blue-green release's live
    /// colour).
    selector: Option<BTreeMap<String, String>>,
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
            id: "service".to_owned(),
            pods: pods.clone(),
            name: None,
            ports: vec![(port, target)],
            service_type: ServiceType::ClusterIp,
            nlb: None,
            selector: None,
        }
    }

    /// Selects pods by `selector` instead of the workload's identity label.
    pub(crate) fn selecting(mut self, selector: BTreeMap<String, String>) -> Self {
        self.selector = Some(selector);
        self
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the construct id below the workload, and so the default name
    /// `<workload>-<id>`: how one workload gets a second Service (`"metrics"`). Default:
    /// `service`.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
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

    /// Puts an AWS Network Load Balancer in front of the Service, through the AWS Load
    /// Balancer Controller: `type: LoadBalancer` with its settings (see [`Nlb`]; default scheme
    /// internal). Default: none, a ClusterIP Service.
    #[must_use]
    pub fn aws_network_load_balancer(mut self, nlb: Nlb) -> Self {
        self.service_type = ServiceType::LoadBalancer;
        self.nlb = Some(nlb);
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
        cx.check_name_from(
            &NameRule::DNS_LABEL,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        check_service_name(cx, &name, NameOrigin::name_setter(self.name.is_some()));
        let resolved = self.resolve();
        let d = &self.pods;
        for (i, r) in resolved.iter().enumerate() {
            if r.port == 0 {
                cx.error(
                    "SS0401",
                    format!("service port 0 (targeting {}) is not a port", r.target),
                    "Service ports are 1–65535; give the port clients connect to, such as 80 or 443",
                );
            }
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
            if resolved.iter().take(i).any(|o| o.port == r.port) {
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
        let numbers: Vec<u16> = resolved.iter().map(|r| r.port).collect();
        let (annotations, source_ranges) = match &self.nlb {
            Some(nlb) => {
                if self.service_type != ServiceType::LoadBalancer {
                    cx.error(
                        "SS0394",
                        format!(
                            "the Service has NLB settings but `service_type` is {}",
                            self.service_type.as_str()
                        ),
                        "an NLB needs `type: LoadBalancer`; remove `.service_type(...)` (`.aws_network_load_balancer(...)` sets it) or the NLB",
                    );
                }
                let ranges = nlb.check(cx, &numbers);
                (nlb.annotations(&numbers), ranges)
            }
            None => (Vec::new(), Vec::new()),
        };
        let object = KService {
            metadata: meta(
                &name,
                Some(&d.namespace),
                [],
                annotations.iter().map(|(k, v)| (k, v)),
            ),
            spec: Some(ServiceSpec {
                type_: Some(self.service_type.as_str().to_owned()),
                selector: Some(
                    self.selector
                        .clone()
                        .unwrap_or_else(|| identity_labels(&d.identity)),
                ),
                ports: Some(ports),
                load_balancer_class: self.nlb.as_ref().map(|_| "service.k8s.aws/nlb".to_owned()),
                allocate_load_balancer_node_ports: self.nlb.as_ref().map(|_| false),
                load_balancer_source_ranges: (!source_ranges.is_empty()).then_some(source_ranges),
                ..ServiceSpec::default()
            }),
        };
        push(cx, Some(&d.namespace), &name, &object);
        if let Some(vpc) = self.nlb.as_ref().and_then(|n| n.vpc.as_ref()) {
            self.admit_nlb(cx, &name, vpc, &resolved);
        }
    }
}

impl Service {
    /// The policy admitting the VPC (where the NLB's addresses are) to the target ports.
    fn admit_nlb(&self, cx: &mut Lowering<'_>, service: &str, vpc: &str, resolved: &[Resolved]) {
        let cidr = match Cidr::parse(vpc) {
            Ok(c) => c,
            Err(e) => {
                cx.error(
                    "SS0470",
                    format!("the NLB's VPC CIDR block is invalid: {e}"),
                    "pass the network's block, `network.cidr()` (e.g. `10.40.0.0/16`)",
                );
                return;
            }
        };
        let d = &self.pods;
        let mut ports: Vec<u16> = Vec::new();
        for r in resolved {
            let number = match &r.target {
                PortRef::Number(p) => Some(*p),
                PortRef::Name(n) => d.ports.iter().find(|(name, _)| name == n).map(|(_, p)| *p),
            };
            if let Some(p) = number.filter(|p| !ports.contains(p)) {
                ports.push(p);
            }
        }
        let labels = self
            .selector
            .clone()
            .unwrap_or_else(|| identity_labels(&d.identity));
        let name = bounded(&format!("{service}-from-nlb"));
        let policy = Opening {
            name: &name,
            namespace: &d.namespace,
            pods: LabelSelector {
                match_labels: Some(labels),
            },
            ingress: vec![NetworkPolicyIngressRule {
                from: Some(vec![cidr_peer(&cidr.to_string())]),
                ports: Some(ports.into_iter().map(|p| port("TCP", p)).collect()),
            }],
            egress: Vec::new(),
        };
        push(cx, Some(&d.namespace), &name, &policy.policy());
    }
}

impl Construct for Service {
    type Handle = ServiceRef;

    fn id(&self) -> &str {
        &self.id
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
    use super::*;
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

    const CERT: &str =
        "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab";

    /// Issue 15 item 5: an NLB with IP targets sends from its addresses in the VPC; given the
    /// VPC's block, the Service admits it on the target port, so a default deny does not drop
    /// the NLB's traffic and health checks (before, nothing admitted it).
    #[test]
    fn nlb_from_the_vpc_admits_its_block_on_the_target_port() {
        let (mut stack, api) = stack();
        stack.add(
            api.expose_via_service(80, "http")
                .aws_network_load_balancer(Nlb::internal().from_vpc("10.40.0.0/16")),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let Some(p) = g.objects.iter().find(|o| o.kind == "NetworkPolicy") else {
            panic!("no NLB policy");
        };
        assert_eq!(p.name, "rocketgraph-public-api-service-from-nlb");
        assert_eq!(
            p.body["spec"],
            serde_json::json!({
                "podSelector": {"matchLabels": {"stacksmith.dev/id": "prod-rocketgraph-public-api"}},
                "policyTypes": ["Ingress"],
                "ingress": [{
                    "from": [{"ipBlock": {"cidr": "10.40.0.0/16"}}],
                    "ports": [{"port": 8000, "protocol": "TCP"}]
                }]
            })
        );
    }

    #[test]
    fn fails_nlb_from_an_invalid_vpc_block() {
        let (mut stack, api) = stack();
        stack.add(
            api.expose_via_service(80, "http")
                .aws_network_load_balancer(Nlb::internal().from_vpc("10.40.0.1/16")),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn internal_nlb_by_default_with_every_default_written() {
        let (mut stack, api) = stack();
        stack.add(
            api.expose_via_service(80, "http")
                .aws_network_load_balancer(Nlb::internal()),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let svc = &g.objects[2].body;
        assert_eq!(svc["spec"]["type"], "LoadBalancer");
        assert_eq!(svc["spec"]["loadBalancerClass"], "service.k8s.aws/nlb");
        assert_eq!(svc["spec"]["allocateLoadBalancerNodePorts"], false);
        assert_eq!(svc["spec"].get("loadBalancerSourceRanges"), None);
        assert_eq!(
            svc["metadata"]["annotations"],
            serde_json::json!({
                "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
                "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
            })
        );
    }

    #[test]
    fn internet_facing_nlb_terminates_tls_for_chosen_ports() {
        let (mut stack, api) = stack();
        stack.add(
            api.expose_via_service(443, "http")
                .port(80, 8000)
                .aws_network_load_balancer(
                    Nlb::internet_facing()
                        .tls_certificate_arn(CERT)
                        .tls_ports([443])
                        .source_ranges(["203.0.113.0/24", "198.51.100.7/32"]),
                ),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let svc = &g.objects[2].body;
        let a = &svc["metadata"]["annotations"];
        assert_eq!(
            a["service.beta.kubernetes.io/aws-load-balancer-scheme"],
            "internet-facing"
        );
        assert_eq!(
            a["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"],
            CERT
        );
        assert_eq!(
            a["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"],
            "443"
        );
        assert_eq!(
            a["service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"],
            "ELBSecurityPolicy-TLS13-1-2-2021-06"
        );
        assert_eq!(
            svc["spec"]["loadBalancerSourceRanges"],
            serde_json::json!(["203.0.113.0/24", "198.51.100.7/32"])
        );
        insta::assert_json_snapshot!(svc);
    }

    #[test]
    fn tls_covers_every_port_by_default() {
        let (mut stack, api) = stack();
        stack.add(
            api.expose_via_service(443, "http")
                .port(8443, 8000)
                .aws_network_load_balancer(Nlb::internal().tls_certificate_arn(CERT)),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(
            g.objects[2].body["metadata"]["annotations"]["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"],
            "443,8443"
        );
    }

    #[test]
    fn certificate_arns() {
        for ok in [CERT, "arn:aws:iam::123456789012:server-certificate/api"] {
            assert_eq!(certificate_arn_problem(ok), None, "{ok}");
        }
        for bad in [
            "arn:aws:acm:us-east-1:1234:certificate/x",
            "arn:aws:acm::123456789012:certificate/x",
            "arn:aws:s3:::bucket",
            "arn:aws:acm:us-east-1:123456789012:certificate/",
            "certificate",
        ] {
            assert!(certificate_arn_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn fails_invalid_nlb_source_range() {
        let (mut stack, api) = stack();
        stack.add(
            api.expose_via_service(80, "http")
                .aws_network_load_balancer(Nlb::internal().source_ranges([
                    "10.0.0.0/8",
                    "10.0.0.1/8",
                    "office",
                    "0.0.0.0/33",
                ])),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_nlb_settings_that_contradict() {
        let (mut stack, api) = stack();
        stack.add(
            api.expose_via_service(80, "http")
                .aws_network_load_balancer(
                    Nlb::internet_facing()
                        .tls_ports([443])
                        .tls_certificate_arn("arn:aws:acm:us-east-1:123456789012:cert/x"),
                )
                .service_type(ServiceType::NodePort),
        );
        let ns = stack.add(Namespace::new("frontend"));
        let web = stack.add(
            Deployment::new(&ns, "web")
                .container(Container::new("web", "rocketgraph/web:1.0.0").port("http", 3000)),
        );
        stack.add(
            web.expose_via_service(443, "http")
                .aws_network_load_balancer(Nlb::internal().tls_ports([443])),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_internet_facing_without_tls_warns() {
        let (mut stack, api) = stack();
        stack.add(
            api.expose_via_service(80, "http")
                .aws_network_load_balancer(Nlb::internet_facing()),
        );
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors());
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    /// Issue 14, item 5: one Deployment with a gRPC port behind an internal NLB and a metrics
    /// port on a ClusterIP, each selecting its pods.
    #[test]
    fn one_workload_with_several_services() {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("apps"));
        let api = stack.add(
            Deployment::new(&ns, "api").container(
                Container::new("api", "kgas/api:1.0.0")
                    .port("grpc", 9000)
                    .port("metrics", 9090),
            ),
        );
        let grpc = stack.add(
            api.expose_via_service(443, "grpc")
                .aws_network_load_balancer(Nlb::internal()),
        );
        let metrics = stack.add(api.expose_via_service(9090, "metrics").id("metrics"));
        assert_eq!(
            (grpc.name(), metrics.name()),
            ("api-service", "api-metrics")
        );
        assert_eq!(metrics.path().to_string(), "prod/api/metrics");
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let spec = |name: &str| {
            let Some(o) = g
                .objects
                .iter()
                .find(|o| o.kind == "Service" && o.name == name)
            else {
                panic!("no Service {name}");
            };
            o.body["spec"].clone()
        };
        let (grpc, metrics) = (spec("api-service"), spec("api-metrics"));
        assert_eq!(grpc["type"], "LoadBalancer");
        assert_eq!(metrics["type"], "ClusterIP");
        assert_eq!(grpc["selector"], metrics["selector"]);
        assert_eq!(metrics["selector"]["stacksmith.dev/id"], "prod-api");
        assert_eq!(grpc["ports"][0]["targetPort"], "grpc");
        assert_eq!(metrics["ports"][0]["name"], "metrics");
    }

    #[test]
    fn fails_two_services_with_one_id_or_one_name() {
        let (mut stack, api) = stack();
        stack.add(api.expose_via_service(80, "http"));
        stack.add(api.expose_via_service(8080, "http"));
        stack.add(
            api.expose_via_service(81, "http")
                .id("a")
                .name("api-public"),
        );
        stack.add(
            api.expose_via_service(82, "http")
                .id("b")
                .name("api-public"),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_duplicate_service_port() {
        let (mut stack, api) = stack();
        stack.add(api.expose_via_service(80, 8000).port(80, "http"));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
