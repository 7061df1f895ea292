//! cert-manager (cert-manager.io/v1) custom resources: certificate issuers that Ingresses and
//! databases take their TLS certificates from.

pub(crate) mod cluster_issuer;
