//! Storage: the volumes a container mounts, and the PersistentVolumeClaims that give pods
//! durable storage.

pub(crate) mod persistent_volume_claim;
pub(crate) mod volume;
