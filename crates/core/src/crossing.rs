//! Values that cross from the cloud side to the Kubernetes side: a Terraform attribute (a
//! database endpoint, a role ARN, a managed secret's value) that a workload reads as an env var.
//!
//! The Kubernetes YAML stays static: the workload reads a key of a generated ConfigMap or Secret,
//! and the synthesizer writes that object from a second Terraform root, which finds the cloud
//! values through data sources by the stable names stacksmith gave them. Nothing here is
//! specific to one cloud: the translation into data sources lives in the synthesizer.

use crate::terraform::Value;
use crate::{Path, Ref, SourceKind, Template};

/// What a workload reads from the cloud side.
#[derive(Clone, Debug, PartialEq)]
pub enum CloudValue {
    /// A Terraform value: a reference (`cache.endpoint()`), a template mixing literals and
    /// references, or a literal.
    Value(Value),
    /// The current value stored in a secret store's secret, found through `secret` (a reference
    /// to the secret's id or ARN, e.g. `db.master_secret_arn()`); with `json_key`, one field of
    /// the JSON document it holds (`password`). Only a Secret may receive it.
    SecretString {
        /// A reference to the secret's id or ARN.
        secret: Ref<()>,
        /// The JSON field to extract, if the secret holds a JSON document.
        json_key: Option<String>,
    },
}

impl CloudValue {
    /// The value stored in the secret `secret` refers to (its id or ARN), as a whole.
    pub fn secret_string<T>(secret: &Ref<T>) -> Self {
        CloudValue::SecretString {
            secret: secret.untyped(),
            json_key: None,
        }
    }

    /// One field of the JSON document stored in the secret `secret` refers to, e.g. the
    /// `password` of an AWS-managed database secret.
    pub fn secret_json_field<T>(secret: &Ref<T>, key: &str) -> Self {
        CloudValue::SecretString {
            secret: secret.untyped(),
            json_key: Some(key.to_owned()),
        }
    }

    /// Every reference inside this value.
    pub fn refs<'a>(&'a self, out: &mut Vec<&'a Ref<()>>) {
        match self {
            CloudValue::Value(v) => v.refs(out),
            CloudValue::SecretString { secret, .. } => out.push(secret),
        }
    }

    /// The value as it reads in a message: `${aws_db_instance.db.address}`, a template, or
    /// `the secret value of ${...}`.
    pub fn describe(&self) -> String {
        match self {
            CloudValue::Value(v) => serde_json::to_string(v).unwrap_or_default(),
            CloudValue::SecretString { secret, json_key } => {
                let field = json_key
                    .as_deref()
                    .map(|k| format!(" (JSON field `{k}`)"))
                    .unwrap_or_default();
                format!(
                    "the value of the secret `${{{}}}`{field}",
                    secret.expression()
                )
            }
        }
    }
}

impl From<Value> for CloudValue {
    fn from(v: Value) -> Self {
        CloudValue::Value(v)
    }
}
impl<T> From<Ref<T>> for CloudValue {
    fn from(r: Ref<T>) -> Self {
        CloudValue::Value(r.into())
    }
}
impl<T> From<&Ref<T>> for CloudValue {
    fn from(r: &Ref<T>) -> Self {
        CloudValue::Value(r.into())
    }
}
impl From<&str> for CloudValue {
    fn from(s: &str) -> Self {
        CloudValue::Value(s.into())
    }
}
impl From<String> for CloudValue {
    fn from(s: String) -> Self {
        CloudValue::Value(s.into())
    }
}
impl From<Template> for CloudValue {
    fn from(t: Template) -> Self {
        CloudValue::Value(t.into())
    }
}

/// One key of a generated ConfigMap or Secret whose value comes from the cloud side.
#[derive(Clone, Debug, PartialEq)]
pub struct Crossing {
    /// The workload that reads it.
    pub owner: Path,
    /// The namespace of the object (the workload's).
    pub namespace: String,
    /// The generated ConfigMap's or Secret's name.
    pub object: String,
    /// The key in it.
    pub key: String,
    /// The value.
    pub value: CloudValue,
    /// Written into a Secret (`true`) or a ConfigMap.
    pub sensitive: bool,
    /// What reads it, for messages: "env REDIS_HOST of container api".
    pub reader: String,
}

impl Crossing {
    /// Where the workload reads it from.
    pub fn source(&self) -> SourceKind {
        if self.sensitive {
            SourceKind::Secret
        } else {
            SourceKind::ConfigMap
        }
    }
}

/// A secret kept in the cloud's secret store (AWS Secrets Manager) under a name the stack
/// chose, as the cluster syncs it (External Secrets): the typed link from a cloud construct (an
/// `ApplicationSecret`, a database's stack-kept master secret) to a Kubernetes `ExternalSecret`,
/// which names it by `name` and whose controller is allowed to read `arn` and decrypt with `key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSecret {
    /// The construct that keeps it.
    pub owner: Path,
    /// Its name in the secret store, literal (`prod-orders/master`).
    pub name: String,
    /// Its ARN, for the reader's IAM policy.
    pub arn: Ref<String>,
    /// The ARN of the KMS key that encrypts it, for `kms:Decrypt`.
    pub key: Option<Ref<String>>,
    /// The JSON fields it holds (`username`, `password`); empty when it holds one plain string.
    pub fields: Vec<String>,
    /// Why the cluster cannot name it, when it cannot (a secret the cloud names itself when it
    /// creates it): an `ExternalSecret` reading it reports this (SS0505).
    pub unnamed: Option<String>,
}

impl StoredSecret {
    /// Whether it holds a JSON document with the field `field`.
    pub fn has_field(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f == field)
    }
}
