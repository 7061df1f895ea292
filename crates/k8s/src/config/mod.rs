//! Configuration workloads read: ConfigMaps and Secrets, owned by the stack or provided outside
//! it and declared with their keys.

pub(crate) mod config_map;
pub(crate) mod external_config_map;
pub(crate) mod plaintext;
pub(crate) mod secret;
pub(crate) mod secret_with_values;
