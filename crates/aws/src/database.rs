//! `Database`: a managed database in private subnets — an RDS PostgreSQL or MySQL instance
//! (Multi-AZ, read replicas, cross-region standby), an Aurora PostgreSQL cluster, or an
//! Amazon DocumentDB cluster — encrypted, backed up, protected from deletion, with
//! AWS-managed master credentials.

mod ca;
mod cluster;
mod instance;

use stacksmith_core::{
    Address, CloudValue, Construct, Edge, EdgeKind, End, Label, Lower, Lowering, NameRule, Path,
    Ref, Scope, StoredSecret, Template, Within, tf, tf_name,
};

use crate::common::{self, Ingress, Peer};
use crate::drawing::{join, words};
use crate::iam::PolicyStatement;
use crate::network::NetworkRef;

/// RDS instance and cluster identifiers: 1–63 lowercase letters, digits and hyphens.
const IDENTIFIER: NameRule = NameRule {
    what: "database identifier",
    max_len: 63,
    lowercase: true,
    extra: "-",
    start_letter: true,
};

/// The database engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseEngine {
    /// RDS for PostgreSQL (one instance, Multi-AZ standby, optional read replicas).
    Postgres,
    /// RDS for MySQL (one instance, Multi-AZ standby, optional read replicas).
    MySql,
    /// Aurora PostgreSQL (a cluster of a writer and readers over shared storage).
    AuroraPostgres,
    /// Amazon DocumentDB (MongoDB-compatible cluster).
    DocumentDb,
}

impl DatabaseEngine {
    /// How people call it, for messages.
    fn label(self) -> &'static str {
        match self {
            DatabaseEngine::Postgres => "PostgreSQL",
            DatabaseEngine::MySql => "MySQL",
            DatabaseEngine::AuroraPostgres => "Aurora PostgreSQL",
            DatabaseEngine::DocumentDb => "DocumentDB",
        }
    }

    /// The `engine` argument.
    fn engine(self) -> &'static str {
        match self {
            DatabaseEngine::Postgres => "postgres",
            DatabaseEngine::MySql => "mysql",
            DatabaseEngine::AuroraPostgres => "aurora-postgresql",
            DatabaseEngine::DocumentDb => "docdb",
        }
    }

    /// Major versions in AWS standard support that the construct supports.
    fn majors(self) -> &'static [&'static str] {
        match self {
            DatabaseEngine::Postgres | DatabaseEngine::AuroraPostgres => &["14", "15", "16", "17"],
            DatabaseEngine::MySql => &["8.0", "8.4"],
            DatabaseEngine::DocumentDb => &["4.0", "5.0"],
        }
    }

    fn default_version(self) -> &'static str {
        match self {
            DatabaseEngine::Postgres => "17",
            DatabaseEngine::MySql => "8.4",
            DatabaseEngine::AuroraPostgres => "16.6",
            DatabaseEngine::DocumentDb => "5.0.0",
        }
    }

    /// The major version `version` belongs to, if supported (`16.9` → `16`, `8.0.40` → `8.0`).
    fn major(self, version: &str) -> Option<&'static str> {
        self.majors()
            .iter()
            .copied()
            .find(|m| version == *m || version.strip_prefix(m).is_some_and(|r| r.starts_with('.')))
    }

    fn port(self) -> u16 {
        match self {
            DatabaseEngine::Postgres | DatabaseEngine::AuroraPostgres => 5432,
            DatabaseEngine::MySql => 3306,
            DatabaseEngine::DocumentDb => 27017,
        }
    }

    fn is_postgres(self) -> bool {
        matches!(
            self,
            DatabaseEngine::Postgres | DatabaseEngine::AuroraPostgres
        )
    }

    /// One instance (with replicas) rather than a cluster over shared storage.
    fn is_instance(self) -> bool {
        matches!(self, DatabaseEngine::Postgres | DatabaseEngine::MySql)
    }

    /// The parameter group family for a supported major version.
    fn family(self, major: &str) -> String {
        format!("{}{major}", self.engine())
    }

    /// Logs exported to CloudWatch.
    fn log_exports(self) -> &'static [&'static str] {
        match self {
            DatabaseEngine::Postgres => &["postgresql", "upgrade"],
            DatabaseEngine::MySql => &["error", "slowquery"],
            DatabaseEngine::AuroraPostgres => &["postgresql"],
            DatabaseEngine::DocumentDb => &["audit", "profiler"],
        }
    }
}

/// A typed database setting, written into the parameter group with the unit and apply method
/// the engine expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setting {
    /// PostgreSQL `shared_buffers` in MiB (written in the 8 KiB pages RDS expects; applied at
    /// the next reboot).
    SharedBuffersMib(u32),
    /// PostgreSQL `work_mem` in MiB (written in KiB).
    WorkMemMib(u32),
    /// `max_connections` (PostgreSQL: applied at the next reboot).
    MaxConnections(u32),
    /// Log statements slower than this many milliseconds (PostgreSQL
    /// `log_min_duration_statement`; MySQL `slow_query_log` + `long_query_time`).
    /// Default: 1000.
    SlowQueryMs(u32),
    /// Any other parameter, by its engine name; `reboot` for static parameters.
    Custom {
        /// The parameter's name.
        name: String,
        /// Its value, as the engine writes it.
        value: String,
        /// Whether it only applies after a reboot (static parameters).
        reboot: bool,
    },
}

/// Who makes, keeps and rotates the master user's password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MasterPassword {
    /// RDS generates it, keeps it in a Secrets Manager secret encrypted with the database's
    /// key and rotates it every 7 days (`manage_master_user_password`): the password never
    /// reaches Terraform state. AWS refuses read replicas of such a database (RDS User Guide,
    /// "Limitations for Secrets Manager integration with Amazon RDS").
    ManagedByRds,
    /// Terraform generates a 40-character alphanumeric password (`random_password`, kept in
    /// the encrypted state), sets it write-only (`password_wo`) and stores
    /// `{"username", "password"}` in a Secrets Manager secret the stack owns, encrypted with
    /// the database's key; not rotated. What a database with read replicas (same or another
    /// region) needs.
    StackSecret,
}

/// One parameter group entry.
struct Parameter {
    name: String,
    value: String,
    reboot: bool,
}

impl Parameter {
    fn new(name: &str, value: impl ToString, reboot: bool) -> Self {
        Self {
            name: name.to_owned(),
            value: value.to_string(),
            reboot,
        }
    }
}

/// A managed database: encrypted with its own KMS key, in private subnets behind a security
/// group opened only to peers given with `allow_from`, with AWS-managed master credentials
/// (Secrets Manager; never in the output or the state), IAM authentication, Performance
/// Insights, enhanced monitoring, logs in encrypted log groups, deletion protection and a
/// final snapshot.
///
/// Defaults, by engine:
/// - **PostgreSQL / MySQL** (`aws_db_instance`): PostgreSQL 17 / MySQL 8.4 (major version
///   only: AWS applies minor upgrades), `db.m7g.large`, Multi-AZ, gp3 storage from 100 GiB
///   autoscaling to 1000 GiB, no read replicas, TLS required and slow queries (≥ 1 s) and DDL
///   logged through the parameter group, extended support (paid) refused.
/// - **Aurora PostgreSQL** (`aws_rds_cluster`): 16.6 on `db.r7g.large`, 2 instances (a writer
///   and a reader in another zone).
/// - **DocumentDB** (`aws_docdb_cluster`): 5.0.0 on `db.r6g.large`, 3 instances; TLS, audit logs
///   and the profiler on.
/// - All: backups kept 30 days, logs kept 365 days, deletion protection on.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::{Database, EksCluster, Network, Setting};
/// let mut stack = Stack::new("prod", "us-east-1");
/// let network = stack.add(Network::new("network", "10.0.0.0/16"));
/// let cluster = stack.add(EksCluster::new("eks", &network));
/// let db = stack.add(
///     Database::postgres("main", &network)
///         .setting(Setting::SharedBuffersMib(1024))
///         .allow_from(&cluster),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct Database {
    id: String,
    network: NetworkRef,
    engine: DatabaseEngine,
    version: String,
    instance_class: String,
    instances: u32,
    storage: Option<(u32, u32)>,
    multi_az: bool,
    backup_retention_days: u32,
    log_retention_days: u32,
    master_username: String,
    db_name: Option<String>,
    deletion_protection: bool,
    settings: Vec<Setting>,
    ingress: Vec<Ingress>,
    replica_of: Option<DatabaseRef>,
    identifier: Option<String>,
    master_password: Option<MasterPassword>,
}

/// A handle to a [`Database`]: endpoints, the managed master secret, and IAM connect rights.
#[derive(Clone, Debug)]
pub struct DatabaseRef {
    network_cidr: Option<stacksmith_core::Cidr>,
    path: Path,
    stack: String,
    region: String,
    engine: DatabaseEngine,
    identifier: String,
    readers: u32,
    replica: bool,
    master_password: MasterPassword,
}

impl Database {
    fn new(id: &str, network: &NetworkRef, engine: DatabaseEngine) -> Self {
        let (class, instances) = match engine {
            DatabaseEngine::Postgres | DatabaseEngine::MySql => ("db.m7g.large", 1),
            DatabaseEngine::AuroraPostgres => ("db.r7g.large", 2),
            DatabaseEngine::DocumentDb => ("db.r6g.large", 3),
        };
        Self {
            id: id.to_owned(),
            network: network.clone(),
            engine,
            version: engine.default_version().to_owned(),
            instance_class: class.to_owned(),
            instances,
            storage: None,
            multi_az: true,
            backup_retention_days: 30,
            log_retention_days: 365,
            master_username: match engine {
                DatabaseEngine::DocumentDb => "dbadmin",
                _ => "app_admin",
            }
            .to_owned(),
            db_name: None,
            deletion_protection: true,
            settings: Vec::new(),
            ingress: Vec::new(),
            replica_of: None,
            identifier: None,
            master_password: None,
        }
    }

    /// An RDS for PostgreSQL instance in `network`'s private subnets.
    pub fn postgres(id: &str, network: &NetworkRef) -> Self {
        Self::new(id, network, DatabaseEngine::Postgres)
    }

    /// An RDS for MySQL instance in `network`'s private subnets.
    pub fn mysql(id: &str, network: &NetworkRef) -> Self {
        Self::new(id, network, DatabaseEngine::MySql)
    }

    /// An Aurora PostgreSQL cluster in `network`'s private subnets.
    pub fn aurora_postgres(id: &str, network: &NetworkRef) -> Self {
        Self::new(id, network, DatabaseEngine::AuroraPostgres)
    }

    /// A MongoDB-compatible Amazon DocumentDB cluster in `network`'s private subnets.
    pub fn documentdb(id: &str, network: &NetworkRef) -> Self {
        Self::new(id, network, DatabaseEngine::DocumentDb)
    }

    /// The engine version: a major version (`16`, `8.4`) lets AWS apply minor upgrades; a
    /// full one (`16.9`) pins it. Defaults: PostgreSQL 17, MySQL 8.4, Aurora PostgreSQL 16.6,
    /// DocumentDB 5.0.0.
    #[must_use]
    pub fn engine_version(mut self, version: &str) -> Self {
        self.version = version.to_owned();
        self
    }

    /// The instance class (every instance of the database). Defaults: `db.m7g.large`
    /// (RDS), `db.r7g.large` (Aurora), `db.r6g.large` (DocumentDB).
    #[must_use]
    pub fn instance_class(mut self, class: &str) -> Self {
        self.instance_class = class.to_owned();
        self
    }

    /// Number of instances of a cluster engine, the first the writer (1–16). Defaults: 2
    /// (Aurora), 3 (DocumentDB). For RDS instances, use [`Database::read_replicas`].
    #[must_use]
    pub fn instances(mut self, n: u32) -> Self {
        self.instances = n;
        self
    }

    /// Read replicas beside the writer (0–15), in the same region. Default: 0 for RDS
    /// (the Multi-AZ standby gives failover), 1 for Aurora, 2 for DocumentDB.
    #[must_use]
    pub fn read_replicas(mut self, n: u32) -> Self {
        self.instances = n.saturating_add(1);
        self
    }

    /// RDS storage in GiB: allocated at creation, and the ceiling storage autoscaling may
    /// grow to (gp3). Default: 100 and 1000. Aurora and DocumentDB storage grows by itself.
    #[must_use]
    pub fn storage_gib(mut self, allocated: u32, max: u32) -> Self {
        self.storage = Some((allocated, max));
        self
    }

    /// Runs an RDS instance in one zone only, without a standby: a visible choice, reported as
    /// a warning. Default: Multi-AZ.
    #[must_use]
    pub fn single_az(mut self) -> Self {
        self.multi_az = false;
        self
    }

    /// Days automated backups are kept (1–35). Default: 30.
    #[must_use]
    pub fn backup_retention_days(mut self, days: u32) -> Self {
        self.backup_retention_days = days;
        self
    }

    /// Days the database's log groups keep logs. Default: 365.
    #[must_use]
    pub fn log_retention_days(mut self, days: u32) -> Self {
        self.log_retention_days = days;
        self
    }

    /// The master user's name. Defaults: `app_admin` (RDS, Aurora), `dbadmin` (DocumentDB).
    /// Its password is generated and rotated by AWS in Secrets Manager.
    #[must_use]
    pub fn master_username(mut self, name: &str) -> Self {
        self.master_username = name.to_owned();
        self
    }

    /// A database created at launch (PostgreSQL, MySQL, Aurora). Default: none.
    #[must_use]
    pub fn database_name(mut self, name: &str) -> Self {
        self.db_name = Some(name.to_owned());
        self
    }

    /// Adds a typed setting to the parameter group.
    #[must_use]
    pub fn setting(mut self, setting: Setting) -> Self {
        self.settings.push(setting);
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

    /// Makes this database a read replica of `source`, which may live in another stack and
    /// region (a standby for disaster recovery): it is found by its ARN, built from the
    /// source's identifier and region, so the two stacks keep separate state. Apply the
    /// source's stack first. Supported for PostgreSQL and MySQL instances of the same engine.
    #[must_use]
    pub fn replica_of(mut self, source: &DatabaseRef) -> Self {
        self.replica_of = Some(source.clone());
        self
    }

    /// Who makes and keeps the master password. Default: [`MasterPassword::ManagedByRds`]
    /// (never in state, rotated by AWS, its secret encrypted with the database's key), except:
    /// an RDS instance with read replicas gets [`MasterPassword::StackSecret`], because AWS
    /// refuses replicas of a database whose password RDS manages; and DocumentDB gets
    /// `StackSecret`, because the provider cannot encrypt DocumentDB's managed secret with the
    /// database's key (it would use `aws/secretsmanager`). A database that another stack
    /// replicates (`.replica_of(&db)`) sets `StackSecret` here; the replica reports it
    /// otherwise (SS0180). Aurora readers are cluster members, not replicas.
    #[must_use]
    pub fn master_password(mut self, how: MasterPassword) -> Self {
        self.master_password = Some(how);
        self
    }

    /// The master password strategy in effect: the one set, or the default for this shape.
    fn password_strategy(&self) -> MasterPassword {
        let replicated =
            self.engine.is_instance() && self.instances > 1 && self.replica_of.is_none();
        // hashicorp/aws 6.47 cannot give DocumentDB's managed secret a key
        // (`master_user_secret_kms_key_id` is RDS-only), so it would sit under
        // `aws/secretsmanager` instead of the database's key.
        let unkeyed = self.engine == DatabaseEngine::DocumentDb;
        self.master_password.unwrap_or(if replicated || unkeyed {
            MasterPassword::StackSecret
        } else {
            MasterPassword::ManagedByRds
        })
    }

    /// Pins the database identifier (the cloud-side name) instead of deriving it from the
    /// construct path: what keeps a renamed or moved construct the same database (`diff`
    /// flags the replacement a changed identifier would cause). Default: the kebab-case path,
    /// stack included (`prod-orders`).
    #[must_use]
    pub fn identifier(mut self, identifier: &str) -> Self {
        self.identifier = Some(identifier.to_owned());
        self
    }

    fn cloud_identifier(&self, scope_path: &Path) -> String {
        self.identifier
            .clone()
            .unwrap_or_else(|| stacksmith_core::cloud_name(scope_path, ""))
    }

    fn parameters(&self, cx: &mut Lowering<'_>) -> Vec<Parameter> {
        let pg = self.engine.is_postgres();
        let mut params = Vec::new();
        let mut slow_ms = 1000;
        if pg {
            params.push(Parameter::new("rds.force_ssl", 1, false));
            params.push(Parameter::new("log_connections", 1, false));
            params.push(Parameter::new("log_disconnections", 1, false));
            params.push(Parameter::new("log_statement", "ddl", false));
            params.push(Parameter::new("log_lock_waits", 1, false));
        } else if self.engine == DatabaseEngine::MySql {
            params.push(Parameter::new("require_secure_transport", 1, false));
        } else if self.engine == DatabaseEngine::DocumentDb {
            for p in ["tls", "audit_logs", "profiler"] {
                params.push(Parameter::new(p, "enabled", true));
            }
        }
        for s in &self.settings {
            let pg_only = |cx: &mut Lowering<'_>, what: &str| {
                cx.error(
                    "SS0115",
                    format!(
                        "`Setting::{what}` is a PostgreSQL setting; this database is {}",
                        self.engine.label()
                    ),
                    "remove it, or use `Setting::Custom` with the engine's own parameter",
                );
            };
            match s {
                Setting::SharedBuffersMib(mib) if pg => {
                    // RDS takes shared_buffers in 8 KiB pages.
                    params.push(Parameter::new("shared_buffers", u64::from(*mib) * 128, true));
                }
                Setting::WorkMemMib(mib) if pg => {
                    params.push(Parameter::new("work_mem", u64::from(*mib) * 1024, false));
                }
                Setting::SharedBuffersMib(_) => pg_only(cx, "SharedBuffersMib"),
                Setting::WorkMemMib(_) => pg_only(cx, "WorkMemMib"),
                Setting::MaxConnections(n) if self.engine != DatabaseEngine::DocumentDb => {
                    if *n == 0 {
                        cx.error(
                            "SS0115",
                            "`Setting::MaxConnections(0)` would refuse every connection",
                            "leave max_connections to the engine's default or give a positive number",
                        );
                    }
                    params.push(Parameter::new("max_connections", n, pg));
                }
                Setting::SlowQueryMs(ms) if self.engine != DatabaseEngine::DocumentDb => {
                    slow_ms = *ms;
                }
                Setting::MaxConnections(_) | Setting::SlowQueryMs(_) => cx.error(
                    "SS0115",
                    "DocumentDB has no `max_connections` or slow-query setting",
                    "use `Setting::Custom` with a DocumentDB cluster parameter (e.g. `profiler_threshold_ms`)",
                ),
                Setting::Custom {
                    name,
                    value,
                    reboot,
                } => {
                    if name.is_empty() || value.is_empty() {
                        cx.error(
                            "SS0115",
                            format!("`Setting::Custom` with name `{name}` and value `{value}`: both must be set"),
                            "give the parameter's engine name and its value",
                        );
                    }
                    params.push(Parameter {
                        name: name.clone(),
                        value: value.clone(),
                        reboot: *reboot,
                    });
                }
            }
        }
        if pg {
            params.push(Parameter::new("log_min_duration_statement", slow_ms, false));
        } else if self.engine == DatabaseEngine::MySql {
            params.push(Parameter::new("slow_query_log", 1, false));
            params.push(Parameter::new(
                "long_query_time",
                format!("{}", f64::from(slow_ms) / 1000.0),
                false,
            ));
        }
        // A later setting of the same name wins; keep one entry per name, first position.
        let mut out: Vec<Parameter> = Vec::new();
        for p in params {
            match out.iter_mut().find(|q| q.name == p.name) {
                Some(q) => *q = p,
                None => out.push(p),
            }
        }
        out
    }

    fn validate(&self, cx: &mut Lowering<'_>, name: &str) {
        let label = self.engine.label();
        cx.check_name(&IDENTIFIER, name, "identifier");
        if self.engine.major(&self.version).is_none() {
            cx.error(
                "SS0109",
                format!(
                    "{label} `engine_version` `{}` is not supported",
                    self.version
                ),
                format!(
                    "use one of the major versions {} (optionally with a minor version, e.g. `{}`)",
                    self.engine.majors().join(", "),
                    self.engine.default_version()
                ),
            );
        }
        if !self.instance_class.starts_with("db.") || self.instance_class.len() < 6 {
            cx.error(
                "SS0113",
                format!(
                    "`instance_class` `{}` is not a database instance class",
                    self.instance_class
                ),
                "database instance classes start with `db.`, e.g. `db.m7g.large` or `db.r7g.large`",
            );
        }
        if self.instances == 0 || self.instances > 16 {
            cx.error(
                "SS0108",
                format!(
                    "`instances` is {}; a {label} database has 1 to 16 instances (a writer and up to 15 readers)",
                    self.instances
                ),
                "use a writer and one or two readers in other zones",
            );
        } else if self.instances == 1 && !self.engine.is_instance() {
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
                    "`backup_retention_days` is {}; {label} keeps backups 1 to 35 days",
                    self.backup_retention_days
                ),
                format!(
                    "set `.backup_retention_days({})`: valid values are 1 to 35 days, and 7 or more keeps a week of backups to restore from",
                    self.backup_retention_days.clamp(7, 35)
                ),
            );
        }
        if !self.deletion_protection {
            cx.warning(
                "SS0112",
                "deletion protection is off: `terraform destroy` or a replacement can delete this database",
                "remove `.without_deletion_protection()` for any environment holding real data",
            );
        }
        if self.engine.is_instance() {
            if let Some((allocated, max)) = self.storage {
                if !(20..=65536).contains(&allocated) {
                    cx.error(
                        "SS0114",
                        format!("`storage_gib` allocates {allocated} GiB; gp3 volumes hold 20 to 65536 GiB"),
                        "allocate at least 20 GiB",
                    );
                }
                if max < allocated || max > 65536 {
                    cx.error(
                        "SS0114",
                        format!(
                            "`storage_gib` lets storage grow to {max} GiB from {allocated} GiB"
                        ),
                        "the ceiling must be at least the allocated size and at most 65536 GiB",
                    );
                }
            }
            if !self.multi_az {
                cx.warning(
                    "SS0119",
                    "the database runs in one zone: a zone outage or an instance failure stops it until it is rebuilt",
                    "remove `.single_az()` for production",
                );
            }
        } else {
            if self.storage.is_some() {
                cx.error(
                    "SS0117",
                    format!("`storage_gib` does not apply to {label}: its storage grows by itself"),
                    "remove `.storage_gib(..)`",
                );
            }
            if !self.multi_az {
                cx.error(
                    "SS0117",
                    format!("`single_az` does not apply to {label}: zones come from its instances"),
                    "remove `.single_az()`; use `.instances(1)` for one instance",
                );
            }
        }
        if let Some(source) = &self.replica_of {
            if !self.engine.is_instance() || source.engine != self.engine {
                cx.error(
                    "SS0116",
                    format!(
                        "a {label} database cannot be a replica of `{}` ({})",
                        source.path,
                        source.engine.label()
                    ),
                    "replicas are supported between PostgreSQL instances or between MySQL instances; for Aurora use a global database (not built yet)",
                );
            }
            if source.replica {
                cx.error(
                    "SS0116",
                    format!(
                        "`{}` is itself a replica; replicas of replicas are not supported",
                        source.path
                    ),
                    "replicate the primary instead",
                );
            }
            if self.db_name.is_some() {
                cx.error(
                    "SS0116",
                    "a replica copies its source's databases; `database_name` does not apply",
                    "remove `.database_name(..)`",
                );
            }
            if self.engine.is_instance()
                && source.engine == self.engine
                && !source.replica
                && source.master_password == MasterPassword::ManagedByRds
            {
                cx.error(
                    "SS0180",
                    format!(
                        "`{}` has its master password managed by RDS, and AWS refuses to create read replicas of such a database",
                        source.path
                    ),
                    format!(
                        "add `.master_password(MasterPassword::StackSecret)` to `{}`: the stack generates the password and keeps it in its own Secrets Manager secret",
                        source.path
                    ),
                );
            }
            if self.master_password.is_some() {
                cx.error(
                    "SS0116",
                    "a replica uses its source's master password; `master_password` does not apply",
                    "remove `.master_password(..)` from the replica",
                );
            }
        }
        if self.engine.is_instance()
            && self.instances > 1
            && self.master_password == Some(MasterPassword::ManagedByRds)
        {
            cx.error(
                "SS0180",
                format!(
                    "{} read replica(s) of a database whose master password is managed by RDS: AWS refuses to create them",
                    self.instances.saturating_sub(1)
                ),
                "remove `.master_password(MasterPassword::ManagedByRds)` (a database with read replicas defaults to `MasterPassword::StackSecret`), or drop the read replicas",
            );
        }
    }
}

/// Attributes besides the identifier whose change replaces an instance or a cluster.
const REPLACED_ON: &[&str] = &[
    "engine",
    "kms_key_id",
    "storage_encrypted",
    "availability_zone",
    "snapshot_identifier",
];

/// What every engine's lowering starts from: the key, the log groups created before the
/// database exports into them, the subnet group and the security group.
struct Foundation {
    key_arn: Ref,
    log_groups: Vec<Address>,
    subnet_group: Address,
    sg: Address,
}

impl Database {
    /// Creates the foundation: `log_groups` are the names the engine exports into;
    /// `subnet_kind` is the engine's subnet group resource.
    fn foundation(
        &self,
        cx: &mut Lowering<'_>,
        name: &str,
        log_groups: &[String],
        subnet_kind: &str,
    ) -> Foundation {
        let logs_use_key = common::logs_may_use_key_for(cx, log_groups);
        // DocumentDB's AWS-managed secret cannot take the key (see `password_strategy`).
        let secret = if self.engine == DatabaseEngine::DocumentDb
            && self.password_strategy() == MasterPassword::ManagedByRds
        {
            ""
        } else {
            " and master secret"
        };
        let key = common::kms_key(
            cx,
            "key",
            &format!(
                "Encrypts the {name} database, its backups, logs, Performance Insights{secret}"
            ),
            &[logs_use_key],
        );
        let log_groups = log_groups
            .iter()
            .zip(1..)
            .map(|(g, i)| {
                let part = format!("log-{i}");
                common::log_group(cx, &part, g, self.log_retention_days, &key)
            })
            .collect();
        let subnet_group = cx.add_with(
            subnet_kind,
            "subnets",
            tf! {
                "name" => name,
                "description" => format!("Private subnets of {name}"),
                "subnet_ids" => common::private_subnets(&self.network),
                "tags" => common::name_tag(name),
            },
            common::NAMED,
        );
        let sg = common::data_store_sg(
            cx,
            &self.network,
            self.engine.label(),
            self.engine.port(),
            &self.ingress,
        );
        Foundation {
            key_arn: key.attr("arn"),
            log_groups,
            subnet_group,
            sg,
        }
    }
}

impl DatabaseRef {
    fn main(&self) -> Address {
        let kind = match self.engine {
            DatabaseEngine::Postgres | DatabaseEngine::MySql => "aws_db_instance",
            DatabaseEngine::AuroraPostgres => "aws_rds_cluster",
            DatabaseEngine::DocumentDb => "aws_docdb_cluster",
        };
        Address::resource(&self.stack, kind, &tf_name(&self.path, ""))
    }

    /// The writer endpoint's host name.
    pub fn endpoint(&self) -> Ref {
        if self.engine.is_instance() {
            self.main().attr("address")
        } else {
            self.main().attr("endpoint")
        }
    }

    /// The host name reads should go to: a cluster's reader endpoint, an instance's first
    /// read replica, or the writer when there is none.
    pub fn reader_endpoint(&self) -> Ref {
        if !self.engine.is_instance() {
            self.main().attr("reader_endpoint")
        } else if self.readers > 0 {
            Address::resource(
                &self.stack,
                "aws_db_instance",
                &tf_name(&self.path, "replica-1"),
            )
            .attr("address")
        } else {
            self.endpoint()
        }
    }

    /// The ARN of the secret holding the master credentials (AWS-managed, or the stack's own
    /// with [`MasterPassword::StackSecret`]); `None` for a replica, whose credentials are its
    /// source's.
    pub fn master_secret_arn(&self) -> Option<Ref> {
        (!self.replica).then(|| match self.master_password {
            MasterPassword::ManagedByRds => self.main().attr("master_user_secret[0].secret_arn"),
            MasterPassword::StackSecret => Address::resource(
                &self.stack,
                "aws_secretsmanager_secret",
                &tf_name(&self.path, "master"),
            )
            .attr("arn"),
        })
    }

    /// The master credentials as the cluster syncs them (`ExternalSecret`): JSON fields
    /// `username`, `password`, `host` and `port`. Only a [`MasterPassword::StackSecret`] can be
    /// synced: RDS names its managed secret itself (`rds!db-…`) when it creates it, so the
    /// Kubernetes files cannot name it, and a replica's credentials are its source's; an
    /// `ExternalSecret` reading those reports why (SS0505).
    pub fn stored_master_secret(&self) -> StoredSecret {
        let unnamed = if self.replica {
            Some(format!(
                "`{}` is a replica: sync its source's master secret",
                self.path
            ))
        } else if self.master_password == MasterPassword::ManagedByRds {
            Some(format!(
                "RDS names the master secret of `{}` itself when it creates it, so the Kubernetes files cannot name it; set `.master_password(MasterPassword::StackSecret)` on it",
                self.path
            ))
        } else {
            None
        };
        StoredSecret {
            owner: self.path.clone(),
            name: format!("{}/master", self.identifier),
            arn: Address::resource(
                &self.stack,
                "aws_secretsmanager_secret",
                &tf_name(&self.path, "master"),
            )
            .attr("arn"),
            key: Some(self.key_arn()),
            fields: ["username", "password", "host", "port"]
                .map(str::to_owned)
                .to_vec(),
            unnamed,
        }
    }

    /// The master password, read from its secret (the JSON field `password`) by the
    /// generated `cluster/` root: pass it to `Container::secret_env_from_cloud`. `None` for a
    /// replica.
    pub fn master_password(&self) -> Option<CloudValue> {
        self.master_secret_arn()
            .map(|arn| CloudValue::secret_json_field(&arn, "password"))
    }

    /// The IAM statement that lets a role log in as database user `user` with IAM
    /// authentication (`rds-db:connect`); `None` for DocumentDB.
    pub fn connect_statement(&self, user: &str) -> Option<PolicyStatement> {
        let resource_id: Ref = match self.engine {
            DatabaseEngine::Postgres | DatabaseEngine::MySql => self.main().attr("resource_id"),
            DatabaseEngine::AuroraPostgres => self.main().attr("cluster_resource_id"),
            DatabaseEngine::DocumentDb => return None,
        };
        let partition: Ref =
            Address::data(&self.stack, "aws_partition", "current").attr("partition");
        let account: Ref =
            Address::data(&self.stack, "aws_caller_identity", "current").attr("account_id");
        let arn = Template::new()
            .lit("arn:")
            .with(&partition)
            .lit(format!(":rds-db:{}:", self.region))
            .with(&account)
            .lit(":dbuser:")
            .with(&resource_id)
            .lit(format!("/{user}"));
        let sid = format!("{}Connect", crate::iam::sid_prefix(&self.path));
        Some(PolicyStatement::allow(&sid, ["rds-db:connect"]).resource(arn))
    }

    /// The ARN of the KMS key that encrypts the database, its backups and master secret
    /// (readers of the secret need `kms:Decrypt` on it).
    pub fn key_arn(&self) -> Ref {
        Address::resource(&self.stack, "aws_kms_key", &tf_name(&self.path, "key")).attr("arn")
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.engine.port()
    }

    /// Allows `peer` to connect, declared after both exist (`stack.add(x.allow_from(&api))`):
    /// the ingress rule here and, if the peer restricts egress, its egress rule.
    pub fn allow_from(&self, peer: &impl Peer) -> crate::Connection {
        crate::Connection::new(self, peer)
    }

    /// The engine.
    pub fn engine(&self) -> DatabaseEngine {
        self.engine
    }

    /// The database identifier (the cloud-side name).
    pub fn identifier(&self) -> &str {
        &self.identifier
    }

    /// How many readers it has: read replicas of an RDS instance, reader instances of a
    /// cluster.
    pub fn readers(&self) -> u32 {
        self.readers
    }

    /// Whether it is a read replica of another database (`.replica_of(..)`).
    pub fn is_replica(&self) -> bool {
        self.replica
    }

    /// The region the database lives in.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The root certificate authorities its server certificate chains to, as a PEM bundle
    /// (Amazon RDS G1 roots of its region: RSA2048, RSA4096, ECC384), for clients that verify
    /// TLS (`tls=true&tlsCAFile=…`, `sslmode=verify-full&sslrootcert=…`): no system trust store
    /// holds them. `None` for a region stacksmith has no roots for. Pods get it through
    /// `stacksmith::DatabaseCa`, a ConfigMap to mount.
    pub fn ca_bundle(&self) -> Option<String> {
        ca::bundle(&self.region)
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl crate::connection::Listener for DatabaseRef {
    fn listener_security_group_id(&self) -> Ref {
        Address::resource(
            &self.stack,
            "aws_security_group",
            &tf_name(&self.path, "sg"),
        )
        .attr("id")
    }

    fn listener_port(&self) -> u16 {
        self.engine.port()
    }

    fn listener_what(&self) -> &'static str {
        self.engine.label()
    }

    fn listener_path(&self) -> &Path {
        &self.path
    }

    fn listener_cidr(&self) -> Option<stacksmith_core::Cidr> {
        self.network_cidr
    }
}

impl Construct for Database {
    type Handle = DatabaseRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> DatabaseRef {
        DatabaseRef {
            network_cidr: self.network.block(),
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
            region: scope.region.clone(),
            engine: self.engine,
            identifier: self.cloud_identifier(&scope.path),
            readers: self.instances.saturating_sub(1),
            replica: self.replica_of.is_some(),
            master_password: self.password_strategy(),
        }
    }
}

impl Lower for Database {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let name = self.cloud_identifier(cx.path());
        self.validate(cx, &name);
        let params = self.parameters(cx);
        if self.engine.is_instance() {
            instance::lower(self, cx, &name, &params);
        } else {
            cluster::lower(self, cx, &name, &params);
        }
        self.draw(cx);
    }
}

impl Database {
    /// The database as the diagram draws it, in its network: engine and version, instance
    /// class and count, port; a cross-stack replica with the replication from its source.
    fn draw(&self, cx: &mut Lowering<'_>) {
        let path = cx.path().clone();
        let instances = self.instances.clamp(1, 16);
        let mut node =
            crate::drawing::data_node(&path).within(Within::Construct(self.network.path().clone()));
        let version = self.version.as_str();
        if self.engine.is_instance() {
            node = node.line(match &self.replica_of {
                None => words([Some("RDS"), Some(self.engine.label()), Some(version)]),
                Some(_) => "RDS read replica".to_owned(),
            });
            let multi_az = self.multi_az.then_some("Multi-AZ");
            node = node.line(join([Some(self.instance_class.as_str()), multi_az]));
            node = node.line(match instances.saturating_sub(1) {
                0 => String::new(),
                1 => "+ 1 read replica".to_owned(),
                n => format!("+ {n} read replicas"),
            });
        } else {
            node = node
                .line(words([Some(self.engine.label()), Some(version)]))
                .line(format!("{instances} × {}", self.instance_class));
        }
        cx.node(node.line(format!("port {}", self.engine.port())));
        if let Some(source) = &self.replica_of {
            let stack = source.path.stack();
            let owner =
                if stack != path.stack() && source.identifier.starts_with(&format!("{stack}-")) {
                    format!("RDS instance of stack {stack}")
                } else {
                    "RDS instance outside this stack".to_owned()
                };
            cx.edge(Edge::new(
                End::External {
                    key: format!("rds_{}", source.identifier),
                    title: source.identifier.clone(),
                    lines: vec![owner, source.region.clone()],
                },
                End::Construct(path),
                EdgeKind::Replication,
                Label::text("replication"),
            ));
        }
    }
}

#[cfg(test)]
mod tests;
