//! `SecretSource`: where a container secret comes from (Secrets Manager or SSM Parameter
//! Store), and what it resolves to: the `valueFrom` and what the execution role may read.

use stacksmith_core::terraform::Value;
use stacksmith_core::{Lowering, Ref};

use super::container::{Piece, template};
use crate::common;

/// Where a container secret comes from. The execution role gets read access to exactly the
/// secrets and parameters named, and `kms:Decrypt` (through that service only) on the keys
/// given with [`SecretSource::decrypted_with`].
#[derive(Clone, Debug)]
pub struct SecretSource {
    pub(super) kind: SecretKind,
    pub(super) key: Option<Ref>,
}

#[derive(Clone, Debug)]
pub(super) enum SecretKind {
    SecretsManager { arn: Ref, json_key: Option<String> },
    SsmArn(Ref),
    SsmName(String),
}

impl SecretSource {
    /// The whole value of a Secrets Manager secret, by ARN (e.g. `db.master_secret_arn()`).
    pub fn secrets_manager(secret_arn: &Ref) -> Self {
        Self {
            kind: SecretKind::SecretsManager {
                arn: secret_arn.clone(),
                json_key: None,
            },
            key: None,
        }
    }

    /// One key of a Secrets Manager secret that holds a JSON object (`"password"`).
    pub fn secrets_manager_key(secret_arn: &Ref, json_key: &str) -> Self {
        Self {
            kind: SecretKind::SecretsManager {
                arn: secret_arn.clone(),
                json_key: Some(json_key.to_owned()),
            },
            key: None,
        }
    }

    /// An SSM Parameter Store parameter of this account and region, by name
    /// (`/janua/database-url`).
    pub fn ssm_parameter(name: &str) -> Self {
        Self {
            kind: SecretKind::SsmName(name.to_owned()),
            key: None,
        }
    }

    /// An SSM Parameter Store parameter, by ARN.
    pub fn ssm_parameter_arn(parameter_arn: &Ref) -> Self {
        Self {
            kind: SecretKind::SsmArn(parameter_arn.clone()),
            key: None,
        }
    }

    /// The customer-managed KMS key the secret or `SecureString` is encrypted with. Default:
    /// none (the AWS-managed `aws/secretsmanager` / `aws/ssm` key, which needs no grant).
    #[must_use]
    pub fn decrypted_with(mut self, kms_key_arn: &Ref) -> Self {
        self.key = Some(kms_key_arn.clone());
        self
    }
}

/// A resolved secret: its `valueFrom` and what the execution role must be allowed to read.
pub(super) struct Resolved {
    pub(super) value_from: Vec<Piece>,
    pub(super) secret: Option<Value>,
    pub(super) parameter: Option<Value>,
}

pub(super) fn resolve(cx: &mut Lowering<'_>, src: &SecretSource) -> Resolved {
    match &src.kind {
        SecretKind::SecretsManager { arn, json_key } => {
            let mut value_from = vec![Piece::Ref(arn.untyped())];
            if let Some(k) = json_key {
                value_from.push(Piece::Lit(format!(":{k}::")));
            }
            Resolved {
                value_from,
                secret: Some(arn.into()),
                parameter: None,
            }
        }
        SecretKind::SsmArn(arn) => Resolved {
            value_from: vec![Piece::Ref(arn.untyped())],
            secret: None,
            parameter: Some(arn.into()),
        },
        SecretKind::SsmName(n) => {
            // Named, not created here: tasks fail to start (ParameterNotFound) until it exists.
            cx.prerequisite(
                format!("SSM parameter `{n}` in {}: read by the tasks at start", cx.region()),
                format!(
                    "aws ssm get-parameter --region {} --name {n} --query Parameter.Name --output text",
                    cx.region()
                ),
            );
            let (partition, account) = (common::partition(cx), common::account_id(cx));
            let pieces = vec![
                Piece::Lit("arn:".into()),
                Piece::Ref(partition.untyped()),
                Piece::Lit(format!(":ssm:{}:", cx.region())),
                Piece::Ref(account.untyped()),
                Piece::Lit(format!(":parameter/{}", n.trim_start_matches('/'))),
            ];
            Resolved {
                parameter: Some(template(&pieces).into()),
                value_from: pieces,
                secret: None,
            }
        }
    }
}
