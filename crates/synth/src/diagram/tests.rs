use serde_json::json;
use stacksmith_core::terraform::{Map, Resource};
use stacksmith_core::{
    Address, Edge, EdgeKind as Kind, End as At, Graph, KubeObject, Label, Node,
    NodeKind as Declared, Path, Within,
};

use super::model::{EdgeKind, NodeKind};
use super::*;

fn path(p: &str) -> Path {
    let mut parts = p.split('/');
    let mut out = Path::root(parts.next().unwrap_or("prod"));
    for s in parts {
        out = out.child(s);
    }
    out
}

/// A resource owned by `owner` (what an edge's [`At::Owner`] end resolves through).
fn add(g: &mut Graph, owner: &str, kind: &str, name: &str) -> Address {
    let a = Address::resource(&g.stack, kind, name);
    g.resources
        .push(Resource::new(a.clone(), path(owner), Map::new()));
    a
}

fn node(owner: &str, id: &str, kind: Declared) -> Node {
    Node::new(&path(owner), id, kind, owner)
}

fn at(p: &str) -> At {
    At::Construct(path(p))
}

fn part(p: &str, part: &str) -> At {
    At::Part(path(p), part.to_owned())
}

/// A VPC with a zone holding a public and a private subnet, an internet gateway, and the
/// routes between them, as a network construct declares them.
fn network(g: &mut Graph) {
    let n = "prod/network";
    g.nodes.extend([
        node(n, "vpc_network", Declared::NetworkGroup).line("VPC 10.0.0.0/16"),
        Node::new(&path(n), "zone_a", Declared::ZoneGroup, "us-east-1a")
            .part("zone-a")
            .within(Within::Part(String::new())),
        Node::new(
            &path(n),
            "subnet_public_a",
            Declared::Network,
            "public subnet",
        )
        .part("public-a")
        .line("10.0.96.0/19")
        .line("NAT gateway")
        .within(Within::Part("zone-a".into())),
        Node::new(
            &path(n),
            "subnet_private_a",
            Declared::Network,
            "private subnet",
        )
        .part("private-a")
        .line("10.0.0.0/19")
        .line("")
        .within(Within::Part("zone-a".into())),
        Node::new(&path(n), "igw", Declared::Network, "internet gateway")
            .part("igw")
            .within(Within::Part(String::new())),
    ]);
    g.edges.extend([
        Edge::new(At::Internet, part(n, "igw"), Kind::Route, Label::None),
        Edge::new(
            part(n, "igw"),
            part(n, "public-a"),
            Kind::Route,
            Label::None,
        ),
        Edge::new(
            part(n, "public-a"),
            part(n, "private-a"),
            Kind::Route,
            Label::text("NAT"),
        ),
    ]);
}

fn in_network(n: Node) -> Node {
    n.within(Within::Construct(path("prod/network")))
}

fn object(owner: &str, body: serde_json::Value) -> KubeObject {
    let s = |p: &str| body.pointer(p).and_then(|v| v.as_str()).map(str::to_owned);
    KubeObject {
        owner: path(owner),
        api_version: s("/apiVersion").unwrap_or_default(),
        kind: s("/kind").unwrap_or_default(),
        namespace: s("/metadata/namespace"),
        name: s("/metadata/name").unwrap_or_default(),
        body: body.into(),
    }
}

fn stack() -> Graph {
    Graph::new("prod", "us-east-1")
}

fn node_titles(d: &Diagram) -> Vec<&str> {
    d.nodes.iter().map(|n| n.title.as_str()).collect()
}

fn edge(d: &Diagram, from: &str, to: &str) -> Option<String> {
    let title = |e: End| match e {
        End::Node(n) => d.nodes[n].title.clone(),
        End::Group(g) => d.groups[g].title.clone(),
    };
    d.edges
        .iter()
        .find(|e| title(e.from) == from && title(e.to) == to)
        .map(|e| e.label.clone())
}

#[test]
fn parts_nest_in_parts_and_routes_are_drawn() {
    let mut g = stack();
    network(&mut g);
    let d = build(&g);
    let zone = d.groups.iter().position(|g| g.title == "us-east-1a");
    let in_zone: Vec<&str> = d
        .nodes
        .iter()
        .filter(|n| n.group.is_some() && n.group == zone)
        .map(|n| n.title.as_str())
        .collect();
    assert_eq!(in_zone, ["public subnet", "private subnet"]);
    assert_eq!(
        zone.and_then(|z| d.groups[z].parent)
            .map(|v| (d.groups[v].title.as_str(), d.groups[v].detail.as_str())),
        Some(("prod/network", "VPC 10.0.0.0/16"))
    );
    let public = d.nodes.iter().find(|n| n.title == "public subnet");
    assert_eq!(
        public.map(|n| n.lines.clone()),
        Some(vec!["10.0.96.0/19".to_owned(), "NAT gateway".to_owned()])
    );
    assert_eq!(
        edge(&d, "Internet", "internet gateway").as_deref(),
        Some("")
    );
    assert_eq!(
        edge(&d, "public subnet", "private subnet").as_deref(),
        Some("NAT")
    );
    assert_eq!(d.edges[0].kind, EdgeKind::Route);
}

#[test]
fn rule_edges_land_on_the_nearest_drawn_ancestor_and_merge_their_ports() {
    let mut g = stack();
    network(&mut g);
    // A database's security group, and a connection below it owning the rules.
    let sg = add(&mut g, "prod/db", "aws_security_group", "db_sg");
    let eks = add(&mut g, "prod/eks", "aws_eks_cluster", "eks");
    g.nodes.push(
        node("prod/eks", "eks_eks", Declared::KubernetesGroup)
            .line("EKS prod-eks")
            .within(Within::Construct(path("prod/network"))),
    );
    g.nodes
        .push(in_network(node("prod/db", "data_db", Declared::Data)).line("port 5432"));
    for port in [":5432", ":5433", ":5432"] {
        g.edges.push(Edge::new(
            At::Owner(eks.clone()),
            At::Owner(sg.clone()),
            Kind::Traffic,
            Label::port(port, true),
        ));
    }
    g.edges.extend([
        Edge::new(
            At::Cidr("192.168.0.0/24".into()),
            at("prod/db/from-vpn"),
            Kind::Traffic,
            Label::port(":5432", true),
        ),
        Edge::new(
            at("prod/db"),
            At::Outbound("0.0.0.0/0".into()),
            Kind::Traffic,
            Label::port(":443", false),
        ),
        // Neither end drawn: nothing, and no outside node for it.
        Edge::new(
            At::External {
                key: "ghost".into(),
                title: "ghost".into(),
                lines: Vec::new(),
            },
            at("elsewhere/thing"),
            Kind::Traffic,
            Label::port(":1", true),
        ),
    ]);
    let d = build(&g);
    assert_eq!(
        edge(&d, "prod/eks", "prod/db").as_deref(),
        Some(":5432, :5433")
    );
    assert_eq!(
        edge(&d, "192.168.0.0/24", "prod/db").as_deref(),
        Some(":5432")
    );
    let outbound = d.nodes.iter().find(|n| n.lines == ["outbound"]);
    assert_eq!(outbound.map(|n| n.title.as_str()), Some("Internet"));
    assert!(!node_titles(&d).contains(&"ghost"));
    // Clusters sit in their network, data stores too.
    let eks_group = d.groups.iter().find(|g| g.title == "prod/eks");
    assert_eq!(
        eks_group
            .and_then(|g| g.parent)
            .map(|p| d.groups[p].title.as_str()),
        Some("prod/network")
    );
}

#[test]
fn a_store_lists_the_ports_its_ingress_rules_open() {
    let mut g = stack();
    let sg = add(&mut g, "prod/events", "aws_security_group", "events_sg");
    add(&mut g, "prod/api", "aws_security_group", "api_sg");
    g.nodes.push(node("prod/api", "ecs_api", Declared::Compute));
    g.nodes.push(
        node("prod/events", "data_events", Declared::Data)
            .line("MSK Kafka 3.8.x")
            .ports_from_rules(),
    );
    g.nodes.push(
        node("prod/quiet", "data_quiet", Declared::Data)
            .line("MSK Serverless (Kafka)")
            .ports_from_rules(),
    );
    for (port, ingress) in [(":9098", true), (":9098", true), (":9999", false)] {
        g.edges.push(Edge::new(
            at("prod/api"),
            At::Owner(sg.clone()),
            Kind::Traffic,
            Label::port(port, ingress),
        ));
    }
    let d = build(&g);
    let lines = |t: &str| {
        d.nodes
            .iter()
            .find(|n| n.title == t)
            .map(|n| n.lines.clone())
    };
    assert_eq!(
        lines("prod/events"),
        Some(vec!["MSK Kafka 3.8.x".to_owned(), "port 9098".to_owned()])
    );
    assert_eq!(
        lines("prod/quiet"),
        Some(vec!["MSK Serverless (Kafka)".to_owned()])
    );
}

#[test]
fn forwarding_goes_from_the_load_balancer_to_its_target_in_the_placed_cluster() {
    let mut g = stack();
    network(&mut g);
    g.nodes.push(
        node("prod/ecs", "ecs_ecs", Declared::ClusterGroup)
            .line("ECS prod-ecs")
            .within(Within::Placed),
    );
    g.nodes.push(
        node("prod/idle", "ecs_idle", Declared::ClusterGroup)
            .line("ECS prod-idle")
            .within(Within::Placed),
    );
    g.nodes.push(
        in_network(node("prod/alb", "lb_alb", Declared::Entry)).line("ALB · internet-facing"),
    );
    g.nodes.push(
        node("prod/api", "ecs_api", Declared::Compute)
            .line("ECS service · Fargate")
            .within(Within::Construct(path("prod/ecs"))),
    );
    g.placements.push(stacksmith_core::Placement {
        of: path("prod/ecs"),
        within: path("prod/network"),
    });
    g.edges.push(Edge::new(
        at("prod/alb"),
        at("prod/api"),
        Kind::Forward,
        Label::text("api.example.com → :8000"),
    ));
    let d = build(&g);
    assert_eq!(
        edge(&d, "prod/alb", "prod/api").as_deref(),
        Some("api.example.com → :8000")
    );
    let api = d.nodes.iter().find(|n| n.title == "prod/api");
    let cluster = api.and_then(|n| n.group);
    assert_eq!(
        cluster.map(|c| d.groups[c].title.as_str()),
        Some("prod/ecs")
    );
    assert_eq!(
        cluster
            .and_then(|c| d.groups[c].parent)
            .map(|v| d.groups[v].title.as_str()),
        Some("prod/network")
    );
    // A cluster nothing runs in is drawn as a node, not an empty box.
    let idle = d.nodes.iter().find(|n| n.title == "prod/idle");
    assert_eq!(
        idle.map(|n| (n.kind, n.lines.clone())),
        Some((NodeKind::Compute, vec!["ECS prod-idle".to_owned()]))
    );
}

#[test]
fn identities_sit_in_their_namespace_and_grants_join_per_pair() {
    let mut g = stack();
    g.nodes
        .push(node("prod/eks", "eks_eks", Declared::KubernetesGroup).line("EKS prod-eks"));
    let bucket = add(&mut g, "prod/backups", "aws_s3_bucket", "backups");
    let key = add(&mut g, "prod/backups", "aws_kms_key", "backups_key");
    g.nodes
        .push(node("prod/backups", "data_backups", Declared::Data).line("S3 bucket"));
    g.nodes.push(
        node("prod/eks/backup", "irsa_eks_backup", Declared::Identity)
            .line("IAM role (IRSA) for ServiceAccount")
            .line("app/api")
            .within(Within::Namespace("app".into())),
    );
    g.edges.push(Edge::new(
        At::ServiceAccount("app".into(), "api".into()),
        at("prod/eks/backup"),
        Kind::RunsAs,
        Label::None,
    ));
    let access = |service: &str, read: bool| Label::Access {
        via: "IAM",
        service: service.to_owned(),
        read,
        incidental: service == "kms",
    };
    for (target, service, read) in [
        (&bucket, "s3", true),
        (&bucket, "s3", false),
        (&key, "kms", true),
    ] {
        g.edges.push(Edge::new(
            at("prod/eks/backup"),
            At::Owner(target.clone()),
            Kind::Grant,
            access(service, read),
        ));
    }
    g.objects = workloads();
    let d = build(&g);
    let role = d.nodes.iter().find(|n| n.title == "prod/eks/backup");
    assert_eq!(
        role.and_then(|n| n.group)
            .map(|g| d.groups[g].title.as_str()),
        Some("namespace app")
    );
    assert_eq!(
        edge(&d, "prod/eks/backup", "prod/backups").as_deref(),
        Some("IAM s3 write")
    );
    assert_eq!(
        edge(&d, "Deployment api", "prod/eks/backup").as_deref(),
        Some("runs as")
    );
    // One Kubernetes cluster: namespaces are drawn inside it.
    let ns = d.groups.iter().find(|g| g.title == "namespace app");
    assert_eq!(
        ns.and_then(|n| n.parent)
            .map(|p| d.groups[p].title.as_str()),
        Some("prod/eks")
    );
}

#[test]
fn replication_from_outside_draws_the_source() {
    let mut g = Graph::new("standby", "us-west-2");
    g.nodes
        .push(node("standby/db", "data_db", Declared::Data).line("RDS read replica"));
    g.edges.push(Edge::new(
        At::External {
            key: "rds_primary-db".into(),
            title: "primary-db".into(),
            lines: vec!["RDS instance of stack primary".into(), "us-east-1".into()],
        },
        at("standby/db"),
        Kind::Replication,
        Label::text("replication"),
    ));
    let d = build(&g);
    assert_eq!(
        edge(&d, "primary-db", "standby/db").as_deref(),
        Some("replication")
    );
    assert_eq!(d.edges[0].kind, EdgeKind::Replication);
}

fn workloads() -> Vec<KubeObject> {
    vec![
        object(
            "prod/app",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app", "labels": {"team": "a"}}}),
        ),
        object(
            "prod/api",
            json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "api", "namespace": "app"},
                "spec": {"replicas": 3, "selector": {"matchLabels": {"id": "api"}}, "template": {
                    "metadata": {"labels": {"id": "api", "tier": "web"}},
                    "spec": {"serviceAccountName": "api", "containers": [{"name": "api", "image": "api:1", "ports": [{"name": "http", "containerPort": 8000}]}]}
                }}
            }),
        ),
        object(
            "prod/worker",
            json!({
                "apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": {"name": "worker", "namespace": "app"},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"id": "worker"}}, "template": {
                    "metadata": {"labels": {"id": "worker"}},
                    "spec": {"containers": [{"name": "w", "image": "worker:1"}]}
                }}
            }),
        ),
        object(
            "prod/api/service",
            json!({
                "apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "app"},
                "spec": {"selector": {"id": "api"}, "ports": [{"port": 80, "targetPort": "http"}]}
            }),
        ),
        object(
            "prod/api/ingress",
            json!({
                "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "api", "namespace": "app"},
                "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["api.example.com"]}], "rules": [{"host": "api.example.com", "http": {"paths": [
                    {"path": "/v1", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 80}}}}
                ]}}]}
            }),
        ),
        object(
            "prod/api/hpa",
            json!({
                "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "api", "namespace": "app"},
                "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "api"}, "minReplicas": 3, "maxReplicas": 9}
            }),
        ),
        object(
            "prod/policy",
            json!({
                "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "app"},
                "spec": {
                    "podSelector": {"matchExpressions": [{"key": "id", "operator": "In", "values": ["worker"]}]},
                    "ingress": [{"from": [{"podSelector": {"matchLabels": {"tier": "web"}}}], "ports": [{"port": 9000, "protocol": "TCP"}]}],
                    "egress": [{"to": [{"ipBlock": {"cidr": "10.9.0.0/16"}}, {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]}]
                }
            }),
        ),
        object(
            "prod/config",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "app"}, "data": {"a": "b"}}),
        ),
    ]
}

#[test]
fn ingress_service_and_workload_connect_by_name_and_selector() {
    let mut g = stack();
    g.objects = workloads();
    let d = build(&g);
    assert_eq!(
        edge(&d, "Internet", "Ingress api").as_deref(),
        Some("HTTPS api.example.com")
    );
    assert_eq!(
        edge(&d, "Ingress api", "Service api").as_deref(),
        Some("/v1 → :80")
    );
    assert_eq!(
        edge(&d, "Service api", "Deployment api").as_deref(),
        Some(":80 → 8000")
    );
    assert_eq!(edge(&d, "Service api", "StatefulSet worker"), None);
    let api = d.nodes.iter().find(|n| n.title == "Deployment api");
    assert_eq!(
        api.map(|n| n.lines.clone()),
        Some(vec![
            "3 replicas · HPA 3–9".to_owned(),
            "api:1".to_owned(),
            "port 8000".to_owned()
        ])
    );
    // Without an EKS cluster, namespaces sit in a Kubernetes group; ConfigMaps are left out.
    assert_eq!(
        d.groups
            .iter()
            .map(|g| g.title.as_str())
            .collect::<Vec<_>>(),
        ["Kubernetes", "namespace app"]
    );
    assert!(!node_titles(&d).iter().any(|t| t.contains("ConfigMap")));
}

#[test]
fn network_policies_draw_their_ingress_and_egress_peers() {
    let mut g = stack();
    g.objects = workloads();
    let d = build(&g);
    assert_eq!(
        edge(&d, "Deployment api", "StatefulSet worker").as_deref(),
        Some("policy :9000")
    );
    assert_eq!(
        edge(&d, "StatefulSet worker", "10.9.0.0/16").as_deref(),
        Some("policy: all ports")
    );
    assert_eq!(
        edge(&d, "StatefulSet worker", "namespace monitoring").as_deref(),
        Some("policy: all ports")
    );
}

#[test]
fn labels_are_escaped_for_both_formats() {
    assert_eq!(
        mermaid::escape(r#"a "b" <i>#1 & `c` | d"#),
        "a #quot;b#quot; #lt;i#gt;#35;1 #amp; #96;c#96; #124; d"
    );
    assert_eq!(
        dot::escape(r#"a "b" <i> & c"#),
        "a &quot;b&quot; &lt;i&gt; &amp; c"
    );
    let mut g = stack();
    g.objects = vec![object(
        "prod/web",
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "app"},
            "spec": {"template": {"metadata": {"labels": {}}, "spec": {"containers": [{"name": "w", "image": "evil\"]-->x[\"#<b>"}]}}}
        }),
    )];
    let m = mermaid(&g);
    assert!(m.contains("evil#quot;]--#gt;x[#quot;#35;#lt;b#gt;"), "{m}");
    let d = dot(&g);
    assert!(d.contains("evil&quot;]--&gt;x[&quot;#&lt;b&gt;"), "{d}");
}

#[test]
fn ids_are_safe_and_unique() {
    let mut g = stack();
    g.nodes.extend([
        node("prod/a-b", "data_a-b", Declared::Data),
        node("prod/a_b", "data_a_b", Declared::Data),
        node("prod/9x", "9x", Declared::Data),
    ]);
    let d = build(&g);
    let ids: Vec<&str> = d.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["data_a_b", "data_a_b_2", "n_9x"]);
    assert!(
        ids.iter()
            .all(|i| i.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    );
}

#[test]
fn same_graph_same_text() {
    let mut g = stack();
    network(&mut g);
    g.objects = workloads();
    assert_eq!(mermaid(&g), mermaid(&g));
    assert_eq!(dot(&g), dot(&g));
    let f = files(&g);
    assert_eq!(
        f.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        ["architecture.mmd", "architecture.dot"]
    );
}

#[test]
fn an_empty_stack_is_an_empty_picture() {
    let g = stack();
    insta::assert_snapshot!("empty_stack_mermaid", mermaid(&g));
    insta::assert_snapshot!("empty_stack_dot", dot(&g));
}

/// `n` web services in one namespace, each a Deployment with its Service, Ingress, HPA, PDB
/// and a NetworkPolicy letting the previous service in.
fn services(n: usize) -> Vec<KubeObject> {
    let mut out = Vec::with_capacity(6 * n);
    for i in 0..n {
        let name = format!("svc{i}");
        let prev = format!("svc{}", i.saturating_sub(1));
        let labels = json!({"app": name, "part-of": "shop"});
        out.extend([
            object("prod/app", json!({
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "app"},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}}, "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "c", "image": "web:1", "ports": [{"name": "http", "containerPort": 8000}]}]}
                }}
            })),
            object("prod/app", json!({
                "apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "app"},
                "spec": {"selector": {"part-of": "shop", "app": name}, "ports": [{"port": 80, "targetPort": "http"}]}
            })),
            object("prod/app", json!({
                "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name, "namespace": "app"},
                "spec": {"rules": [{"host": format!("{name}.example.com"), "http": {"paths": [
                    {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": name, "port": {"number": 80}}}}
                ]}}]}
            })),
            object("prod/app", json!({
                "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name, "namespace": "app"},
                "spec": {"scaleTargetRef": {"kind": "Deployment", "name": name}, "minReplicas": 2, "maxReplicas": 9}
            })),
            object("prod/app", json!({
                "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name, "namespace": "app"},
                "spec": {"selector": {"matchLabels": {"part-of": "shop", "app": name}}, "maxUnavailable": 1}
            })),
            object("prod/app", json!({
                "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": "app"},
                "spec": {"podSelector": {"matchLabels": {"app": name}},
                    "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": prev}}}], "ports": [{"port": 8000}]}]}
            })),
        ]);
    }
    out
}

/// `n` cloud services as constructs declare them: an ECS-like service in a cluster behind a
/// load balancer (forwarding, an ingress rule on its group), each with a database of its own
/// that lists the ports its rules open and a grant to a shared bucket.
///
/// The cluster is placed in the network next to the `n` stores: DOT keeps each store below
/// every node of the cluster, which past a few hundred pairs goes through one junction node
/// (`n + n` invisible edges, not `n²`).
fn cloud_services(g: &mut Graph, n: usize) {
    network(g);
    let bucket = add(g, "prod/assets", "aws_s3_bucket", "assets");
    let alb = add(g, "prod/alb", "aws_security_group", "alb_sg");
    g.nodes.extend([
        node("prod/assets", "data_assets", Declared::Data),
        in_network(node("prod/alb", "lb_alb", Declared::Entry)),
        in_network(node("prod/ecs", "ecs_ecs", Declared::ClusterGroup)),
    ]);
    for i in 0..n {
        let svc = format!("prod/svc{i}");
        let db = format!("prod/db{i}");
        let sg = add(g, &svc, "aws_security_group", &format!("svc{i}_sg"));
        let db_sg = add(g, &db, "aws_security_group", &format!("db{i}_sg"));
        g.nodes.push(
            node(&svc, &format!("ecs_svc{i}"), Declared::Compute)
                .within(Within::Construct(path("prod/ecs"))),
        );
        g.nodes
            .push(in_network(node(&db, &format!("data_db{i}"), Declared::Data)).ports_from_rules());
        g.edges.extend([
            Edge::new(
                At::Owner(alb.clone()),
                At::Owner(sg.clone()),
                Kind::Traffic,
                Label::port(":8000", true),
            ),
            Edge::new(
                at(&svc),
                At::Owner(db_sg),
                Kind::Traffic,
                Label::port(":5432", true),
            ),
            Edge::new(
                at("prod/alb"),
                at(&svc),
                Kind::Forward,
                Label::text(format!("svc{i}.example.com → :8000")),
            ),
            Edge::new(
                at(&format!("{svc}/task")),
                At::Owner(bucket.clone()),
                Kind::Grant,
                Label::Access {
                    via: "IAM",
                    service: "s3".into(),
                    read: true,
                    incidental: false,
                },
            ),
        ]);
    }
}

/// The diagram's unit steps per service, building and rendering both formats.
fn work_per_service(n: usize) -> f64 {
    let mut g = stack();
    g.objects = services(n);
    cloud_services(&mut g, n);
    let before = work();
    let d = build(&g);
    let text = mermaid::render(&d).len() + dot::render(&d).len();
    assert!(text > n);
    assert!(d.nodes.len() > 5 * n);
    (work() - before) as f64 / n as f64
}

#[test]
fn diagram_work_per_object_stays_flat_as_the_stack_grows() {
    let small = work_per_service(1_000);
    let large = work_per_service(10_000);
    eprintln!("work per service: {small:.2} at 1,000, {large:.2} at 10,000");
    // Linear passes do the same work per service at any size; a scan of every object per
    // object would do ten times as much per service at ten times the size.
    assert!(
        large <= small * 1.05,
        "work per service grew from {small:.1} (1,000 services) to {large:.1} (10,000)"
    );
}

#[test]
fn many_nodes_wanting_one_id_get_numbered_in_linear_work() {
    let ids = |n: usize| {
        let mut g = stack();
        g.nodes
            .extend((0..n).map(|i| node(&format!("prod/s{i}"), "same", Declared::Data)));
        g.nodes.push(node("prod/other", "same_3", Declared::Data));
        let before = work();
        let d = build(&g);
        let ids: Vec<String> = d.nodes.iter().map(|n| n.id.clone()).collect();
        (ids, work() - before)
    };
    let (small, small_work) = ids(3);
    assert_eq!(small, ["same", "same_2", "same_3", "same_3_2"]);
    let (_, work_1000) = ids(1_000);
    let (_, work_4000) = ids(4_000);
    assert!(
        work_4000 <= 4 * work_1000 + small_work,
        "{work_1000} → {work_4000}"
    );
}
