//! `Prerequisite`: something a stack uses but does not create (its state bucket, a hosted zone
//! it looks up, a web ACL it attaches), listed with the command that checks it exists.

use serde::Serialize;

use crate::Path;

/// Something that must exist before the stack is planned or applied, outside the stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Prerequisite {
    /// What it is, in the user's terms: "S3 bucket `acme-state` (Terraform state, us-east-1)".
    pub what: String,
    /// The construct (or stack) that needs it.
    pub by: String,
    /// A read-only command that succeeds when it exists (`aws s3api head-bucket ...`).
    pub check: String,
}

impl Prerequisite {
    /// `what`, needed by `by`, checked with `check`.
    pub fn new(what: impl Into<String>, by: &Path, check: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            by: by.to_string(),
            check: check.into(),
        }
    }
}
