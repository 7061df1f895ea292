use serde_json::json;
use stacksmith_core::terraform::{Map, Resource, Value};
use stacksmith_core::{Address, Graph, KubeObject, Path, Template, tf};

use super::*;

fn path(p: &str) -> Path {
    let mut parts = p.split('/');
    let mut out = Path::root(parts.next().unwrap_or("prod"));
    for s in parts {
        out = out.child(s);
    }
    out
}

fn add(g: &mut Graph, owner: &str, kind: &str, name: &str, body: Map) -> Address {
    let a = Address::resource(&g.stack, kind, name);
    g.resources
        .push(Resource::new(a.clone(), path(owner), body));
    a
}

fn id(a: &Address) -> Value {
    Value::from(a.attr::<String>("id"))
}

fn object(owner: &str, body: serde_json::Value) -> KubeObject {
    let s = |p: &str| body.pointer(p).and_then(|v| v.as_str()).map(str::to_owned);
    KubeObject {
        owner: path(owner),
        api_version: s("/apiVersion").unwrap_or_default(),
        kind: s("/kind").unwrap_or_default(),
        namespace: s("/metadata/namespace"),
        name: s("/metadata/name").unwrap_or_default(),
        body,
    }
}

/// A VPC with a public and a private subnet in each of two zones; the private ones route
/// through a NAT gateway in their zone's public subnet.
fn network(g: &mut Graph) -> Vec<Address> {
    let vpc = add(
        g,
        "prod/network",
        "aws_vpc",
        "network",
        tf! { "cidr_block" => "10.0.0.0/16" },
    );
    let igw = add(
        g,
        "prod/network",
        "aws_internet_gateway",
        "network_igw",
        tf! { "vpc_id" => id(&vpc) },
    );
    let public_rt = add(
        g,
        "prod/network",
        "aws_route_table",
        "network_public",
        tf! { "vpc_id" => id(&vpc) },
    );
    add(
        g,
        "prod/network",
        "aws_route",
        "network_public_internet",
        tf! { "route_table_id" => id(&public_rt), "destination_cidr_block" => "0.0.0.0/0", "gateway_id" => id(&igw) },
    );
    let mut private = Vec::new();
    for (z, public_cidr, private_cidr) in [
        ("a", "10.0.96.0/19", "10.0.0.0/19"),
        ("b", "10.0.128.0/19", "10.0.32.0/19"),
    ] {
        let public = add(
            g,
            "prod/network",
            "aws_subnet",
            &format!("network_public_{z}"),
            tf! { "vpc_id" => id(&vpc), "cidr_block" => public_cidr, "availability_zone" => format!("us-east-1{z}") },
        );
        add(
            g,
            "prod/network",
            "aws_route_table_association",
            &format!("network_public_{z}"),
            tf! { "subnet_id" => id(&public), "route_table_id" => id(&public_rt) },
        );
        let nat = add(
            g,
            "prod/network",
            "aws_nat_gateway",
            &format!("network_nat_{z}"),
            tf! { "subnet_id" => id(&public) },
        );
        let subnet = add(
            g,
            "prod/network",
            "aws_subnet",
            &format!("network_private_{z}"),
            tf! { "vpc_id" => id(&vpc), "cidr_block" => private_cidr, "availability_zone" => format!("us-east-1{z}") },
        );
        let rt = add(
            g,
            "prod/network",
            "aws_route_table",
            &format!("network_private_{z}"),
            tf! { "vpc_id" => id(&vpc) },
        );
        add(
            g,
            "prod/network",
            "aws_route",
            &format!("network_private_{z}_nat"),
            tf! { "route_table_id" => id(&rt), "destination_cidr_block" => "0.0.0.0/0", "nat_gateway_id" => id(&nat) },
        );
        add(
            g,
            "prod/network",
            "aws_route_table_association",
            &format!("network_private_{z}"),
            tf! { "subnet_id" => id(&subnet), "route_table_id" => id(&rt) },
        );
        private.push(subnet);
    }
    private
}

fn ids(list: &[Address]) -> Value {
    Value::List(list.iter().map(id).collect())
}

/// A DocumentDB-like data store at `prod/<name>` with its own key, security group and three
/// instances; returns its security group.
fn docdb(g: &mut Graph, name: &str, subnets: &[Address]) -> Address {
    let owner = format!("prod/{name}");
    let key = add(g, &owner, "aws_kms_key", &format!("{name}_key"), Map::new());
    let sg = add(
        g,
        &owner,
        "aws_security_group",
        &format!("{name}_sg"),
        tf! { "vpc_id" => "vpc-123" },
    );
    let sng = add(
        g,
        &owner,
        "aws_docdb_subnet_group",
        &format!("{name}_subnets"),
        tf! { "subnet_ids" => ids(subnets) },
    );
    let cluster = add(
        g,
        &owner,
        "aws_docdb_cluster",
        name,
        tf! {
            "engine_version" => "5.0.0",
            "port" => 27017_i64,
            "db_subnet_group_name" => sng.attr::<String>("name"),
            "vpc_security_group_ids" => vec![sg.attr::<String>("id")],
            "kms_key_id" => key.attr::<String>("arn"),
        },
    );
    for i in 1..=3 {
        add(
            g,
            &owner,
            "aws_docdb_cluster_instance",
            &format!("{name}_instance_{i}"),
            tf! { "cluster_identifier" => id(&cluster), "instance_class" => "db.r6g.xlarge" },
        );
    }
    sg
}

fn eks(g: &mut Graph, subnets: &[Address]) -> Address {
    let cluster = add(
        g,
        "prod/eks",
        "aws_eks_cluster",
        "eks",
        tf! {
            "name" => "prod-eks",
            "version" => "1.33",
            "vpc_config" => tf! { "subnet_ids" => ids(subnets), "endpoint_public_access" => false },
        },
    );
    add(
        g,
        "prod/eks",
        "aws_eks_node_group",
        "eks_nodes_general",
        tf! {
            "cluster_name" => cluster.attr::<String>("name"),
            "node_group_name" => "general",
            "subnet_ids" => ids(subnets),
            "instance_types" => vec!["m6i.xlarge"],
            "scaling_config" => tf! { "min_size" => 3_i64, "desired_size" => 6_i64, "max_size" => 20_i64 },
        },
    );
    add(g, "prod/eks", "aws_iam_role", "eks_cluster", Map::new());
    add(
        g,
        "prod/eks",
        "aws_cloudwatch_log_group",
        "eks_logs",
        Map::new(),
    );
    cluster
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
fn subnets_sit_in_their_zone_and_routes_decide_public_or_private() {
    let mut g = stack();
    network(&mut g);
    let d = build(&g);
    let zones: Vec<&str> = d
        .groups
        .iter()
        .filter(|g| g.kind == model::GroupKind::Zone)
        .map(|g| g.title.as_str())
        .collect();
    assert_eq!(zones, ["us-east-1a", "us-east-1b"]);
    let a: Vec<(&str, &[String])> = d
        .nodes
        .iter()
        .filter(|n| n.group.is_some_and(|z| d.groups[z].title == "us-east-1a"))
        .map(|n| (n.title.as_str(), n.lines.as_slice()))
        .collect();
    assert_eq!(
        a,
        [
            (
                "public subnet",
                &["10.0.96.0/19".to_owned(), "NAT gateway".to_owned()][..]
            ),
            ("private subnet", &["10.0.0.0/19".to_owned()][..]),
        ]
    );
    assert_eq!(
        edge(&d, "public subnet", "private subnet").as_deref(),
        Some("NAT")
    );
    assert_eq!(
        edge(&d, "Internet", "internet gateway").as_deref(),
        Some("")
    );
    let vpc = d.groups.iter().find(|g| g.kind == model::GroupKind::Vpc);
    assert_eq!(
        vpc.map(|v| (v.title.as_str(), v.detail.as_str())),
        Some(("prod/network", "VPC 10.0.0.0/16"))
    );
}

#[test]
fn one_construct_is_one_node_with_its_engine_size_and_port() {
    let mut g = stack();
    let subnets = network(&mut g);
    docdb(&mut g, "metadata", &subnets);
    let d = build(&g);
    let stores: Vec<&model::Node> = d
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Data)
        .collect();
    assert_eq!(stores.len(), 1);
    assert_eq!(stores[0].title, "prod/metadata");
    assert_eq!(
        stores[0].lines,
        ["DocumentDB 5.0.0", "3 × db.r6g.xlarge", "port 27017"]
    );
    // In the VPC its subnets belong to; keys and subnet groups are not drawn.
    assert_eq!(
        stores[0].group.map(|g| d.groups[g].kind),
        Some(model::GroupKind::Vpc)
    );
    assert!(!mermaid(&g).contains("kms"));
}

#[test]
fn security_group_rules_connect_the_constructs_owning_the_groups() {
    let mut g = stack();
    let subnets = network(&mut g);
    let cluster = eks(&mut g, &subnets);
    let sg = docdb(&mut g, "metadata", &subnets);
    add(
        &mut g,
        "prod/metadata",
        "aws_vpc_security_group_ingress_rule",
        "metadata_from_prod_eks",
        tf! {
            "security_group_id" => id(&sg),
            "referenced_security_group_id" => cluster.attr::<String>("vpc_config[0].cluster_security_group_id"),
            "ip_protocol" => "tcp",
            "from_port" => 27017_i64,
            "to_port" => 27017_i64,
        },
    );
    let d = build(&g);
    assert_eq!(
        edge(&d, "prod/eks", "prod/metadata").as_deref(),
        Some(":27017")
    );
    // The cluster is a box: control plane and node group inside, IAM role and logs left out.
    assert_eq!(
        node_titles(&d)
            .into_iter()
            .filter(|t| t.contains("control plane") || t.contains("node group"))
            .collect::<Vec<_>>(),
        ["control plane", "node group general"]
    );
    let ng = d.nodes.iter().find(|n| n.title == "node group general");
    assert_eq!(
        ng.map(|n| n.lines.clone()),
        Some(vec![
            "m6i.xlarge".to_owned(),
            "3–20 nodes (desired 6)".to_owned(),
            "zones a, b".to_owned()
        ])
    );
    let dot = dot(&g);
    assert!(dot.contains("ltail=\"cluster_eks_eks\""), "{dot}");
}

#[test]
fn raw_expressions_and_cidrs_are_resolved() {
    let mut g = stack();
    add(
        &mut g,
        "prod/api",
        "aws_security_group",
        "api_sg",
        Map::new(),
    );
    add(
        &mut g,
        "prod/api",
        "aws_ecs_service",
        "api",
        tf! { "desired_count" => 2_i64 },
    );
    let sg = docdb(&mut g, "db", &[]);
    add(
        &mut g,
        "prod/db",
        "aws_vpc_security_group_ingress_rule",
        "db_from_api",
        tf! {
            "security_group_id" => id(&sg),
            "referenced_security_group_id" => Value::Expr("aws_security_group.api_sg.id".into()),
            "ip_protocol" => "tcp",
            "from_port" => 5432_i64,
            "to_port" => 5432_i64,
        },
    );
    add(
        &mut g,
        "prod/api",
        "aws_vpc_security_group_egress_rule",
        "api_https",
        tf! {
            "security_group_id" => Value::Expr("aws_security_group.api_sg.id".into()),
            "cidr_ipv4" => "0.0.0.0/0",
            "ip_protocol" => "tcp",
            "from_port" => 443_i64,
            "to_port" => 443_i64,
        },
    );
    add(
        &mut g,
        "prod/db",
        "aws_vpc_security_group_ingress_rule",
        "db_from_office",
        tf! { "security_group_id" => id(&sg), "cidr_ipv4" => "192.168.0.0/24", "ip_protocol" => "-1" },
    );
    let d = build(&g);
    assert_eq!(edge(&d, "prod/api", "prod/db").as_deref(), Some(":5432"));
    assert_eq!(edge(&d, "prod/api", "Internet").as_deref(), Some(":443"));
    assert_eq!(
        edge(&d, "192.168.0.0/24", "prod/db").as_deref(),
        Some("all traffic")
    );
}

#[test]
fn listener_rules_route_the_load_balancer_to_the_ecs_service() {
    let mut g = stack();
    let lb = add(
        &mut g,
        "prod/alb",
        "aws_lb",
        "alb",
        tf! { "internal" => false, "load_balancer_type" => "application" },
    );
    let https = add(
        &mut g,
        "prod/alb",
        "aws_lb_listener",
        "alb_https",
        tf! { "load_balancer_arn" => lb.attr::<String>("arn"), "port" => 443_i64, "protocol" => "HTTPS" },
    );
    add(
        &mut g,
        "prod/alb",
        "aws_lb_listener",
        "alb_http",
        tf! {
            "load_balancer_arn" => lb.attr::<String>("arn"),
            "port" => 80_i64,
            "protocol" => "HTTP",
            "default_action" => vec![Value::Map(tf! { "type" => "redirect", "redirect" => tf! { "port" => "443" } })],
        },
    );
    let cluster = add(
        &mut g,
        "prod/ecs",
        "aws_ecs_cluster",
        "ecs",
        tf! { "name" => "prod-ecs" },
    );
    let tg = add(
        &mut g,
        "prod/api",
        "aws_lb_target_group",
        "api_targets",
        tf! { "port" => 8000_i64 },
    );
    add(
        &mut g,
        "prod/api",
        "aws_lb_listener_rule",
        "api_rule",
        tf! {
            "listener_arn" => https.attr::<String>("arn"),
            "action" => vec![Value::Map(tf! { "type" => "forward", "target_group_arn" => tg.attr::<String>("arn") })],
            "condition" => vec![Value::Map(tf! { "host_header" => tf! { "values" => vec!["api.example.com"] } })],
        },
    );
    let task = add(
        &mut g,
        "prod/api",
        "aws_ecs_task_definition",
        "api_task",
        tf! { "cpu" => "512", "memory" => "1024" },
    );
    add(
        &mut g,
        "prod/api",
        "aws_ecs_service",
        "api",
        tf! {
            "cluster" => cluster.attr::<String>("arn"),
            "task_definition" => task.attr::<String>("arn"),
            "desired_count" => 3_i64,
            "launch_type" => "FARGATE",
            "load_balancer" => vec![Value::Map(tf! { "target_group_arn" => tg.attr::<String>("arn"), "container_port" => 8000_i64 })],
        },
    );
    let d = build(&g);
    assert_eq!(
        edge(&d, "prod/alb", "prod/api").as_deref(),
        Some("api.example.com → :8000")
    );
    let alb = d.nodes.iter().find(|n| n.title == "prod/alb");
    assert_eq!(
        alb.map(|n| n.lines.clone()),
        Some(vec![
            "ALB · internet-facing".to_owned(),
            "HTTPS 443 · HTTP 80 → 443".to_owned()
        ])
    );
    let api = d.nodes.iter().find(|n| n.title == "prod/api");
    assert_eq!(
        api.map(|n| (n.lines.clone(), n.group.map(|g| d.groups[g].title.clone()))),
        Some((
            vec![
                "ECS service · Fargate".to_owned(),
                "3 tasks · 0.5 vCPU / 1 GiB".to_owned(),
                "port 8000".to_owned()
            ],
            Some("prod/ecs".to_owned())
        ))
    );
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
fn service_account_roles_sit_in_their_namespace_and_grants_are_edges() {
    let mut g = stack();
    let subnets = network(&mut g);
    eks(&mut g, &subnets);
    let bucket = add(
        &mut g,
        "prod/backups",
        "aws_s3_bucket",
        "backups",
        Map::new(),
    );
    add(
        &mut g,
        "prod/eks/backup",
        "aws_iam_role",
        "eks_backup_irsa",
        Map::new(),
    );
    g.data.push(Resource::new(
        Address::data("prod", "aws_iam_policy_document", "eks_backup_irsa_trust"),
        path("prod/eks/backup"),
        tf! { "statement" => vec![Value::Map(tf! {
            "actions" => vec!["sts:AssumeRoleWithWebIdentity"],
            "condition" => vec![Value::Map(tf! { "values" => vec!["system:serviceaccount:app:api"] })],
        })] },
    ));
    g.data.push(Resource::new(
        Address::data("prod", "aws_iam_policy_document", "eks_backup_irsa_policy"),
        path("prod/eks/backup"),
        tf! { "statement" => vec![Value::Map(tf! {
            "actions" => vec!["s3:PutObject", "s3:GetObject"],
            "resources" => vec![Value::Template(Template::new().with(&bucket.attr::<String>("arn")).lit("/*"))],
        })] },
    ));
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
    // One EKS cluster: namespaces are drawn inside it.
    let ns = d.groups.iter().find(|g| g.title == "namespace app");
    assert_eq!(
        ns.and_then(|n| n.parent)
            .map(|p| d.groups[p].title.as_str()),
        Some("prod/eks")
    );
}

#[test]
fn a_replica_of_another_stacks_database_comes_from_outside() {
    let mut g = Graph::new("standby", "us-west-2");
    g.after.push("primary".into());
    add(
        &mut g,
        "standby/db",
        "aws_db_instance",
        "db",
        tf! {
            "instance_class" => "db.m7g.large",
            "multi_az" => true,
            "port" => 5432_i64,
            "replicate_source_db" => Template::new()
                .lit("arn:")
                .with(&Address::data("standby", "aws_partition", "current").attr::<String>("partition"))
                .lit(":rds:us-east-1:123:db:primary-db"),
        },
    );
    let d = build(&g);
    assert_eq!(
        edge(&d, "primary-db", "standby/db").as_deref(),
        Some("replication")
    );
    let source = d.nodes.iter().find(|n| n.title == "primary-db");
    assert_eq!(
        source.map(|n| n.lines.clone()),
        Some(vec![
            "RDS instance of stack primary".to_owned(),
            "us-east-1".to_owned()
        ])
    );
}

#[test]
fn local_read_replicas_are_counted_not_drawn() {
    let mut g = stack();
    let db = add(
        &mut g,
        "prod/db",
        "aws_db_instance",
        "db",
        tf! { "engine" => "postgres", "engine_version" => "16", "instance_class" => "db.t3.medium", "port" => 5432_i64 },
    );
    add(
        &mut g,
        "prod/db",
        "aws_db_instance",
        "db_replica_1",
        tf! { "replicate_source_db" => db.attr::<String>("identifier"), "instance_class" => "db.t3.medium" },
    );
    let d = build(&g);
    let node = d.nodes.iter().find(|n| n.title == "prod/db");
    assert_eq!(
        node.map(|n| n.lines.clone()),
        Some(vec![
            "RDS PostgreSQL 16".to_owned(),
            "db.t3.medium".to_owned(),
            "+ 1 read replica".to_owned(),
            "port 5432".to_owned()
        ])
    );
    assert!(d.edges.is_empty());
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
    add(&mut g, "prod/a-b", "aws_s3_bucket", "a_b", Map::new());
    add(&mut g, "prod/a_b", "aws_s3_bucket", "a_b_2", Map::new());
    add(&mut g, "prod/9x", "aws_s3_bucket", "x9", Map::new());
    let d = build(&g);
    let ids: Vec<&str> = d.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["data_a_b", "data_a_b_2", "data_9x"]);
    assert!(
        ids.iter()
            .all(|i| i.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    );
}

#[test]
fn same_graph_same_text() {
    let mut g = stack();
    let subnets = network(&mut g);
    eks(&mut g, &subnets);
    docdb(&mut g, "metadata", &subnets);
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

/// The diagram's unit steps per service, building and rendering both formats.
fn work_per_service(n: usize) -> f64 {
    let mut g = stack();
    g.objects = services(n);
    let before = work();
    let d = build(&g);
    let text = mermaid::render(&d).len() + dot::render(&d).len();
    assert!(text > n);
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
