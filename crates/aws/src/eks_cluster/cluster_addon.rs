//! `ClusterAddon`: the controllers and operators a cluster's objects need (a metrics API, an
//! Ingress controller, an autoscaler, cert-manager, ExternalDNS, operators' CRDs), installed as an
//! EKS managed add-on where AWS ships one, otherwise as a pinned Helm release in the stack's
//! `cluster/` root, each with its own least-privilege IAM role (IRSA) where it calls AWS.

use serde_json::json;
use stacksmith_core::terraform::{Resource, Value};
use stacksmith_core::{Address, Capability, Lowering, tf, tf_name};

use super::container_logs;
use super::prometheus_stack::{ALERTMANAGER_ACCOUNT, PrometheusStack};
use super::{AUTOSCALER_PART, EksCluster};
use crate::alarm_topic::AlarmTopicRef;
use crate::common;
use crate::iam::PolicyStatement;
use crate::service_account_role::{Irsa, irsa_role};

/// A cluster add-on, installed with [`EksCluster::addon`] (or, for what the stack's objects
/// need, by [`EksCluster::platform_defaults`]). Each is pinned to a version; what users change
/// is a typed argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterAddon {
    /// metrics-server as the EKS community add-on `metrics-server`: the resource metrics API
    /// every HPA on CPU or memory reads. Version: EKS's default for the cluster version.
    MetricsServer,
    /// The AWS Load Balancer Controller (eks-charts `aws-load-balancer-controller` 3.5.0,
    /// controller v3.5.0) in `kube-system`, with its IRSA role and the documented IAM policy:
    /// serves Ingress class `alb` (ALBs, target type `ip`) and `type: LoadBalancer` Services
    /// (NLBs). Two replicas.
    AwsLoadBalancerController,
    /// The Kubernetes Cluster Autoscaler (chart `cluster-autoscaler` 9.59.0, the image release
    /// of the cluster's Kubernetes minor version, v1.35.2 for 1.35) in `kube-system`, on the IRSA role
    /// [`EksCluster::cluster_autoscaler`] describes, discovering node groups by their
    /// `k8s.io/cluster-autoscaler/*` tags.
    ClusterAutoscaler,
    /// cert-manager (jetstack chart v1.21.1, CRDs installed and kept on uninstall) in
    /// `cert-manager`: issues the certificates ClusterIssuers and `cert-manager.io/*`
    /// annotations ask for.
    CertManager,
    /// ExternalDNS (chart `external-dns` 1.21.1, ExternalDNS v0.21.0) in `external-dns`, writing Route 53 records for
    /// Ingress and Service hostnames in one hosted zone only (`upsert-only`: it never deletes
    /// records it did not create), with an IRSA role allowed to change that zone alone.
    ExternalDns {
        /// The public hosted zone's name, `example.com`.
        zone: String,
    },
    /// The KubeDB operator (AppsCode OCI chart `kubedb` v2026.7.10) in `kubedb`, with its CRDs,
    /// for `kubedb.com` custom resources (MongoDB, Redis). KubeDB needs a license, even the
    /// free community one: `license_secret` is the Secret in namespace `kubedb` holding it
    /// (key `key.txt`), created before the `cluster/` root is applied.
    KubeDb {
        /// The Secret with the license in namespace `kubedb`.
        license_secret: String,
    },
    /// The Prometheus Operator's CRDs (prometheus-community chart `prometheus-operator-crds`
    /// 31.0.1, Prometheus Operator v0.93.1): ServiceMonitors and PrometheusRules apply; a Prometheus that reads them is
    /// installed separately.
    PrometheusOperatorCrds,
    /// A Prometheus that reads the stack's ServiceMonitors and PrometheusRules, with
    /// Alertmanager (prometheus-community chart `kube-prometheus-stack` 88.5.3, Prometheus
    /// Operator v0.93.1, its CRDs included) in `monitoring`; settings and defaults on
    /// [`PrometheusStack`]. It replaces [`ClusterAddon::PrometheusOperatorCrds`] (both is
    /// SS0561).
    Prometheus(PrometheusStack),
    /// Container logs of every node shipped to CloudWatch Logs by Fluent Bit (eks-charts
    /// `aws-for-fluent-bit` 0.2.0, AWS for Fluent Bit 3.2.1) in `logging`: a log group
    /// `/aws/eks/<cluster>/containers` encrypted with its own KMS key and kept `retention_days`
    /// (one of the values CloudWatch Logs accepts, SS0144), written by an IRSA role allowed to
    /// create and write streams in that group only.
    ContainerLogs {
        /// How long the logs are kept, in days. [`ClusterAddon::container_logs`]: 365.
        retention_days: u32,
    },
    /// Argo Rollouts (argo-helm chart `argo-rollouts` 2.41.0, controller v1.9.0, CRDs installed
    /// and kept on uninstall) in `argo-rollouts`, two replicas: runs `ProgressiveCanary`
    /// rollouts. Its IRSA role may read CloudWatch metrics (`cloudwatch:GetMetricData`, for the
    /// canary's error-rate analysis) and describe load balancers and target groups (to verify
    /// the ALB weights and record the target groups the analysis queries); target-group
    /// verification is on.
    ArgoRollouts,
    /// The Vertical Pod Autoscaler (kubernetes/autoscaler chart `vertical-pod-autoscaler`
    /// 0.11.0, VPA 1.7.1, its CRDs from the chart's `crds/`) in `vertical-pod-autoscaler`: the
    /// recommender that fills `VerticalPodAutoscaler` objects with recommendations, and the
    /// updater and admission controller (webhook certificates from the chart's certgen job)
    /// that apply them for VPAs in an applying mode. Reads the metrics API (metrics-server).
    VerticalPodAutoscaler,
    /// External Secrets Operator (chart `external-secrets` 2.9.0, ESO v2.9.0, CRDs installed)
    /// in `external-secrets`: syncs the cloud secrets `ExternalSecret`s name into Kubernetes
    /// Secrets and keeps them current. Its IRSA role may read exactly the secrets the stack's
    /// `ExternalSecret`s sync (`secretsmanager:GetSecretValue`/`DescribeSecret` on their ARNs)
    /// and decrypt them through Secrets Manager only (`kms:Decrypt` on their keys, with
    /// `kms:ViaService`).
    ExternalSecrets,
    /// Stakater Reloader (stakater chart `reloader` 2.2.16, Reloader v1.4.21) in `reloader`:
    /// restarts (rolling update) a Deployment, StatefulSet or DaemonSet when a Secret or
    /// ConfigMap named in its `*.reloader.stakater.com/reload` annotation changes. Env vars are
    /// read when a container starts, so without it a rotated secret that External Secrets syncs
    /// reaches pods only at their next restart; stacksmith annotates every workload reading a
    /// synced Secret. Namespace-scoped (`watchGlobally: false`): Roles that read Secrets and
    /// ConfigMaps and patch workloads only in the namespaces of annotated workloads (and its
    /// own), no ClusterRole; two replicas with leader election and a PodDisruptionBudget,
    /// read-only root filesystem, no privilege escalation, every capability dropped; it marks
    /// the pod template with an annotation (`reloadStrategy: annotations`), never an env var.
    /// With [`ClusterAddon::ArgoRollouts`] it restarts Rollouts too (`isArgoRollouts`), and is
    /// installed after Argo Rollouts: the chart grants itself `rollouts` only when their CRD
    /// exists at install time.
    Reloader,
}

/// How an add-on is installed.
enum Install {
    /// An EKS managed add-on (`aws_eks_addon`).
    Managed(&'static str),
    /// A Helm release in the `cluster/` root.
    Helm(Chart),
}

/// A Helm chart, pinned.
struct Chart {
    release: &'static str,
    repository: &'static str,
    chart: &'static str,
    version: &'static str,
    namespace: &'static str,
    /// The service account the IRSA role is for, and the value path of its annotations.
    identity: Option<(&'static str, &'static str)>,
}

impl ClusterAddon {
    /// ExternalDNS for the public hosted zone `zone` (`example.com`).
    pub fn external_dns(zone: &str) -> Self {
        Self::ExternalDns {
            zone: zone.to_owned(),
        }
    }

    /// The KubeDB operator, reading its license from Secret `license_secret` in `kubedb`.
    pub fn kubedb(license_secret: &str) -> Self {
        Self::KubeDb {
            license_secret: license_secret.to_owned(),
        }
    }

    /// Prometheus with its defaults ([`PrometheusStack::new`]).
    pub fn prometheus() -> Self {
        Self::Prometheus(PrometheusStack::new())
    }

    /// Container logs to CloudWatch Logs, kept 365 days (the stack's other log groups' default).
    pub fn container_logs() -> Self {
        Self::ContainerLogs {
            retention_days: 365,
        }
    }

    /// Every add-on, as offered when nothing installs a capability (its Rust spelling).
    pub(super) fn offered() -> [(Self, &'static str); 12] {
        [
            (Self::MetricsServer, "ClusterAddon::MetricsServer"),
            (
                Self::AwsLoadBalancerController,
                "ClusterAddon::AwsLoadBalancerController",
            ),
            (Self::ClusterAutoscaler, "ClusterAddon::ClusterAutoscaler"),
            (Self::CertManager, "ClusterAddon::CertManager"),
            (
                Self::external_dns("<your zone>"),
                "ClusterAddon::external_dns(\"<your zone>\")",
            ),
            (
                Self::kubedb("kubedb-license"),
                "ClusterAddon::kubedb(\"<license secret>\")",
            ),
            (Self::prometheus(), "ClusterAddon::prometheus()"),
            (
                Self::PrometheusOperatorCrds,
                "ClusterAddon::PrometheusOperatorCrds",
            ),
            (Self::ArgoRollouts, "ClusterAddon::ArgoRollouts"),
            (
                Self::VerticalPodAutoscaler,
                "ClusterAddon::VerticalPodAutoscaler",
            ),
            (Self::ExternalSecrets, "ClusterAddon::ExternalSecrets"),
            (Self::Reloader, "ClusterAddon::Reloader"),
        ]
    }

    /// Its short name (diagram, Terraform names).
    pub(super) fn name(&self) -> &'static str {
        match self {
            Self::MetricsServer => "metrics-server",
            Self::AwsLoadBalancerController => "aws-load-balancer-controller",
            Self::ClusterAutoscaler => "cluster-autoscaler",
            Self::CertManager => "cert-manager",
            Self::ExternalDns { .. } => "external-dns",
            Self::KubeDb { .. } => "kubedb",
            Self::PrometheusOperatorCrds => "prometheus-operator-crds",
            Self::Prometheus(_) => "kube-prometheus-stack",
            Self::ContainerLogs { .. } => "aws-for-fluent-bit",
            Self::ArgoRollouts => "argo-rollouts",
            Self::VerticalPodAutoscaler => "vertical-pod-autoscaler",
            Self::ExternalSecrets => "external-secrets",
            Self::Reloader => "reloader",
        }
    }

    /// The address of its Helm release in the `cluster/` root of the cluster lowering in `cx`.
    fn release(&self, cx: &Lowering<'_>) -> Address {
        Address::resource(
            cx.path().stack(),
            "helm_release",
            &tf_name(cx.path(), self.name()),
        )
    }

    /// Whether its release depends on what the stack's other constructs declare — the secrets
    /// External Secrets' role may read, the namespaces Reloader watches — so the cluster
    /// installs it once every construct has lowered (`finish`).
    pub(super) fn reads_the_stack(&self) -> bool {
        matches!(self, Self::ExternalSecrets | Self::Reloader)
    }

    /// What it provides.
    pub(super) fn provides(&self) -> Vec<Capability> {
        match self {
            Self::MetricsServer => vec![Capability::ResourceMetrics],
            Self::AwsLoadBalancerController => vec![
                Capability::IngressClass("alb".into()),
                Capability::LoadBalancerService,
                Capability::api_group("elbv2.k8s.aws"),
            ],
            Self::ClusterAutoscaler => vec![Capability::NodeAutoscaling],
            Self::CertManager => vec![
                Capability::api_group("cert-manager.io"),
                Capability::api_group("acme.cert-manager.io"),
            ],
            Self::ExternalDns { .. } => vec![Capability::DnsRecords],
            Self::KubeDb { .. } => vec![
                Capability::api_group("kubedb.com"),
                Capability::api_group("catalog.kubedb.com"),
                Capability::api_group("ops.kubedb.com"),
            ],
            Self::PrometheusOperatorCrds | Self::Prometheus(_) => {
                vec![Capability::api_group("monitoring.coreos.com")]
            }
            Self::ContainerLogs { .. } => Vec::new(),
            Self::ArgoRollouts => vec![Capability::api_group("argoproj.io")],
            Self::VerticalPodAutoscaler => vec![Capability::api_group("autoscaling.k8s.io")],
            Self::ExternalSecrets => vec![Capability::api_group("external-secrets.io")],
            Self::Reloader => vec![Capability::SecretReloads],
        }
    }

    fn install(&self) -> Install {
        match self {
            Self::MetricsServer => Install::Managed("metrics-server"),
            Self::AwsLoadBalancerController => Install::Helm(Chart {
                release: "aws-load-balancer-controller",
                repository: "https://aws.github.io/eks-charts",
                chart: "aws-load-balancer-controller",
                version: "3.5.0",
                namespace: "kube-system",
                identity: Some(("aws-load-balancer-controller", "serviceAccount")),
            }),
            Self::ClusterAutoscaler => Install::Helm(Chart {
                release: "cluster-autoscaler",
                repository: "https://kubernetes.github.io/autoscaler",
                chart: "cluster-autoscaler",
                version: "9.59.0",
                namespace: "kube-system",
                identity: Some(("cluster-autoscaler", "rbac.serviceAccount")),
            }),
            Self::CertManager => Install::Helm(Chart {
                release: "cert-manager",
                repository: "https://charts.jetstack.io",
                chart: "cert-manager",
                version: "v1.21.1",
                namespace: "cert-manager",
                identity: None,
            }),
            Self::ExternalDns { .. } => Install::Helm(Chart {
                release: "external-dns",
                repository: "https://kubernetes-sigs.github.io/external-dns/",
                chart: "external-dns",
                version: "1.21.1",
                namespace: "external-dns",
                identity: Some(("external-dns", "serviceAccount")),
            }),
            Self::KubeDb { .. } => Install::Helm(Chart {
                release: "kubedb",
                repository: "oci://ghcr.io/appscode-charts",
                chart: "kubedb",
                version: "v2026.7.10",
                namespace: "kubedb",
                identity: None,
            }),
            Self::PrometheusOperatorCrds => Install::Helm(Chart {
                release: "prometheus-operator-crds",
                repository: "https://prometheus-community.github.io/helm-charts",
                chart: "prometheus-operator-crds",
                version: "31.0.1",
                namespace: "kube-system",
                identity: None,
            }),
            Self::Prometheus(stack) => Install::Helm(Chart {
                release: "kube-prometheus-stack",
                repository: "https://prometheus-community.github.io/helm-charts",
                chart: "kube-prometheus-stack",
                version: "88.5.3",
                namespace: "monitoring",
                identity: stack
                    .topic()
                    .map(|_| (ALERTMANAGER_ACCOUNT, "alertmanager.serviceAccount")),
            }),
            Self::ContainerLogs { .. } => Install::Helm(Chart {
                release: "aws-for-fluent-bit",
                repository: "https://aws.github.io/eks-charts",
                chart: "aws-for-fluent-bit",
                version: "0.2.0",
                namespace: "logging",
                identity: Some(("aws-for-fluent-bit", "serviceAccount")),
            }),
            Self::ArgoRollouts => Install::Helm(Chart {
                release: "argo-rollouts",
                repository: "https://argoproj.github.io/argo-helm",
                chart: "argo-rollouts",
                version: "2.41.0",
                namespace: "argo-rollouts",
                identity: Some(("argo-rollouts", "serviceAccount")),
            }),
            Self::VerticalPodAutoscaler => Install::Helm(Chart {
                release: "vertical-pod-autoscaler",
                repository: "https://kubernetes.github.io/autoscaler",
                chart: "vertical-pod-autoscaler",
                version: "0.11.0",
                namespace: "vertical-pod-autoscaler",
                identity: None,
            }),
            Self::ExternalSecrets => Install::Helm(Chart {
                release: "external-secrets",
                repository: "https://charts.external-secrets.io",
                chart: "external-secrets",
                version: "2.9.0",
                namespace: "external-secrets",
                identity: Some(("external-secrets", "serviceAccount")),
            }),
            Self::Reloader => Install::Helm(Chart {
                release: "reloader",
                repository: "https://stakater.github.io/stakater-charts",
                chart: "reloader",
                version: "2.2.16",
                namespace: "reloader",
                identity: None,
            }),
        }
    }

    /// The chart's values users would otherwise write by hand, for this cluster (named
    /// `cluster_name`, in `region`, running Kubernetes `version`).
    fn values(&self, cluster_name: &str, region: &str, version: &str) -> serde_json::Value {
        match self {
            Self::MetricsServer => json!({}),
            Self::AwsLoadBalancerController => json!({
                "clusterName": cluster_name,
                "region": region,
                "replicaCount": 2,
                "ingressClass": "alb",
                "createIngressClassResource": true,
                "defaultTargetType": "ip",
                "serviceAccount": { "create": true, "name": "aws-load-balancer-controller" },
            }),
            Self::ClusterAutoscaler => json!({
                "autoDiscovery": { "clusterName": cluster_name },
                "awsRegion": region,
                "cloudProvider": "aws",
                "image": { "tag": autoscaler_image(version) },
                "rbac": { "serviceAccount": { "create": true, "name": "cluster-autoscaler" } },
                "extraArgs": {
                    "balance-similar-node-groups": true,
                    "expander": "least-waste",
                    "skip-nodes-with-system-pods": false,
                },
            }),
            Self::CertManager => json!({
                "crds": { "enabled": true, "keep": true },
                "replicaCount": 2,
                "podDisruptionBudget": { "enabled": true },
            }),
            Self::ExternalDns { zone } => json!({
                "provider": { "name": "aws" },
                "env": [{ "name": "AWS_DEFAULT_REGION", "value": region }],
                "domainFilters": [zone],
                "policy": "upsert-only",
                "registry": "txt",
                "txtOwnerId": cluster_name,
                "sources": ["service", "ingress"],
                "serviceAccount": { "create": true, "name": "external-dns" },
            }),
            Self::KubeDb { license_secret } => json!({
                "global": { "licenseSecretName": license_secret },
            }),
            Self::PrometheusOperatorCrds => json!({}),
            Self::Prometheus(stack) => stack.values(region),
            Self::ContainerLogs { .. } => container_logs::values(cluster_name, region),
            Self::ArgoRollouts => json!({
                "installCRDs": true,
                "keepCRDs": true,
                "controller": {
                    "replicas": 2,
                    "awsVerifyTargetGroup": true,
                    "extraEnv": [{ "name": "AWS_REGION", "value": region }],
                },
                "dashboard": { "enabled": false },
                "serviceAccount": { "create": true, "name": "argo-rollouts" },
            }),
            Self::VerticalPodAutoscaler => json!({
                "recommender": { "enabled": true },
                "updater": { "enabled": true },
                "admissionController": { "enabled": true, "certGen": { "enabled": true } },
            }),
            Self::ExternalSecrets => json!({
                "installCRDs": true,
                "replicaCount": 2,
                "leaderElect": true,
                "podDisruptionBudget": { "enabled": true, "minAvailable": 1 },
                "serviceAccount": { "create": true, "name": "external-secrets" },
            }),
            // The namespaces it watches are added in `lower_cluster_addon`, once all lowered.
            Self::Reloader => json!({
                "reloader": {
                    "watchGlobally": false,
                    "reloadStrategy": "annotations",
                    "enableHA": true,
                    "readOnlyRootFileSystem": true,
                    "deployment": {
                        "replicas": 2,
                        "containerSecurityContext": {
                            "allowPrivilegeEscalation": false,
                            "readOnlyRootFilesystem": true,
                            "capabilities": { "drop": ["ALL"] },
                        },
                    },
                    "podDisruptionBudget": { "enabled": true, "minAvailable": 1 },
                },
            }),
        }
    }

    /// The IAM statements of its role, if it calls AWS.
    fn statements(&self, cx: &mut Lowering<'_>, cluster_name: &str) -> Vec<PolicyStatement> {
        match self {
            Self::AwsLoadBalancerController => load_balancer_controller_policy(cx),
            Self::ClusterAutoscaler => super::autoscaler_statements(cx, cluster_name),
            Self::ContainerLogs { .. } => container_logs::statements(cx, cluster_name),
            Self::Prometheus(stack) => stack
                .topic()
                .map(AlarmTopicRef::publish_statements)
                .unwrap_or_default(),
            Self::ExternalDns { zone } => {
                let found = cx.data(
                    "aws_route53_zone",
                    "external-dns-zone",
                    tf! { "name" => zone.as_str(), "private_zone" => false },
                );
                vec![
                    PolicyStatement::allow(
                        "ChangeRecordsInZone",
                        [
                            "route53:ChangeResourceRecordSets",
                            "route53:ListResourceRecordSets",
                            "route53:ListTagsForResources",
                        ],
                    )
                    .resource(found.attr::<String>("arn")),
                    PolicyStatement::allow("ListZones", ["route53:ListHostedZones"]).resource("*"),
                ]
            }
            Self::ArgoRollouts => vec![
                // GetMetricData has no resource-level permissions.
                PolicyStatement::allow("ReadMetrics", ["cloudwatch:GetMetricData"]).resource("*"),
                // Argo Rollouts' documented target-group verification permissions.
                PolicyStatement::allow(
                    "VerifyTargetGroups",
                    [
                        "elasticloadbalancing:DescribeTargetGroups",
                        "elasticloadbalancing:DescribeLoadBalancers",
                        "elasticloadbalancing:DescribeListeners",
                        "elasticloadbalancing:DescribeRules",
                        "elasticloadbalancing:DescribeTags",
                        "elasticloadbalancing:DescribeTargetHealth",
                    ],
                )
                .resource("*"),
            ],
            Self::ExternalSecrets => synced_secret_statements(cx),
            _ => Vec::new(),
        }
    }
}

/// What External Secrets may do: read exactly the secrets the stack's `ExternalSecret`s sync,
/// and decrypt with their keys only when Secrets Manager asks (`kms:ViaService`).
fn synced_secret_statements(cx: &mut Lowering<'_>) -> Vec<PolicyStatement> {
    let secrets = cx.synced_secrets();
    if secrets.is_empty() {
        return Vec::new();
    }
    let mut read = PolicyStatement::allow(
        "ReadSyncedSecrets",
        [
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
        ],
    );
    let mut decrypt = PolicyStatement::allow("DecryptSyncedSecrets", ["kms:Decrypt"]).condition(
        "StringEquals",
        "kms:ViaService",
        vec![format!("secretsmanager.{}.amazonaws.com", cx.region()).into()],
    );
    let mut keys: Vec<&stacksmith_core::Ref<String>> = Vec::new();
    for s in &secrets {
        read = read.resource(s.arn.clone());
        if let Some(k) = &s.key {
            if !keys.contains(&k) {
                keys.push(k);
                decrypt = decrypt.resource(k.clone());
            }
        }
    }
    let mut out = vec![read];
    if !keys.is_empty() {
        out.push(decrypt);
    }
    out
}

impl EksCluster {
    /// Installs `addon` (and its IAM role), after the node groups `nodes`. The AWS Load Balancer
    /// Controller's release goes first: its webhook intercepts the Services other charts make.
    pub(super) fn lower_cluster_addon(
        &self,
        cx: &mut Lowering<'_>,
        addon: &ClusterAddon,
        cluster: &Address,
        oidc: &Address,
        nodes: &[Address],
    ) {
        let cluster_name = cx.name("");
        let region = cx.region().to_owned();
        for capability in addon.provides() {
            cx.provide(
                capability,
                format!("{} add-on of {}", addon.name(), cx.path()),
            );
        }
        let chart = match addon.install() {
            Install::Managed(name) => {
                let mut r = Resource::new(
                    cx.address("aws_eks_addon", &format!("addon-{name}")),
                    cx.path().clone(),
                    tf! {
                        "cluster_name" => cluster.attr::<String>("name"),
                        "addon_name" => name,
                        "resolve_conflicts_on_create" => "OVERWRITE",
                        "resolve_conflicts_on_update" => "PRESERVE",
                        "tags" => common::name_tag(&cx.name(&format!("addon-{name}"))),
                    },
                );
                if let Some((_, v)) = self.addon_versions.iter().find(|(a, _)| a == name) {
                    r.body.insert("addon_version".into(), v.into());
                }
                for n in nodes {
                    r = r.depends_on(n);
                }
                cx.resource(r);
                return;
            }
            Install::Helm(chart) => chart,
        };
        let mut before = Vec::new();
        if let ClusterAddon::Prometheus(stack) = addon {
            stack.check(cx);
            if self.addons.contains(&ClusterAddon::PrometheusOperatorCrds) {
                cx.error(
                    "SS0561",
                    "`ClusterAddon::Prometheus` and `ClusterAddon::PrometheusOperatorCrds` both install the monitoring.coreos.com CRDs; Helm refuses the second release, whose CRDs belong to the first",
                    "remove `.addon(ClusterAddon::PrometheusOperatorCrds)`: the Prometheus add-on installs the same CRDs (Prometheus Operator v0.93.1)",
                );
            }
            if let Some(class) = stack.storage_class_resource(cx) {
                before.push(cx.cluster_resource(class));
            }
        }
        if let ClusterAddon::ContainerLogs { retention_days } = addon {
            container_logs::log_group(cx, &cluster_name, *retention_days);
        }
        let mut values = addon.values(&cluster_name, &region, &self.version);
        if *addon == ClusterAddon::Reloader {
            // Scoped to the namespaces of the workloads it restarts, known once all lowered.
            let watched = cx.namespaces_requiring(&Capability::SecretReloads);
            // The chart puts a Role and RoleBinding in each.
            for ns in &watched {
                cx.cluster_root_writes_into(ns);
            }
            if let Some(reloader) = values.get_mut("reloader").and_then(|r| r.as_object_mut()) {
                reloader.insert("namespaces".into(), json!(watched));
                // Rollouts restart too; the chart grants `rollouts` only when the Argo CRDs
                // exist as it installs (`.Capabilities`), so it follows Argo Rollouts' release.
                if self.addons.contains(&ClusterAddon::ArgoRollouts) {
                    reloader.insert("isArgoRollouts".into(), json!(true));
                    before.push(ClusterAddon::ArgoRollouts.release(cx));
                }
            }
        }
        let mut body = tf! {
            "name" => chart.release,
            "repository" => chart.repository,
            "chart" => chart.chart,
            "version" => chart.version,
            "namespace" => chart.namespace,
            "create_namespace" => chart.namespace != "kube-system",
            "atomic" => true,
            "wait" => true,
            "timeout" => 600_i64,
            "values" => vec![Value::from(values.to_string())],
        };
        let statements = addon.statements(cx, &cluster_name);
        // External Secrets with nothing to sync has nothing to read.
        let idle = *addon == ClusterAddon::ExternalSecrets && statements.is_empty();
        if let Some((service_account, at)) = chart.identity.filter(|_| !idle) {
            let part = if *addon == ClusterAddon::ClusterAutoscaler {
                AUTOSCALER_PART.to_owned()
            } else {
                format!("irsa-{}", addon.name())
            };
            let who = Irsa {
                cluster_name: &cluster_name,
                oidc,
                namespace: chart.namespace,
                service_account,
            };
            let (role, _) = irsa_role(cx, &part, &who, &[], &statements);
            if *addon == ClusterAddon::ClusterAutoscaler {
                cx.output(
                    "cluster-autoscaler-role-arn",
                    role.attr::<String>("arn"),
                    "IAM role for kube-system/cluster-autoscaler (eks.amazonaws.com/role-arn)",
                    false,
                );
            }
            let mut set = vec![Value::Map(tf! {
                "name" => format!("{at}.annotations.eks\\.amazonaws\\.com/role-arn"),
                "value" => role.attr::<String>("arn"),
            })];
            if let ClusterAddon::Prometheus(stack) = addon
                && let Some(topic) = stack.topic()
            {
                set.push(Value::Map(tf! {
                    "name" => "stacksmith.alarmTopicArn",
                    "value" => topic.arn(),
                }));
            }
            body.insert("set".into(), Value::List(set));
        }
        let address = addon.release(cx);
        let mut r = Resource::new(address, cx.path().clone(), body);
        let controller = ClusterAddon::AwsLoadBalancerController.release(cx);
        if cx.has_cluster_resource(&controller) {
            r = r.depends_on(&controller);
        }
        for b in &before {
            r = r.depends_on(b);
        }
        cx.cluster_resource(r);
    }
}

impl EksCluster {
    /// Warns (SS0563) when the stack's ServiceMonitors and PrometheusRules apply but nothing
    /// reads them: the cluster installs the Prometheus Operator's CRDs and no Prometheus.
    pub(super) fn warn_unread_monitors(&self, cx: &mut Lowering<'_>) {
        let crds_only = self.addons.contains(&ClusterAddon::PrometheusOperatorCrds)
            && !self
                .addons
                .iter()
                .any(|a| matches!(a, ClusterAddon::Prometheus(_)));
        if !crds_only {
            return;
        }
        let group = Capability::api_group("monitoring.coreos.com");
        let objects: Vec<String> = cx
            .requirements()
            .into_iter()
            .filter(|r| r.capability == group)
            .map(|r| r.object)
            .collect();
        if let Some(first) = objects.first() {
            cx.warning(
                "SS0563",
                format!(
                    "{first}{}, but nothing scrapes or evaluates {}: `ClusterAddon::PrometheusOperatorCrds` installs only the CRDs",
                    match objects.len() {
                        1 => " applies".to_owned(),
                        n => format!(" and {} other monitoring object(s) apply", n.saturating_sub(1)),
                    },
                    if objects.len() == 1 { "it" } else { "them" }
                ),
                "install `ClusterAddon::prometheus()` instead (Prometheus and Alertmanager, the same CRDs), or declare the Prometheus that runs elsewhere with `stack.prerequisite(..)`",
            );
        }
    }
}

/// The Cluster Autoscaler release for each Kubernetes minor version EKS runs (the newest patch
/// of `cluster-autoscaler-1.<minor>.*` in kubernetes/autoscaler): the autoscaler supports only
/// the minor version it was built against. A version not in the table (already refused, SS0109)
/// gets the default version's.
fn autoscaler_image(version: &str) -> &'static str {
    const IMAGES: &[(&str, &str)] = &[
        ("1.29", "v1.29.5"),
        ("1.30", "v1.30.7"),
        ("1.31", "v1.31.5"),
        ("1.32", "v1.32.7"),
        ("1.33", "v1.33.6"),
        ("1.34", "v1.34.5"),
        ("1.35", "v1.35.2"),
        ("1.36", "v1.36.1"),
    ];
    IMAGES
        .iter()
        .find(|(v, _)| *v == version)
        .map_or("v1.35.2", |(_, image)| image)
}

/// The AWS Load Balancer Controller's IAM policy: its `docs/install/iam_policy.json` at v3.5.0
/// (unchanged since v2.13), statement by statement, with the documented conditions on its
/// cluster tag `elbv2.k8s.aws/cluster`: it creates load balancers, target groups and security
/// groups only with the tag, changes and deletes only what carries it, and never moves the tag
/// itself. ARNs are this stack's partition, region and account where the document has `*`.
fn load_balancer_controller_policy(cx: &mut Lowering<'_>) -> Vec<PolicyStatement> {
    const READ: &[&str] = &[
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAddresses",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcPeeringConnections",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeTags",
        "ec2:GetCoipPoolUsage",
        "ec2:DescribeCoipPools",
        "ec2:GetSecurityGroupsForVpc",
        "ec2:DescribeIpamPools",
        "ec2:DescribeRouteTables",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeListenerCertificates",
        "elasticloadbalancing:DescribeSSLPolicies",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTrustStores",
        "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:DescribeCapacityReservation",
    ];
    const FRONT_DOOR: &[&str] = &[
        "cognito-idp:DescribeUserPoolClient",
        "acm:ListCertificates",
        "acm:DescribeCertificate",
        "iam:ListServerCertificates",
        "iam:GetServerCertificate",
        "waf-regional:GetWebACL",
        "waf-regional:GetWebACLForResource",
        "waf-regional:AssociateWebACL",
        "waf-regional:DisassociateWebACL",
        "wafv2:GetWebACL",
        "wafv2:GetWebACLForResource",
        "wafv2:AssociateWebACL",
        "wafv2:DisassociateWebACL",
        "shield:GetSubscriptionState",
        "shield:DescribeProtection",
        "shield:CreateProtection",
        "shield:DeleteProtection",
    ];
    const OWNED: &[&str] = &[
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetIpAddressType",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:ModifyCapacityReservation",
        "elasticloadbalancing:ModifyIpPools",
    ];
    const LISTENERS: &[&str] = &[
        "elasticloadbalancing:SetWebAcl",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:AddListenerCertificates",
        "elasticloadbalancing:RemoveListenerCertificates",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:SetRulePriorities",
    ];
    let request_tag = "aws:RequestTag/elbv2.k8s.aws/cluster";
    let resource_tag = "aws:ResourceTag/elbv2.k8s.aws/cluster";
    let security_groups = common::arn(cx, "ec2", true, "security-group/*");
    let elb =
        |cx: &mut Lowering<'_>, rest: &str| common::arn(cx, "elasticloadbalancing", true, rest);
    let balancers = [
        elb(cx, "targetgroup/*/*"),
        elb(cx, "loadbalancer/net/*/*"),
        elb(cx, "loadbalancer/app/*/*"),
    ];
    let listeners = [
        elb(cx, "listener/net/*/*/*"),
        elb(cx, "listener/app/*/*/*"),
        elb(cx, "listener-rule/net/*/*/*"),
        elb(cx, "listener-rule/app/*/*/*"),
    ];
    let target_groups = elb(cx, "targetgroup/*/*");
    let tagged = |s: PolicyStatement| s.condition("Null", resource_tag, vec!["false".into()]);
    let untouched_tag = |s: PolicyStatement| {
        s.condition("Null", request_tag, vec!["true".into()])
            .condition("Null", resource_tag, vec!["false".into()])
    };
    let with_tag = |s: PolicyStatement| s.condition("Null", request_tag, vec!["false".into()]);
    let mut balancer_tags = PolicyStatement::allow(
        "TagOwnBalancers",
        [
            "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
        ],
    );
    let mut created_tags =
        PolicyStatement::allow("TagBalancersOnCreate", ["elasticloadbalancing:AddTags"]);
    for arn in balancers {
        balancer_tags = balancer_tags.resource(arn.clone());
        created_tags = created_tags.resource(arn);
    }
    let mut listener_tags = PolicyStatement::allow(
        "TagListenersAndRules",
        [
            "elasticloadbalancing:AddTags",
            "elasticloadbalancing:RemoveTags",
        ],
    );
    for arn in listeners {
        listener_tags = listener_tags.resource(arn);
    }
    vec![
        PolicyStatement::allow("CreateServiceLinkedRole", ["iam:CreateServiceLinkedRole"])
            .resource("*")
            .condition(
                "StringEquals",
                "iam:AWSServiceName",
                vec!["elasticloadbalancing.amazonaws.com".into()],
            ),
        PolicyStatement::allow("Read", READ.iter().copied()).resource("*"),
        PolicyStatement::allow("CertificatesWafShield", FRONT_DOOR.iter().copied()).resource("*"),
        PolicyStatement::allow(
            "SecurityGroupRules",
            [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
            ],
        )
        .resource("*"),
        PolicyStatement::allow("CreateSecurityGroup", ["ec2:CreateSecurityGroup"]).resource("*"),
        with_tag(
            PolicyStatement::allow("TagSecurityGroupOnCreate", ["ec2:CreateTags"])
                .resource(security_groups.clone())
                .condition(
                    "StringEquals",
                    "ec2:CreateAction",
                    vec!["CreateSecurityGroup".into()],
                ),
        ),
        untouched_tag(
            PolicyStatement::allow("TagOwnSecurityGroups", ["ec2:CreateTags", "ec2:DeleteTags"])
                .resource(security_groups),
        ),
        tagged(
            PolicyStatement::allow(
                "ManageOwnSecurityGroups",
                [
                    "ec2:AuthorizeSecurityGroupIngress",
                    "ec2:RevokeSecurityGroupIngress",
                    "ec2:DeleteSecurityGroup",
                ],
            )
            .resource("*"),
        ),
        with_tag(
            PolicyStatement::allow(
                "CreateTaggedBalancers",
                [
                    "elasticloadbalancing:CreateLoadBalancer",
                    "elasticloadbalancing:CreateTargetGroup",
                ],
            )
            .resource("*"),
        ),
        PolicyStatement::allow(
            "ListenersAndRules",
            [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
            ],
        )
        .resource("*"),
        untouched_tag(balancer_tags),
        listener_tags,
        tagged(PolicyStatement::allow("ManageOwnBalancers", OWNED.iter().copied()).resource("*")),
        with_tag(created_tags.condition(
            "StringEquals",
            "elasticloadbalancing:CreateAction",
            vec!["CreateTargetGroup".into(), "CreateLoadBalancer".into()],
        )),
        PolicyStatement::allow(
            "RegisterTargets",
            [
                "elasticloadbalancing:RegisterTargets",
                "elasticloadbalancing:DeregisterTargets",
            ],
        )
        .resource(target_groups),
        PolicyStatement::allow("ModifyListenersAndRules", LISTENERS.iter().copied()).resource("*"),
    ]
}
