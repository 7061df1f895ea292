//! `Database`: a managed database cluster in private subnets. This issue ships the
//! MongoDB-compatible engine (Amazon DocumentDB); the relational engines come next.

use stacksmith_core::terraform::Value;
use stacksmith_core::{
    Address, Construct, Lower, Lowering, NameRule, Path, Ref, Scope, tf, tf_name,
};

use crate::common::{self, Ingress, Peer, name_tag};
use crate::network::NetworkRef;

/// DocumentDB cluster identifiers: 1–63 lowercase letters, digits and hyphens.
const CLUSTER_ID: NameRule = NameRule {
    what: "DocumentDB cluster identifier",
    max_len: 63,
    lowercase: true,
    extra: "-",
    start_letter: true,
};

/// The database engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseEngine {
    /// Amazon DocumentDB (MongoDB-compatible).
    DocumentDb,
}

impl DatabaseEngine {
    fn versions(self) -> &'static [&'static str] {
        match self {
            DatabaseEngine::DocumentDb => &["4.0.0", "5.0.0"],
        }
    }

    fn port(self) -> u16 {
        match self {
            DatabaseEngine::DocumentDb => 27017,
        }
    }
}

/// A managed database cluster: writer and readers spread over zones, encrypted, backed up.
///
/// Creates (DocumentDB): a KMS key, `aws_docdb_subnet_group` over the private subnets, a
/// security group with one ingress rule per `allow_from`, a cluster parameter group with TLS,
/// audit logs and the profiler on, `aws_docdb_cluster` with an AWS-managed master password
/// (Secrets Manager; never in the output or the state), and one `aws_docdb_cluster_instance`
/// per instance.
///
/// Defaults: DocumentDB 5.0 on `db.r6g.large`, 3 instances (a writer and two readers in
/// different zones); storage encrypted with the customer key; backups kept 30 days; deletion
/// protection on and a final snapshot on delete; audit and profiler logs exported to
/// CloudWatch.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::{Database, EksCluster, Network};
/// let mut stack = Stack::new("prod", "us-east-1");
/// let network = stack.add(Network::new("network", "10.0.0.0/16"));
/// let cluster = stack.add(EksCluster::new("eks", &network));
/// let db = stack.add(Database::documentdb("metadata", &network).allow_from(&cluster));
/// ```
#[derive(Clone, Debug)]
pub struct Database {
    id: String,
    network: NetworkRef,
    engine: DatabaseEngine,
    version: String,
    instance_class: String,
    instances: u32,
    backup_retention_days: u32,
    master_username: String,
    deletion_protection: bool,
    ingress: Vec<Ingress>,
}

/// A handle to a [`Database`]: endpoints and the managed master secret.
#[derive(Clone, Debug)]
pub struct DatabaseRef {
    path: Path,
    stack: String,
    port: u16,
}

impl Database {
    /// A MongoDB-compatible Amazon DocumentDB cluster in `network`'s private subnets.
    pub fn documentdb(id: &str, network: &NetworkRef) -> Self {
        Self {
            id: id.to_owned(),
            network: network.clone(),
            engine: DatabaseEngine::DocumentDb,
            version: "5.0.0".into(),
            instance_class: "db.r6g.large".into(),
            instances: 3,
            backup_retention_days: 30,
            master_username: "dbadmin".into(),
            deletion_protection: true,
            ingress: Vec::new(),
        }
    }

    /// The engine version. Default: 5.0.0.
    #[must_use]
    pub fn engine_version(mut self, version: &str) -> Self {
        self.version = version.to_owned();
        self
    }

    /// The instance class. Default: `db.r6g.large` (2 vCPU, 16 GiB).
    #[must_use]
    pub fn instance_class(mut self, class: &str) -> Self {
        self.instance_class = class.to_owned();
        self
    }

    /// Number of instances, the first the writer (1–16). Default: 3.
    #[must_use]
    pub fn instances(mut self, n: u32) -> Self {
        self.instances = n;
        self
    }

    /// Days automated backups are kept (1–35). Default: 30.
    #[must_use]
    pub fn backup_retention_days(mut self, days: u32) -> Self {
        self.backup_retention_days = days;
        self
    }

    /// The master user's name. Default: `dbadmin`. Its password is generated and rotated by
    /// AWS in Secrets Manager.
    #[must_use]
    pub fn master_username(mut self, name: &str) -> Self {
        self.master_username = name.to_owned();
        self
    }

    /// Turns deletion protection off (for throwaway environments): a named, visible choice,
    /// reported as a warning.
    #[must_use]
    pub fn without_deletion_protection(mut self) -> Self {
        self.deletion_protection = false;
        self
    }

    /// Opens the database port to a peer (e.g. an EKS cluster's nodes).
    #[must_use]
    pub fn allow_from(mut self, peer: &impl Peer) -> Self {
        self.ingress.push(Ingress::of(peer));
        self
    }
}

impl DatabaseRef {
    fn cluster(&self) -> Address {
        Address::resource(&self.stack, "aws_docdb_cluster", &tf_name(&self.path, ""))
    }

    /// The writer endpoint's host name.
    pub fn endpoint(&self) -> Ref {
        self.cluster().attr("endpoint")
    }

    /// The reader endpoint's host name.
    pub fn reader_endpoint(&self) -> Ref {
        self.cluster().attr("reader_endpoint")
    }

    /// The ARN of the AWS-managed secret holding the master credentials.
    pub fn master_secret_arn(&self) -> Ref {
        self.cluster().attr("master_user_secret[0].secret_arn")
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Construct for Database {
    type Handle = DatabaseRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> DatabaseRef {
        DatabaseRef {
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
            port: self.engine.port(),
        }
    }
}

impl Lower for Database {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let name = cx.name("");
        cx.check_name(&CLUSTER_ID, &name, "cluster identifier");
        if !self.engine.versions().contains(&self.version.as_str()) {
            cx.error(
                "SS0109",
                format!(
                    "DocumentDB `engine_version` `{}` is not supported",
                    self.version
                ),
                format!("use one of {}", self.engine.versions().join(", ")),
            );
        }
        if self.instances == 0 || self.instances > 16 {
            cx.error(
                "SS0108",
                format!(
                    "`instances` is {}; a DocumentDB cluster has 1 to 16 instances",
                    self.instances
                ),
                "use 3 instances (a writer and two readers in other zones)",
            );
        } else if self.instances == 1 {
            cx.warning(
                "SS0108",
                "`instances` is 1: the cluster has no reader to fail over to",
                "use at least 2 instances in production",
            );
        }
        if !(1..=35).contains(&self.backup_retention_days) {
            cx.error(
                "SS0110",
                format!(
                    "`backup_retention_days` is {}; DocumentDB keeps backups 1 to 35 days",
                    self.backup_retention_days
                ),
                "use 7 or more days",
            );
        }
        if !self.deletion_protection {
            cx.warning(
                "SS0112",
                "deletion protection is off: `terraform destroy` or a replacement can delete this database",
                "remove `.without_deletion_protection()` for any environment holding real data",
            );
        }

        let key = common::kms_key(
            cx,
            "key",
            &format!("Encrypts the {name} database, its backups and master secret"),
            &[],
        );
        let key_arn: Ref = key.attr("arn");
        let subnets: Vec<Value> = self
            .network
            .private_subnet_ids()
            .into_iter()
            .map(Value::from)
            .collect();
        let subnet_group = cx.add(
            "aws_docdb_subnet_group",
            "subnets",
            tf! { "name" => name.as_str(), "description" => format!("Private subnets of {name}"), "subnet_ids" => Value::List(subnets), "tags" => name_tag(&name) },
        );
        let port = self.engine.port();
        let sg = common::security_group(
            cx,
            "sg",
            &format!("{name} database: {port}/tcp from allowed peers only"),
            &self.network.vpc_id(),
        );
        common::ingress_rules(cx, &sg, port, "DocumentDB", &self.ingress);

        let family = format!(
            "docdb{}",
            self.version
                .rsplit_once('.')
                .map_or(self.version.as_str(), |(v, _)| v)
        );
        let params = ["tls", "audit_logs", "profiler"]
            .iter()
            .map(|p| {
                Value::Map(
                    tf! { "name" => *p, "value" => "enabled", "apply_method" => "pending-reboot" },
                )
            })
            .collect::<Vec<_>>();
        let param_group = cx.add(
            "aws_docdb_cluster_parameter_group",
            "params",
            tf! {
                "name" => name.as_str(),
                "family" => family,
                "description" => format!("TLS, audit logs and profiler for {name}"),
                "parameter" => Value::List(params),
                "tags" => name_tag(&name),
            },
        );
        let cluster = cx.add_stateful(
            "aws_docdb_cluster",
            "",
            tf! {
                "cluster_identifier" => name.as_str(),
                "engine" => "docdb",
                "engine_version" => self.version.as_str(),
                "master_username" => self.master_username.as_str(),
                "manage_master_user_password" => true,
                "port" => port,
                "db_subnet_group_name" => subnet_group.attr::<String>("name"),
                "vpc_security_group_ids" => vec![sg.attr::<String>("id")],
                "db_cluster_parameter_group_name" => param_group.attr::<String>("name"),
                "storage_encrypted" => true,
                "kms_key_id" => &key_arn,
                "backup_retention_period" => self.backup_retention_days,
                "preferred_backup_window" => "03:00-04:00",
                "preferred_maintenance_window" => "sun:04:30-sun:05:30",
                "deletion_protection" => self.deletion_protection,
                "skip_final_snapshot" => false,
                "final_snapshot_identifier" => format!("{name}-final"),
                "enabled_cloudwatch_logs_exports" => vec!["audit", "profiler"],
                "apply_immediately" => false,
                "tags" => name_tag(&name),
            },
        );
        for i in 1..=self.instances.min(16) {
            let id = format!("{name}-{i}");
            cx.check_name(&CLUSTER_ID, &id, "instance identifier");
            cx.add(
                "aws_docdb_cluster_instance",
                &format!("instance-{i}"),
                tf! {
                    "identifier" => id.as_str(),
                    "cluster_identifier" => cluster.attr::<String>("id"),
                    "instance_class" => self.instance_class.as_str(),
                    "promotion_tier" => i64::from(i - 1).min(15),
                    "auto_minor_version_upgrade" => true,
                    "copy_tags_to_snapshot" => true,
                    "enable_performance_insights" => true,
                    "performance_insights_kms_key_id" => &key_arn,
                    "tags" => name_tag(&id),
                },
            );
        }
        cx.output(
            "endpoint",
            cluster.attr::<String>("endpoint"),
            "The database's writer endpoint (TLS)",
            false,
        );
        let secret: Ref = cluster.attr("master_user_secret[0].secret_arn");
        cx.output(
            "master-secret-arn",
            &secret,
            "AWS-managed secret with the master credentials",
            false,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EksCluster, Network};
    use stacksmith_core::Stack;

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

    #[test]
    fn password_is_managed_by_aws_and_never_written() {
        let g = lowered(|d| d);
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let c = cluster(&g);
        assert_eq!(
            c.and_then(|c| c.get("manage_master_user_password")),
            Some(&Value::Bool(true))
        );
        assert_eq!(c.and_then(|c| c.get("master_password")), None);
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
                .any(|r| r.address.kind() == "aws_docdb_cluster" && r.stateful)
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
}
