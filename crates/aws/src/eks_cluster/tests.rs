use super::*;
use crate::Network;
use stacksmith_core::Stack;

fn lowered(f: impl FnOnce(EksCluster) -> EksCluster) -> stacksmith_core::Graph {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    stack.add(f(EksCluster::new("eks", &net)));
    stack.lower()
}

fn cluster(g: &stacksmith_core::Graph) -> Option<Value> {
    g.resources
        .iter()
        .find(|r| r.address.expression() == "aws_eks_cluster.eks")
        .map(|r| Value::Map(r.body.clone()))
}

#[test]
fn endpoint_is_private_and_secrets_are_encrypted() {
    let g = lowered(|c| c);
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let c = cluster(&g);
    assert_eq!(
        c.as_ref()
            .and_then(|c| c.get("vpc_config.endpoint_public_access")),
        Some(&Value::Bool(false))
    );
    assert_eq!(
        c.as_ref()
            .and_then(|c| c.get("vpc_config.endpoint_private_access")),
        Some(&Value::Bool(true))
    );
    assert_eq!(
        c.as_ref()
            .and_then(|c| c.get("encryption_config.resources")),
        Some(&Value::from(vec!["secrets"]))
    );
}

#[test]
fn node_group_leaves_desired_size_to_the_autoscaler() {
    let g = lowered(|c| c.node_group(NodeGroup::new("general").scaling(3, 6, 12)));
    let ng = g
        .resources
        .iter()
        .find(|r| r.address.expression() == "aws_eks_node_group.eks_nodes_general");
    assert_eq!(
        ng.map(|r| r.ignore_changes.clone()),
        Some(vec!["scaling_config[0].desired_size".to_owned()])
    );
}

#[test]
fn spot_node_group_of_several_types_is_spot_capacity_without_a_warning() {
    let g = lowered(|c| {
        c.node_group(
            NodeGroup::new("batch")
                .instance_types(["t3.large", "t3a.large", "m5.large"])
                .spot()
                .taint("capacity", "spot", NodeTaintEffect::NoSchedule),
        )
    });
    assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
    let ng = g
        .resources
        .iter()
        .find(|r| r.address.expression() == "aws_eks_node_group.eks_nodes_batch");
    assert_eq!(
        ng.and_then(|r| r.body.get("capacity_type")),
        Some(&Value::from("SPOT"))
    );
    assert_eq!(
        ng.and_then(|r| r.body.get("instance_types")),
        Some(&Value::from(vec!["t3.large", "t3a.large", "m5.large"]))
    );
    let Some(Value::List(taints)) = ng.and_then(|r| r.body.get("taint")) else {
        panic!("no taint");
    };
    assert_eq!(
        taints.first().and_then(|t| t.get("effect")),
        Some(&Value::from("NO_SCHEDULE"))
    );
}

#[test]
fn fails_spot_node_group_of_one_instance_type() {
    let g = lowered(|c| c.node_group(NodeGroup::new("batch").spot()));
    assert_eq!(
        g.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
        ["SS0701"]
    );
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn fails_invalid_node_taints() {
    let g = lowered(|c| {
        c.node_group(
            NodeGroup::new("batch")
                .taint("", "spot", NodeTaintEffect::NoSchedule)
                .taint(
                    "kgas.dev/capacity",
                    "spot instances",
                    NodeTaintEffect::NoExecute,
                ),
        )
    });
    assert_eq!(
        g.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
        ["SS0702", "SS0702"]
    );
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn fails_node_group_min_above_max() {
    let g = lowered(|c| c.node_group(NodeGroup::new("general").scaling(5, 5, 3)));
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn fails_unsupported_version() {
    let g = lowered(|c| c.version("1.19"));
    insta::assert_snapshot!(g.diagnostics.to_string());
}

fn body(g: &stacksmith_core::Graph, expression: &str) -> Option<Value> {
    g.resources
        .iter()
        .chain(&g.data)
        .find(|r| r.address.expression() == expression)
        .map(|r| Value::Map(r.body.clone()))
}

fn depends_on(g: &stacksmith_core::Graph, expression: &str) -> Vec<String> {
    g.resources
        .iter()
        .find(|r| r.address.expression() == expression)
        .map(|r| r.depends_on.iter().map(Address::expression).collect())
        .unwrap_or_default()
}

fn count(g: &stacksmith_core::Graph, kind: &str) -> usize {
    g.resources
        .iter()
        .filter(|r| r.address.kind() == kind)
        .count()
}

fn two_groups(c: EksCluster) -> EksCluster {
    c.node_group(
        NodeGroup::new("general")
            .instance_types(["t3.medium", "t3.large"])
            .scaling(1, 3, 10),
    )
    .node_group(NodeGroup::new("batch").scaling(0, 0, 10))
    .cluster_autoscaler()
}

#[test]
fn several_node_groups_share_the_node_role() {
    let g = lowered(two_groups);
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    assert_eq!(count(&g, "aws_eks_node_group"), 2);
    for group in ["general", "batch"] {
        let ng = body(&g, &format!("aws_eks_node_group.eks_nodes_{group}"));
        assert_eq!(
            ng.as_ref().and_then(|b| b.get("node_role_arn")),
            Some(&Value::from(
                Address::resource("prod", "aws_iam_role", "eks_node").attr::<String>("arn")
            ))
        );
    }
}

#[test]
fn fails_duplicate_node_group_ids() {
    let g = lowered(|c| {
        c.node_group(NodeGroup::new("general"))
            .node_group(NodeGroup::new("general").scaling(1, 1, 2))
    });
    assert_eq!(count(&g, "aws_eks_node_group"), 1);
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn default_addons_are_managed_and_unpinned() {
    let g = lowered(|c| c);
    let names: Vec<Option<Value>> = g
        .resources
        .iter()
        .filter(|r| r.address.kind() == "aws_eks_addon")
        .map(|r| r.body.get("addon_name").cloned())
        .collect();
    assert_eq!(
        names,
        ["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"]
            .map(|n| Some(Value::from(n)))
            .to_vec()
    );
    for r in g
        .resources
        .iter()
        .filter(|r| r.address.kind() == "aws_eks_addon")
    {
        assert_eq!(r.body.get("addon_version"), None);
        assert_eq!(
            r.body.get("resolve_conflicts_on_create"),
            Some(&Value::from("OVERWRITE"))
        );
        assert_eq!(
            r.body.get("resolve_conflicts_on_update"),
            Some(&Value::from("PRESERVE"))
        );
    }
}

#[test]
fn pinned_addon_version_is_written() {
    let g = lowered(|c| c.addon_version("coredns", "v1.11.4-eksbuild.2"));
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    assert_eq!(
        body(&g, "aws_eks_addon.eks_addon_coredns")
            .as_ref()
            .and_then(|b| b.get("addon_version")),
        Some(&Value::from("v1.11.4-eksbuild.2"))
    );
}

#[test]
fn pod_identity_agent_is_a_choice() {
    let g = lowered(|c| c);
    assert_eq!(
        body(&g, "aws_eks_addon.eks_addon_eks_pod_identity_agent"),
        None
    );
    let g = lowered(EksCluster::pod_identity_agent);
    assert!(body(&g, "aws_eks_addon.eks_addon_eks_pod_identity_agent").is_some());
}

#[test]
fn fails_addon_version_for_an_addon_not_installed() {
    let g = lowered(|c| {
        c.addon_version("eks-pod-identity-agent", "v1.3.4-eksbuild.1")
            .addon_version("coredns", "1.11")
            .addon_version("coredns", "v1.11.4-eksbuild.2")
    });
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn coredns_and_ebs_wait_for_nodes_and_nodes_wait_for_the_cni() {
    let g = lowered(two_groups);
    for addon in ["coredns", "aws_ebs_csi_driver"] {
        let deps = depends_on(&g, &format!("aws_eks_addon.eks_addon_{addon}"));
        assert!(deps.contains(&"aws_eks_node_group.eks_nodes_general".to_owned()));
        assert!(deps.contains(&"aws_eks_node_group.eks_nodes_batch".to_owned()));
    }
    let deps = depends_on(&g, "aws_eks_node_group.eks_nodes_batch");
    assert!(deps.contains(&"aws_eks_addon.eks_addon_vpc_cni".to_owned()));
    assert!(deps.contains(&"aws_eks_addon.eks_addon_kube_proxy".to_owned()));
}

#[test]
fn cni_permissions_are_on_the_vpc_cni_role_not_on_nodes() {
    let g = lowered(|c| c);
    let policies = |role: &str| -> Vec<String> {
        g.resources
            .iter()
            .filter(|r| r.address.kind() == "aws_iam_role_policy_attachment")
            .filter(|r| {
                r.body.get("role")
                    == Some(&Value::from(
                        Address::resource("prod", "aws_iam_role", role).attr::<String>("name"),
                    ))
            })
            .map(|r| serde_json::to_string(&Value::Map(r.body.clone())).unwrap_or_default())
            .collect()
    };
    let node = policies("eks_node");
    assert_eq!(node.len(), 2);
    assert!(node.iter().all(|p| !p.contains("CNI")));
    let cni = policies("eks_irsa_vpc_cni");
    assert!(matches!(cni.as_slice(), [p] if p.contains("policy/AmazonEKS_CNI_Policy")));
    let ebs = policies("eks_irsa_ebs_csi");
    assert!(
        matches!(ebs.as_slice(), [p] if p.contains("policy/service-role/AmazonEBSCSIDriverPolicy"))
    );
    assert_eq!(
        body(&g, "aws_eks_addon.eks_addon_vpc_cni")
            .as_ref()
            .and_then(|b| b.get("service_account_role_arn")),
        Some(&Value::from(
            Address::resource("prod", "aws_iam_role", "eks_irsa_vpc_cni").attr::<String>("arn")
        ))
    );
}

#[test]
fn oidc_provider_trusts_the_cluster_issuer_without_thumbprint() {
    let g = lowered(|c| c);
    let oidc = body(&g, "aws_iam_openid_connect_provider.eks_oidc");
    assert_eq!(
        oidc.as_ref().and_then(|b| b.get("url")),
        Some(&Value::from(
            Address::resource("prod", "aws_eks_cluster", "eks")
                .attr::<String>("identity[0].oidc[0].issuer")
        ))
    );
    assert_eq!(
        oidc.as_ref().and_then(|b| b.get("client_id_list")),
        Some(&Value::from(vec!["sts.amazonaws.com"]))
    );
    assert_eq!(oidc.as_ref().and_then(|b| b.get("thumbprint_list")), None);
    assert!(!g.providers.contains_key("tls"));
}

#[test]
fn addon_oidc_and_irsa_resources() {
    let g = lowered(|c| c);
    let pick = [
        "aws_iam_openid_connect_provider.eks_oidc",
        "data.aws_iam_policy_document.eks_irsa_vpc_cni_trust",
        "aws_iam_role.eks_irsa_vpc_cni",
        "aws_iam_role_policy_attachment.eks_irsa_vpc_cni_amazon_eks_cni_policy",
        "aws_eks_addon.eks_addon_vpc_cni",
        "aws_eks_addon.eks_addon_coredns",
        "aws_eks_addon.eks_addon_aws_ebs_csi_driver",
    ];
    let lowered: stacksmith_core::terraform::Map = pick
        .iter()
        .filter_map(|e| {
            g.resources
                .iter()
                .chain(&g.data)
                .find(|r| r.address.expression() == *e)
                .map(|r| ((*e).into(), r.to_value()))
        })
        .collect();
    assert_eq!(lowered.len(), pick.len());
    insta::assert_snapshot!(serde_json::to_string_pretty(&Value::Map(lowered)).unwrap_or_default());
}

#[test]
fn admin_gets_an_entry_and_cluster_admin_on_the_cluster() {
    let g = lowered(|c| c.admin("arn:aws:iam::123456789012:role/platform-admins"));
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let entry = body(
        &g,
        "aws_eks_access_entry.eks_access_123456789012_role_platform_admins",
    );
    assert_eq!(
        entry.as_ref().and_then(|b| b.get("principal_arn")),
        Some(&Value::from(
            "arn:aws:iam::123456789012:role/platform-admins"
        ))
    );
    let assoc = body(
        &g,
        "aws_eks_access_policy_association.eks_access_123456789012_role_platform_admins_cluster_admin",
    );
    assert_eq!(
        assoc.as_ref().and_then(|b| b.get("access_scope.type")),
        Some(&Value::from("cluster"))
    );
    let arn = assoc
        .as_ref()
        .and_then(|b| b.get("policy_arn"))
        .map(|v| serde_json::to_string(v).unwrap_or_default());
    assert_eq!(
        arn.as_deref(),
        Some(
            "\"arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy\""
        )
    );
}

#[test]
fn one_principal_several_policies_is_one_entry() {
    let dev = "arn:aws:iam::123456789012:role/developers";
    let g = lowered(|c| {
        c.access_entry(
            dev,
            AccessPolicy::Edit,
            AccessScope::namespaces(["kubedb", "dev-*"]),
        )
        .access_entry(dev, AccessPolicy::View, AccessScope::Cluster)
    });
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    assert_eq!(count(&g, "aws_eks_access_entry"), 1);
    assert_eq!(count(&g, "aws_eks_access_policy_association"), 2);
    let edit = body(
        &g,
        "aws_eks_access_policy_association.eks_access_123456789012_role_developers_edit",
    );
    assert_eq!(
        edit.as_ref().and_then(|b| b.get("access_scope")),
        Some(&Value::Map(
            tf! { "type" => "namespace", "namespaces" => vec!["kubedb", "dev-*"] }
        ))
    );
}

#[test]
fn access_entry_principal_may_be_a_reference() {
    let role: Ref = Address::resource("prod", "aws_iam_role", "eks_node").attr("arn");
    let g = lowered(|c| c.access_entry(role.clone(), AccessPolicy::View, AccessScope::Cluster));
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    assert_eq!(
        body(&g, "aws_eks_access_entry.eks_access_eks_node")
            .as_ref()
            .and_then(|b| b.get("principal_arn")),
        Some(&Value::from(role))
    );
}

#[test]
fn fails_empty_access_entry_namespaces() {
    let g = lowered(|c| {
        c.access_entry(
            "arn:aws:iam::123456789012:role/developers",
            AccessPolicy::Edit,
            AccessScope::namespaces([]),
        )
    });
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn fails_invalid_access_entries() {
    let g = lowered(|c| {
        c.admin("arn:aws:iam::123456789012:role/*")
            .admin("arn:aws:sts::123456789012:assumed-role/admins/alice")
            .admin("platform-admins")
            .access_entry(
                "arn:aws:iam::123456789012:user/alice",
                AccessPolicy::View,
                AccessScope::namespaces(["Kube_DB"]),
            )
            .access_entry(
                "arn:aws:iam::123456789012:user/alice",
                AccessPolicy::View,
                AccessScope::Cluster,
            )
    });
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn cluster_autoscaler_role_is_scoped_to_owned_groups() {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let eks = stack.add(two_groups(EksCluster::new("eks", &net)).cluster_autoscaler());
    let g = stack.lower();
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    assert_eq!(
        eks.autoscaler_role_arn().map(|r| r.expression()),
        Some("aws_iam_role.eks_irsa_cluster_autoscaler.arn".to_owned())
    );
    let policy = body(
        &g,
        "data.aws_iam_policy_document.eks_irsa_cluster_autoscaler_policy",
    )
    .map(|v| serde_json::to_string(&v).unwrap_or_default())
    .unwrap_or_default();
    assert!(policy.contains(
        r#""variable":"aws:ResourceTag/k8s.io/cluster-autoscaler/prod-eks","values":["owned"]"#
    ));
    assert!(policy.contains(
        r#""variable":"aws:ResourceTag/k8s.io/cluster-autoscaler/enabled","values":["true"]"#
    ));
    assert!(policy.contains(":nodegroup/prod-eks/*"));
    let trust = body(
        &g,
        "data.aws_iam_policy_document.eks_irsa_cluster_autoscaler_trust",
    )
    .map(|v| serde_json::to_string(&v).unwrap_or_default())
    .unwrap_or_default();
    assert!(trust.contains("system:serviceaccount:kube-system:cluster-autoscaler"));
    for group in ["general", "batch"] {
        let ng = body(&g, &format!("aws_eks_node_group.eks_nodes_{group}"));
        let Some(Value::Map(tags)) = ng.as_ref().and_then(|b| b.get("tags")) else {
            panic!("node group {group} has no tags");
        };
        assert_eq!(
            tags.get("k8s.io/cluster-autoscaler/enabled"),
            Some(&Value::from("true"))
        );
        assert_eq!(
            tags.get("k8s.io/cluster-autoscaler/prod-eks"),
            Some(&Value::from("owned"))
        );
    }
}

#[test]
fn no_autoscaler_role_unless_asked() {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let eks = stack.add(EksCluster::new("eks", &net));
    let g = stack.lower();
    assert!(eks.autoscaler_role_arn().is_none());
    assert_eq!(body(&g, "aws_iam_role.eks_irsa_cluster_autoscaler"), None);
}

#[test]
fn a_later_root_finds_the_cluster_and_configures_kubernetes_from_it() -> Result<(), String> {
    use crate::common::lookup_check::{readable, resource};
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let eks = stack.add(EksCluster::new("eks", &net).cluster_autoscaler());
    let g = stack.lower();
    readable(&g, &eks.name())?;
    readable(&g, &eks.endpoint())?;
    readable(&g, &eks.autoscaler_role_arn().ok_or("no autoscaler role")?)?;
    let cluster = resource(&g, &eks.name())?;
    let access = cluster
        .facts
        .kubernetes_cluster
        .ok_or("the cluster declares no Kubernetes access")?;
    // The provider reads host and CA through the cluster's own lookup.
    readable(&g, &cluster.address.attr::<()>(access.host))?;
    readable(&g, &cluster.address.attr::<()>(access.ca_certificate))?;
    assert!(access.token_args.contains(&"{name}"));
    // Only the cluster is one workloads run on.
    let clusters = g
        .resources
        .iter()
        .filter(|r| r.facts.kubernetes_cluster.is_some())
        .count();
    assert_eq!(clusters, 1);
    Ok(())
}

/// Issue 14, F04: the node role trusts EC2 with the policy the EKS User Guide documents (no
/// `aws:SourceAccount` condition, which EC2 is not documented to send); the cluster role keeps
/// it, since EKS documents it for cluster roles.
#[test]
fn node_role_trust_is_the_documented_ec2_policy() {
    let g = lowered(|c| c.node_group(NodeGroup::new("general")));
    let trust = |name: &str| {
        g.data
            .iter()
            .find(|d| d.address.expression() == format!("data.aws_iam_policy_document.{name}"))
            .map(|d| serde_json::to_string(&Value::Map(d.body.clone())).unwrap_or_default())
            .unwrap_or_default()
    };
    let node = trust("eks_node_trust");
    assert!(node.contains("ec2.amazonaws.com"), "{node}");
    assert!(!node.contains("aws:SourceAccount"), "{node}");
    let cluster = trust("eks_cluster_trust");
    assert!(cluster.contains("eks.amazonaws.com"), "{cluster}");
    assert!(cluster.contains("aws:SourceAccount"), "{cluster}");
}

/// The autoscaler's values (JSON) of the cluster root's Helm release.
fn autoscaler_values(g: &stacksmith_core::Graph) -> Option<serde_json::Value> {
    let release = g
        .cluster_resources
        .iter()
        .find(|r| r.address.expression() == "helm_release.eks_cluster_autoscaler")?;
    match release.body.get("values") {
        Some(Value::List(values)) => match values.first() {
            Some(Value::String(json)) => serde_json::from_str(json).ok(),
            _ => None,
        },
        _ => None,
    }
}

#[test]
fn autoscaler_image_follows_the_cluster_minor_version() {
    for (version, image) in [
        ("1.34", "v1.34.5"),
        ("1.35", "v1.35.2"),
        ("1.36", "v1.36.1"),
    ] {
        let g = lowered(|c| c.version(version).addon(ClusterAddon::ClusterAutoscaler));
        let values = autoscaler_values(&g).unwrap_or_default();
        assert_eq!(values["image"]["tag"], image, "{version}");
    }
}
