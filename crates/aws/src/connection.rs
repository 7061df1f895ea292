//! `Connection`: traffic allowed from a peer (a cluster, a service) to something listening (a
//! database, a cache, a Kafka cluster), declared once on the listener's handle after both
//! exist — `stack.add(db.allow_from(&api))` — so neither has to be built before the other.
//! Writes the ingress rule on the listener's security group and, when the peer restricts
//! egress (ECS services), the matching egress rule on the peer's.

use stacksmith_core::terraform::Resource;
use stacksmith_core::{Address, Construct, Lower, Lowering, Path, Ref, Scope, tf, tf_name};

use crate::common::{Ingress, Peer};
use crate::drawing::{owner, rule};

/// Something that accepts connections on one TCP port behind its own security group.
pub trait Listener {
    /// Its security group.
    fn listener_security_group_id(&self) -> Ref;
    /// The port it listens on.
    fn listener_port(&self) -> u16;
    /// What it is, for rule descriptions (`PostgreSQL`, `Redis`).
    fn listener_what(&self) -> &'static str;
    /// Its construct path.
    fn listener_path(&self) -> &Path;
    /// The CIDR block of the VPC it lives in (where Kubernetes egress policies must allow);
    /// `None` when the network's CIDR is invalid (the network reports it).
    fn listener_cidr(&self) -> Option<stacksmith_core::Cidr>;
}

/// Traffic allowed from a peer to a listener on the listener's port. Made by the
/// `allow_from` methods of data-store handles.
#[derive(Clone, Debug)]
pub struct Connection {
    id: String,
    parent: Path,
    sg: Ref,
    port: u16,
    what: &'static str,
    peer: Ingress,
}

/// A handle to a [`Connection`].
#[derive(Clone, Debug)]
pub struct ConnectionRef {
    path: Path,
}

impl ConnectionRef {
    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Connection {
    /// Traffic from `from` to `to` on `to`'s port. Usually made by a data-store handle's
    /// `allow_from`.
    pub fn new(to: &impl Listener, from: &impl Peer) -> Self {
        let from_id = from
            .peer_path()
            .segments()
            .last()
            .cloned()
            .unwrap_or_default();
        Self {
            id: format!("from-{from_id}"),
            parent: to.listener_path().clone(),
            sg: to.listener_security_group_id(),
            port: to.listener_port(),
            what: to.listener_what(),
            peer: Ingress::of(from),
        }
    }
}

impl Construct for Connection {
    type Handle = ConnectionRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn parent(&self) -> Option<&Path> {
        Some(&self.parent)
    }

    fn handle(&self, scope: &Scope) -> ConnectionRef {
        ConnectionRef {
            path: scope.path.clone(),
        }
    }
}

impl Lower for Connection {
    fn lower(&self, cx: &mut Lowering<'_>) {
        rules(cx, &self.parent, &self.sg, self.port, self.what, &self.peer);
    }
}

/// The ingress rule on `sg` (the group of the listener at `listener`) from `peer` on `port`,
/// and the peer's egress rule when it restricts egress. The rules are named after the two
/// ends (`<listener>_from_<peer>`) and added once, however many declarations ask for them.
pub(crate) fn rules(
    cx: &mut Lowering<'_>,
    listener: &Path,
    sg: &Ref,
    port: u16,
    what: &str,
    peer: &Ingress,
) {
    let to = listener.clone();
    let part = format!("from-{}", stacksmith_core::cloud_name(&peer.from, ""));
    let address = |kind: &str, part: &str| {
        Address::resource(listener.stack(), kind, &tf_name(listener, part))
    };
    let ingress = Resource::new(
        address("aws_vpc_security_group_ingress_rule", &part),
        cx.path().clone(),
        tf! {
            "security_group_id" => sg,
            "referenced_security_group_id" => &peer.source,
            "ip_protocol" => "tcp",
            "from_port" => port,
            "to_port" => port,
            "description" => format!("{what} from {}", peer.from),
        },
    )
    .facts(crate::common::SECURITY);
    cx.resource_once(ingress);
    rule(cx, true, sg, owner(&peer.source), port);
    if peer.egress {
        let egress = Resource::new(
            address(
                "aws_vpc_security_group_egress_rule",
                &format!("{part}-egress"),
            ),
            cx.path().clone(),
            tf! {
                "security_group_id" => &peer.source,
                "referenced_security_group_id" => sg,
                "ip_protocol" => "tcp",
                "from_port" => port,
                "to_port" => port,
                "description" => format!("{} to {what} {to}", peer.from),
            },
        )
        .facts(crate::common::SECURITY);
        cx.resource_once(egress);
        rule(cx, false, &peer.source, owner(sg), port);
    }
}

#[cfg(test)]
mod tests {
    use stacksmith_core::Stack;
    use stacksmith_core::terraform::Value;

    use crate::{Cache, Database, EcsCluster, EcsService, EksCluster, Network};

    #[test]
    fn a_connection_opens_the_listener_and_the_restricted_peers_egress() {
        let mut stack = Stack::new("prod", "us-east-1");
        let net = stack.add(Network::new("network", "10.0.0.0/16"));
        let eks = stack.add(EksCluster::new("eks", &net));
        let ecs = stack.add(EcsCluster::new("ecs"));
        let db = stack.add(Database::postgres("db", &net));
        let cache = stack.add(Cache::redis("cache", &net));
        let api = stack.add(
            EcsService::new("api", &ecs, &net)
                .image("example/api:1.0.0")
                .port(8000),
        );
        stack.add(db.allow_from(&api));
        stack.add(cache.allow_from(&eks));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let names = |kind: &str| -> Vec<String> {
            g.resources
                .iter()
                .filter(|r| r.address.kind() == kind)
                .map(|r| r.address.name().to_owned())
                .collect()
        };
        let ingress = names("aws_vpc_security_group_ingress_rule");
        assert!(
            ingress.contains(&"db_from_prod_api".to_owned()),
            "{ingress:?}"
        );
        assert!(
            ingress.contains(&"cache_from_prod_eks".to_owned()),
            "{ingress:?}"
        );
        // ECS tasks restrict egress, so they get the matching rule; EKS does not.
        let egress = names("aws_vpc_security_group_egress_rule");
        assert!(
            egress.contains(&"db_from_prod_api_egress".to_owned()),
            "{egress:?}"
        );
        assert!(
            !egress.iter().any(|e| e.starts_with("cache_from_prod_eks")),
            "{egress:?}"
        );
        let rule = g
            .resources
            .iter()
            .find(|r| r.address.name() == "db_from_prod_api");
        assert_eq!(
            rule.and_then(|r| r.body.get("from_port")),
            Some(&Value::Int(5432))
        );
    }
}
