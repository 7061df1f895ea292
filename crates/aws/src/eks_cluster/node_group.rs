//! `NodeGroup`: a managed node group of EC2 instances that join the cluster, and its lowering
//! to `aws_eks_node_group`.

use stacksmith_core::terraform::{Resource, Value};
use stacksmith_core::{Address, Facts, Lowering, NameRule, Node, NodeKind, Within, tf};

use super::EksCluster;
use crate::common::name_tag;
use crate::drawing::join;
use crate::instance_type::instance_type_problem;

/// Node group names: up to 63 characters.
/// A node group, known by its name within the cluster.
const NODE_GROUP: Facts = Facts::new().identity(&["node_group_name", "node_group_name_prefix"]);

const NODE_GROUP_NAME: NameRule = NameRule {
    what: "EKS node group name",
    max_len: 63,
    lowercase: false,
    extra: "-_",
    start_letter: true,
};

/// On-demand or spot capacity for a node group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapacityType {
    /// Regular instances (the default).
    OnDemand,
    /// Spare capacity at a discount, reclaimable with two minutes' notice.
    Spot,
}

/// What a node taint does to pods that do not tolerate it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeTaintEffect {
    /// New pods are not scheduled on the node.
    NoSchedule,
    /// The scheduler avoids the node when it can.
    PreferNoSchedule,
    /// New pods are not scheduled and running ones are evicted.
    NoExecute,
}

impl NodeTaintEffect {
    /// EKS's spelling.
    fn eks(self) -> &'static str {
        match self {
            Self::NoSchedule => "NO_SCHEDULE",
            Self::PreferNoSchedule => "PREFER_NO_SCHEDULE",
            Self::NoExecute => "NO_EXECUTE",
        }
    }
}

/// A managed node group: EC2 instances that join the cluster.
///
/// Defaults: `m6i.large`, on demand, Amazon Linux 2023, 3 nodes (min = desired = max = 3: a
/// group that can grow needs a node autoscaler, SS0450), one node replaced at a time; the
/// desired size is left to the cluster autoscaler after creation.
#[derive(Clone, Debug)]
pub struct NodeGroup {
    pub(super) id: String,
    instance_types: Vec<String>,
    min: u32,
    desired: u32,
    max: u32,
    capacity: CapacityType,
    labels: Vec<(String, String)>,
    taints: Vec<(String, String, NodeTaintEffect)>,
}

impl NodeGroup {
    /// A node group with the given id (unique within the cluster; part of the node group's name).
    pub fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            instance_types: vec!["m6i.large".into()],
            min: 3,
            desired: 3,
            max: 3,
            capacity: CapacityType::OnDemand,
            labels: Vec::new(),
            taints: Vec::new(),
        }
    }

    /// Whether the group can grow beyond its minimum (and so needs a node autoscaler).
    pub(super) fn scales(&self) -> bool {
        self.max > self.min
    }

    /// `min–max nodes`, for diagnostics.
    pub(super) fn range(&self) -> String {
        format!("{}–{} nodes", self.min, self.max)
    }

    /// Instance types, first preferred. Default: `m6i.large`.
    #[must_use]
    pub fn instance_types<'a>(mut self, types: impl IntoIterator<Item = &'a str>) -> Self {
        self.instance_types = types.into_iter().map(str::to_owned).collect();
        self
    }

    /// Minimum, desired and maximum node counts. Default: 3, 3, 3. A maximum above the minimum
    /// needs a node autoscaler on the cluster (`.cluster_autoscaler()`), or synth fails (SS0450).
    #[must_use]
    pub fn scaling(mut self, min: u32, desired: u32, max: u32) -> Self {
        (self.min, self.desired, self.max) = (min, desired, max);
        self
    }

    /// Spot capacity (`capacity_type = "SPOT"`): spare EC2 capacity at up to 90% off, which
    /// EC2 reclaims with two minutes' notice (EKS drains the node first). A named cost choice
    /// for interruptible work: give the group several instance types of the same size (EKS
    /// picks from the pools with the most spare capacity, so one type is more often reclaimed
    /// or unavailable; fewer than two is warned, SS0701), and keep workloads that must stay up
    /// on an on-demand group, steering the interruptible ones here with `.label(..)` and a
    /// node selector. Default: on demand.
    #[must_use]
    pub fn spot(mut self) -> Self {
        self.capacity = CapacityType::Spot;
        self
    }

    /// A Kubernetes taint on every node of the group (`key=value:effect`): only pods with a
    /// matching toleration run there, so a spot or dedicated group keeps other pods out. The
    /// cluster autoscaler reads it from EKS, so a group can scale from zero for the pods that
    /// tolerate it. Default: none.
    #[must_use]
    pub fn taint(mut self, key: &str, value: &str, effect: NodeTaintEffect) -> Self {
        self.taints.push((key.to_owned(), value.to_owned(), effect));
        self
    }

    /// A Kubernetes label on every node of the group.
    #[must_use]
    pub fn label(mut self, key: &str, value: &str) -> Self {
        self.labels.push((key.to_owned(), value.to_owned()));
        self
    }
}

impl NodeGroup {
    /// The node group as the diagram draws it, inside its cluster's box: instance types and
    /// capacity, scaling, zones.
    pub(super) fn drawn(&self, cx: &Lowering<'_>, zones: &str) -> Node {
        let part = format!("nodes-{}", self.id);
        let capacity = match self.capacity {
            CapacityType::OnDemand => "on-demand",
            CapacityType::Spot => "spot",
        };
        let types = self.instance_types.join(" / ");
        Node::new(
            cx.path(),
            &format!("nodes_{}", cx.tf_name(&part)),
            NodeKind::Compute,
            format!("node group {}", cx.name(&part)),
        )
        .part(&part)
        .line(join([Some(types.as_str()), Some(capacity)]))
        .line(format!(
            "{}–{} nodes (desired {})",
            self.min, self.max, self.desired
        ))
        .line(zones)
        .within(Within::Part(String::new()))
    }
}

impl EksCluster {
    pub(super) fn lower_node_group(
        &self,
        cx: &mut Lowering<'_>,
        g: &NodeGroup,
        cluster: &Address,
        role: &Address,
        deps: &[Address],
        subnets: &[Value],
    ) -> Address {
        let cluster_name = cx.name("");
        let part = format!("nodes-{}", g.id);
        let name = cx.name(&part);
        cx.check_name(&NODE_GROUP_NAME, &name, "node group name");
        if g.min > g.desired || g.desired > g.max || g.max == 0 {
            cx.error(
                "SS0106",
                format!(
                    "node group `{}` scaling is min {} / desired {} / max {}; it needs min ≤ desired ≤ max and max ≥ 1",
                    g.id, g.min, g.desired, g.max
                ),
                "fix `.scaling(min, desired, max)`",
            );
        }
        if g.instance_types.is_empty() {
            cx.error(
                "SS0106",
                format!("node group `{}` has no instance types", g.id),
                "set `.instance_types([...])`",
            );
        }
        for t in &g.instance_types {
            if let Some(problem) = instance_type_problem(t) {
                cx.error(
                    "SS0172",
                    format!("node group `{}` names instance type `{t}`: {problem}", g.id),
                    "name EC2 instance types as `<family>.<size>`, such as `m6i.large` or `t3.medium`; the EC2 instance types page lists every family",
                );
            }
        }
        for (key, value, _) in &g.taints {
            let name = key.rsplit('/').next().unwrap_or_default();
            let label_like = |v: &str| {
                v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                    && !v.starts_with(['-', '_', '.'])
                    && !v.ends_with(['-', '_', '.'])
            };
            if key.is_empty()
                || key.len() > 63
                || name.is_empty()
                || !label_like(name)
                || value.len() > 63
                || !label_like(value)
            {
                cx.error(
                    "SS0702",
                    format!("node group `{}` has the taint `{key}={value}`, which EKS refuses", g.id),
                    "taint keys are 1 to 63 characters, an optional DNS prefix and `/` then letters, digits, `-`, `_` or `.`; values are up to 63 such characters (`kgas.dev/capacity=spot`)",
                );
            }
        }
        if g.capacity == CapacityType::Spot && g.instance_types.len() == 1 {
            cx.warning(
                "SS0701",
                format!(
                    "spot node group `{}` has one instance type; when EC2 reclaims or runs out of that spot pool, the group cannot replace its nodes",
                    g.id
                ),
                "give spot groups several instance types of the same vCPU and memory, e.g. `.instance_types([\"m6i.large\", \"m5.large\", \"m6a.large\"])`",
            );
        }
        let labels: stacksmith_core::terraform::Map = g
            .labels
            .iter()
            .map(|(k, v)| (k.clone().into(), Value::from(v)))
            .collect();
        let mut tags = name_tag(&name);
        if self.runs_autoscaler() {
            // Auto-discovery tags. EKS puts these same two tags on the group's Auto Scaling
            // group itself (node group tags do not propagate there); they are written here so
            // the intent shows in the output.
            tags.insert(
                "k8s.io/cluster-autoscaler/enabled".into(),
                Value::from("true"),
            );
            tags.insert(
                format!("k8s.io/cluster-autoscaler/{cluster_name}").into(),
                Value::from("owned"),
            );
        }
        let mut body = tf! {
            "cluster_name" => cluster.attr::<String>("name"),
            "node_group_name" => name.as_str(),
            "node_role_arn" => role.attr::<String>("arn"),
            "subnet_ids" => Value::List(subnets.to_vec()),
            "instance_types" => g.instance_types.clone(),
            "capacity_type" => match g.capacity { CapacityType::OnDemand => "ON_DEMAND", CapacityType::Spot => "SPOT" },
            "ami_type" => "AL2023_x86_64_STANDARD",
            "scaling_config" => tf! { "min_size" => g.min, "desired_size" => g.desired, "max_size" => g.max },
            "update_config" => tf! { "max_unavailable" => 1_i64 },
            "node_repair_config" => tf! { "enabled" => true },
            "tags" => tags,
        };
        if !labels.is_empty() {
            body.insert("labels".into(), Value::Map(labels));
        }
        if !g.taints.is_empty() {
            let taints = g
                .taints
                .iter()
                .map(|(key, value, effect)| {
                    Value::Map(tf! { "key" => key.as_str(), "value" => value.as_str(), "effect" => effect.eks() })
                })
                .collect();
            body.insert("taint".into(), Value::List(taints));
        }
        let mut r = Resource::new(
            cx.address("aws_eks_node_group", &part),
            cx.path().clone(),
            body,
        )
        .facts(NODE_GROUP)
        .ignore_changes("scaling_config[0].desired_size");
        for a in deps {
            r = r.depends_on(a);
        }
        cx.resource(r)
    }
}
