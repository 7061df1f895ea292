//! `DatabaseTls`: what a client of a KubeDB database served over TLS needs — the CA bundle
//! KubeDB's cert-manager certificate carries, mounted, and the settings naming it in its env.

use stacksmith_core::Lowering;

use crate::SecretRef;

/// The keys of the client certificate Secret `<database>-client-cert` KubeDB asks cert-manager
/// for when the database has `spec.tls` (KubeDB "Run MongoDB with TLS/SSL" and "Run Redis with
/// TLS/SSL": `kubectl describe secret <db>-client-cert` lists `ca.crt`, `tls.crt`, `tls.key`).
pub(crate) const CLIENT_CERT_KEYS: [&str; 3] = ["ca.crt", "tls.crt", "tls.key"];

/// The Secret KubeDB's certificate for clients is stored in: `<database>-client-cert`.
pub(crate) fn client_cert_secret(database: &str) -> String {
    format!("{database}-client-cert")
}

/// Where a client container finds a database's CA bundle: `/etc/kubedb/<database>/ca.crt`.
fn ca_dir(database: &str) -> String {
    format!("/etc/kubedb/{database}")
}

/// A KubeDB database a container can connect to over TLS (the `MongoDb` and `Redis` handles).
pub trait KubeDbDatabase {
    /// What the container needs to trust the database's certificate.
    fn tls_client(&self) -> DatabaseTls;
}

/// The TLS settings of one KubeDB database for a client container, made by
/// [`KubeDbDatabase::tls_client`] and applied with `Container::tls_to(&db)`.
///
/// Adds to the container: the Secret `<database>-client-cert`, which KubeDB has cert-manager
/// issue from the database's issuer, mounted read-only at `/etc/kubedb/<database>/` (`ca.crt`,
/// `tls.crt`, `tls.key`: KubeDB's TLS databases verify client certificates, as its guides'
/// `--tlsCertificateKeyFile` and `--cert/--key` show, so the CA alone is refused), and four env
/// vars (`MONGODB_` or `REDIS_`): `<PREFIX>_TLS=true`, `<PREFIX>_TLS_CA_FILE`,
/// `<PREFIX>_TLS_CERT_FILE` and `<PREFIX>_TLS_KEY_FILE`: for Redis `rediss://` with those
/// three files; a MongoDB driver's `tlsCertificateKeyFile` takes one PEM holding both
/// certificate and key, which the application joins from the two files at start. A database
/// without `.tls(&issuer)` serves plain text, and the container is refused (SS0534).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseTls {
    pub(crate) kind: &'static str,
    pub(crate) prefix: &'static str,
    pub(crate) database: String,
    pub(crate) namespace: String,
    pub(crate) tls: bool,
}

impl DatabaseTls {
    /// The Secret volume with the CA bundle and the client certificate, its mount path, and
    /// the env vars.
    pub(crate) fn parts(&self) -> (crate::Volume, String, [(String, String); 4]) {
        let secret = SecretRef {
            name: client_cert_secret(&self.database),
            namespace: self.namespace.clone(),
            keys: CLIENT_CERT_KEYS.iter().map(|k| (*k).to_owned()).collect(),
            synced: false,
        };
        let volume = CLIENT_CERT_KEYS
            .iter()
            .fold(
                crate::Volume::secret(format!("{}-tls", self.database), &secret),
                |v, key| v.item(*key, *key),
            )
            .into();
        let dir = ca_dir(&self.database);
        let file =
            |var: &str, key: &str| (format!("{}_{var}", self.prefix), format!("{dir}/{key}"));
        let env = [
            (format!("{}_TLS", self.prefix), "true".to_owned()),
            file("TLS_CA_FILE", "ca.crt"),
            file("TLS_CERT_FILE", "tls.crt"),
            file("TLS_KEY_FILE", "tls.key"),
        ];
        (volume, dir, env)
    }

    /// SS0534 when the database serves plain text.
    pub(crate) fn check(&self, cx: &mut Lowering<'_>, container: &str) {
        if !self.tls {
            cx.error(
                "SS0534",
                format!(
                    "container `{container}` is given TLS settings for {} `{}`, which serves plain text: it has no `.tls(&issuer)`, so KubeDB issues no `{}` and the handshake fails",
                    self.kind,
                    self.database,
                    client_cert_secret(&self.database)
                ),
                format!(
                    "add `.tls(&issuer)` to the {} (a `ClusterIssuer::ca(..)`), or connect without `.tls_to(..)`",
                    self.kind
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::stack;
    use crate::{ClusterIssuer, Container, Deployment, MongoDb, Redis};

    #[test]
    fn a_tls_client_mounts_the_ca_and_is_told_in_its_env() {
        let (mut stack, ns) = stack();
        let ca = stack.add(ClusterIssuer::ca("internal-ca", "internal-ca-key-pair"));
        let mongo = stack.add(MongoDb::new(&ns, "metadata", "8.0.4").tls(&ca));
        let redis = stack.add(Redis::new(&ns, "cache", "7.2.4").tls(&ca));
        stack.add(
            Deployment::new(&ns, "api").container(
                Container::new("api", "acme/api:1.0.0")
                    .tls_to(&mongo)
                    .tls_to(&redis),
            ),
        );
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let Some(api) = g.objects.iter().find(|o| o.kind == "Deployment") else {
            panic!("no Deployment");
        };
        let pod = &api.body["spec"]["template"]["spec"];
        let env = pod["containers"][0]["env"].to_string();
        for needle in [
            r#"{"name":"MONGODB_TLS","value":"true"}"#,
            r#"{"name":"MONGODB_TLS_CA_FILE","value":"/etc/kubedb/metadata/ca.crt"}"#,
            r#"{"name":"REDIS_TLS_CA_FILE","value":"/etc/kubedb/cache/ca.crt"}"#,
            r#"{"name":"REDIS_TLS_CERT_FILE","value":"/etc/kubedb/cache/tls.crt"}"#,
            r#"{"name":"MONGODB_TLS_KEY_FILE","value":"/etc/kubedb/metadata/tls.key"}"#,
        ] {
            assert!(env.contains(needle), "{needle} not in {env}");
        }
        let volumes = pod["volumes"].to_string();
        assert!(
            volumes.contains(r#""secretName":"metadata-client-cert""#),
            "{volumes}"
        );
        // The CA and the client certificate with its key (the database verifies clients).
        assert!(
            volumes.contains(r#""items":[{"key":"ca.crt","path":"ca.crt"},{"key":"tls.crt","path":"tls.crt"},{"key":"tls.key","path":"tls.key"}]"#),
            "{volumes}"
        );
        let mounts = pod["containers"][0]["volumeMounts"].to_string();
        assert!(
            mounts
                .contains(r#""mountPath":"/etc/kubedb/cache","name":"cache-tls","readOnly":true"#),
            "{mounts}"
        );
    }

    #[test]
    fn fails_tls_client_of_a_database_without_tls() {
        let (mut stack, ns) = stack();
        let mongo = stack.add(MongoDb::new(&ns, "metadata", "8.0.4"));
        stack.add(
            Deployment::new(&ns, "api")
                .container(Container::new("api", "acme/api:1.0.0").tls_to(&mongo)),
        );
        let g = stack.lower();
        insta::assert_snapshot!(g.diagnostics.to_string());
    }
}
