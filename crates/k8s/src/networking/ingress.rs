//! `Ingress`: networking.k8s.io/v1 HTTP routing from a host and path prefixes to Services,
//! served by the AWS Load Balancer Controller (class `alb`, typed ALB settings) by default, or by
//! another controller (ingress-nginx, warned) with TLS and cert-manager annotations.

use crate::api::networking_v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress as KIngress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, NetworkPolicyIngressRule, ServiceBackendPort,
};
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::ServiceRef;
use crate::labels::{check_key, meta, push, resolve_name};
use crate::networking::network_policy::{Opening, bounded, namespace_peer, port, selector};

/// A Kubernetes Ingress routing a host and path prefix to a Service, made by
/// [`ServiceRef::expose_via_ingress`]; [`Ingress::route`] adds more path prefixes of the same
/// host, each to its own Service.
///
/// Creates: one `networking.k8s.io/v1/Ingress` with one rule for the host, one path
/// (`pathType: Prefix`) per route, in the order given, each with the backend of its Service's
/// first port.
///
/// Defaults: `ingressClassName: alb`, served by the AWS Load Balancer Controller (install it
/// with `ClusterAddon::AwsLoadBalancerController`; synth fails without it, SS0450): an
/// internet-facing ALB (`.internal()` for one inside the VPC) sending to the pods' IPs (target
/// type `ip`), listening on 80 and 443 with HTTP redirected to HTTPS, TLS policy
/// `ELBSecurityPolicy-TLS13-1-2-2021-06` (TLS 1.3 and 1.2), the certificate found in ACM by the
/// host unless [`Ingress::certificate_arn`] names one; a WAF web ACL with [`Ingress::waf_acl_arn`]
/// and access logs with [`Ingress::access_logs`]. The construct id
/// is `ingress`, a child of the Deployment, so the name is `<deployment>-ingress`. The host must
/// be a DNS name (a leading `*.` wildcard is allowed), each path must start with `/` and be
/// routed once, and every Service must be in the Ingress's namespace (that of the Service it
/// was made from).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("rocketgraph-api"));
/// let api = stack.add(
///     Deployment::new(&ns, "rocketgraph-public-api")
///         .container(Container::new("api", "rocketgraph/public-api:1.0.0").port("http", 8000)),
/// );
/// let svc = stack.add(api.expose_via_service(80, "http"));
/// let web = stack.add(
///     Deployment::new(&ns, "web")
///         .container(Container::new("web", "rocketgraph/web:1.0.0").port("http", 3000)),
/// );
/// let web = stack.add(web.expose_via_service(80, "http"));
/// stack.add(
///     svc.expose_via_ingress("api.rocketgraph.com", "/api/v1/public")
///         .route("/", &web)
///         .tls("rocketgraph-api-tls")
///         .cluster_issuer("letsencrypt-prod")
///         .rate_limit_rpm(1000)
///         .force_ssl_redirect(),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct Ingress {
    service: ServiceRef,
    name: Option<String>,
    host: String,
    path: String,
    /// Routes after the first: (path prefix, Service, whether the prefix is stripped).
    routes: Vec<(String, ServiceRef, bool)>,
    class: String,
    controller_namespace: String,
    internal: bool,
    alb: Vec<(&'static str, String)>,
    tls: Option<String>,
    annotations: Vec<(String, String)>,
    /// The canary Service an Argo Rollout weighs against the first route's (stable) Service:
    /// that route's backend is the ALB action the rollout rewrites (`use-annotation`).
    pub(crate) weighted_canary: Option<ServiceRef>,
}

/// The label cert-manager sets on its HTTP-01 solver pods, and the port they answer on.
const ACME_SOLVER_LABEL: (&str, &str) = ("acme.cert-manager.io/http01-solver", "true");
const ACME_SOLVER_PORT: u16 = 8089;
/// The TLS policy of ALB listeners: TLS 1.3 and 1.2 with forward-secret ciphers.
const ALB_TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

impl Ingress {
    pub(crate) fn new(service: &ServiceRef, host: String, path: String) -> Self {
        Self {
            service: service.clone(),
            name: None,
            host,
            path,
            routes: Vec::new(),
            class: "alb".to_owned(),
            controller_namespace: "ingress-nginx".to_owned(),
            internal: false,
            alb: Vec::new(),
            tls: None,
            annotations: Vec::new(),
            weighted_canary: None,
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Also routes `https://host/path_prefix…` to `service`'s first port: another path of the
    /// same host (`/` to the web front end, `/api/` to the API). The Service must be in this
    /// Ingress's namespace (SS0319) and each path routed once (SS0397); the controller sends a
    /// request to the longest matching prefix. Default: only the route the Ingress was made
    /// with.
    #[must_use]
    pub fn route(mut self, path_prefix: impl Into<String>, service: &ServiceRef) -> Self {
        self.routes
            .push((path_prefix.into(), service.clone(), false));
        self
    }

    /// Routes `https://host/path_prefix…` to `service` with the prefix removed, so the Service
    /// sees `/health` for `/api/health` (nginx's `proxy_pass http://api/;`). Written for the
    /// controller of [`Ingress::class`]: `nginx` (ingress-nginx) puts these routes in a second
    /// Ingress, `<name>-strip-prefix`, with a regex path and `rewrite-target`; `alb` (AWS Load
    /// Balancer Controller ≥ 2.14) adds a `url-rewrite` transform for the Service, which then
    /// must not be routed elsewhere on this Ingress (SS0441). Other classes: SS0440. The
    /// prefix is a plain path (letters, digits, `-`, `_`, `.`, `/`). Default: prefixes are
    /// passed through ([`Ingress::route`]).
    #[must_use]
    pub fn route_stripping_prefix(
        mut self,
        path_prefix: impl Into<String>,
        service: &ServiceRef,
    ) -> Self {
        self.routes
            .push((path_prefix.into(), service.clone(), true));
        self
    }

    /// Sets the ingress controller class (`spec.ingressClassName`). Default: `alb` (the AWS Load
    /// Balancer Controller). `nginx` is warned about (SS0451): ingress-nginx was retired in March
    /// 2026 and gets no security fixes; the controller of any class other than `alb` is
    /// installed outside stacksmith and declared with `stack.prerequisite(..)`.
    #[must_use]
    pub fn class(mut self, class: impl Into<String>) -> Self {
        self.class = class.into();
        self
    }

    /// Sets the namespace the ingress controller's pods run in, which the policy admitting
    /// cert-manager's HTTP-01 solver names. Default: `ingress-nginx`, where the ingress-nginx
    /// chart installs the `nginx` class's controller.
    #[must_use]
    pub fn controller_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.controller_namespace = namespace.into();
        self
    }

    /// An ALB inside the VPC only (`alb.ingress.kubernetes.io/scheme: internal`). Default:
    /// internet-facing.
    #[must_use]
    pub fn internal(mut self) -> Self {
        self.internal = true;
        self
    }

    /// The ACM certificate the ALB's HTTPS listener serves
    /// (`alb.ingress.kubernetes.io/certificate-arn`). Default: the controller finds an issued
    /// ACM certificate matching the host.
    #[must_use]
    pub fn certificate_arn(mut self, arn: impl Into<String>) -> Self {
        self.alb.push(("certificate-arn", arn.into()));
        self
    }

    /// Associates a WAFv2 web ACL with the ALB (`alb.ingress.kubernetes.io/wafv2-acl-arn`).
    /// Default: none.
    #[must_use]
    pub fn waf_acl_arn(mut self, arn: impl Into<String>) -> Self {
        self.alb.push(("wafv2-acl-arn", arn.into()));
        self
    }

    /// Writes the ALB's access logs to S3 bucket `bucket` under `prefix`
    /// (`alb.ingress.kubernetes.io/load-balancer-attributes`). Default: off.
    #[must_use]
    pub fn access_logs(mut self, bucket: &str, prefix: &str) -> Self {
        self.alb.push((
            "load-balancer-attributes",
            format!(
                "access_logs.s3.enabled=true,access_logs.s3.bucket={bucket},access_logs.s3.prefix={prefix}"
            ),
        ));
        self
    }

    /// The path the ALB health-checks each pod on (`alb.ingress.kubernetes.io/healthcheck-path`).
    /// Default: `/`.
    #[must_use]
    pub fn health_check_path(mut self, path: &str) -> Self {
        self.alb.push(("healthcheck-path", path.to_owned()));
        self
    }

    /// Terminates TLS for the host with the certificate in Secret `secret_name` (which
    /// cert-manager fills when [`Ingress::cluster_issuer`] is set). Default: no TLS.
    #[must_use]
    pub fn tls(mut self, secret_name: impl Into<String>) -> Self {
        self.tls = Some(secret_name.into());
        self
    }

    /// Has cert-manager issue the TLS certificate from this ClusterIssuer
    /// (`cert-manager.io/cluster-issuer`).
    ///
    /// Also creates a NetworkPolicy `<ingress>-acme-solver` in the Ingress's namespace admitting
    /// the ingress controller's namespace to cert-manager's HTTP-01 solver pods
    /// (`acme.cert-manager.io/http01-solver: "true"`) on TCP 8089, so a namespace's default
    /// deny does not stop the challenge. It selects only the solver pods, which exist while a
    /// challenge runs; with an issuer that solves DNS-01 it selects nothing.
    #[must_use]
    pub fn cluster_issuer(self, issuer: impl Into<String>) -> Self {
        self.annotation("cert-manager.io/cluster-issuer", issuer)
    }

    /// Limits each client IP to `rpm` requests per minute (`nginx.ingress.kubernetes.io/limit-rpm`).
    #[must_use]
    pub fn rate_limit_rpm(self, rpm: u32) -> Self {
        self.annotation("nginx.ingress.kubernetes.io/limit-rpm", rpm.to_string())
    }

    /// Redirects plain HTTP to HTTPS, even without TLS configured on this Ingress
    /// (`ssl-redirect` and `force-ssl-redirect`).
    #[must_use]
    pub fn force_ssl_redirect(self) -> Self {
        self.annotation("nginx.ingress.kubernetes.io/ssl-redirect", "true")
            .annotation("nginx.ingress.kubernetes.io/force-ssl-redirect", "true")
    }

    /// Adds any annotation: the escape hatch for controller settings without a typed method.
    #[must_use]
    pub fn annotation(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.annotations.push((key.into(), value.into()));
        self
    }

    fn check(&self, cx: &mut Lowering<'_>) {
        let host = &self.host;
        let bare = host.strip_prefix("*.").unwrap_or(host);
        let problem = match NameRule::DNS_SUBDOMAIN.check(bare) {
            Err(msg) => Some(msg),
            Ok(()) if !bare.contains('.') => Some(format!("`{bare}` has no domain")),
            Ok(()) if bare.split('.').any(|l| l.is_empty() || l.len() > 63) => {
                Some(format!("`{bare}` has an empty or over-long label"))
            }
            Ok(()) => None,
        };
        if let Some(msg) = problem {
            cx.error(
                "SS0317",
                format!("ingress host `{host}` is not a valid DNS name: {msg}"),
                "use a fully qualified lowercase host such as `api.example.com` or `*.example.com`",
            );
        } else if let Some(reserved) = RESERVED_DOMAINS
            .iter()
            .find(|d| bare == d.trim_start_matches('.') || bare.ends_with(*d))
        {
            cx.warning(
                "SS0443",
                format!(
                    "ingress host `{host}` is under `{}`, reserved for documentation and tests (RFC 2606): it has no public DNS and no CA issues certificates for it",
                    reserved.trim_start_matches('.')
                ),
                "replace the placeholder with the host clients will use",
            );
        }
        let namespace = &self.service.namespace;
        let routes: Vec<(&String, &ServiceRef, bool)> = self.routes().collect();
        self.check_stripped(cx, &routes);
        for (i, (path, service, _)) in routes.iter().enumerate() {
            if !path.starts_with('/') {
                cx.error(
                    "SS0318",
                    format!("ingress path `{path}` does not start with `/`"),
                    format!("write the path prefix as `/{path}`"),
                );
            }
            if routes.iter().take(i).any(|(p, _, _)| p == path) {
                cx.error(
                    "SS0397",
                    format!("ingress path `{path}` of host `{host}` is routed twice"),
                    "route each path prefix of a host once; the controller rejects duplicates",
                );
            }
            if &service.namespace != namespace {
                cx.error(
                    "SS0319",
                    format!(
                        "ingress path `{path}` routes to Service `{}` of namespace `{}`, but the Ingress is in namespace `{namespace}`",
                        service.name, service.namespace
                    ),
                    format!(
                        "an Ingress routes only to Services of its own namespace; make a separate Ingress from a Service of namespace `{}` (`.expose_via_ingress(...)`)",
                        service.namespace
                    ),
                );
            }
        }
        for (k, _) in &self.annotations {
            check_key(cx, "annotation", k);
        }
        if let Some(secret) = &self.tls {
            cx.check_name(&NameRule::DNS_SUBDOMAIN, secret, "tls secret name");
        }
        cx.check_name(&NameRule::DNS_SUBDOMAIN, &self.class, "ingress class");
        if self.class == "nginx" {
            cx.warning(
                "SS0451",
                format!("Ingress for `{host}` uses class `nginx`: ingress-nginx was retired in March 2026 and gets no security fixes"),
                "leave the class at its default `alb` (AWS Load Balancer Controller), or keep `nginx` only for a maintained fork installed outside the stack (declare it with `stack.prerequisite(..)`)",
            );
        }
        if self.class == "alb" {
            let foreign = self.annotations.iter().find(|(k, _)| {
                k.starts_with("nginx.ingress.kubernetes.io/") || k.starts_with("cert-manager.io/")
            });
            if let Some((k, _)) = foreign {
                cx.error(
                    "SS0452",
                    format!("Ingress for `{host}` of class `alb` has annotation `{k}`, which an ALB ignores"),
                    "an ALB serves ACM certificates (found by host, or `.certificate_arn(..)`), redirects HTTP to HTTPS itself and rate-limits through WAF (`.waf_acl_arn(..)`): drop the annotation, or use another class",
                );
            }
        } else if !self.alb.is_empty() || self.internal {
            cx.error(
                "SS0452",
                format!("Ingress for `{host}` of class `{}` has ALB settings", self.class),
                "ALB settings (`.internal()`, `.certificate_arn`, `.waf_acl_arn`, `.access_logs`, `.health_check_path`) apply to class `alb` only",
            );
        }
    }

    /// The annotations of the object: the AWS Load Balancer Controller's for class `alb`, then
    /// the ones set by hand.
    fn all_annotations(&self) -> Vec<(String, String)> {
        let mut all = Vec::new();
        if self.class == "alb" {
            let scheme = if self.internal {
                "internal"
            } else {
                "internet-facing"
            };
            let mut alb: Vec<(&str, String)> = vec![
                ("scheme", scheme.into()),
                ("target-type", "ip".into()),
                ("listen-ports", r#"[{"HTTP": 80}, {"HTTPS": 443}]"#.into()),
                ("ssl-redirect", "443".into()),
                ("ssl-policy", ALB_TLS_POLICY.into()),
            ];
            alb.extend(self.alb.iter().map(|(k, v)| (*k, v.clone())));
            all.extend(
                alb.into_iter()
                    .map(|(k, v)| (format!("alb.ingress.kubernetes.io/{k}"), v)),
            );
        }
        all.extend(self.annotations.iter().cloned());
        all
    }

    /// Every route, the first one included: (path prefix, Service, stripped).
    fn routes(&self) -> impl Iterator<Item = (&String, &ServiceRef, bool)> {
        std::iter::once((&self.path, &self.service, false))
            .chain(self.routes.iter().map(|(p, s, strip)| (p, s, *strip)))
    }

    /// The stripped routes' prefixes are plain paths the controller can rewrite.
    fn check_stripped(&self, cx: &mut Lowering<'_>, routes: &[(&String, &ServiceRef, bool)]) {
        let class = self.class.as_str();
        for (path, service, _) in routes.iter().filter(|r| r.2) {
            let base = path.trim_end_matches('/');
            if base.is_empty()
                || !base
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
            {
                cx.error(
                    "SS0441",
                    format!("ingress path `{path}` cannot have its prefix stripped"),
                    "strip a plain, non-root prefix such as `/api/` (letters, digits, `-`, `_`, `.`, `/`)",
                );
            }
            match class {
                NGINX => {}
                ALB => {
                    // The controller's transform is per Service: it rewrites every rule
                    // routing to it.
                    let others: Vec<String> = routes
                        .iter()
                        .filter(|(p, s, _)| s.name == service.name && p != path)
                        .map(|(p, _, _)| format!("`{p}`"))
                        .collect();
                    if !others.is_empty() {
                        cx.error(
                            "SS0441",
                            format!(
                                "Service `{}` is routed at `{path}` with its prefix stripped and also at {}, but the AWS Load Balancer Controller rewrites per Service",
                                service.name,
                                others.join(", ")
                            ),
                            "route the Service once on this Ingress, or make a second Ingress for the other path",
                        );
                    }
                }
                _ => cx.error(
                    "SS0440",
                    format!(
                        "ingress path `{path}` strips its prefix, but stacksmith does not know how ingress class `{class}` rewrites paths"
                    ),
                    "use class `nginx` (rewrite-target) or `alb` (AWS Load Balancer Controller URL rewrite), or have the app serve under the prefix and use `.route(..)`",
                ),
            }
        }
    }
}

/// A handle to an [`Ingress`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngressRef {
    path: Path,
    name: String,
    namespace: String,
    host: String,
}

impl IngressRef {
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

    /// The host it routes.
    pub fn host(&self) -> &str {
        &self.host
    }
}

impl Lower for Ingress {
    fn lower(&self, cx: &mut Lowering<'_>) {
        self.lower_checking(cx, true);
    }
}

impl Ingress {
    /// Lowers the Ingress; `check: false` leaves out the checks of host, paths, annotations,
    /// TLS secret and class, for a canary Ingress that repeats its stable twin's (checked) ones.
    pub(crate) fn lower_checking(&self, cx: &mut Lowering<'_>, check: bool) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        if check {
            self.check(cx);
        }
        let mut annotations = self.all_annotations();
        let nginx_split = self.class == NGINX && self.routes().any(|r| r.2);
        let (kept, stripped): (Vec<_>, Vec<_>) = self
            .routes()
            .partition(|(_, _, strip)| !strip || !nginx_split);
        if self.class == ALB {
            for (path, service, _) in kept.iter().filter(|r| r.2) {
                annotations.push((
                    format!("alb.ingress.kubernetes.io/transforms.{}", service.name),
                    alb_strip_transform(path),
                ));
            }
        }
        if let Some(canary) = &self.weighted_canary {
            if self.class != ALB {
                cx.error(
                    "SS0705",
                    format!(
                        "the Ingress of progressive canary `{}` has class `{}`; its traffic is weighed by ALB actions",
                        self.service.name, self.class
                    ),
                    "keep the default class `alb` (AWS Load Balancer Controller) on a progressive canary's Ingress",
                );
            }
            annotations.push((
                format!("alb.ingress.kubernetes.io/actions.{}", self.service.name),
                weighted_action(&self.service, canary),
            ));
        }
        // The first route is never stripped, so the main Ingress always has a path.
        let paths = kept
            .iter()
            .enumerate()
            .map(|(i, (p, svc, _))| {
                let mut path = path_to(p, "Prefix", svc);
                if i == 0 && self.weighted_canary.is_some() {
                    if let Some(backend) = path.backend.service.as_mut() {
                        backend.port = Some(ServiceBackendPort {
                            name: Some("use-annotation".to_owned()),
                            number: None,
                        });
                    }
                }
                path
            })
            .collect();
        self.push_object(cx, &name, &annotations, paths);
        if nginx_split {
            let mut strip_annotations: Vec<(String, String)> = annotations
                .into_iter()
                .filter(|(k, _)| k != CLUSTER_ISSUER)
                .collect();
            strip_annotations.push((format!("{NGINX_PREFIX}use-regex"), "true".to_owned()));
            strip_annotations.push((format!("{NGINX_PREFIX}rewrite-target"), "/$2".to_owned()));
            let paths = stripped
                .iter()
                .map(|(p, svc, _)| path_to(&nginx_strip_path(p), "ImplementationSpecific", svc))
                .collect();
            self.push_object(
                cx,
                &format!("{name}-strip-prefix"),
                &strip_annotations,
                paths,
            );
        }
        let issued = self.annotations.iter().any(|(k, _)| k == CLUSTER_ISSUER);
        if check && issued {
            self.admit_acme_solver(cx, &name);
        }
    }

    /// Pushes one Ingress object for this Ingress's host, TLS and class, with `paths`.
    fn push_object(
        &self,
        cx: &mut Lowering<'_>,
        name: &str,
        annotations: &[(String, String)],
        paths: Vec<HTTPIngressPath>,
    ) {
        let s = &self.service;
        let object = KIngress {
            metadata: meta(
                name,
                Some(&s.namespace),
                [],
                annotations.iter().map(|(k, v)| (k, v)),
            ),
            spec: Some(IngressSpec {
                ingress_class_name: Some(self.class.clone()),
                tls: self.tls.as_ref().map(|secret| {
                    vec![IngressTLS {
                        hosts: Some(vec![self.host.clone()]),
                        secret_name: Some(secret.clone()),
                    }]
                }),
                rules: Some(vec![IngressRule {
                    host: Some(self.host.clone()),
                    http: Some(HTTPIngressRuleValue { paths }),
                }]),
                default_backend: None,
            }),
        };
        push(cx, Some(&s.namespace), name, &object);
    }

    /// The policy admitting the controller to cert-manager's HTTP-01 solver pods.
    fn admit_acme_solver(&self, cx: &mut Lowering<'_>, ingress: &str) {
        if cx.check_name(
            &NameRule::DNS_LABEL,
            &self.controller_namespace,
            "controller namespace",
        ) {
            let name = bounded(&format!("{ingress}-acme-solver"));
            let ns = &self.service.namespace;
            let policy = Opening {
                name: &name,
                namespace: ns,
                pods: selector([ACME_SOLVER_LABEL]),
                ingress: vec![NetworkPolicyIngressRule {
                    from: Some(vec![namespace_peer(&self.controller_namespace, None)]),
                    ports: Some(vec![port("TCP", ACME_SOLVER_PORT)]),
                }],
                egress: Vec::new(),
            };
            push(cx, Some(ns), &name, &policy.policy());
        }
    }
}

/// Domains reserved for documentation and testing (RFC 2606, RFC 6761).
const RESERVED_DOMAINS: [&str; 7] = [
    ".example.com",
    ".example.net",
    ".example.org",
    ".example",
    ".test",
    ".invalid",
    ".localhost",
];

/// The ingress-nginx class, and the prefix of its annotations.
const NGINX: &str = "nginx";
const NGINX_PREFIX: &str = "nginx.ingress.kubernetes.io/";
/// The AWS Load Balancer Controller's class.
const ALB: &str = "alb";
/// cert-manager's annotation: one Ingress per TLS secret carries it, so one Certificate owns it.
const CLUSTER_ISSUER: &str = "cert-manager.io/cluster-issuer";

/// A path of the Ingress to `service`'s first port.
fn path_to(path: &str, path_type: &str, service: &ServiceRef) -> HTTPIngressPath {
    HTTPIngressPath {
        path: Some(path.to_owned()),
        path_type: path_type.to_owned(),
        backend: IngressBackend {
            service: Some(IngressServiceBackend {
                name: service.name.clone(),
                port: service.ports.first().map(|(_, p)| ServiceBackendPort {
                    number: Some(i32::from(*p)),
                    name: None,
                }),
            }),
        },
    }
}

/// The ALB forward action of a progressive canary before its first update: everything to the
/// stable Service, nothing to the canary. Argo Rollouts rewrites the weights during an update.
fn weighted_action(stable: &ServiceRef, canary: &ServiceRef) -> String {
    let port = |s: &ServiceRef| {
        s.ports
            .first()
            .map(|(_, p)| p.to_string())
            .unwrap_or_default()
    };
    serde_json::json!({
        "Type": "forward",
        "ForwardConfig": {"TargetGroups": [
            {"ServiceName": canary.name, "ServicePort": port(canary), "Weight": 0},
            {"ServiceName": stable.name, "ServicePort": port(stable), "Weight": 100},
        ]}
    })
    .to_string()
}

/// `/api/` → `/api(/|$)(.*)`: ingress-nginx's documented rewrite pattern, with
/// `rewrite-target: /$2`, matching `/api`, `/api/` and `/api/...` as `Prefix` would.
fn nginx_strip_path(prefix: &str) -> String {
    format!("{}(/|$)(.*)", regex_escape(prefix.trim_end_matches('/')))
}

/// The AWS Load Balancer Controller transform that removes `prefix` (`/api/health` →
/// `/health`, `/api` → `/`).
fn alb_strip_transform(prefix: &str) -> String {
    let regex = format!("^{}/?(.*)$", regex_escape(prefix.trim_end_matches('/')));
    serde_json::json!([{
        "type": "url-rewrite",
        "urlRewriteConfig": {"rewrites": [{"regex": regex, "replace": "/$1"}]}
    }])
    .to_string()
}

/// `.` is the only regex metacharacter a plain path prefix may hold (SS0441).
fn regex_escape(path: &str) -> String {
    path.replace('.', "\\.")
}

impl Construct for Ingress {
    type Handle = IngressRef;

    fn id(&self) -> &str {
        "ingress"
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.service.parent)
    }

    fn handle(&self, scope: &Scope) -> IngressRef {
        IngressRef {
            path: scope.path.clone(),
            name: resolve_name(self.name.as_ref(), &scope.path),
            namespace: self.service.namespace.clone(),
            host: self.host.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Container, Deployment, Namespace, ServiceRef};
    use stacksmith_core::Stack;

    fn stack() -> (Stack, ServiceRef) {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("rocketgraph-api"));
        let api =
            stack.add(Deployment::new(&ns, "rocketgraph-public-api").container(
                Container::new("api", "rocketgraph/public-api:1.0.0").port("http", 8000),
            ));
        let svc = stack.add(api.expose_via_service(80, "http"));
        (stack, svc)
    }

    /// Issue 15 item 5 (apply-review F22): an Ingress with a cert-manager ClusterIssuer admits
    /// the controller's namespace to the HTTP-01 solver pods on 8089; before, a namespace's
    /// default deny dropped the challenge and the certificate never issued.
    #[test]
    fn an_issued_ingress_admits_the_acme_solver() {
        let (mut stack, svc) = stack();
        stack.add(
            svc.expose_via_ingress("api.example.com", "/")
                .class("nginx")
                .tls("api-tls")
                .cluster_issuer("letsencrypt-prod")
                .controller_namespace("ingress-system"),
        );
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let Some(p) = g.objects.iter().find(|o| o.kind == "NetworkPolicy") else {
            panic!("no solver policy");
        };
        assert_eq!(p.name, "rocketgraph-public-api-ingress-acme-solver");
        assert_eq!(
            p.body["spec"],
            serde_json::json!({
                "podSelector": {"matchLabels": {"acme.cert-manager.io/http01-solver": "true"}},
                "policyTypes": ["Ingress"],
                "ingress": [{
                    "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-system"}}}],
                    "ports": [{"port": 8089, "protocol": "TCP"}]
                }]
            })
        );
    }

    #[test]
    fn ingress_routes_to_the_service_with_tls_and_annotations() {
        let (mut stack, svc) = stack();
        let ing = stack.add(
            svc.expose_via_ingress("api.rocketgraph.com", "/api/v1/public")
                .class("nginx")
                .tls("rocketgraph-api-tls")
                .cluster_issuer("letsencrypt-prod")
                .rate_limit_rpm(1000)
                .force_ssl_redirect(),
        );
        assert_eq!(ing.name(), "rocketgraph-public-api-ingress");
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let body = &g.objects[3].body;
        assert_eq!(body["spec"]["ingressClassName"], "nginx");
        assert_eq!(
            body["spec"]["rules"][0]["http"]["paths"][0],
            serde_json::json!({
                "backend": {"service": {"name": "rocketgraph-public-api-service", "port": {"number": 80}}},
                "path": "/api/v1/public",
                "pathType": "Prefix"
            })
        );
        assert_eq!(
            body["spec"]["tls"],
            serde_json::json!([{"hosts": ["api.rocketgraph.com"], "secretName": "rocketgraph-api-tls"}])
        );
        let annotations = &body["metadata"]["annotations"];
        assert_eq!(
            annotations["cert-manager.io/cluster-issuer"],
            "letsencrypt-prod"
        );
        assert_eq!(annotations["nginx.ingress.kubernetes.io/limit-rpm"], "1000");
        assert_eq!(
            annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"],
            "true"
        );
        assert_eq!(
            annotations["nginx.ingress.kubernetes.io/ssl-redirect"],
            "true"
        );
    }

    #[test]
    fn wildcard_host_is_allowed() {
        let (mut stack, svc) = stack();
        stack.add(
            svc.expose_via_ingress("*.rocketgraph.com", "/")
                .class("alb"),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(g.objects[3].body["spec"]["ingressClassName"], "alb");
    }

    /// FlagWise's web front end and API (seed 002), in one namespace, and a Service of another.
    fn flagwise() -> (Stack, [ServiceRef; 3]) {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("flagwise"));
        let other = stack.add(Namespace::new("billing"));
        let mut service = |ns, id: &str, image: &str, port| {
            let d = stack.add(
                Deployment::new(ns, id).container(Container::new(id, image).port("http", port)),
            );
            stack.add(d.expose_via_service(80, "http"))
        };
        let web = service(&ns, "web", "flagwise/web:2.0.0", 3000);
        let api = service(&ns, "api", "flagwise/api:2.0.0", 8000);
        let billing = service(&other, "invoices", "flagwise/invoices:1.0.0", 8000);
        (stack, [web, api, billing])
    }

    #[test]
    fn routes_paths_of_one_host_to_several_services() {
        let (mut stack, [web, api, _]) = flagwise();
        stack.add(
            web.expose_via_ingress("flagwise.dev", "/")
                .route("/api/", &api)
                .tls("flagwise-tls"),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let Some(ing) = g.objects.iter().find(|o| o.kind == "Ingress") else {
            panic!("no Ingress");
        };
        assert_eq!(ing.name, "web-ingress");
        assert_eq!(
            ing.body["spec"]["rules"],
            serde_json::json!([{
                "host": "flagwise.dev",
                "http": {"paths": [
                    {"backend": {"service": {"name": "web-service", "port": {"number": 80}}}, "path": "/", "pathType": "Prefix"},
                    {"backend": {"service": {"name": "api-service", "port": {"number": 80}}}, "path": "/api/", "pathType": "Prefix"},
                ]}
            }])
        );
    }

    #[test]
    fn fails_route_to_another_namespace_and_twice_to_one_path() {
        let (mut stack, [web, api, billing]) = flagwise();
        stack.add(
            web.expose_via_ingress("flagwise.dev", "/")
                .route("/billing/", &billing)
                .route("/", &api)
                .route("api", &api),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    /// Issue 14, F17: the seed's nginx (`location /api/ { proxy_pass http://api:8000/; }`)
    /// removed `/api`; ingress-nginx does it in a second Ingress with a regex path and
    /// `rewrite-target` (annotations apply to a whole Ingress), which repeats the TLS block but
    /// not the cert-manager annotation, so one Certificate owns the secret.
    #[test]
    fn nginx_strips_a_prefix_in_a_second_ingress() {
        let (mut stack, [web, api, _]) = flagwise();
        stack.add(
            web.expose_via_ingress("flagwise.dev", "/")
                .class("nginx")
                .route_stripping_prefix("/api/", &api)
                .tls("flagwise-tls")
                .cluster_issuer("letsencrypt-prod")
                .rate_limit_rpm(600),
        );
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let ingresses: Vec<_> = g.objects.iter().filter(|o| o.kind == "Ingress").collect();
        assert_eq!(ingresses.len(), 2);
        let (main, strip) = (&ingresses[0].body, &ingresses[1].body);
        assert_eq!(ingresses[0].name, "web-ingress");
        assert_eq!(ingresses[1].name, "web-ingress-strip-prefix");
        assert_eq!(
            main["spec"]["rules"][0]["http"]["paths"]
                .as_array()
                .map(<[_]>::len),
            Some(1)
        );
        assert_eq!(
            strip["spec"]["rules"][0]["http"]["paths"],
            serde_json::json!([{
                "backend": {"service": {"name": "api-service", "port": {"number": 80}}},
                "path": "/api(/|$)(.*)",
                "pathType": "ImplementationSpecific"
            }])
        );
        let a = &strip["metadata"]["annotations"];
        assert_eq!(a["nginx.ingress.kubernetes.io/rewrite-target"], "/$2");
        assert_eq!(a["nginx.ingress.kubernetes.io/use-regex"], "true");
        assert_eq!(a["nginx.ingress.kubernetes.io/limit-rpm"], "600");
        assert!(a.get("cert-manager.io/cluster-issuer").is_none());
        assert_eq!(strip["spec"]["tls"], main["spec"]["tls"]);
        assert_eq!(
            main["metadata"]["annotations"]["cert-manager.io/cluster-issuer"],
            "letsencrypt-prod"
        );
    }

    /// With the AWS Load Balancer Controller the prefix is removed by the ALB's `url-rewrite`
    /// transform on the Service's rules, in the same Ingress.
    #[test]
    fn alb_strips_a_prefix_with_a_url_rewrite_transform() {
        let (mut stack, [web, api, _]) = flagwise();
        stack.add(
            web.expose_via_ingress("flagwise.dev", "/")
                .route_stripping_prefix("/api/", &api)
                .class("alb"),
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let ingresses: Vec<_> = g.objects.iter().filter(|o| o.kind == "Ingress").collect();
        assert_eq!(ingresses.len(), 1);
        let body = &ingresses[0].body;
        assert_eq!(
            body["spec"]["rules"][0]["http"]["paths"][1]["path"],
            "/api/"
        );
        let transform =
            body["metadata"]["annotations"]["alb.ingress.kubernetes.io/transforms.api-service"]
                .as_str()
                .unwrap_or_default();
        let transform: serde_json::Value = serde_json::from_str(transform).unwrap_or_default();
        assert_eq!(
            transform,
            serde_json::json!([{"type": "url-rewrite", "urlRewriteConfig": {"rewrites": [{"regex": "^/api/?(.*)$", "replace": "/$1"}]}}])
        );
    }

    #[test]
    fn fails_stripping_a_prefix_the_controller_cannot_rewrite() {
        let (mut stack, [web, api, _]) = flagwise();
        stack.add(
            web.expose_via_ingress("flagwise.dev", "/")
                .route_stripping_prefix("/api/", &api)
                .route_stripping_prefix("/v(1|2)/", &web)
                .class("traefik"),
        );
        stack.add(
            api.expose_via_ingress("api.flagwise.dev", "/")
                .name("api-direct")
                .route_stripping_prefix("/api/", &api)
                .class("alb"),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    /// Issue 14, F37: a documentation placeholder host is warned about.
    #[test]
    fn placeholder_host_is_warned() {
        let (mut stack, [web, _, _]) = flagwise();
        stack.add(web.expose_via_ingress("flagwise.example.com", "/"));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        assert!(
            g.diagnostics.iter().any(|d| d.code == "SS0443"),
            "{}",
            g.diagnostics
        );
    }

    #[test]
    fn fails_invalid_host_and_path() {
        let (mut stack, svc) = stack();
        stack.add(svc.expose_via_ingress("API_host", "api/v1"));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
