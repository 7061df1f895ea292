//! `DatabaseCa`: the certificate authorities of an AWS database as a ConfigMap, for pods that
//! verify its TLS certificate (`tls=true&tlsCAFile=…`, `sslmode=verify-full&sslrootcert=…`).

use stacksmith_aws::DatabaseRef;
use stacksmith_core::{Construct, Lower, Lowering, Path, Scope};
use stacksmith_k8s::{ConfigMap, ConfigMapRef, NamespaceRef};

/// The key (and, mounted, the file name) holding the PEM bundle.
pub const DATABASE_CA_FILE: &str = "ca.pem";

/// A ConfigMap holding the root certificate authorities an RDS, Aurora or DocumentDB
/// database's server certificate chains to, under [`DATABASE_CA_FILE`]: no system trust
/// store has them, so a client told to verify TLS without them fails its handshake.
///
/// Mount it and name the file in the connection settings:
///
/// ```no_run
/// # use stacksmith::prelude::*;
/// # use stacksmith::aws::{Database, Network};
/// # use stacksmith::DatabaseCa;
/// # let mut stack = Stack::new("prod", "us-east-1");
/// # let network = stack.add(Network::new("network", "10.0.0.0/16"));
/// # let ns = stack.add(Namespace::new("apps"));
/// let db = stack.add(Database::documentdb("metadata", &network));
/// let ca = stack.add(DatabaseCa::new(&ns, "metadata-ca", &db));
/// Container::new("api", "example/api:1.0.0")
///     .mount(Volume::config_map("metadata-ca", &ca), "/etc/ssl/metadata")
///     .env("MONGODB_TLS_CA_FILE", "/etc/ssl/metadata/ca.pem");
/// ```
///
/// Holds the Amazon RDS G1 roots of the database's region (RSA2048, RSA4096, ECC384: every
/// CA RDS offers, so changing the instance's CA needs no new bundle); a region stacksmith has
/// no roots for is an error (SS0537).
#[derive(Clone, Debug)]
pub struct DatabaseCa {
    config_map: ConfigMap,
    database: Path,
    region: String,
    bundle: Option<String>,
}

impl DatabaseCa {
    /// ConfigMap `id` in `namespace` with `database`'s certificate authorities.
    pub fn new(namespace: &NamespaceRef, id: impl Into<String>, database: &DatabaseRef) -> Self {
        let bundle = database.ca_bundle();
        Self {
            config_map: ConfigMap::new(namespace, id)
                .file(DATABASE_CA_FILE, bundle.clone().unwrap_or_default()),
            database: database.path().clone(),
            region: database.region().to_owned(),
            bundle,
        }
    }

    /// Sets the object name. Default: the kebab-case construct path below the stack.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.config_map = self.config_map.name(name);
        self
    }
}

impl Construct for DatabaseCa {
    type Handle = ConfigMapRef;

    fn id_space(&self) -> Option<&'static str> {
        self.config_map.id_space()
    }

    fn id(&self) -> &str {
        self.config_map.id()
    }

    fn handle(&self, scope: &Scope) -> ConfigMapRef {
        self.config_map.handle(scope)
    }
}

impl Lower for DatabaseCa {
    fn lower(&self, cx: &mut Lowering<'_>) {
        if self.bundle.is_none() {
            cx.error(
                "SS0537",
                format!(
                    "stacksmith has no Amazon RDS certificate authorities for region `{}`, where `{}` runs, so the ConfigMap would hold nothing to verify its certificate with",
                    self.region, self.database
                ),
                format!(
                    "put the region's bundle (https://truststore.pki.rds.amazonaws.com/{0}/{0}-bundle.pem) in a ConfigMap yourself: `ConfigMap::new(&ns, id).file(\"ca.pem\", include_str!(\"{0}-bundle.pem\"))`",
                    self.region
                ),
            );
            return;
        }
        self.config_map.lower(cx);
    }
}
