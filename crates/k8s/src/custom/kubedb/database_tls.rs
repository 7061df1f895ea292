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
/// Adds to the container: the CA bundle (`ca.crt` only, not the client key) of the Secret
/// `<database>-client-cert`, which KubeDB has cert-manager issue from the database's issuer,
/// mounted read-only at `/etc/kubedb/<database>/ca.crt`, and two env vars, `<PREFIX>_TLS=true`
/// and `<PREFIX>_TLS_CA_FILE=/etc/kubedb/<database>/ca.crt` (`MONGODB_` or `REDIS_`): for a
/// MongoDB driver `tls=true&tlsCAFile=…`, for Redis `rediss://` with that CA. A database
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
    /// The Secret volume with the CA bundle, its mount path, and the env vars.
    pub(crate) fn parts(&self) -> (crate::Volume, String, [(String, String); 2]) {
        let secret = SecretRef {
            name: client_cert_secret(&self.database),
            namespace: self.namespace.clone(),
            keys: vec!["ca.crt".to_owned()],
            synced: false,
        };
        let volume = crate::Volume::secret(format!("{}-ca", self.database), &secret)
            .item("ca.crt", "ca.crt")
            .into();
        let dir = ca_dir(&self.database);
        let env = [
            (format!("{}_TLS", self.prefix), "true".to_owned()),
            (
                format!("{}_TLS_CA_FILE", self.prefix),
                format!("{dir}/ca.crt"),
            ),
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
        ] {
            assert!(env.contains(needle), "{needle} not in {env}");
        }
        let volumes = pod["volumes"].to_string();
        assert!(
            volumes.contains(r#""secretName":"metadata-client-cert""#),
            "{volumes}"
        );
        // Only the CA is projected, not the client key.
        assert!(
            volumes.contains(r#""items":[{"key":"ca.crt","path":"ca.crt"}]"#),
            "{volumes}"
        );
        let mounts = pod["containers"][0]["volumeMounts"].to_string();
        assert!(
            mounts.contains(r#""mountPath":"/etc/kubedb/cache","name":"cache-ca","readOnly":true"#),
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
