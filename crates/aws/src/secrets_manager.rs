//! What a later root (the `cluster/` root) knows about Secrets Manager: how it finds a secret
//! and its current version, and how it reads the value of a secret named by its id or ARN (a
//! secret stacksmith creates, or the AWS-managed master secret of a database).

use stacksmith_core::{Facts, Lookup, SecretValue};

/// How a later root finds a secret by name, and what it can read.
const SECRET_LOOKUP: Lookup = Lookup::by(
    "aws_secretsmanager_secret",
    "name",
    "name",
    &[("arn", "arn"), ("id", "id"), ("name", "name")],
);

/// How a later root reads a secret's current value, by the secret's id or ARN.
pub(crate) const SECRET_VALUE: SecretValue = SecretValue {
    data_source: "aws_secretsmanager_secret_version",
    argument: "secret_id",
    attribute: "secret_string",
};

/// A secret's current version, found by the secret it belongs to (itself found by name).
const VERSION_LOOKUP: Lookup = Lookup::by(
    "aws_secretsmanager_secret_version",
    "secret_id",
    "secret_id",
    &[("secret_string", "secret_string")],
);

/// What an `aws_secretsmanager_secret` is: found by name, its value read by its id or ARN.
pub(crate) const SECRET: Facts = Facts::new()
    .identity(&["name", "name_prefix"])
    .found_by(&SECRET_LOOKUP)
    .secret_value(&SECRET_VALUE);

/// What an `aws_secretsmanager_secret_version` is: found through its secret, and what is read
/// of it is the secret's value.
pub(crate) const VERSION: Facts = Facts::new().found_by(&VERSION_LOOKUP).holds_secret();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_value_is_read_as_its_version_is_found() {
        // Reading a secret's value by its id and finding a version by its secret are one data
        // source with one argument, so both kinds of reading agree.
        let Lookup::By {
            data_source,
            argument,
            readable,
            ..
        } = VERSION_LOOKUP
        else {
            panic!("a version is found through a data source");
        };
        assert_eq!(SECRET_VALUE.data_source, data_source);
        assert_eq!(SECRET_VALUE.argument, argument);
        assert!(readable.iter().any(|(_, d)| *d == SECRET_VALUE.attribute));
        const { assert!(VERSION.holds_secret && !SECRET.holds_secret) };
        assert_eq!(SECRET.secret_value, Some(&SECRET_VALUE));
    }
}
