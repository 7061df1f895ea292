//! `StatefulSet`: pods with stable names, stable DNS through a governing headless Service, and
//! one persistent volume claim each, updated in order; `StatefulSetRef` makes its Service and PDB.

use crate::api::IntOrString;
use crate::api::apps_v1::{
    RollingUpdateStatefulSetStrategy, StatefulSet as KStatefulSet,
    StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec, StatefulSetUpdateStrategy,
};
use crate::api::core_v1::{Service as KService, ServicePort, ServiceSpec};
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Path, Scope};

use crate::labels::{
    IDENTITY_LABEL, check_service_name, identity_labels, identity_selector, identity_value, int,
    meta, push, resolve_name,
};
use crate::pod::{PodContext, PodTemplate, Pods, Spread, check_replicas, pod_methods};
use crate::workload::horizontal_pod_autoscaler::Scale;
use crate::{
    Budget, HorizontalPodAutoscaler, NamespaceRef, PodDisruptionBudget, PortRef, Service,
    VolumeClaim,
};

/// StatefulSet names: a DNS-1123 label of at most 52 characters, because the controller labels
/// each pod `controller-revision-hash: <name>-<10-character hash>`, a label value (63 at most).
const STATEFUL_SET_NAME: NameRule = NameRule {
    what: "StatefulSet name (at most 52 characters: its pods' `controller-revision-hash` label adds 11)",
    max_len: 52,
    lowercase: true,
    extra: "-",
    start_letter: false,
};

/// In what order a StatefulSet creates and deletes its pods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PodManagement {
    /// One at a time, in ordinal order, each waiting for the previous to be ready
    /// (`OrderedReady`): what primary/replica databases need. The default.
    #[default]
    OrderedReady,
    /// All at once (`Parallel`): for peers that need no start-up order. Rolling updates stay
    /// ordered either way.
    Parallel,
}

impl PodManagement {
    fn as_str(self) -> &'static str {
        match self {
            PodManagement::OrderedReady => "OrderedReady",
            PodManagement::Parallel => "Parallel",
        }
    }
}

/// A Kubernetes StatefulSet: pods with stable identities (`<name>-0`, `<name>-1`, …), each with
/// its own persistent volumes, for databases and other stateful systems.
///
/// Creates: a headless `v1/Service` named `<name>-headless` (`clusterIP: None`, the governing
/// Service that gives each pod the DNS name `<name>-<n>.<name>-headless.<namespace>.svc`) and
/// one `apps/v1/StatefulSet`. Its handle makes a client Service
/// ([`StatefulSetRef::expose_via_service`]) and a disruption budget
/// ([`StatefulSetRef::disruption_budget`]).
///
/// Defaults worth knowing:
/// - 3 replicas, so a quorum (2 of 3) survives the loss of a pod.
/// - `podManagementPolicy: OrderedReady`; `updateStrategy: RollingUpdate` with `partition: 0`
///   (pods are replaced one at a time, from the highest ordinal down).
/// - `persistentVolumeClaimRetentionPolicy`: `whenDeleted: Retain`, `whenScaled: Retain` —
///   deleting or scaling down the StatefulSet never deletes data.
/// - the headless Service publishes not-ready pods (`publishNotReadyAddresses: true`) so
///   members of a cluster can find each other while starting; clients should use
///   [`StatefulSetRef::expose_via_service`], which only routes to ready pods.
/// - volume claims ([`VolumeClaim`]): `ReadWriteOnce`, the default StorageClass.
/// - the pod defaults of [`Deployment`](crate::Deployment): non-root, seccomp, no API token,
///   anti-affinity across hosts and a zone spread (`ScheduleAnyway`; use a StorageClass with
///   `volumeBindingMode: WaitForFirstConsumer` so each volume is made in its pod's zone).
/// - the name is at most 52 characters (SS0103).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let ns = stack.add(Namespace::new("graph"));
/// let license = stack.add(Secret::external(&ns, "xgt-license", ["xgt-license.lic"]));
/// let data = VolumeClaim::new("data", Memory::gib(500)).storage_class("gp3");
/// let license = Volume::secret("license", &license);
/// let xgt = stack.add(
///     StatefulSet::new(&ns, "xgt")
///         .volume_claim(&data)
///         .container(
///             Container::new("xgt", "rocketgraph/xgt:2.3.1")
///                 .port("xgt", 4367)
///                 .requests(Cpu::cores(8), Memory::gib(32))
///                 .limits(Cpu::cores(8), Memory::gib(32))
///                 .mount_writable(&data, "/data")
///                 .mount(&license, "/etc/xgt"),
///         ),
/// );
/// stack.add(xgt.expose_via_service(4367, "xgt"));
/// stack.add(xgt.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));
/// ```
#[derive(Clone, Debug)]
pub struct StatefulSet {
    id: String,
    namespace: NamespaceRef,
    name: Option<String>,
    scale: Scale,
    pod_management: PodManagement,
    partition: u32,
    publish_not_ready: bool,
    claims: Vec<VolumeClaim>,
    pod: PodTemplate,
}

impl StatefulSet {
    /// A StatefulSet in `namespace`; add at least one container.
    pub fn new(namespace: &NamespaceRef, id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            namespace: namespace.clone(),
            name: None,
            scale: Scale::new(3),
            pod_management: PodManagement::OrderedReady,
            partition: 0,
            publish_not_ready: true,
            claims: Vec::new(),
            pod: PodTemplate::new(Spread::Preferred),
        }
    }

    /// Sets the object name (at most 52 characters). Default: the kebab-case construct path
    /// below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the number of pods. Default: 3, so a quorum survives the loss of a pod; under an
    /// autoscaler, its minimum (a different count here is ignored, warning SS0480).
    #[must_use]
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.scale.replicas = Some(replicas);
        self
    }

    /// Scales the StatefulSet with a HorizontalPodAutoscaler (the child `hpa`), which owns the
    /// replica count: `spec.replicas` is not written, and the StatefulSet starts at the
    /// autoscaler's minimum. Only for members that can join and leave at any time (a cache,
    /// a stateless consumer with claims), not a quorum. See [`HorizontalPodAutoscaler`].
    /// Default: a fixed `replicas`.
    #[must_use]
    pub fn autoscale(mut self, autoscaler: HorizontalPodAutoscaler) -> Self {
        self.scale.autoscaler = Some(autoscaler);
        self
    }

    /// Sets in what order pods are created and deleted. Default: [`PodManagement::OrderedReady`].
    #[must_use]
    pub fn pod_management(mut self, policy: PodManagement) -> Self {
        self.pod_management = policy;
        self
    }

    /// Updates only the pods with an ordinal of at least `partition` (a staged rollout:
    /// lower it step by step). Default: 0, every pod.
    #[must_use]
    pub fn partition(mut self, partition: u32) -> Self {
        self.partition = partition;
        self
    }

    /// Sets whether the headless Service lists pods before they are ready
    /// (`publishNotReadyAddresses`). Default: on, for peer discovery while a cluster starts.
    #[must_use]
    pub fn publish_not_ready_addresses(mut self, publish: bool) -> Self {
        self.publish_not_ready = publish;
        self
    }

    /// Gives every pod its own claim from this template (`volumeClaimTemplates`); mount it in a
    /// container with `.mount_writable(&claim, path)`. Default: none.
    #[must_use]
    pub fn volume_claim(mut self, claim: &VolumeClaim) -> Self {
        self.claims.push(claim.clone());
        self
    }

    pod_methods!();

    /// Refuses to schedule a pod that would unbalance zones by more than one
    /// (`whenUnsatisfiable: DoNotSchedule`). Default: `ScheduleAnyway`, a preference.
    #[must_use]
    pub fn require_zone_spread(mut self) -> Self {
        self.pod.spread = Spread::Required;
        self
    }

    fn headless(&self, cx: &mut Lowering<'_>, name: &str, identity: &str) -> (String, KService) {
        let service = format!("{name}-headless");
        cx.check_name(&NameRule::DNS_LABEL, &service, "headless Service name");
        let origin = if self.name.is_some() {
            NameOrigin::Given("the StatefulSet's `.name(..)`, plus `-headless`")
        } else {
            NameOrigin::Path
        };
        check_service_name(cx, &service, origin);
        let ports: Vec<ServicePort> = self
            .pod
            .ports()
            .map(|(n, p)| ServicePort {
                name: Some(n.clone()),
                port: i32::from(*p),
                target_port: Some(IntOrString::Int(i32::from(*p))),
                protocol: Some("TCP".to_owned()),
                ..ServicePort::default()
            })
            .collect();
        let ns = self.namespace.name();
        let object = KService {
            metadata: meta(&service, Some(ns), [], []),
            spec: Some(ServiceSpec {
                type_: Some("ClusterIP".to_owned()),
                cluster_ip: Some("None".to_owned()),
                publish_not_ready_addresses: Some(self.publish_not_ready),
                selector: Some(identity_labels(identity)),
                ports: (!ports.is_empty()).then_some(ports),
                ..ServiceSpec::default()
            }),
        };
        (service, object)
    }
}

impl Lower for StatefulSet {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let name = resolve_name(self.name.as_ref(), cx.path());
        cx.check_name_from(
            &STATEFUL_SET_NAME,
            &name,
            "name",
            NameOrigin::name_setter(self.name.is_some()),
        );
        if self.scale.autoscaler.is_none() {
            check_replicas(cx, "StatefulSet", self.scale.starting());
        }
        for (i, claim) in self.claims.iter().enumerate() {
            if self.claims.iter().take(i).any(|c| c.name == claim.name) {
                cx.error(
                    "SS0331",
                    format!(
                        "two volume claims of {} are named `{}`",
                        cx.path(),
                        claim.name
                    ),
                    "give each volume claim a distinct name",
                );
            }
        }
        let ns = self.namespace.name();
        let identity = identity_value(cx.path());
        let (service, headless) = self.headless(cx, &name, &identity);
        push(cx, Some(ns), &service, &headless);
        let template = self.pod.lower(
            cx,
            &PodContext {
                kind: "StatefulSet",
                namespace: ns,
                identity: &identity,
                restart_policy: None,
                claims: &self.claims,
            },
        );
        let claims: Vec<_> = self.claims.iter().map(|c| c.lower(cx)).collect();
        let replicas = self.scale.spec_replicas(cx, "StatefulSet");
        let object = KStatefulSet {
            metadata: meta(
                &name,
                Some(ns),
                self.pod.labels.iter().map(|(k, v)| (k, v)),
                self.pod.reload_annotation().iter().map(|(k, v)| (k, v)),
            ),
            spec: Some(StatefulSetSpec {
                replicas,
                selector: identity_selector(&identity),
                service_name: Some(service),
                pod_management_policy: Some(self.pod_management.as_str().to_owned()),
                update_strategy: Some(StatefulSetUpdateStrategy {
                    type_: Some("RollingUpdate".to_owned()),
                    rolling_update: Some(RollingUpdateStatefulSetStrategy {
                        partition: Some(int(self.partition)),
                        max_unavailable: None,
                    }),
                }),
                persistent_volume_claim_retention_policy: Some(
                    StatefulSetPersistentVolumeClaimRetentionPolicy {
                        when_deleted: Some("Retain".to_owned()),
                        when_scaled: Some("Retain".to_owned()),
                    },
                ),
                volume_claim_templates: (!claims.is_empty()).then_some(claims),
                template,
                ..StatefulSetSpec::default()
            }),
        };
        push(cx, Some(ns), &name, &object);
        self.scale.lower_autoscaler(cx, "StatefulSet", &name, ns);
    }
}

impl Construct for StatefulSet {
    type Handle = StatefulSetRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> StatefulSetRef {
        let name = resolve_name(self.name.as_ref(), &scope.path);
        StatefulSetRef {
            headless: format!("{name}-headless"),
            pods: Pods {
                path: scope.path.clone(),
                name,
                namespace: self.namespace.name().to_owned(),
                identity: identity_value(&scope.path),
                ports: self.pod.ports().cloned().collect(),
            },
            replicas: self.scale.starting(),
            autoscaled: self.scale.autoscaler.is_some(),
        }
    }
}

/// A handle to a [`StatefulSet`]: its name, governing Service, selector identity and ports, and
/// the intent methods that make the objects around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatefulSetRef {
    pods: Pods,
    headless: String,
    replicas: u32,
    /// Whether a HorizontalPodAutoscaler scales it.
    pub(crate) autoscaled: bool,
}

impl StatefulSetRef {
    /// The StatefulSet's construct path.
    pub fn path(&self) -> &Path {
        &self.pods.path
    }

    /// Its object name (pods are `<name>-0`, `<name>-1`, …).
    pub fn name(&self) -> &str {
        &self.pods.name
    }

    /// Its namespace.
    pub fn namespace(&self) -> &str {
        &self.pods.namespace
    }

    /// The name of its headless governing Service (`<name>-headless`): pod `n` is reachable at
    /// `<name>-<n>.<service>.<namespace>.svc`.
    pub fn headless_service(&self) -> &str {
        &self.headless
    }

    /// The identity label its selector matches: (`stacksmith.dev/id`, value).
    pub fn identity(&self) -> (&'static str, &str) {
        (IDENTITY_LABEL, &self.pods.identity)
    }

    /// Its replica count.
    pub fn replicas(&self) -> u32 {
        self.replicas
    }

    /// Every container port of its pod, as (name, number).
    pub fn ports(&self) -> &[(String, u16)] {
        &self.pods.ports
    }

    /// A ClusterIP Service (id `service`, named `<statefulset>-service`) for clients, sending
    /// `port` to the container port `target` of ready pods.
    pub fn expose_via_service(&self, port: u16, target: impl Into<PortRef>) -> Service {
        Service::new(&self.pods, port, target.into())
    }

    /// A disruption budget (id `pdb`) limiting voluntary evictions of these pods; a budget that
    /// allows none at the replica count is an error (SS0308).
    pub fn disruption_budget(&self, budget: Budget) -> PodDisruptionBudget {
        PodDisruptionBudget::new(&self.pods, self.replicas, budget)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Container, IntOrPercent, Memory, Namespace, Secret, Volume};
    use stacksmith_core::{Graph, KubeObject, Stack};

    const IMAGE: &str = "rocketgraph/xgt:2.3.1";

    fn data() -> VolumeClaim {
        VolumeClaim::new("data", Memory::gib(500)).storage_class("gp3")
    }

    fn xgt(ns: &NamespaceRef) -> StatefulSet {
        let data = data();
        StatefulSet::new(ns, "xgt").volume_claim(&data).container(
            Container::new("xgt", IMAGE)
                .port("xgt", 4367)
                .mount_writable(&data, "/data"),
        )
    }

    fn lower(build: impl FnOnce(&mut Stack, &NamespaceRef)) -> Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        let ns = stack.add(Namespace::new("graph"));
        build(&mut stack, &ns);
        stack.lower()
    }

    fn object<'g>(g: &'g Graph, kind: &str) -> &'g KubeObject {
        let Some(o) = g.objects.iter().find(|o| o.kind == kind) else {
            panic!("no {kind} in {:?}", g.objects);
        };
        o
    }

    #[test]
    fn statefulset_is_ordered_and_keeps_its_claims() {
        let g = lower(|stack, ns| {
            let sts = stack.add(xgt(ns));
            assert_eq!(sts.headless_service(), "xgt-headless");
            assert_eq!(sts.replicas(), 3);
        });
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let sts = object(&g, "StatefulSet");
        assert_eq!(sts.api_version, "apps/v1");
        let spec = &sts.body["spec"];
        assert_eq!(spec["replicas"], 3);
        assert_eq!(spec["serviceName"], "xgt-headless");
        assert_eq!(spec["podManagementPolicy"], "OrderedReady");
        assert_eq!(
            spec["updateStrategy"],
            serde_json::json!({"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"})
        );
        assert_eq!(
            spec["persistentVolumeClaimRetentionPolicy"],
            serde_json::json!({"whenDeleted": "Retain", "whenScaled": "Retain"})
        );
        let claim = &spec["volumeClaimTemplates"][0];
        assert_eq!(claim["metadata"]["name"], "data");
        assert_eq!(
            claim["spec"]["accessModes"],
            serde_json::json!(["ReadWriteOnce"])
        );
        assert_eq!(claim["spec"]["resources"]["requests"]["storage"], "500Gi");
        assert_eq!(claim["spec"]["storageClassName"], "gp3");
        let pod = &spec["template"]["spec"];
        // Claim templates are not pod volumes; only the default /tmp is.
        assert_eq!(
            pod["volumes"],
            serde_json::json!([{"emptyDir": {"sizeLimit": "1Gi"}, "name": "tmp"}])
        );
        assert_eq!(
            pod["containers"][0]["volumeMounts"],
            serde_json::json!([
                {"mountPath": "/data", "name": "data", "readOnly": false},
                {"mountPath": "/tmp", "name": "tmp", "readOnly": false}
            ])
        );
    }

    #[test]
    fn governing_service_is_headless() {
        let g = lower(|stack, ns| {
            stack.add(xgt(ns).publish_not_ready_addresses(false));
        });
        let svc = object(&g, "Service");
        assert_eq!(svc.name, "xgt-headless");
        assert_eq!(
            svc.body["spec"],
            serde_json::json!({
                "clusterIP": "None",
                "ports": [{"name": "xgt", "port": 4367, "protocol": "TCP", "targetPort": 4367}],
                "publishNotReadyAddresses": false,
                "selector": {"stacksmith.dev/id": "prod-xgt"},
                "type": "ClusterIP",
            })
        );
    }

    #[test]
    fn service_and_budget_work_like_on_a_deployment() {
        let g = lower(|stack, ns| {
            let sts = stack.add(xgt(ns));
            let svc = stack.add(sts.expose_via_service(4367, "xgt"));
            assert_eq!(svc.name(), "xgt-service");
            stack.add(sts.disruption_budget(Budget::MaxUnavailable(IntOrPercent::Count(1))));
        });
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        let names: Vec<String> = g
            .objects
            .iter()
            .map(|o| format!("{}/{}", o.kind, o.name))
            .collect();
        assert_eq!(
            names,
            [
                "Namespace/graph",
                "Service/xgt-headless",
                "StatefulSet/xgt",
                "Service/xgt-service",
                "PodDisruptionBudget/xgt-pdb",
            ]
        );
        let pdb = object(&g, "PodDisruptionBudget");
        assert_eq!(
            pdb.body["spec"]["selector"]["matchLabels"]["stacksmith.dev/id"],
            "prod-xgt"
        );
    }

    #[test]
    fn statefulset_body() {
        let g = lower(|stack, ns| {
            let license = stack.add(Secret::external(ns, "xgt-license", ["xgt-license.lic"]));
            let license = Volume::secret("license", &license);
            let data = data();
            stack.add(
                StatefulSet::new(ns, "xgt")
                    .pod_management(PodManagement::Parallel)
                    .partition(1)
                    .label("app", "xgt")
                    .volume_claim(&data)
                    .container(
                        Container::new("xgt", IMAGE)
                            .port("xgt", 4367)
                            .mount_writable(&data, "/data")
                            .mount(&license, "/etc/xgt"),
                    ),
            );
        });
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        insta::assert_json_snapshot!(object(&g, "StatefulSet").body);
    }

    #[test]
    fn fails_zero_size_and_duplicate_claims() {
        let g = lower(|stack, ns| {
            let empty = VolumeClaim::new("data", Memory::gib(0));
            stack.add(
                StatefulSet::new(ns, "xgt")
                    .volume_claim(&empty)
                    .volume_claim(&VolumeClaim::new("data", Memory::gib(1)))
                    .container(Container::new("xgt", IMAGE).mount_writable(&empty, "/data")),
            );
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_mount_of_an_undeclared_claim() {
        let g = lower(|stack, ns| {
            let logs = VolumeClaim::new("logs", Memory::gib(10));
            let data = data();
            let data_resized = VolumeClaim::new("data", Memory::gib(50));
            let scratch = Volume::empty_dir("data");
            stack.add(
                StatefulSet::new(ns, "xgt")
                    .volume_claim(&data)
                    .container(
                        Container::new("xgt", IMAGE)
                            .mount_writable(&logs, "/logs")
                            .mount_writable(&data_resized, "/data"),
                    )
                    .container(
                        Container::new("sidecar", IMAGE).mount_writable(&scratch, "/scratch"),
                    ),
            );
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_budget_blocking_every_eviction_and_long_name() {
        let g = lower(|stack, ns| {
            let sts = stack.add(xgt(ns).name("x".repeat(53)));
            stack.add(sts.disruption_budget(Budget::MinAvailable(IntOrPercent::Count(3))));
        });
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
