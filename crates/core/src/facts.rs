//! Facts a construct declares about the resources it lowers: what synth, `diff`, rename
//! planning, the `cluster/` root and the diagram need to know about a resource, said once by
//! the construct that knows it, so that nothing downstream recognises resources by their type
//! name.
//!
//! The `cluster/` root reads three of them: how it finds a resource ([`Lookup`]), how it reads
//! the value of a secret a resource names ([`SecretValue`]), and how its `kubernetes` provider
//! reaches the cluster workloads run on ([`KubernetesCluster`]).
//!
//! Facts are `const`-built and `'static`, so a construct declares them next to the resource
//! they describe and lowering copies no strings:
//!
//! ```
//! use stacksmith_core::{Facts, Lookup};
//!
//! /// How a later root finds a replication group by name, and what it can read.
//! const FOUND_BY: Lookup = Lookup::by(
//!     "aws_elasticache_replication_group",
//!     "replication_group_id",
//!     "replication_group_id",
//!     &[("primary_endpoint_address", "primary_endpoint_address"), ("port", "port")],
//! );
//! const CACHE: Facts = Facts::new()
//!     .stateful()
//!     .identity(&["replication_group_id"])
//!     .found_by(&FOUND_BY);
//! assert!(CACHE.stateful && !CACHE.security);
//! ```

/// What one resource (or data source) is. The default is "nothing special": not stateful,
/// not security-relevant, no cloud identity declared, not findable from another root.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// Holds data that destroying the resource loses (a database, a cache, a bucket, a key):
    /// removing or replacing it needs a `moved` block or an acknowledgement.
    pub stateful: bool,
    /// A change to it changes who can reach or read what (security groups and their rules,
    /// IAM, KMS key policies, bucket policies, listeners, access entries): `diff` flags it.
    pub security: bool,
    /// The attributes that carry its cloud-side identity (`identifier`, `name`,
    /// `name_prefix`, `bucket`, ...): the provider replaces the resource when one changes, so a
    /// rename keeps their previous values.
    pub identity: &'static [&'static str],
    /// Other attributes whose change makes the provider replace the resource (the engine, the
    /// encryption key): `diff` flags a change to them, or to an identity attribute, on a
    /// stateful resource.
    pub replaced_on: &'static [&'static str],
    /// How a later Terraform root (the `cluster/` root) finds the resource by its cloud name.
    pub found_by: Option<&'static Lookup>,
    /// The resource names a secret by its id or ARN (a secret store's secret, a database's
    /// managed master credentials): how a later root reads that secret's current value.
    pub secret_value: Option<&'static SecretValue>,
    /// What a later root reads of it is a secret's current value (a secret store's secret
    /// version): it may be written into a Kubernetes Secret only, never into a ConfigMap.
    pub holds_secret: bool,
    /// The resource is a Kubernetes cluster the stack's workloads run on: how a later root
    /// configures the `kubernetes` provider for it.
    pub kubernetes_cluster: Option<&'static KubernetesCluster>,
}

impl Facts {
    /// Nothing declared.
    pub const fn new() -> Self {
        Self {
            stateful: false,
            security: false,
            identity: &[],
            replaced_on: &[],
            found_by: None,
            secret_value: None,
            holds_secret: false,
            kubernetes_cluster: None,
        }
    }

    /// Marks the resource as holding data.
    #[must_use]
    pub const fn stateful(mut self) -> Self {
        self.stateful = true;
        self
    }

    /// Marks the resource as security-relevant.
    #[must_use]
    pub const fn security(mut self) -> Self {
        self.security = true;
        self
    }

    /// The attributes carrying the cloud-side identity.
    #[must_use]
    pub const fn identity(mut self, attributes: &'static [&'static str]) -> Self {
        self.identity = attributes;
        self
    }

    /// Other attributes whose change replaces the resource.
    #[must_use]
    pub const fn replaced_on(mut self, attributes: &'static [&'static str]) -> Self {
        self.replaced_on = attributes;
        self
    }

    /// How a later root finds the resource.
    #[must_use]
    pub const fn found_by(mut self, lookup: &'static Lookup) -> Self {
        self.found_by = Some(lookup);
        self
    }

    /// How a later root reads the value of the secret the resource names.
    #[must_use]
    pub const fn secret_value(mut self, read: &'static SecretValue) -> Self {
        self.secret_value = Some(read);
        self
    }

    /// Marks what a later root reads of the resource as a secret's value.
    #[must_use]
    pub const fn holds_secret(mut self) -> Self {
        self.holds_secret = true;
        self
    }

    /// Marks the resource as the Kubernetes cluster workloads run on.
    #[must_use]
    pub const fn kubernetes_cluster(mut self, cluster: &'static KubernetesCluster) -> Self {
        self.kubernetes_cluster = Some(cluster);
        self
    }
}

/// How a later Terraform root finds a resource of this root by its cloud name, or why it
/// cannot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Through a data source.
    By {
        /// The data source type: `aws_db_instance`.
        data_source: &'static str,
        /// The data source argument the resource is found by: `db_instance_identifier`.
        argument: &'static str,
        /// The resource body attribute that argument's value comes from: `identifier`.
        from: &'static str,
        /// The attributes that can be read, as (resource attribute, data source attribute).
        readable: &'static [(&'static str, &'static str)],
    },
    /// No data source finds it; the reason is shown to the user.
    Unsupported(&'static str),
}

impl Lookup {
    /// Found through `data_source` by `argument`, whose value is the resource's `from`
    /// attribute; `readable` lists (resource attribute, data source attribute).
    pub const fn by(
        data_source: &'static str,
        argument: &'static str,
        from: &'static str,
        readable: &'static [(&'static str, &'static str)],
    ) -> Self {
        Self::By {
            data_source,
            argument,
            from,
            readable,
        }
    }
}

/// How a later root reads the current value of a secret: through a data source found by the
/// secret's id or ARN (the value of the attribute a workload referred to, itself read through the
/// resource's [`Lookup`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecretValue {
    /// The data source type: `aws_secretsmanager_secret_version`.
    pub data_source: &'static str,
    /// Its argument taking the secret's id or ARN: `secret_id`.
    pub argument: &'static str,
    /// Its attribute holding the value: `secret_string`.
    pub attribute: &'static str,
}

/// How a later root configures the `kubernetes` provider for a cluster it finds through the
/// cluster resource's [`Lookup`]: the API server and CA from attributes it can read, a
/// short-lived token from an exec credential plugin (`client.authentication.k8s.io/v1beta1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KubernetesCluster {
    /// The readable attribute holding the API server's URL: `endpoint`.
    pub host: &'static str,
    /// The readable attribute holding the cluster's CA certificate, base64-encoded.
    pub ca_certificate: &'static str,
    /// The command printing a token: `aws`.
    pub token_command: &'static str,
    /// Its arguments, where `{name}` stands for the literal the cluster is found by (its
    /// lookup's `from` attribute) and `{region}` for the stack's region.
    pub token_args: &'static [&'static str],
    /// The command that writes a kubeconfig entry for `kubectl`, with the same placeholders:
    /// `aws eks update-kubeconfig --name {name} --region {region}` (run before `kubectl apply`).
    pub kubeconfig: &'static [&'static str],
}
