use super::*;
use crate::{EksCluster, Network, NetworkRef};
use stacksmith_core::Stack;
use stacksmith_core::terraform::{Map, Value};

fn lowered(f: impl FnOnce(Database) -> Database) -> stacksmith_core::Graph {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let eks = stack.add(EksCluster::new("eks", &net));
    stack.add(f(Database::documentdb("metadata", &net).allow_from(&eks)));
    stack.lower()
}

fn cluster(g: &stacksmith_core::Graph) -> Option<&stacksmith_core::terraform::Map> {
    g.resources
        .iter()
        .find(|r| r.address.kind() == "aws_docdb_cluster")
        .map(|r| &r.body)
}

/// Issue 14, F26: hashicorp/aws 6.47 cannot give DocumentDB's AWS-managed secret a key, so
/// DocumentDB's master secret is the stack's own, encrypted with the database's key; the
/// password is write-only on the cluster.
#[test]
fn documentdb_master_secret_is_encrypted_with_the_database_key() {
    let g = lowered(|d| d);
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let c = cluster(&g);
    assert_eq!(c.and_then(|c| c.get("manage_master_user_password")), None);
    assert_eq!(c.and_then(|c| c.get("master_password")), None);
    assert!(matches!(
        c.and_then(|c| c.get("master_password_wo")),
        Some(Value::Ref(_))
    ));
    let secret = bodies(&g, "aws_secretsmanager_secret");
    let Some(Value::Ref(key)) = secret.first().and_then(|s| s.get("kms_key_id")) else {
        panic!("no secret under the database key: {secret:?}");
    };
    assert_eq!(key.expression(), "aws_kms_key.metadata_key.arn");
    // Asked for explicitly, RDS manages it, and the key no longer claims the secret.
    let g = lowered(|d| d.master_password(MasterPassword::ManagedByRds));
    let c = cluster(&g);
    assert_eq!(
        c.and_then(|c| c.get("manage_master_user_password")),
        Some(&Value::Bool(true))
    );
    let key = bodies(&g, "aws_kms_key");
    assert!(
        !format!("{:?}", key[0].get("description")).contains("master secret"),
        "{key:?}"
    );
}

#[test]
fn stateful_encrypted_protected() {
    let g = lowered(|d| d);
    let c = cluster(&g);
    assert_eq!(
        c.and_then(|c| c.get("storage_encrypted")),
        Some(&Value::Bool(true))
    );
    assert_eq!(
        c.and_then(|c| c.get("deletion_protection")),
        Some(&Value::Bool(true))
    );
    assert_eq!(
        c.and_then(|c| c.get("skip_final_snapshot")),
        Some(&Value::Bool(false))
    );
    assert!(
        g.resources
            .iter()
            .any(|r| r.address.kind() == "aws_docdb_cluster" && r.facts.stateful)
    );
    assert_eq!(
        g.resources
            .iter()
            .filter(|r| r.address.kind() == "aws_docdb_cluster_instance")
            .count(),
        3
    );
}

#[test]
fn fails_zero_instances_and_bad_retention() {
    let g = lowered(|d| d.instances(0).backup_retention_days(90));
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn warns_when_deletion_protection_is_off() {
    let g = lowered(Database::without_deletion_protection);
    assert!(!g.diagnostics.has_errors());
    insta::assert_snapshot!(g.diagnostics.to_string());
}

fn stack_with(
    f: impl FnOnce(&NetworkRef, &crate::EksClusterRef) -> Database,
) -> stacksmith_core::Graph {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let eks = stack.add(EksCluster::new("eks", &net));
    stack.add(f(&net, &eks));
    stack.lower()
}

fn bodies<'g>(g: &'g stacksmith_core::Graph, kind: &str) -> Vec<&'g Map> {
    g.resources
        .iter()
        .filter(|r| r.address.kind() == kind)
        .map(|r| &r.body)
        .collect()
}

fn param(g: &stacksmith_core::Graph, kind: &str, name: &str) -> Option<(String, String)> {
    let group = bodies(g, kind).into_iter().next()?;
    let Some(Value::List(ps)) = group.get("parameter") else {
        return None;
    };
    ps.iter().find_map(|p| match p {
        Value::Map(m) if m.get("name") == Some(&Value::from(name)) => {
            match (m.get("value"), m.get("apply_method")) {
                (Some(Value::String(v)), Some(Value::String(a))) => Some((v.clone(), a.clone())),
                _ => None,
            }
        }
        _ => None,
    })
}

#[test]
fn postgres_instance_is_multi_az_managed_and_observable() {
    let g = stack_with(|net, eks| Database::postgres("main", net).allow_from(eks));
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let dbs = bodies(&g, "aws_db_instance");
    assert_eq!(dbs.len(), 1);
    let db = dbs[0];
    for (k, v) in [
        ("multi_az", Value::Bool(true)),
        ("manage_master_user_password", Value::Bool(true)),
        ("iam_database_authentication_enabled", Value::Bool(true)),
        ("performance_insights_enabled", Value::Bool(true)),
        ("storage_encrypted", Value::Bool(true)),
        ("publicly_accessible", Value::Bool(false)),
        ("deletion_protection", Value::Bool(true)),
        ("skip_final_snapshot", Value::Bool(false)),
        ("storage_type", Value::from("gp3")),
        ("allocated_storage", Value::Int(100)),
        ("max_allocated_storage", Value::Int(1000)),
        ("monitoring_interval", Value::Int(60)),
        ("engine_version", Value::from("17")),
    ] {
        assert_eq!(db.get(k), Some(&v), "{k}");
    }
    assert_eq!(db.get("password"), None);
    assert_eq!(
        param(&g, "aws_db_parameter_group", "rds.force_ssl"),
        Some(("1".into(), "immediate".into()))
    );
    assert_eq!(
        param(&g, "aws_db_parameter_group", "log_min_duration_statement"),
        Some(("1000".into(), "immediate".into()))
    );
    // Exported logs go to log groups created first, encrypted and with retention.
    let groups = bodies(&g, "aws_cloudwatch_log_group");
    assert!(
        groups
            .iter()
            .any(|b| b.get("name") == Some(&Value::from("/aws/rds/instance/prod-main/postgresql")))
    );
    let r = g
        .resources
        .iter()
        .find(|r| r.address.kind() == "aws_db_instance");
    assert!(r.is_some_and(|r| r.facts.stateful && r.depends_on.len() == 2));
    insta::assert_json_snapshot!(db);
}

#[test]
fn typed_settings_are_written_in_the_engines_units() {
    let g = stack_with(|net, _| {
        Database::postgres("main", net)
            .setting(Setting::SharedBuffersMib(256))
            .setting(Setting::WorkMemMib(16))
            .setting(Setting::SlowQueryMs(250))
    });
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let kind = "aws_db_parameter_group";
    assert_eq!(
        param(&g, kind, "shared_buffers"),
        Some(("32768".into(), "pending-reboot".into()))
    );
    assert_eq!(
        param(&g, kind, "work_mem"),
        Some(("16384".into(), "immediate".into()))
    );
    assert_eq!(
        param(&g, kind, "log_min_duration_statement"),
        Some(("250".into(), "immediate".into()))
    );
    assert_eq!(
        bodies(&g, kind).first().and_then(|b| b.get("family")),
        Some(&Value::from("postgres17"))
    );
}

#[test]
fn mysql_requires_tls_and_logs_slow_queries() {
    let g = stack_with(|net, _| {
        Database::mysql("orders", net)
            .engine_version("8.0.40")
            .setting(Setting::SlowQueryMs(500))
    });
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let kind = "aws_db_parameter_group";
    assert_eq!(
        param(&g, kind, "require_secure_transport"),
        Some(("1".into(), "immediate".into()))
    );
    assert_eq!(
        param(&g, kind, "long_query_time"),
        Some(("0.5".into(), "immediate".into()))
    );
    assert_eq!(
        bodies(&g, kind).first().and_then(|b| b.get("family")),
        Some(&Value::from("mysql8.0"))
    );
}

#[test]
fn read_replicas_follow_the_writer() {
    let g = stack_with(|net, _| Database::postgres("main", net).read_replicas(2));
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let dbs = bodies(&g, "aws_db_instance");
    assert_eq!(dbs.len(), 3);
    let Some(Value::Ref(src)) = dbs[1].get("replicate_source_db") else {
        panic!("replica without a source: {:?}", dbs[1]);
    };
    assert_eq!(src.expression(), "aws_db_instance.main.identifier");
    assert_eq!(
        dbs[2].get("identifier"),
        Some(&Value::from("prod-main-replica-2"))
    );
}

#[test]
fn a_standby_in_another_region_replicates_by_arn_not_by_state() {
    let mut primary = Stack::new("primary", "us-east-1");
    let net = primary.add(Network::new("network", "10.0.0.0/16"));
    let db =
        primary.add(Database::postgres("db", &net).master_password(MasterPassword::StackSecret));
    let mut standby = Stack::new("standby", "us-west-2");
    let net2 = standby.add(Network::new("network", "10.1.0.0/16"));
    standby.add(Database::postgres("db", &net2).replica_of(&db));
    let mut app = stacksmith_core::App::new();
    app.add(primary);
    app.add(standby);
    let graphs = app.lower();
    for g in &graphs {
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    }
    let Some(g) = graphs.iter().find(|g| g.stack == "standby") else {
        panic!("no standby graph");
    };
    let replica = bodies(g, "aws_db_instance");
    let Some(Value::Template(t)) = replica[0].get("replicate_source_db") else {
        panic!("no source ARN: {:?}", replica[0]);
    };
    let text = serde_json::to_string(&Value::Template(t.clone())).unwrap_or_default();
    assert!(
        text.contains(":rds:us-east-1:") && text.ends_with(":db:primary-db\""),
        "{text}"
    );
    assert_eq!(replica[0].get("username"), None);
    assert_eq!(replica[0].get("manage_master_user_password"), None);
    assert!(matches!(replica[0].get("kms_key_id"), Some(Value::Ref(_))));
}

#[test]
fn aurora_is_a_cluster_with_a_writer_and_a_reader() {
    let g = stack_with(|net, eks| Database::aurora_postgres("analytics", net).allow_from(eks));
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    assert_eq!(bodies(&g, "aws_rds_cluster").len(), 1);
    assert_eq!(bodies(&g, "aws_rds_cluster_instance").len(), 2);
    assert_eq!(
        bodies(&g, "aws_rds_cluster_parameter_group")
            .first()
            .and_then(|b| b.get("family")),
        Some(&Value::from("aurora-postgresql16"))
    );
    insta::assert_json_snapshot!(bodies(&g, "aws_rds_cluster")[0]);
}

#[test]
fn iam_connect_statement_names_the_resource_id() {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let db = stack.add(Database::postgres("main", &net));
    let docdb = stack.add(Database::documentdb("docs", &net));
    assert!(docdb.connect_statement("app").is_none());
    assert!(db.connect_statement("app").is_some());
    assert!(db.master_secret_arn().is_some());
}

#[test]
fn fails_unsupported_engine_combinations() {
    let g = stack_with(|net, _| {
        Database::mysql("main", net)
            .engine_version("5.7")
            .instance_class("m5.large")
            .setting(Setting::SharedBuffersMib(512))
            .storage_gib(200, 100)
    });
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn fails_options_that_do_not_apply_to_clusters() {
    let g = stack_with(|net, _| {
        Database::aurora_postgres("main", net)
            .storage_gib(100, 200)
            .single_az()
            .engine_version("12.22")
    });
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn fails_replica_of_another_engine_and_name_too_long() {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let source = stack.add(Database::mysql("orders", &net));
    stack.add(
        Database::postgres(
            "orders-standby-replica-for-the-reporting-and-analytics-team",
            &net,
        )
        .replica_of(&source),
    );
    insta::assert_snapshot!(stack.lower().diagnostics.to_string());
}

#[test]
fn a_pinned_identifier_names_the_database_and_its_replicas() {
    let g = stack_with(|net, _| {
        Database::postgres("orders", net)
            .identifier("prod-db")
            .read_replicas(1)
    });
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let dbs = bodies(&g, "aws_db_instance");
    assert_eq!(dbs[0].get("identifier"), Some(&Value::from("prod-db")));
    assert_eq!(
        dbs[0].get("final_snapshot_identifier"),
        Some(&Value::from("prod-db-final"))
    );
    assert_eq!(
        dbs[1].get("identifier"),
        Some(&Value::from("prod-db-replica-1"))
    );
}

#[test]
fn a_later_root_finds_every_engine_and_its_master_secret() -> Result<(), String> {
    use crate::common::lookup_check::{names_secret, readable, resource};
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let postgres = stack.add(Database::postgres("orders", &net).instances(2));
    let aurora = stack.add(Database::aurora_postgres("analytics", &net));
    let docdb = stack.add(Database::documentdb("metadata", &net));
    let g = stack.lower();
    for db in [&postgres, &aurora, &docdb] {
        readable(&g, &db.endpoint())?;
        readable(&g, &db.reader_endpoint())?;
        let secret = db.master_secret_arn().ok_or("no master secret")?;
        names_secret(&g, &secret)?;
        assert!(resource(&g, &db.endpoint())?.facts.stateful);
    }
    // The first read replica, where an instance's reads go, is found like its writer.
    assert!(
        postgres
            .reader_endpoint()
            .expression()
            .contains("replica_1")
    );
    // DocumentDB is read through the RDS cluster data source.
    let docdb_lookup = resource(&g, &docdb.endpoint())?.facts.found_by;
    assert!(
        matches!(docdb_lookup, Some(stacksmith_core::Lookup::By { data_source, .. }) if *data_source == "aws_rds_cluster"),
        "{docdb_lookup:?}"
    );
    Ok(())
}

/// Issue 14, F01: AWS refuses `CreateDBInstanceReadReplica` when the source's master password
/// is managed by RDS, so a database with read replicas gets the stack's own secret.
#[test]
fn read_replicas_get_a_stack_secret_instead_of_a_managed_password() -> Result<(), String> {
    use crate::common::lookup_check::{names_secret, resource};
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let db = stack.add(Database::postgres("main", &net).read_replicas(1));
    let g = stack.lower();
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let dbs = bodies(&g, "aws_db_instance");
    assert_eq!(dbs[0].get("manage_master_user_password"), None);
    assert_eq!(dbs[0].get("master_user_secret_kms_key_id"), None);
    assert!(matches!(dbs[0].get("password_wo"), Some(Value::Ref(_))));
    assert_eq!(dbs[0].get("password_wo_version"), Some(&Value::from(2_i64)));
    let secrets = bodies(&g, "aws_secretsmanager_secret");
    assert_eq!(secrets.len(), 1);
    // Encrypted with the database's key, like the AWS-managed secret it replaces.
    let Some(Value::Ref(key)) = secrets[0].get("kms_key_id") else {
        return Err(format!("secret without the database key: {:?}", secrets[0]));
    };
    assert_eq!(key.expression(), "aws_kms_key.main_key.arn");
    let secret = db.master_secret_arn().ok_or("no master secret")?;
    names_secret(&g, &secret)?;
    assert_eq!(
        resource(&g, &secret)?.address.kind(),
        "aws_secretsmanager_secret"
    );
    // Without replicas, RDS keeps managing it.
    let g = stack_with(|net, _| Database::postgres("main", net));
    assert_eq!(
        bodies(&g, "aws_db_instance")[0].get("manage_master_user_password"),
        Some(&Value::Bool(true))
    );
    Ok(())
}

#[test]
fn fails_read_replicas_of_a_managed_master_password() {
    let mut primary = Stack::new("primary", "us-east-1");
    let net = primary.add(Network::new("network", "10.0.0.0/16"));
    let db = primary.add(Database::postgres("db", &net));
    primary.add(
        Database::postgres("reports", &net)
            .read_replicas(1)
            .master_password(MasterPassword::ManagedByRds),
    );
    let mut standby = Stack::new("standby", "us-west-2");
    let net2 = standby.add(Network::new("network", "10.1.0.0/16"));
    standby.add(Database::postgres("db", &net2).replica_of(&db));
    let mut app = stacksmith_core::App::new();
    app.add(primary);
    app.add(standby);
    let text: Vec<String> = app
        .lower()
        .iter()
        .map(|g| g.diagnostics.to_string())
        .collect();
    insta::assert_snapshot!(text.join("\n"));
}

/// Issue 14, F34: DocumentDB instances ignore `auto_minor_version_upgrade` (upgrades are
/// cluster-wide), so it is not written for them; Aurora's instances keep it.
#[test]
fn no_op_minor_upgrade_flag_is_left_off_documentdb_instances() {
    let g = lowered(|d| d);
    let instances = bodies(&g, "aws_docdb_cluster_instance");
    assert!(!instances.is_empty());
    assert!(
        instances
            .iter()
            .all(|i| i.get("auto_minor_version_upgrade").is_none())
    );
    let g = stack_with(|net, _| Database::aurora_postgres("analytics", net));
    let instances = bodies(&g, "aws_rds_cluster_instance");
    assert!(
        instances
            .iter()
            .all(|i| i.get("auto_minor_version_upgrade") == Some(&Value::Bool(true)))
    );
}
