//! Access control: ServiceAccounts (pod identities), Roles and ClusterRoles (permissions) and the
//! bindings that grant them.

pub(crate) mod cluster_role;
pub(crate) mod cluster_role_binding;
pub(crate) mod role;
pub(crate) mod role_binding;
pub(crate) mod rule;
pub(crate) mod service_account;
pub(crate) mod subject;
