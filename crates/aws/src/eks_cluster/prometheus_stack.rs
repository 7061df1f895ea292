//! `PrometheusStack`: the settings of the kube-prometheus-stack add-on (Prometheus Operator,
//! Prometheus, Alertmanager, kube-state-metrics, node-exporter), installed by
//! [`ClusterAddon::Prometheus`](super::ClusterAddon::Prometheus).

use serde_json::{Value, json};
use stacksmith_core::terraform::Resource;
use stacksmith_core::{Address, Lowering, tf, tf_name};

use crate::alarm_topic::AlarmTopicRef;

/// Alertmanager's service account, when it publishes to SNS (its IRSA role trusts it).
pub(super) const ALERTMANAGER_ACCOUNT: &str = "alertmanager";

/// The StorageClass the add-on makes for Prometheus and Alertmanager when none is named.
pub(super) const STORAGE_CLASS: &str = "prometheus-gp3";

/// The settings of a Prometheus that reads the stack's ServiceMonitors and PrometheusRules:
/// the prometheus-community chart `kube-prometheus-stack` 88.5.3 (Prometheus Operator
/// v0.93.1, the release of the `prometheus-operator-crds` 31.0.1 pin) in namespace
/// `monitoring`.
///
/// Defaults, each a value of the chart written out:
/// - Prometheus keeps 15 days of metrics on a 50 GiB volume, and deletes its oldest blocks
///   once they fill 90% of it (`retentionSize`), so a busy cluster loses old data, not scrapes;
/// - the volumes are gp3, encrypted, on a StorageClass `prometheus-gp3` the add-on makes in the
///   `cluster/` root (EBS CSI driver, bound in the pod's zone), unless
///   [`storage_class`](Self::storage_class) names another;
/// - Prometheus requests 500m CPU and 2 GiB memory (limit 4 GiB); Alertmanager runs two
///   replicas (10 GiB each, 50m / 128 MiB, limit 256 MiB);
/// - every ServiceMonitor, PodMonitor, Probe and PrometheusRule in every namespace is read,
///   not only those labelled `release: kube-prometheus-stack`;
/// - the control-plane scrapes EKS does not expose (controller manager, scheduler, etcd,
///   kube-proxy's localhost metrics) are off, so they do not fire `TargetDown` forever;
/// - the chart's default alerting rules are on: node capacity (`KubeCPUOvercommit`,
///   `KubeMemoryOvercommit`: the nodes cannot absorb the loss of one), nodes not ready,
///   pods crash-looping or unschedulable, volumes filling, Prometheus and Alertmanager
///   themselves;
/// - Grafana is off: the chart's Grafana would start with the password `prom-operator`.
///   [`grafana_admin_secret`](Self::grafana_admin_secret) turns it on with the admin
///   credentials read from a Secret, so the password is never in Terraform state;
/// - Alertmanager sends nowhere until [`alerts_to`](Self::alerts_to) routes it to the stack's
///   [`AlarmTopic`](crate::AlarmTopic) (then every alert but the chart's `Watchdog` and
///   `InfoInhibitor` is published there, with its resolution).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrometheusStack {
    retention_days: u32,
    storage_gib: u32,
    storage_class: Option<String>,
    grafana_admin_secret: Option<String>,
    topic: Option<AlarmTopicRef>,
}

impl Default for PrometheusStack {
    fn default() -> Self {
        Self::new()
    }
}

impl PrometheusStack {
    /// The defaults listed on the type.
    pub fn new() -> Self {
        Self {
            retention_days: 15,
            storage_gib: 50,
            storage_class: None,
            grafana_admin_secret: None,
            topic: None,
        }
    }

    /// How many days of metrics Prometheus keeps (1–365). Default: 15 — two weeks of
    /// comparison; long-term metrics belong in remote storage, not on one volume.
    #[must_use]
    pub fn retention_days(mut self, days: u32) -> Self {
        self.retention_days = days;
        self
    }

    /// The size of Prometheus's volume in GiB (10–16,384, the gp3 range). Default: 50.
    #[must_use]
    pub fn storage_gib(mut self, gib: u32) -> Self {
        self.storage_gib = gib;
        self
    }

    /// Puts the volumes on an existing StorageClass (`gp3-encrypted`) instead of the add-on's
    /// own. Default: `prometheus-gp3` (gp3, encrypted), made by the add-on.
    #[must_use]
    pub fn storage_class(mut self, name: &str) -> Self {
        self.storage_class = Some(name.to_owned());
        self
    }

    /// Installs Grafana, reading its admin user and password from keys `admin-user` and
    /// `admin-password` of Secret `secret` in namespace `monitoring` (created before the
    /// `cluster/` root is applied). Default: no Grafana.
    #[must_use]
    pub fn grafana_admin_secret(mut self, secret: &str) -> Self {
        self.grafana_admin_secret = Some(secret.to_owned());
        self
    }

    /// Publishes Alertmanager's notifications to `topic` (Alertmanager's SNS receiver, signed
    /// with SigV4 by an IRSA role allowed to publish to that topic and use its key only), where
    /// the stack's CloudWatch alarms go too. Default: Alertmanager's chart default, a `null`
    /// receiver — alerts fire and nobody is told.
    #[must_use]
    pub fn alerts_to(mut self, topic: &AlarmTopicRef) -> Self {
        self.topic = Some(topic.clone());
        self
    }

    /// The topic alerts go to, if any.
    pub(super) fn topic(&self) -> Option<&AlarmTopicRef> {
        self.topic.as_ref()
    }

    /// Reports settings outside their range (SS0560); true when all are valid.
    pub(super) fn check(&self, cx: &mut Lowering<'_>) -> bool {
        let mut ok = true;
        if !(1..=365).contains(&self.retention_days) {
            ok = false;
            cx.error(
                "SS0560",
                format!(
                    "Prometheus `retention_days` is {}; allowed are 1 to 365",
                    self.retention_days
                ),
                "keep 15 days locally and send longer history to remote storage",
            );
        }
        if !(10..=16_384).contains(&self.storage_gib) {
            ok = false;
            cx.error(
                "SS0560",
                format!(
                    "Prometheus `storage_gib` is {}; allowed are 10 to 16384 (a gp3 volume)",
                    self.storage_gib
                ),
                "use 50 GiB, about two weeks of a small cluster's metrics",
            );
        }
        if let Some(secret) = &self.grafana_admin_secret {
            ok &= cx.check_name(
                &stacksmith_core::NameRule::DNS_SUBDOMAIN,
                secret,
                "Grafana admin Secret",
            );
        }
        ok
    }

    /// The StorageClass the volumes are on.
    fn class(&self) -> &str {
        self.storage_class.as_deref().unwrap_or(STORAGE_CLASS)
    }

    /// The add-on's own StorageClass, when no other is named: gp3, encrypted, bound where the
    /// pod is scheduled, expandable.
    pub(super) fn storage_class_resource(&self, cx: &Lowering<'_>) -> Option<Resource> {
        if self.storage_class.is_some() {
            return None;
        }
        let address = Address::resource(
            cx.path().stack(),
            "kubernetes_storage_class_v1",
            &tf_name(cx.path(), STORAGE_CLASS),
        );
        Some(Resource::new(
            address,
            cx.path().clone(),
            tf! {
                "metadata" => vec![stacksmith_core::terraform::Value::Map(tf! { "name" => STORAGE_CLASS })],
                "storage_provisioner" => "ebs.csi.aws.com",
                "reclaim_policy" => "Delete",
                "volume_binding_mode" => "WaitForFirstConsumer",
                "allow_volume_expansion" => true,
                "parameters" => tf! { "type" => "gp3", "encrypted" => "true" },
            },
        ))
    }

    /// The chart's values, for a cluster in `region`.
    pub(super) fn values(&self, region: &str) -> Value {
        let volume = |gib: u32| {
            json!({ "volumeClaimTemplate": { "spec": {
                "storageClassName": self.class(),
                "accessModes": ["ReadWriteOnce"],
                "resources": { "requests": { "storage": format!("{gib}Gi") } },
            } } })
        };
        // Prometheus deletes its oldest blocks past 90% of the volume.
        let size = self.storage_gib.saturating_mul(9) / 10;
        let grafana = match &self.grafana_admin_secret {
            None => json!({ "enabled": false }),
            Some(secret) => json!({
                "enabled": true,
                "admin": {
                    "existingSecret": secret,
                    "userKey": "admin-user",
                    "passwordKey": "admin-password",
                },
            }),
        };
        let mut alertmanager = serde_json::Map::new();
        alertmanager.insert(
            "alertmanagerSpec".into(),
            json!({
                "replicas": 2,
                "storage": volume(10),
                "resources": {
                    "requests": { "cpu": "50m", "memory": "128Mi" },
                    "limits": { "memory": "256Mi" },
                },
            }),
        );
        if self.topic.is_some() {
            // The topic's ARN comes from `set` (`stacksmith.alarmTopicArn`, read by the
            // `cluster/` root), placed into the configuration by the chart's `tpl`.
            alertmanager.insert(
                "serviceAccount".into(),
                json!({ "create": true, "name": ALERTMANAGER_ACCOUNT }),
            );
            alertmanager.insert("tplConfig".into(), json!(true));
            alertmanager.insert(
                "config".into(),
                json!({
                    "global": { "resolve_timeout": "5m" },
                    "route": {
                        "receiver": "sns",
                        "group_by": ["namespace", "alertname"],
                        "group_wait": "30s",
                        "group_interval": "5m",
                        "repeat_interval": "12h",
                        "routes": [
                            { "receiver": "null", "matchers": ["alertname = \"Watchdog\""] },
                            { "receiver": "null", "matchers": ["alertname = \"InfoInhibitor\""] },
                        ],
                    },
                    "inhibit_rules": [{
                        "source_matchers": ["severity = critical"],
                        "target_matchers": ["severity =~ warning|info"],
                        "equal": ["namespace", "alertname"],
                    }],
                    "receivers": [
                        { "name": "null" },
                        { "name": "sns", "sns_configs": [{
                            "topic_arn": "{{ .Values.stacksmith.alarmTopicArn }}",
                            "sigv4": { "region": region },
                            "send_resolved": true,
                        }] },
                    ],
                    "templates": ["/etc/alertmanager/config/*.tmpl"],
                }),
            );
        }
        json!({
            "crds": { "enabled": true },
            "grafana": grafana,
            "kubeControllerManager": { "enabled": false },
            "kubeScheduler": { "enabled": false },
            "kubeEtcd": { "enabled": false },
            "kubeProxy": { "enabled": false },
            "alertmanager": Value::Object(alertmanager),
            "prometheus": { "prometheusSpec": {
                "retention": format!("{}d", self.retention_days),
                "retentionSize": format!("{size}GB"),
                "storageSpec": volume(self.storage_gib),
                "resources": {
                    "requests": { "cpu": "500m", "memory": "2Gi" },
                    "limits": { "memory": "4Gi" },
                },
                "serviceMonitorSelectorNilUsesHelmValues": false,
                "podMonitorSelectorNilUsesHelmValues": false,
                "probeSelectorNilUsesHelmValues": false,
                "ruleSelectorNilUsesHelmValues": false,
                "scrapeConfigSelectorNilUsesHelmValues": false,
            } },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClusterAddon, EksCluster, Network};
    use stacksmith_core::Stack;
    use stacksmith_core::terraform::Value as Tf;

    fn lowered(addons: &[ClusterAddon]) -> stacksmith_core::Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let mut cluster = EksCluster::new("eks", &net);
        for a in addons {
            cluster = cluster.addon(a.clone());
        }
        stack.add(cluster);
        stack.lower()
    }

    fn release(g: &stacksmith_core::Graph) -> Option<&Resource> {
        g.cluster_resources
            .iter()
            .find(|r| r.address.expression() == "helm_release.eks_kube_prometheus_stack")
    }

    fn values(g: &stacksmith_core::Graph) -> Value {
        match release(g).and_then(|r| r.body.get("values")) {
            Some(Tf::List(v)) => match v.first() {
                Some(Tf::String(json)) => serde_json::from_str(json).unwrap_or_default(),
                _ => Value::Null,
            },
            _ => Value::Null,
        }
    }

    #[test]
    fn prometheus_keeps_its_data_on_an_encrypted_volume_and_reads_every_monitor() {
        let g = lowered(&[ClusterAddon::prometheus()]);
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let r = release(&g).map(|r| Tf::Map(r.body.clone()));
        let r = serde_json::to_value(&r).unwrap_or_default();
        assert_eq!(r["chart"], "kube-prometheus-stack");
        assert_eq!(r["version"], "88.5.3");
        assert_eq!(r["namespace"], "monitoring");
        let v = values(&g);
        let spec = &v["prometheus"]["prometheusSpec"];
        assert_eq!(spec["retention"], "15d");
        assert_eq!(spec["retentionSize"], "45GB");
        assert_eq!(spec["serviceMonitorSelectorNilUsesHelmValues"], false);
        assert_eq!(spec["ruleSelectorNilUsesHelmValues"], false);
        assert_eq!(
            spec["storageSpec"]["volumeClaimTemplate"]["spec"]["storageClassName"],
            STORAGE_CLASS
        );
        assert_eq!(spec["resources"]["requests"]["memory"], "2Gi");
        assert_eq!(v["grafana"]["enabled"], false);
        let class = g
            .cluster_resources
            .iter()
            .find(|r| r.address.kind() == "kubernetes_storage_class_v1")
            .map(|r| serde_json::to_value(Tf::Map(r.body.clone())).unwrap_or_default())
            .unwrap_or_default();
        assert_eq!(class["parameters"]["encrypted"], "true");
        assert_eq!(class["parameters"]["type"], "gp3");
        let after: Vec<String> = release(&g)
            .map(|r| r.depends_on.iter().map(|a| a.expression()).collect())
            .unwrap_or_default();
        assert_eq!(after, ["kubernetes_storage_class_v1.eks_prometheus_gp3"]);
        insta::assert_json_snapshot!(v);
    }

    #[test]
    fn grafana_reads_its_admin_password_from_a_secret_and_a_named_class_is_used_as_is() {
        let g = lowered(&[ClusterAddon::Prometheus(
            PrometheusStack::new()
                .retention_days(30)
                .storage_gib(200)
                .storage_class("gp3-encrypted")
                .grafana_admin_secret("grafana-admin"),
        )]);
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let v = values(&g);
        assert_eq!(v["grafana"]["enabled"], true);
        assert_eq!(v["grafana"]["admin"]["existingSecret"], "grafana-admin");
        assert!(v["grafana"].get("adminPassword").is_none());
        assert_eq!(v["prometheus"]["prometheusSpec"]["retention"], "30d");
        assert_eq!(v["prometheus"]["prometheusSpec"]["retentionSize"], "180GB");
        assert!(
            !g.cluster_resources
                .iter()
                .any(|r| r.address.kind() == "kubernetes_storage_class_v1")
        );
    }

    #[test]
    fn alertmanager_publishes_to_the_alarm_topic_with_its_own_role() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let topic = stack.add(crate::AlarmTopic::new("alerts").email("oncall@example.com"));
        stack.add(EksCluster::new("eks", &net).addon(ClusterAddon::Prometheus(
            PrometheusStack::new().alerts_to(&topic),
        )));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let v = values(&g);
        let am = &v["alertmanager"];
        assert_eq!(am["tplConfig"], true);
        assert_eq!(am["serviceAccount"]["name"], ALERTMANAGER_ACCOUNT);
        assert_eq!(am["config"]["route"]["receiver"], "sns");
        let sns = &am["config"]["receivers"][1]["sns_configs"][0];
        assert_eq!(sns["topic_arn"], "{{ .Values.stacksmith.alarmTopicArn }}");
        assert_eq!(sns["sigv4"]["region"], "us-east-1");
        assert_eq!(
            am["config"]["route"]["routes"][0]["matchers"][0],
            "alertname = \"Watchdog\""
        );
        let set = release(&g)
            .and_then(|r| r.body.get("set"))
            .map(|s| serde_json::to_string(s).unwrap_or_default())
            .unwrap_or_default();
        assert!(
            set.contains(
                r#""name":"stacksmith.alarmTopicArn","value":"${aws_sns_topic.alerts.arn}""#
            ),
            "{set}"
        );
        assert!(
            set.contains("alertmanager.serviceAccount.annotations"),
            "{set}"
        );
        let policy = g
            .data
            .iter()
            .find(|r| r.address.name() == "eks_irsa_kube_prometheus_stack_policy")
            .map(|r| serde_json::to_string(&r.body).unwrap_or_default())
            .unwrap_or_default();
        assert!(policy.contains("sns:Publish"), "{policy}");
        assert!(policy.contains("${aws_sns_topic.alerts.arn}"), "{policy}");
        assert!(policy.contains("${aws_kms_key.alerts_key.arn}"), "{policy}");
        let trust = g
            .data
            .iter()
            .find(|r| r.address.name() == "eks_irsa_kube_prometheus_stack_trust")
            .map(|r| serde_json::to_string(&r.body).unwrap_or_default())
            .unwrap_or_default();
        assert!(
            trust.contains("system:serviceaccount:monitoring:alertmanager"),
            "{trust}"
        );
    }

    #[test]
    fn fails_prometheus_retention_storage_and_twice_installed_crds() {
        let g = lowered(&[
            ClusterAddon::PrometheusOperatorCrds,
            ClusterAddon::Prometheus(PrometheusStack::new().retention_days(0).storage_gib(5)),
        ]);
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
