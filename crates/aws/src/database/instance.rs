//! Lowering of the RDS instance engines (PostgreSQL, MySQL): one `aws_db_instance` with a
//! Multi-AZ standby, read replicas, or a replica of a database in another stack and region.

use stacksmith_core::terraform::{Map, Value};
use stacksmith_core::{Address, Facts, Lookup, Lowering, Ref, Template, tf};

use super::{Database, MasterPassword, Parameter};
use crate::common::{self, name_tag};
use crate::secrets_manager::{self, SECRET_VALUE};

/// How a later root finds an instance (the primary or a read replica) by its identifier, and
/// what it can read.
const LOOKUP: Lookup = Lookup::by(
    "aws_db_instance",
    "db_instance_identifier",
    "identifier",
    &[
        ("address", "address"),
        ("endpoint", "endpoint"),
        ("port", "port"),
        ("arn", "db_instance_arn"),
        ("identifier", "db_instance_identifier"),
        ("resource_id", "resource_id"),
        ("db_name", "db_name"),
        ("username", "master_username"),
        (
            "master_user_secret[0].secret_arn",
            "master_user_secret[0].secret_arn",
        ),
    ],
);

/// The primary holds the data; its `master_user_secret[0].secret_arn` names the AWS-managed
/// Secrets Manager secret with the master credentials, read like any other secret.
const PRIMARY: Facts = Facts::new()
    .stateful()
    .identity(&["identifier", "identifier_prefix"])
    .replaced_on(super::REPLACED_ON)
    .found_by(&LOOKUP)
    .secret_value(&SECRET_VALUE);

/// A read replica, found like the primary (readers connect to it).
const REPLICA: Facts = Facts::new()
    .identity(&["identifier", "identifier_prefix"])
    .found_by(&LOOKUP);

/// Exported logs go to `/aws/rds/instance/<id>/<log>`, created here so they are encrypted and
/// expire (RDS would otherwise create them itself, unencrypted and kept forever).
fn log_groups(db: &Database, ids: &[String]) -> Vec<String> {
    ids.iter()
        .flat_map(|id| {
            db.engine
                .log_exports()
                .iter()
                .map(move |log| format!("/aws/rds/instance/{id}/{log}"))
        })
        .collect()
}

pub(super) fn lower(db: &Database, cx: &mut Lowering<'_>, name: &str, params: &[Parameter]) {
    let replica_ids: Vec<String> = (1..db.instances.clamp(1, 16))
        .map(|i| format!("{name}-replica-{i}"))
        .collect();
    let mut ids = vec![name.to_owned()];
    ids.extend(replica_ids.iter().cloned());
    let groups = log_groups(db, &ids);
    let f = db.foundation(cx, name, &groups, "aws_db_subnet_group");
    let (key_arn, log_addrs, subnet_group, sg) = (f.key_arn, f.log_groups, f.subnet_group, f.sg);
    let major = db
        .engine
        .major(&db.version)
        .unwrap_or(db.engine.default_version());
    let param_group = parameter_group(
        cx,
        "aws_db_parameter_group",
        name,
        &db.engine.family(major),
        params,
    );
    let (monitoring, _) = common::service_role(
        cx,
        "monitoring",
        "monitoring.rds.amazonaws.com",
        &["service-role/AmazonRDSEnhancedMonitoringRole"],
    );

    let common_body = |cx: &mut Lowering<'_>, id: &str| -> Map {
        cx.check_name(&super::IDENTIFIER, id, "identifier");
        tf! {
            "identifier" => id,
            "instance_class" => db.instance_class.as_str(),
            "storage_type" => "gp3",
            "max_allocated_storage" => db.storage.map_or(1000, |s| s.1),
            "storage_encrypted" => true,
            "kms_key_id" => &key_arn,
            "port" => db.engine.port(),
            "db_subnet_group_name" => subnet_group.attr::<String>("name"),
            "vpc_security_group_ids" => vec![sg.attr::<String>("id")],
            "publicly_accessible" => false,
            "parameter_group_name" => param_group.attr::<String>("name"),
            "ca_cert_identifier" => "rds-ca-rsa2048-g1",
            "iam_database_authentication_enabled" => true,
            "backup_retention_period" => db.backup_retention_days,
            "backup_window" => "03:00-04:00",
            "maintenance_window" => "sun:04:30-sun:05:30",
            "copy_tags_to_snapshot" => true,
            "delete_automated_backups" => false,
            "auto_minor_version_upgrade" => true,
            "allow_major_version_upgrade" => false,
            "apply_immediately" => false,
            "performance_insights_enabled" => true,
            "performance_insights_kms_key_id" => &key_arn,
            "performance_insights_retention_period" => 7_i64,
            "monitoring_interval" => 60_i64,
            "monitoring_role_arn" => monitoring.attr::<String>("arn"),
            "enabled_cloudwatch_logs_exports" => db.engine.log_exports().to_vec(),
            "deletion_protection" => db.deletion_protection,
            "tags" => name_tag(id),
        }
    };

    let mut body = common_body(cx, name);
    body.insert("multi_az".into(), db.multi_az.into());
    match &db.replica_of {
        None => {
            body.insert("engine".into(), db.engine.engine().into());
            body.insert("engine_version".into(), db.version.as_str().into());
            body.insert(
                "engine_lifecycle_support".into(),
                "open-source-rds-extended-support-disabled".into(),
            );
            body.insert(
                "allocated_storage".into(),
                db.storage.map_or(100, |s| s.0).into(),
            );
            if let Some(db_name) = &db.db_name {
                body.insert("db_name".into(), db_name.as_str().into());
            }
            body.insert("username".into(), db.master_username.as_str().into());
            match db.password_strategy() {
                MasterPassword::ManagedByRds => {
                    body.insert("manage_master_user_password".into(), true.into());
                    body.insert("master_user_secret_kms_key_id".into(), (&key_arn).into());
                }
                MasterPassword::StackSecret => {
                    let password = stack_secret(db, cx, name, &key_arn);
                    body.insert("password_wo".into(), (&password).into());
                    body.insert("password_wo_version".into(), MASTER_PASSWORD_VERSION.into());
                }
            }
            body.insert("skip_final_snapshot".into(), false.into());
            body.insert(
                "final_snapshot_identifier".into(),
                format!("{name}-final").into(),
            );
        }
        Some(source) => {
            // Found by ARN, not by a reference into the other stack's state; that stack is
            // applied first.
            cx.after_stack(source.path.stack());
            let p = common::partition(cx);
            let a = common::account_id(cx);
            let source_arn = Template::new()
                .lit("arn:")
                .with(&p)
                .lit(format!(":rds:{}:", source.region))
                .with(&a)
                .lit(format!(":db:{}", source.identifier));
            body.insert("replicate_source_db".into(), source_arn.into());
            // A replica cannot take a final snapshot; promote it before deleting it.
            body.insert("skip_final_snapshot".into(), true.into());
        }
    }
    let mut primary = stacksmith_core::terraform::Resource::new(
        cx.address("aws_db_instance", ""),
        cx.path().clone(),
        body,
    )
    .facts(PRIMARY);
    for l in &log_addrs {
        primary = primary.depends_on(l);
    }
    let primary = cx.resource(primary);

    for (i, id) in (1..).zip(&replica_ids) {
        let mut body = common_body(cx, id);
        body.insert(
            "replicate_source_db".into(),
            primary.attr::<String>("identifier").into(),
        );
        // A replica serving reads is as available as its writer.
        body.insert("multi_az".into(), db.multi_az.into());
        body.insert("skip_final_snapshot".into(), true.into());
        let mut r = stacksmith_core::terraform::Resource::new(
            cx.address("aws_db_instance", &format!("replica-{i}")),
            cx.path().clone(),
            body,
        )
        .facts(REPLICA);
        for l in &log_addrs {
            r = r.depends_on(l);
        }
        cx.resource(r);
    }

    cx.output(
        "endpoint",
        primary.attr::<String>("address"),
        &format!(
            "The database's writer endpoint (TLS, port {})",
            db.engine.port()
        ),
        false,
    );
    if db.replica_of.is_none() {
        let (secret, what): (Ref, _) = match db.password_strategy() {
            MasterPassword::ManagedByRds => (
                primary.attr("master_user_secret[0].secret_arn"),
                "AWS-managed secret with the master credentials",
            ),
            MasterPassword::StackSecret => (
                cx.address("aws_secretsmanager_secret", "master")
                    .attr("arn"),
                "Secrets Manager secret with the master credentials (username, password)",
            ),
        };
        cx.output("master-secret-arn", &secret, what, false);
    }
}

/// The `*_wo_version` of a stack-kept master password and of its secret's value. 2: the
/// password is generated by an ephemeral resource and written only to write-only arguments, so
/// it is in neither plan nor state (version 1 kept a `random_password` in state; moving from 1
/// to 2 sets a new password on the database and in its secret in the same apply). Raising it
/// again sets a new password the same way.
pub(super) const MASTER_PASSWORD_VERSION: i64 = 2;

/// [`MasterPassword::StackSecret`]: a password generated by Secrets Manager through an
/// ephemeral resource (never in plan or state), and a secret encrypted with the database's key
/// holding `{"username", "password", "host", "port"}` (the shape of an RDS database secret, so
/// readers of either work alike), written with the write-only `secret_string_wo` in the same
/// apply as the database's write-only password. Returns the password, for a write-only
/// argument only.
pub(super) fn stack_secret(db: &Database, cx: &mut Lowering<'_>, name: &str, key_arn: &Ref) -> Ref {
    // Letters and digits: RDS refuses `/`, `"`, `@` and spaces, MySQL takes at most 41
    // characters, and the value is written into JSON without escaping.
    let password: Ref = cx
        .ephemeral(
            "aws_secretsmanager_random_password",
            "master",
            tf! {
                "password_length" => 40_i64,
                "exclude_punctuation" => true,
                "require_each_included_type" => true,
            },
        )
        .attr("random_password");
    let secret = cx.add_with(
        "aws_secretsmanager_secret",
        "master",
        tf! {
            "name" => format!("{name}/master"),
            "description" => format!("Master credentials of the {name} database"),
            "kms_key_id" => key_arn,
            "recovery_window_in_days" => 30_i64,
            "tags" => name_tag(name),
        },
        secrets_manager::SECRET,
    );
    // The Secrets Manager database-secret shape (`host`, `port` beside the credentials), so a
    // reader (an `ExternalSecret` template) builds a connection URL from the secret alone.
    let kind = match db.engine {
        crate::DatabaseEngine::Postgres | crate::DatabaseEngine::MySql => {
            ("aws_db_instance", "address")
        }
        crate::DatabaseEngine::AuroraPostgres => ("aws_rds_cluster", "endpoint"),
        crate::DatabaseEngine::DocumentDb => ("aws_docdb_cluster", "endpoint"),
    };
    let host: Ref = cx.address(kind.0, "").attr(kind.1);
    let value = Template::new()
        .lit(format!(
            "{{\"username\":\"{}\",\"port\":{},\"host\":\"",
            db.master_username,
            db.engine.port()
        ))
        .with(&host)
        .lit("\",\"password\":\"")
        .with(&password)
        .lit("\"}");
    cx.add_with(
        "aws_secretsmanager_secret_version",
        "master",
        tf! {
            "secret_id" => secret.attr::<String>("id"),
            "secret_string_wo" => value,
            "secret_string_wo_version" => MASTER_PASSWORD_VERSION,
        },
        secrets_manager::VERSION,
    );
    password
}

/// A parameter group of `kind` (`aws_db_parameter_group`, `aws_rds_cluster_parameter_group`,
/// `aws_docdb_cluster_parameter_group`) holding `params`.
pub(super) fn parameter_group(
    cx: &mut Lowering<'_>,
    kind: &str,
    name: &str,
    family: &str,
    params: &[Parameter],
) -> Address {
    let entries: Vec<Value> = params
        .iter()
        .map(|p| {
            Value::Map(tf! {
                "name" => p.name.as_str(),
                "value" => p.value.as_str(),
                "apply_method" => if p.reboot { "pending-reboot" } else { "immediate" },
            })
        })
        .collect();
    cx.add_with(
        kind,
        "params",
        tf! {
            "name" => name,
            "family" => family,
            "description" => format!("Settings of {name}"),
            "parameter" => Value::List(entries),
            "tags" => name_tag(name),
        },
        common::NAMED,
    )
}
