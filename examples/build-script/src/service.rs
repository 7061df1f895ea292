//! What the service and its deployment must agree on, written once: compiled into the binary
//! (`mod service;` in main.rs) and into the build script (`#[path = "src/service.rs"]`).

/// The service's name: its Deployment and Service, and the image `example/<NAME>:<version>`.
pub const NAME: &str = "api";

/// The TCP port the server listens on; the container port the Service forwards to.
pub const PORT: u16 = 8080;

/// The path answering 200 while the process is healthy: the readiness and liveness probes.
pub const HEALTH_PATH: &str = "/healthz";
