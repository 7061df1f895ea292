//! The managed add-ons every cluster gets (`vpc-cni`, `kube-proxy`, `coredns`,
//! `aws-ebs-csi-driver`, optionally `eks-pod-identity-agent`), their IRSA roles and version pins.

use stacksmith_core::terraform::{Resource, Value};
use stacksmith_core::{Address, Lowering, tf};

use super::EksCluster;
use crate::common::name_tag;
use crate::service_account_role::{Irsa, irsa_role};

/// Kubernetes add-ons EKS manages for every cluster stacksmith makes, in install order.
///
/// `before_nodes`: DaemonSets that must be in place (with their IAM role) before the first node
/// joins; the others run Deployments that need nodes, so they wait for the node groups (an
/// add-on whose pods cannot schedule never becomes active and its creation times out).
pub(super) struct AddonSpec {
    name: &'static str,
    pub(super) before_nodes: bool,
    role: Option<AddonRole>,
}

/// The IRSA role an add-on's service account uses.
struct AddonRole {
    part: &'static str,
    namespace: &'static str,
    service_account: &'static str,
    managed_policy: &'static str,
}

const VPC_CNI: AddonSpec = AddonSpec {
    name: "vpc-cni",
    before_nodes: true,
    role: Some(AddonRole {
        part: "irsa-vpc-cni",
        namespace: "kube-system",
        service_account: "aws-node",
        managed_policy: "AmazonEKS_CNI_Policy",
    }),
};
const KUBE_PROXY: AddonSpec = AddonSpec {
    name: "kube-proxy",
    before_nodes: true,
    role: None,
};
const POD_IDENTITY_AGENT: AddonSpec = AddonSpec {
    name: "eks-pod-identity-agent",
    before_nodes: true,
    role: None,
};
const COREDNS: AddonSpec = AddonSpec {
    name: "coredns",
    before_nodes: false,
    role: None,
};
const EBS_CSI_DRIVER: AddonSpec = AddonSpec {
    name: "aws-ebs-csi-driver",
    before_nodes: false,
    role: Some(AddonRole {
        part: "irsa-ebs-csi",
        namespace: "kube-system",
        service_account: "ebs-csi-controller-sa",
        managed_policy: "service-role/AmazonEBSCSIDriverPolicy",
    }),
};

impl EksCluster {
    pub(super) fn addons(&self) -> Vec<&'static AddonSpec> {
        let mut addons = vec![&VPC_CNI, &KUBE_PROXY];
        if self.pod_identity_agent {
            addons.push(&POD_IDENTITY_AGENT);
        }
        addons.extend([&COREDNS, &EBS_CSI_DRIVER]);
        addons
    }

    /// Add-on version pins must name an installed add-on, once, with an EKS version string.
    /// The add-ons' names in the order they are created (those needed before nodes first),
    /// for the diagram.
    pub(super) fn addon_names(&self) -> Vec<&'static str> {
        let addons = self.addons();
        let before = addons.iter().filter(|a| a.before_nodes);
        let after = addons.iter().filter(|a| !a.before_nodes);
        let named = self.addons.iter().map(super::ClusterAddon::name);
        let autoscaler =
            (self.runs_autoscaler() && !self.autoscaler).then_some("cluster-autoscaler");
        before
            .chain(after)
            .map(|a| a.name)
            .chain(named)
            .chain(autoscaler)
            .collect()
    }

    pub(super) fn check_addon_versions(&self, cx: &mut Lowering<'_>) {
        let mut installed: Vec<&str> = self.addons().iter().map(|a| a.name).collect();
        if self.addons.contains(&super::ClusterAddon::MetricsServer) {
            installed.push("metrics-server");
        }
        for (i, (addon, version)) in self.addon_versions.iter().enumerate() {
            if !installed.contains(&addon.as_str()) {
                let hint = if addon == POD_IDENTITY_AGENT.name {
                    "install it with `.pod_identity_agent()` first".to_owned()
                } else {
                    format!("pin one of {}", installed.join(", "))
                };
                cx.error(
                    "SS0161",
                    format!("`addon_version` names add-on `{addon}`, which this cluster does not install"),
                    hint,
                );
            }
            if !(version.starts_with('v') && version.contains("-eksbuild.")) {
                cx.error(
                    "SS0161",
                    format!("`addon_version` of `{addon}` is `{version}`, not an EKS add-on version"),
                    "use a version such as `v1.11.4-eksbuild.2`, as `aws eks describe-addon-versions --addon-name <name>` lists them",
                );
            }
            if self.addon_versions.iter().take(i).any(|(a, _)| a == addon) {
                cx.error(
                    "SS0161",
                    format!("`addon_version` pins add-on `{addon}` more than once"),
                    "keep one `.addon_version(...)` per add-on",
                );
            }
        }
    }

    /// One `aws_eks_addon` (with its IRSA role, if it has one), after `deps`.
    pub(super) fn lower_addon(
        &self,
        cx: &mut Lowering<'_>,
        spec: &AddonSpec,
        cluster: &Address,
        oidc: &Address,
        deps: &[Address],
    ) -> Address {
        let mut body = tf! {
            "cluster_name" => cluster.attr::<String>("name"),
            "addon_name" => spec.name,
        };
        if let Some((_, version)) = self.addon_versions.iter().find(|(a, _)| a == spec.name) {
            body.insert("addon_version".into(), version.into());
        }
        // Adopt what EKS installed at creation (OVERWRITE); keep in-cluster changes to the
        // add-on's configuration on updates (PRESERVE).
        body.insert("resolve_conflicts_on_create".into(), "OVERWRITE".into());
        if spec.name == VPC_CNI.name {
            // NetworkPolicies are enforced only when the VPC CNI's network policy agent is on.
            body.insert(
                "configuration_values".into(),
                r#"{"enableNetworkPolicy":"true"}"#.into(),
            );
        }
        body.insert("resolve_conflicts_on_update".into(), "PRESERVE".into());
        let mut grants = Vec::new();
        if let Some(r) = &spec.role {
            let who = Irsa {
                cluster_name: &cx.name(""),
                oidc,
                namespace: r.namespace,
                service_account: r.service_account,
            };
            let (role, g) = irsa_role(cx, r.part, &who, &[r.managed_policy], &[]);
            body.insert(
                "service_account_role_arn".into(),
                role.attr::<String>("arn").into(),
            );
            grants = g;
        }
        let part = format!("addon-{}", spec.name);
        body.insert("tags".into(), Value::Map(name_tag(&cx.name(&part))));
        let mut r = Resource::new(cx.address("aws_eks_addon", &part), cx.path().clone(), body);
        for a in grants.iter().chain(deps) {
            r = r.depends_on(a);
        }
        cx.resource(r)
    }
}
