//! cert-manager `ClusterIssuer` (cert-manager.io/v1): a cluster-wide certificate authority, ACME
//! (Let's Encrypt) with an HTTP-01 ingress solver or a CA key pair, and the typed handle to it.

use schemars::JsonSchema;
use serde::Serialize;
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::custom::{ClusterScoped, CustomResourceKind, Manifest, lower_typed};
use crate::labels::resolve_name;

/// An ACME directory to obtain certificates from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AcmeServer {
    /// Let's Encrypt production: browser-trusted certificates, strict rate limits. The default.
    #[default]
    LetsEncrypt,
    /// Let's Encrypt staging: untrusted certificates, generous limits, for trying a setup out.
    LetsEncryptStaging,
}

impl AcmeServer {
    /// The directory URL.
    pub fn url(self) -> &'static str {
        match self {
            AcmeServer::LetsEncrypt => "https://acme-v02.api.letsencrypt.org/directory",
            AcmeServer::LetsEncryptStaging => {
                "https://acme-staging-v02.api.letsencrypt.org/directory"
            }
        }
    }
}

/// The type of the Service cert-manager puts in front of its HTTP-01 solver pods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub enum SolverService {
    /// Reachable inside the cluster only; what ingress-nginx and most controllers need. The
    /// default: it opens no port on the nodes.
    #[default]
    #[serde(rename = "ClusterIP")]
    ClusterIp,
    /// A port on every node, for controllers that route to node ports (ingress-gce).
    NodePort,
}

#[derive(Clone, Debug)]
enum IssuerConfig {
    Acme {
        server: AcmeServer,
        email: String,
        ingress_class: String,
        service: SolverService,
    },
    Ca {
        secret_name: String,
    },
}

/// A cert-manager ClusterIssuer: issues certificates for `Certificate`s and annotated Ingresses
/// in every namespace.
///
/// Creates: one cluster-scoped `cert-manager.io/v1/ClusterIssuer`.
///
/// Defaults: ACME issuers solve HTTP-01 challenges through Ingresses of class `nginx`, behind a
/// `ClusterIP` solver Service (no node port opened); the ACME account key is kept in the Secret
/// `<name>-account-key` (in cert-manager's cluster resource namespace, `cert-manager` by
/// default). The object name is the construct id (the kebab-case path below the stack);
/// `.name(...)` changes it. The email must look like a deliverable address on a real domain
/// (SS0378): Let's Encrypt refuses `example.com` and other reserved domains.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let issuer = stack.add(ClusterIssuer::acme("letsencrypt-prod", AcmeServer::LetsEncrypt, "ops@rocketgraph.com"));
/// let ns = stack.add(Namespace::new("dbaas-system"));
/// let api = stack.add(
///     Deployment::new(&ns, "dbaas-api")
///         .container(Container::new("api", "rocketgraph/dbaas-api:1.4.2").port("http", 8000)),
/// );
/// let svc = stack.add(api.expose_via_service(80, "http"));
/// stack.add(
///     svc.expose_via_ingress("api.rocketgraph.com", "/")
///         .tls("dbaas-tls")
///         .cluster_issuer(issuer.name()),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct ClusterIssuer {
    id: String,
    name: Option<String>,
    config: IssuerConfig,
    labels: Vec<(String, String)>,
}

impl ClusterIssuer {
    /// An ACME issuer at `server`, registering its account with `email` (where expiry and
    /// account notices go).
    pub fn acme(id: impl Into<String>, server: AcmeServer, email: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: None,
            config: IssuerConfig::Acme {
                server,
                email: email.into(),
                ingress_class: "nginx".to_owned(),
                service: SolverService::ClusterIp,
            },
            labels: Vec::new(),
        }
    }

    /// A CA issuer signing with the key pair in the Secret `secret_name` (keys `tls.crt` and
    /// `tls.key`, in cert-manager's cluster resource namespace): for certificates of in-cluster
    /// names, such as a database's TLS.
    pub fn ca(id: impl Into<String>, secret_name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: None,
            config: IssuerConfig::Ca {
                secret_name: secret_name.into(),
            },
            labels: Vec::new(),
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack (the id).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Solves HTTP-01 challenges through Ingresses of this class (`ingressClassName`); it must
    /// be the class of the Ingresses whose hosts get certificates. Default: `nginx`. No effect on
    /// a CA issuer.
    #[must_use]
    pub fn http01_ingress_class(mut self, class: impl Into<String>) -> Self {
        if let IssuerConfig::Acme { ingress_class, .. } = &mut self.config {
            *ingress_class = class.into();
        }
        self
    }

    /// Sets the type of the HTTP-01 solver Service. Default: [`SolverService::ClusterIp`]. No
    /// effect on a CA issuer.
    #[must_use]
    pub fn http01_service(mut self, service_type: SolverService) -> Self {
        if let IssuerConfig::Acme { service, .. } = &mut self.config {
            *service = service_type;
        }
        self
    }

    /// Adds a label to the ClusterIssuer object.
    #[must_use]
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((key.into(), value.into()));
        self
    }
}

/// What an issuer can sign, as far as the stack knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum IssuerKind {
    /// ACME with an HTTP-01 solver on this ingress class: public DNS names only.
    Acme { ingress_class: String },
    /// A CA key pair: any name, including in-cluster Service names.
    Ca,
    /// An issuer created outside the stack.
    Existing,
}

/// A handle to a ClusterIssuer: its name, for `Ingress::cluster_issuer(issuer.name())`, and what
/// it can issue, for constructs that take the handle itself (database TLS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterIssuerRef {
    pub(crate) name: String,
    pub(crate) path: Option<Path>,
    pub(crate) kind: IssuerKind,
}

impl ClusterIssuerRef {
    /// A ClusterIssuer created outside the stack (by the platform team, a Helm chart). Nothing
    /// about it can be checked beyond its name.
    pub fn existing(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            path: None,
            kind: IssuerKind::Existing,
        }
    }

    /// Its object name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its construct path; `None` for an existing issuer.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_ref()
    }

    /// The Secret holding the ACME account key (`<name>-account-key`), for ACME issuers.
    pub fn account_key_secret(&self) -> Option<String> {
        matches!(self.kind, IssuerKind::Acme { .. }).then(|| account_key_secret(&self.name))
    }
}

fn account_key_secret(issuer: &str) -> String {
    format!("{issuer}-account-key")
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ClusterIssuerSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    acme: Option<AcmeSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ca: Option<CaSpec>,
}

impl CustomResourceKind for ClusterIssuerSpec {
    const API_VERSION: &'static str = "cert-manager.io/v1";
    const KIND: &'static str = "ClusterIssuer";
    type Scope = ClusterScoped;
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct AcmeSpec {
    #[schemars(length(min = 3, max = 254))]
    email: String,
    #[schemars(pattern(r"^https://"))]
    server: String,
    private_key_secret_ref: SecretKeySelector,
    #[schemars(length(min = 1))]
    solvers: Vec<AcmeSolver>,
}

#[derive(Serialize, JsonSchema)]
struct SecretKeySelector {
    #[schemars(length(min = 1, max = 253))]
    name: String,
}

#[derive(Serialize, JsonSchema)]
struct AcmeSolver {
    http01: Http01Solver,
}

#[derive(Serialize, JsonSchema)]
struct Http01Solver {
    ingress: Http01Ingress,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Http01Ingress {
    #[schemars(length(min = 1))]
    ingress_class_name: String,
    service_type: SolverService,
}

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct CaSpec {
    #[schemars(length(min = 1, max = 253))]
    secret_name: String,
}

/// Why `email` is not an address an ACME server accepts, if it is not: one `@`, a non-empty
/// local part without spaces, a domain of at least two dot-separated labels of letters, digits
/// and `-`, not a domain reserved for examples and tests.
fn email_problem(email: &str) -> Option<String> {
    let Some((local, domain)) = email.split_once('@') else {
        return Some("has no `@`".to_owned());
    };
    if domain.contains('@') {
        return Some("has more than one `@`".to_owned());
    }
    if local.is_empty()
        || local.len() > 64
        || local.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Some("has an empty, over-long or blank-containing part before the `@`".to_owned());
    }
    let domain = domain.to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) || email.len() > 254 {
        return Some(format!(
            "has `{domain}` after the `@`, which is not a domain name"
        ));
    }
    let reserved = ["example.com", "example.net", "example.org"]
        .iter()
        .any(|r| domain == *r || domain.ends_with(&format!(".{r}")))
        || ["test", "example", "invalid", "localhost", "local"]
            .iter()
            .any(|tld| labels.last() == Some(tld));
    if reserved {
        return Some(format!(
            "is on `{domain}`, a domain reserved for examples and tests, which Let's Encrypt refuses"
        ));
    }
    None
}

impl Lower for ClusterIssuer {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        let mut ok = cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        let spec = match &self.config {
            IssuerConfig::Acme {
                server,
                email,
                ingress_class,
                service,
            } => {
                if let Some(problem) = email_problem(email) {
                    ok = false;
                    cx.error(
                        "SS0378",
                        format!("ACME account email `{email}` {problem}"),
                        "give a mailbox your team reads (`platform@your-company.com`); the ACME server sends account and expiry notices there",
                    );
                }
                ok &= cx.check_name(
                    &NameRule::DNS_SUBDOMAIN,
                    ingress_class,
                    "HTTP-01 ingress class",
                );
                ClusterIssuerSpec {
                    acme: Some(AcmeSpec {
                        email: email.clone(),
                        server: server.url().to_owned(),
                        private_key_secret_ref: SecretKeySelector {
                            name: account_key_secret(&name),
                        },
                        solvers: vec![AcmeSolver {
                            http01: Http01Solver {
                                ingress: Http01Ingress {
                                    ingress_class_name: ingress_class.clone(),
                                    service_type: *service,
                                },
                            },
                        }],
                    }),
                    ca: None,
                }
            }
            IssuerConfig::Ca { secret_name } => {
                ok &= cx.check_name(&NameRule::DNS_SUBDOMAIN, secret_name, "CA secret name");
                ClusterIssuerSpec {
                    acme: None,
                    ca: Some(CaSpec {
                        secret_name: secret_name.clone(),
                    }),
                }
            }
        };
        let m = Manifest {
            api_version: ClusterIssuerSpec::API_VERSION,
            kind: ClusterIssuerSpec::KIND,
            name: &name,
            namespace: None,
            labels: &self.labels,
            annotations: &[],
        };
        lower_typed(cx, &m, &spec, ok);
    }
}

impl Construct for ClusterIssuer {
    type Handle = ClusterIssuerRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> ClusterIssuerRef {
        ClusterIssuerRef {
            name: resolve_name(self.name.as_ref(), &scope.path),
            path: Some(scope.path.clone()),
            kind: match &self.config {
                IssuerConfig::Acme { ingress_class, .. } => IssuerKind::Acme {
                    ingress_class: ingress_class.clone(),
                },
                IssuerConfig::Ca { .. } => IssuerKind::Ca,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stacksmith_core::Stack;

    #[test]
    fn acme_issuer_solves_http01_through_the_ingress_class() {
        let mut stack = Stack::new("prod", "us-east-1");
        let issuer = stack.add(ClusterIssuer::acme(
            "letsencrypt-prod",
            AcmeServer::LetsEncrypt,
            "platform@rocketgraph.com",
        ));
        assert_eq!(issuer.name(), "letsencrypt-prod");
        assert_eq!(
            issuer.account_key_secret().as_deref(),
            Some("letsencrypt-prod-account-key")
        );
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let o = &g.objects[0];
        assert_eq!(o.namespace, None);
        assert_eq!(o.body["kind"], "ClusterIssuer");
        assert_eq!(
            o.body["spec"]["acme"]["solvers"][0]["http01"]["ingress"],
            serde_json::json!({"ingressClassName": "nginx", "serviceType": "ClusterIP"})
        );
        insta::assert_json_snapshot!(o.body);
    }

    #[test]
    fn ingress_takes_the_issuer_by_name() {
        let mut stack = Stack::new("prod", "us-east-1");
        let issuer = stack.add(
            ClusterIssuer::acme(
                "letsencrypt-prod",
                AcmeServer::LetsEncrypt,
                "ops@rocketgraph.com",
            )
            .name("letsencrypt"),
        );
        let ns = stack.add(crate::Namespace::new("dbaas-system"));
        let api = stack.add(crate::Deployment::new(&ns, "dbaas-api").container(
            crate::Container::new("api", "rocketgraph/dbaas-api:1.4.2").port("http", 8000),
        ));
        let svc = stack.add(api.expose_via_service(80, "http"));
        stack.add(
            svc.expose_via_ingress("api.rocketgraph.com", "/")
                .class("nginx")
                .tls("dbaas-tls")
                .cluster_issuer(issuer.name()),
        );
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let Some(ingress) = g.objects.iter().find(|o| o.kind == "Ingress") else {
            panic!("no Ingress")
        };
        assert_eq!(
            ingress.body["metadata"]["annotations"]["cert-manager.io/cluster-issuer"],
            "letsencrypt"
        );
        assert_eq!(g.objects[0].body["metadata"]["name"], "letsencrypt");
    }

    #[test]
    fn staging_and_ca_issuers() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(
            ClusterIssuer::acme(
                "staging",
                AcmeServer::LetsEncryptStaging,
                "ops@rocketgraph.io",
            )
            .http01_ingress_class("traefik")
            .http01_service(SolverService::NodePort),
        );
        let ca = stack.add(ClusterIssuer::ca("internal-ca", "internal-ca-key-pair"));
        assert_eq!(ca.account_key_secret(), None);
        let g = stack.lower();
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(
            g.objects[0].body["spec"]["acme"]["server"],
            "https://acme-staging-v02.api.letsencrypt.org/directory"
        );
        assert_eq!(
            g.objects[0].body["spec"]["acme"]["solvers"][0]["http01"]["ingress"],
            serde_json::json!({"ingressClassName": "traefik", "serviceType": "NodePort"})
        );
        assert_eq!(
            g.objects[1].body["spec"],
            serde_json::json!({"ca": {"secretName": "internal-ca-key-pair"}})
        );
    }

    #[test]
    fn email_check_is_loose_but_catches_typos_and_placeholders() {
        assert_eq!(email_problem("ops@rocketgraph.com"), None);
        assert_eq!(email_problem("first.last+certs@mail.co.uk"), None);
        assert!(email_problem("ops.rocketgraph.com").is_some());
        assert!(email_problem("ops@localhost").is_some());
        assert!(email_problem("ops@@rocketgraph.com").is_some());
        assert!(email_problem("ops @rocketgraph.com").is_some());
        assert!(email_problem("you@example.com").is_some());
        assert!(email_problem("ops@rocketgraph..com").is_some());
    }

    #[test]
    fn fails_invalid_email() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(ClusterIssuer::acme(
            "letsencrypt-prod",
            AcmeServer::LetsEncrypt,
            "ops-at-rocketgraph.com",
        ));
        stack.add(ClusterIssuer::acme(
            "letsencrypt-staging",
            AcmeServer::LetsEncryptStaging,
            "yourname@example.com",
        ));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
