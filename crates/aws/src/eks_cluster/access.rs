//! Access entries: which IAM roles and users may use the cluster's Kubernetes API, with which
//! `AccessPolicy` and in which `AccessScope`.

use stacksmith_core::terraform::Value;
use stacksmith_core::{Address, Lowering, Template, tf};

use super::EksCluster;
use crate::common::{self, name_tag};
use crate::service_account_role::check_namespace;

/// An EKS access policy: what a principal may do inside the cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessPolicy {
    /// `AmazonEKSClusterAdminPolicy`: everything, like `cluster-admin`.
    ClusterAdmin,
    /// `AmazonEKSAdminPolicy`: most resources, including RBAC within its scope (like `admin`).
    Admin,
    /// `AmazonEKSEditPolicy`: read and write most workload resources (like `edit`).
    Edit,
    /// `AmazonEKSViewPolicy`: read most resources, not Secrets (like `view`).
    View,
}

impl AccessPolicy {
    fn policy_name(self) -> &'static str {
        match self {
            AccessPolicy::ClusterAdmin => "AmazonEKSClusterAdminPolicy",
            AccessPolicy::Admin => "AmazonEKSAdminPolicy",
            AccessPolicy::Edit => "AmazonEKSEditPolicy",
            AccessPolicy::View => "AmazonEKSViewPolicy",
        }
    }

    fn part(self) -> &'static str {
        match self {
            AccessPolicy::ClusterAdmin => "cluster-admin",
            AccessPolicy::Admin => "admin",
            AccessPolicy::Edit => "edit",
            AccessPolicy::View => "view",
        }
    }
}

/// Where an [`AccessPolicy`] applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessScope {
    /// The whole cluster.
    Cluster,
    /// Only these namespaces (at least one; a trailing `*` matches a prefix, e.g. `dev-*`).
    Namespaces(Vec<String>),
}

impl AccessScope {
    /// Only the listed namespaces.
    pub fn namespaces<'a>(namespaces: impl IntoIterator<Item = &'a str>) -> Self {
        AccessScope::Namespaces(namespaces.into_iter().map(str::to_owned).collect())
    }
}

/// One `access_entry` call: a principal, a policy and its scope.
#[derive(Clone, Debug)]
pub(super) struct Access {
    pub(super) principal: Value,
    pub(super) policy: AccessPolicy,
    pub(super) scope: AccessScope,
}

impl EksCluster {
    /// Access entries, one per principal, and one policy association per policy.
    pub(super) fn lower_access(&self, cx: &mut Lowering<'_>, cluster: &Address) {
        // (key, principal, policies) in first-seen order.
        let mut entries: Vec<(String, &Value, Vec<&Access>)> = Vec::new();
        for access in &self.access {
            let key = match principal_key(&access.principal) {
                Ok(key) => key,
                Err(what) => {
                    cx.error(
                        "SS0163",
                        format!("access entry principal {what} is not an IAM role or user ARN"),
                        "pass a role or user ARN such as `arn:aws:iam::123456789012:role/platform-admins` (no wildcards, no assumed-role session ARNs), or a role's `arn` reference",
                    );
                    continue;
                }
            };
            match &access.scope {
                AccessScope::Cluster => {}
                AccessScope::Namespaces(list) if list.is_empty() => cx.error(
                    "SS0164",
                    format!(
                        "access entry for {} gives `{}` to an empty namespace list",
                        principal_label(&access.principal),
                        access.policy.policy_name()
                    ),
                    "list at least one namespace in `AccessScope::namespaces([...])`, or use `AccessScope::Cluster`",
                ),
                AccessScope::Namespaces(list) => {
                    for ns in list {
                        check_scope_namespace(cx, ns);
                    }
                }
            }
            match entries.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, _, policies)) => {
                    if policies.iter().any(|a| a.policy == access.policy) {
                        cx.error(
                            "SS0163",
                            format!(
                                "access entry for {} is given `{}` twice",
                                principal_label(&access.principal),
                                access.policy.policy_name()
                            ),
                            "give each policy once per principal; list all its namespaces in one `AccessScope::namespaces([...])`",
                        );
                    } else {
                        policies.push(access);
                    }
                }
                None => entries.push((key, &access.principal, vec![access])),
            }
        }
        for (key, principal, policies) in entries {
            let part = format!("access-{key}");
            let tags = name_tag(&cx.name(&part));
            let entry = cx.add_with(
                "aws_eks_access_entry",
                &part,
                tf! {
                    "cluster_name" => cluster.attr::<String>("name"),
                    "principal_arn" => principal.clone(),
                    "type" => "STANDARD",
                    "tags" => tags,
                },
                crate::common::SECURITY,
            );
            for access in policies {
                let p = common::partition(cx);
                let policy_arn = Template::new().lit("arn:").with(&p).lit(format!(
                    ":eks::aws:cluster-access-policy/{}",
                    access.policy.policy_name()
                ));
                let scope = match &access.scope {
                    AccessScope::Cluster => tf! { "type" => "cluster" },
                    AccessScope::Namespaces(ns) => {
                        tf! { "type" => "namespace", "namespaces" => ns.clone() }
                    }
                };
                cx.add_with(
                    "aws_eks_access_policy_association",
                    &format!("{part}-{}", access.policy.part()),
                    tf! {
                        "cluster_name" => cluster.attr::<String>("name"),
                        "principal_arn" => entry.attr::<String>("principal_arn"),
                        "policy_arn" => policy_arn,
                        "access_scope" => scope,
                    },
                    crate::common::SECURITY,
                );
            }
        }
    }
}

/// A stable key for an access-entry principal: `<account>-role-<name>` for an ARN literal, the
/// Terraform name for a reference. `Err` describes a value that is neither.
fn principal_key(principal: &Value) -> Result<String, String> {
    match principal {
        Value::String(arn) => {
            let parts: Vec<&str> = arn.splitn(6, ':').collect();
            let ok = matches!(
                parts.as_slice(),
                ["arn", partition, "iam", "", account, resource]
                    if partition.starts_with("aws")
                        && account.len() == 12
                        && account.chars().all(|c| c.is_ascii_digit())
                        && (resource.starts_with("role/") || resource.starts_with("user/"))
                        && resource.len() > 5
            ) && !arn.contains(['*', '?']);
            match parts.as_slice() {
                [_, _, _, _, account, resource] if ok => {
                    Ok(format!("{account}-{}", resource.replace('/', "-")))
                }
                _ => Err(format!("`{arn}`")),
            }
        }
        Value::Ref(r) => Ok(r.address().name().to_owned()),
        _ => Err("(a template or expression)".to_owned()),
    }
}

/// The principal as the user wrote it: the ARN, or the reference's expression.
fn principal_label(principal: &Value) -> String {
    match principal {
        Value::String(arn) => format!("`{arn}`"),
        Value::Ref(r) => format!("`{}`", r.expression()),
        _ => "a template".to_owned(),
    }
}

/// An access scope namespace: a DNS-1123 label, or a prefix of one followed by `*`.
fn check_scope_namespace(cx: &mut Lowering<'_>, ns: &str) {
    match ns.strip_suffix('*') {
        Some(prefix)
            if !prefix.is_empty()
                && prefix.len() < 63
                && prefix.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') => {}
        _ => {
            check_namespace(cx, "access scope namespace", ns);
        }
    }
}
