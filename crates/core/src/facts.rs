//! Facts a construct declares about the resources it lowers: what synth, `diff`, rename
//! planning, the `cluster/` root and the diagram need to know about a resource, said once by
//! the construct that knows it, so that nothing downstream recognises resources by their type
//! name.
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
