//! Lowering of the cluster engines (Aurora PostgreSQL, DocumentDB): a cluster over shared,
//! replicated storage and one instance per member, the first the writer.

use stacksmith_core::terraform::Resource;
use stacksmith_core::{Facts, Lookup, Lowering, Ref, tf};

use super::instance::{parameter_group, stack_secret};
use super::{Database, DatabaseEngine, MasterPassword, Parameter};
use crate::common::{self, name_tag};
use crate::secrets_manager::SECRET_VALUE;

/// How a later root finds a cluster by its identifier, and what it can read, for both
/// engines. DocumentDB is managed through the RDS API: `DescribeDBClusters` (what the
/// `aws_rds_cluster` data source calls) returns DocumentDB clusters too, with the same attribute
/// names. The provider has no `aws_docdb_cluster` data source.
const LOOKUP: Lookup = Lookup::by(
    "aws_rds_cluster",
    "cluster_identifier",
    "cluster_identifier",
    &[
        ("endpoint", "endpoint"),
        ("reader_endpoint", "reader_endpoint"),
        ("port", "port"),
        ("arn", "arn"),
        ("cluster_identifier", "cluster_identifier"),
        ("cluster_resource_id", "cluster_resource_id"),
        ("database_name", "database_name"),
        ("master_username", "master_username"),
        (
            "master_user_secret[0].secret_arn",
            "master_user_secret[0].secret_arn",
        ),
    ],
);

/// The cluster holds the data; its `master_user_secret[0].secret_arn` names the AWS-managed
/// Secrets Manager secret with the master credentials, read like any other secret.
const CLUSTER: Facts = Facts::new()
    .stateful()
    .identity(&["cluster_identifier", "cluster_identifier_prefix"])
    .replaced_on(super::REPLACED_ON)
    .found_by(&LOOKUP)
    .secret_value(&SECRET_VALUE);

/// A cluster member, known by its identifier (the data is the cluster's).
const MEMBER: Facts = Facts::new().identity(&["identifier", "identifier_prefix"]);

/// The resource kinds of each engine: subnet group, parameter group, cluster, instance.
fn kinds(engine: DatabaseEngine) -> [&'static str; 4] {
    match engine {
        DatabaseEngine::DocumentDb => [
            "aws_docdb_subnet_group",
            "aws_docdb_cluster_parameter_group",
            "aws_docdb_cluster",
            "aws_docdb_cluster_instance",
        ],
        _ => [
            "aws_db_subnet_group",
            "aws_rds_cluster_parameter_group",
            "aws_rds_cluster",
            "aws_rds_cluster_instance",
        ],
    }
}

pub(super) fn lower(db: &Database, cx: &mut Lowering<'_>, name: &str, params: &[Parameter]) {
    let docdb = db.engine == DatabaseEngine::DocumentDb;
    let [subnet_kind, params_kind, cluster_kind, instance_kind] = kinds(db.engine);
    // Where each engine publishes exported logs.
    let prefix = if docdb {
        "/aws/docdb"
    } else {
        "/aws/rds/cluster"
    };
    let groups: Vec<String> = db
        .engine
        .log_exports()
        .iter()
        .map(|log| format!("{prefix}/{name}/{log}"))
        .collect();
    let f = db.foundation(cx, name, &groups, subnet_kind);
    let (key_arn, log_addrs, subnet_group, sg) = (f.key_arn, f.log_groups, f.subnet_group, f.sg);
    let port = db.engine.port();
    let major = db
        .engine
        .major(&db.version)
        .unwrap_or(db.engine.default_version());
    let param_group = parameter_group(cx, params_kind, name, &db.engine.family(major), params);
    let monitoring = (!docdb).then(|| {
        common::service_role(
            cx,
            "monitoring",
            "monitoring.rds.amazonaws.com",
            &["service-role/AmazonRDSEnhancedMonitoringRole"],
        )
        .0
    });

    let mut body = tf! {
        "cluster_identifier" => name,
        "engine" => db.engine.engine(),
        "engine_version" => db.version.as_str(),
        "master_username" => db.master_username.as_str(),
        "port" => port,
        "db_subnet_group_name" => subnet_group.attr::<String>("name"),
        "vpc_security_group_ids" => vec![sg.attr::<String>("id")],
        "db_cluster_parameter_group_name" => param_group.attr::<String>("name"),
        "storage_encrypted" => true,
        "kms_key_id" => &key_arn,
        "backup_retention_period" => db.backup_retention_days,
        "preferred_backup_window" => "03:00-04:00",
        "preferred_maintenance_window" => "sun:04:30-sun:05:30",
        "deletion_protection" => db.deletion_protection,
        "skip_final_snapshot" => false,
        "final_snapshot_identifier" => format!("{name}-final"),
        "enabled_cloudwatch_logs_exports" => db.engine.log_exports().to_vec(),
        "apply_immediately" => false,
        "tags" => name_tag(name),
    };
    let managed = db.password_strategy() == MasterPassword::ManagedByRds;
    if managed {
        body.insert("manage_master_user_password".into(), true.into());
        if !docdb {
            body.insert("master_user_secret_kms_key_id".into(), (&key_arn).into());
        }
    } else {
        let password = stack_secret(db, cx, name, &key_arn);
        body.insert("master_password_wo".into(), (&password).into());
        body.insert(
            "master_password_wo_version".into(),
            super::instance::MASTER_PASSWORD_VERSION.into(),
        );
    }
    if !docdb {
        body.insert("copy_tags_to_snapshot".into(), true.into());
        body.insert("iam_database_authentication_enabled".into(), true.into());
        body.insert(
            "engine_lifecycle_support".into(),
            "open-source-rds-extended-support-disabled".into(),
        );
        body.insert("delete_automated_backups".into(), false.into());
        if let Some(db_name) = &db.db_name {
            body.insert("database_name".into(), db_name.as_str().into());
        }
    } else if db.db_name.is_some() {
        cx.error(
            "SS0117",
            "`database_name` does not apply to DocumentDB: databases are created by clients",
            "remove `.database_name(..)`",
        );
    }
    let mut cluster =
        Resource::new(cx.address(cluster_kind, ""), cx.path().clone(), body).facts(CLUSTER);
    for l in &log_addrs {
        cluster = cluster.depends_on(l);
    }
    let cluster = cx.resource(cluster);

    for i in 1..=db.instances.clamp(1, 16) {
        let id = format!("{name}-{i}");
        cx.check_name(&super::IDENTIFIER, &id, "instance identifier");
        let mut body = tf! {
            "identifier" => id.as_str(),
            "cluster_identifier" => cluster.attr::<String>("id"),
            "instance_class" => db.instance_class.as_str(),
            "promotion_tier" => i64::from(i.saturating_sub(1)).min(15),
            "copy_tags_to_snapshot" => true,
            "enable_performance_insights" => true,
            "performance_insights_kms_key_id" => &key_arn,
            // The CA clients verify against (`DatabaseCa` holds the region's G1 roots): pinned,
            // not whatever the service defaults to when the instance is made.
            "ca_cert_identifier" => "rds-ca-rsa2048-g1",
            "tags" => name_tag(&id),
        };
        if let Some(role) = &monitoring {
            // Aurora applies minor upgrades per instance; DocumentDB ignores the argument
            // (its engine upgrades are cluster-wide), so it is written for Aurora only.
            body.insert("auto_minor_version_upgrade".into(), true.into());
            body.shift_remove("enable_performance_insights");
            body.insert("engine".into(), db.engine.engine().into());
            body.insert(
                "engine_version".into(),
                cluster.attr::<String>("engine_version").into(),
            );
            body.insert("performance_insights_enabled".into(), true.into());
            body.insert("performance_insights_retention_period".into(), 7_i64.into());
            body.insert("monitoring_interval".into(), 60_i64.into());
            body.insert(
                "monitoring_role_arn".into(),
                role.attr::<String>("arn").into(),
            );
            body.insert("publicly_accessible".into(), false.into());
            body.insert("apply_immediately".into(), false.into());
        }
        cx.add_with(instance_kind, &format!("instance-{i}"), body, MEMBER);
    }

    cx.output(
        "endpoint",
        cluster.attr::<String>("endpoint"),
        &format!("The database's writer endpoint (TLS, port {port})"),
        false,
    );
    let (secret, what): (Ref, _) = if managed {
        (
            cluster.attr("master_user_secret[0].secret_arn"),
            "AWS-managed secret with the master credentials",
        )
    } else {
        (
            cx.address("aws_secretsmanager_secret", "master")
                .attr("arn"),
            "Secrets Manager secret with the master credentials (username, password)",
        )
    };
    cx.output("master-secret-arn", &secret, what, false);
}
