//! `ClusterSecretStore` (external-secrets.io/v1): AWS Secrets Manager in the stack's region, read
//! with the External Secrets controller's own identity (its IRSA role).

use schemars::JsonSchema;
use serde::Serialize;
use stacksmith_core::{Construct, Lower, Lowering, NameOrigin, NameRule, Scope};

use crate::custom::{ClusterScoped, CustomResourceKind, Manifest, lower_typed};

/// A cluster-wide store External Secrets reads secrets from: AWS Secrets Manager.
///
/// Creates: one cluster-scoped `external-secrets.io/v1/ClusterSecretStore`.
///
/// Defaults: the stack's region; no credentials in the store: the controller authenticates
/// with its own service account's IAM role (`ClusterAddon::ExternalSecrets`, whose role may
/// read exactly the secrets the stack's `ExternalSecret`s name). The object name is the id.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_k8s::*;
///
/// let mut stack = Stack::new("prod", "us-east-1");
/// let store = stack.add(ClusterSecretStore::aws_secrets_manager("aws-secrets-manager"));
/// ```
#[derive(Clone, Debug)]
pub struct ClusterSecretStore {
    id: String,
}

impl ClusterSecretStore {
    /// A store reading AWS Secrets Manager in the stack's region, named `id`.
    pub fn aws_secrets_manager(id: impl Into<String>) -> Self {
        Self { id: id.into() }
    }
}

/// A handle to a [`ClusterSecretStore`], for [`ExternalSecret::new`](crate::ExternalSecret::new).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterSecretStoreRef {
    pub(crate) name: String,
}

impl ClusterSecretStoreRef {
    /// Its object name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct ClusterSecretStoreSpec {
    provider: Provider,
}

impl CustomResourceKind for ClusterSecretStoreSpec {
    const API_VERSION: &'static str = "external-secrets.io/v1";
    const KIND: &'static str = "ClusterSecretStore";
    type Scope = ClusterScoped;
}

#[derive(Serialize, JsonSchema)]
struct Provider {
    aws: AwsProvider,
}

#[derive(Serialize, JsonSchema)]
struct AwsProvider {
    service: AwsService,
    #[schemars(length(min = 1))]
    region: String,
}

#[derive(Serialize, JsonSchema)]
enum AwsService {
    SecretsManager,
}

impl Construct for ClusterSecretStore {
    type Handle = ClusterSecretStoreRef;

    fn id_space(&self) -> Option<&'static str> {
        Some("ClusterSecretStore")
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, _scope: &Scope) -> ClusterSecretStoreRef {
        ClusterSecretStoreRef {
            name: self.id.clone(),
        }
    }
}

impl Lower for ClusterSecretStore {
    fn lower(&self, cx: &mut Lowering<'_>) {
        let ok = cx.check_name_from(
            &NameRule::DNS_SUBDOMAIN,
            &self.id,
            "name",
            NameOrigin::Given("`ClusterSecretStore::aws_secrets_manager(..)`"),
        );
        let spec = ClusterSecretStoreSpec {
            provider: Provider {
                aws: AwsProvider {
                    service: AwsService::SecretsManager,
                    region: cx.region().to_owned(),
                },
            },
        };
        let m = Manifest {
            api_version: ClusterSecretStoreSpec::API_VERSION,
            kind: ClusterSecretStoreSpec::KIND,
            name: &self.id,
            namespace: None,
            labels: &[],
            annotations: &[],
        };
        lower_typed(cx, &m, &spec, ok);
    }
}
