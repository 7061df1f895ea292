//! Who a RoleBinding or ClusterRoleBinding grants its role to: service accounts, groups and
//! users, checked for anonymous and all-authenticated subjects.

use crate::api::rbac_v1::Subject as KSubject;
use stacksmith_core::Lowering;

use crate::ServiceAccountRef;

/// The API group of RBAC objects, and of group and user subjects.
pub(super) const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Who a binding grants its role to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Subject {
    ServiceAccount { name: String, namespace: String },
    Group(String),
    User(String),
}

impl Subject {
    pub(super) fn account(sa: &ServiceAccountRef) -> Self {
        Subject::ServiceAccount {
            name: sa.name().to_owned(),
            namespace: sa.namespace().to_owned(),
        }
    }

    pub(super) fn lower(&self) -> KSubject {
        match self {
            Subject::ServiceAccount { name, namespace } => KSubject {
                kind: "ServiceAccount".to_owned(),
                name: name.clone(),
                namespace: Some(namespace.clone()),
                api_group: None,
            },
            Subject::Group(name) => KSubject {
                kind: "Group".to_owned(),
                name: name.clone(),
                api_group: Some(RBAC_GROUP.to_owned()),
                namespace: None,
            },
            Subject::User(name) => KSubject {
                kind: "User".to_owned(),
                name: name.clone(),
                api_group: Some(RBAC_GROUP.to_owned()),
                namespace: None,
            },
        }
    }
}

/// Checks group and user names: not empty (SS0360), never every anonymous client (SS0360),
/// and a warning for every authenticated identity or every service account (SS0361).
pub(super) fn check_subjects(cx: &mut Lowering<'_>, subjects: &[Subject]) {
    for s in subjects {
        let (kind, name) = match s {
            Subject::Group(n) => ("group", n),
            Subject::User(n) => ("user", n),
            Subject::ServiceAccount { .. } => continue,
        };
        match name.as_str() {
            "" => cx.error(
                "SS0360",
                format!("a binding subject is a {kind} with an empty name"),
                format!("give the {kind}'s name as the cluster's authenticator reports it"),
            ),
            "system:unauthenticated" | "system:anonymous" => cx.error(
                "SS0360",
                format!("the role is bound to {kind} `{name}`: anyone who can reach the API server, without credentials"),
                "bind the role to the service accounts, groups or users that need it",
            ),
            "system:authenticated" | "system:serviceaccounts" => {
                let who = if name == "system:authenticated" {
                    "every authenticated client, every pod's service account included"
                } else {
                    "every service account of every namespace"
                };
                cx.warning(
                    "SS0361",
                    format!("the role is bound to {kind} `{name}`: {who}"),
                    "bind the role to the service accounts, groups or users that need it",
                );
            }
            _ => {}
        }
    }
}
