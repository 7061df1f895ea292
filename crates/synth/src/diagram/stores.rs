//! Data stores: one node per construct (RDS, Aurora, DocumentDB, ElastiCache, MSK, S3) with
//! its engine, size and port; instances, keys, subnet and parameter groups folded in.

use std::collections::HashMap;

use stacksmith_core::Path;
use stacksmith_core::terraform::Resource;

use super::aws::{ROLES, Role};
use super::connections::port_range;
use super::model::{End, NodeKind};
use super::network::vpc_of;
use super::{Builder, Construct, blocks, flag, int, join, tail_id, text, words};

pub(super) fn data_store(
    b: &mut Builder<'_>,
    i: usize,
    role: Role,
    ingress: &HashMap<Path, Vec<String>>,
) {
    let c = &b.constructs[i];
    let lines = match role {
        Role::Aurora => aurora(b, c),
        Role::DocumentDb => documentdb(b, c),
        Role::Rds => rds(c),
        Role::Cache => cache(c),
        Role::Kafka => kafka(c),
        Role::Bucket => bucket(c),
        _ => return,
    };
    let mut lines = lines;
    let port = ROLES
        .iter()
        .find_map(|(k, r)| if *r == role { c.first(k) } else { None })
        .and_then(|r| int(&r.body, "port"));
    let ports: Vec<String> = match port {
        Some(p) => vec![p.to_string()],
        None => ingress
            .get(&c.path)
            .into_iter()
            .flatten()
            .map(|p| p.trim_start_matches(':').to_owned())
            .collect(),
    };
    if !ports.is_empty() {
        lines.push(format!("port {}", ports.join(", ")));
    }
    let path = c.path.clone();
    let parent = vpc_of(b, c);
    let n = b.d.node(
        &format!("data_{}", tail_id(&path)),
        parent,
        NodeKind::Data,
        path.to_string(),
        lines,
    );
    b.ends.insert(path, End::Node(n));
}

/// The ports the ingress rules on each construct's security groups open, by the construct
/// owning the group, in rule order.
pub(super) fn ingress_ports(b: &Builder<'_>) -> HashMap<Path, Vec<String>> {
    let mut out: HashMap<Path, Vec<String>> = HashMap::new();
    for r in b.of_kind("aws_vpc_security_group_ingress_rule") {
        if let Some(sg) = b.target_at(&r.body, "security_group_id")
            && let Some(p) = port_range(&r.body)
        {
            let ports = out.entry(sg.owner.clone()).or_default();
            if !ports.contains(&p) {
                ports.push(p);
            }
        }
    }
    out
}

fn aurora(b: &Builder<'_>, c: &Construct<'_>) -> Vec<String> {
    let Some(cl) = c.first("aws_rds_cluster") else {
        return Vec::new();
    };
    let engine = match text(&cl.body, "engine") {
        Some("aurora-postgresql") => "Aurora PostgreSQL",
        Some("aurora-mysql") => "Aurora MySQL",
        _ => "Aurora",
    };
    let instances = b.referring(
        "aws_rds_cluster_instance",
        "cluster_identifier",
        &cl.address,
    );
    vec![
        words([Some(engine), text(&cl.body, "engine_version")]),
        count_of(&instances, "instance_class", "instance"),
    ]
}

fn documentdb(b: &Builder<'_>, c: &Construct<'_>) -> Vec<String> {
    let Some(cl) = c.first("aws_docdb_cluster") else {
        return Vec::new();
    };
    let instances = b.referring(
        "aws_docdb_cluster_instance",
        "cluster_identifier",
        &cl.address,
    );
    vec![
        words([Some("DocumentDB"), text(&cl.body, "engine_version")]),
        count_of(&instances, "instance_class", "instance"),
    ]
}

/// `3 × db.r6g.xlarge` (or `3 instances` when the class is not a literal).
fn count_of(rs: &[&Resource], class_key: &str, what: &str) -> String {
    let classes: Vec<&str> = rs.iter().filter_map(|r| text(&r.body, class_key)).collect();
    match (rs.len(), classes.first()) {
        (0, _) => String::new(),
        (n, Some(class)) if classes.iter().all(|c| c == class) => format!("{n} × {class}"),
        (1, _) => format!("1 {what}"),
        (n, _) => format!("{n} {what}s"),
    }
}

fn engine_name(engine: &str) -> &str {
    match engine {
        "postgres" => "PostgreSQL",
        "mysql" => "MySQL",
        "mariadb" => "MariaDB",
        e if e.starts_with("oracle") => "Oracle",
        e if e.starts_with("sqlserver") => "SQL Server",
        e => e,
    }
}

fn rds(c: &Construct<'_>) -> Vec<String> {
    let instances: Vec<&Resource> = c.of("aws_db_instance").collect();
    // Replicas of an instance of this construct are counted; the rest are primaries (or
    // replicas of something outside it, said so).
    let local_replica = |r: &Resource| {
        let mut refs = Vec::new();
        if let Some(v) = r.body.get("replicate_source_db") {
            v.refs(&mut refs);
        }
        refs.iter()
            .any(|x| instances.iter().any(|i| i.address == *x.address()))
    };
    let primaries: Vec<&&Resource> = instances.iter().filter(|r| !local_replica(r)).collect();
    let replicas = instances.len() - primaries.len();
    let Some(p) = primaries.first() else {
        return Vec::new();
    };
    let body = &p.body;
    let mut lines = Vec::new();
    let source = body.get("replicate_source_db");
    let engine = text(body, "engine").map(engine_name);
    lines.push(match (engine, source) {
        (Some(e), None) => words([Some("RDS"), Some(e), text(body, "engine_version")]),
        (Some(e), Some(_)) => format!("RDS {e} read replica"),
        (None, _) => "RDS read replica".to_owned(),
    });
    let multi_az = flag(body, "multi_az")
        .is_some_and(|m| m)
        .then_some("Multi-AZ");
    lines.push(join([text(body, "instance_class"), multi_az]));
    if primaries.len() > 1 {
        lines.push(format!("{} instances", primaries.len()));
    }
    match replicas {
        0 => {}
        1 => lines.push("+ 1 read replica".into()),
        n => lines.push(format!("+ {n} read replicas")),
    }
    lines
}

fn cache(c: &Construct<'_>) -> Vec<String> {
    let Some(rg) = c.first("aws_elasticache_replication_group") else {
        return Vec::new();
    };
    let body = &rg.body;
    let engine = match text(body, "engine") {
        Some("valkey") => "Valkey",
        Some("memcached") => "Memcached",
        _ => "Redis",
    };
    let nodes = int(body, "num_cache_clusters").or_else(|| {
        let shards = int(body, "num_node_groups")?;
        let replicas = int(body, "replicas_per_node_group").unwrap_or(0);
        Some(shards * (replicas + 1))
    });
    let class = text(body, "node_type");
    let size = match (nodes, class) {
        (Some(n), Some(c)) => format!("{n} × {c}"),
        (None, Some(c)) => c.to_owned(),
        _ => String::new(),
    };
    let multi_az = flag(body, "multi_az_enabled")
        .is_some_and(|m| m)
        .then_some("Multi-AZ");
    let shards = int(body, "num_node_groups").map(|s| format!("{s} shards"));
    vec![
        words([
            Some("ElastiCache"),
            Some(engine),
            text(body, "engine_version"),
        ]),
        join([Some(size.as_str()), shards.as_deref(), multi_az]),
    ]
}

fn kafka(c: &Construct<'_>) -> Vec<String> {
    if c.first("aws_msk_serverless_cluster").is_some() {
        return vec!["MSK Serverless (Kafka)".into()];
    }
    let Some(k) = c.first("aws_msk_cluster") else {
        return Vec::new();
    };
    let body = &k.body;
    let brokers = int(body, "number_of_broker_nodes");
    let class = text(body, "broker_node_group_info.instance_type");
    let size = match (brokers, class) {
        (Some(n), Some(c)) => format!("{n} brokers × {c}"),
        (Some(n), None) => format!("{n} brokers"),
        _ => String::new(),
    };
    vec![
        words([Some("MSK Kafka"), text(body, "kafka_version")]),
        size,
    ]
}

fn bucket(c: &Construct<'_>) -> Vec<String> {
    let versioned = c
        .first("aws_s3_bucket_versioning")
        .and_then(|v| text(&v.body, "versioning_configuration.status"))
        .is_some_and(|s| s == "Enabled")
        .then_some("versioned");
    let rules = c
        .first("aws_s3_bucket_lifecycle_configuration")
        .map(|l| blocks(l.body.get("rule")).len())
        .filter(|n| *n > 0)
        .map(|n| {
            if n == 1 {
                "1 lifecycle rule".to_owned()
            } else {
                format!("{n} lifecycle rules")
            }
        });
    vec![join([Some("S3 bucket"), versioned, rules.as_deref()])]
}
