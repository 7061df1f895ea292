//! Connections across the two targets, declared once: a Kubernetes workload reaching an AWS
//! data store. `stack.add(db.allow_workload(&api, &cluster))` writes the security-group rule
//! that admits the EKS cluster's pods (written once per cluster and data store, however many
//! workloads connect) and the workload's NetworkPolicy egress to the data store's VPC on its
//! port.

use stacksmith_aws::{Connection, EksClusterRef, Listener};
use stacksmith_core::{Construct, Lower, Lowering, Path, Scope};
use stacksmith_k8s::{AllowEgress, NetworkPeer};

/// Traffic from a Kubernetes workload on an EKS cluster to an AWS data store: made by
/// [`AllowWorkload::allow_workload`].
///
/// Creates: the data store's ingress rule from the cluster's security group (pods on EKS
/// managed node groups use it; one rule per cluster and data store), and a NetworkPolicy
/// `<workload>-to-<store>` letting the workload's pods open TCP connections to the VPC's CIDR
/// on the data store's port — what a namespace with a default deny needs.
#[derive(Clone, Debug)]
pub struct WorkloadAccess {
    id: String,
    parent: Path,
    sg: Connection,
    /// `None` when the data store's network has an invalid CIDR: the network reports it.
    egress: Option<AllowEgress>,
}

/// A handle to a [`WorkloadAccess`].
#[derive(Clone, Debug)]
pub struct WorkloadAccessRef {
    path: Path,
}

impl WorkloadAccessRef {
    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Lets Kubernetes workloads reach an AWS data store (`Database`, `Cache`, `Kafka` handles).
pub trait AllowWorkload {
    /// Allows `workload`'s pods, running on `cluster`, to connect: see [`WorkloadAccess`].
    fn allow_workload(
        &self,
        workload: &impl NetworkPeer,
        cluster: &EksClusterRef,
    ) -> WorkloadAccess;
}

impl<L: Listener> AllowWorkload for L {
    fn allow_workload(
        &self,
        workload: &impl NetworkPeer,
        cluster: &EksClusterRef,
    ) -> WorkloadAccess {
        let last = |p: &Path| p.segments().last().cloned().unwrap_or_default();
        let (workload_id, store_id) = (last(workload.peer_path()), last(self.listener_path()));
        WorkloadAccess {
            id: format!("from-{workload_id}"),
            parent: self.listener_path().clone(),
            sg: Connection::new(self, cluster),
            egress: self.listener_cidr().map(|block| {
                AllowEgress::to_block(workload, block, self.listener_port())
                    .name(format!("{workload_id}-to-{store_id}"))
            }),
        }
    }
}

impl Construct for WorkloadAccess {
    type Handle = WorkloadAccessRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.parent)
    }

    fn handle(&self, scope: &Scope) -> WorkloadAccessRef {
        WorkloadAccessRef {
            path: scope.path.clone(),
        }
    }
}

impl Lower for WorkloadAccess {
    fn lower(&self, cx: &mut Lowering<'_>) {
        self.sg.lower(&mut cx.child("security-group"));
        if let Some(egress) = &self.egress {
            egress.lower(&mut cx.child("network-policy"));
        }
    }
}
