//! The load balancer's access-log bucket: S3 with SSE-S3, versioning, public access blocked, a
//! TLS-only policy that lets ELB log delivery write, and expiry.

use stacksmith_core::terraform::{Map, Resource, Value};
use stacksmith_core::{Address, Lowering, NameRule, Ref, Template, tf};

use super::LB_NAME;
use crate::common::{self, name_tag};
use crate::iam::{PolicyStatement, Principal, policy_document};

/// S3 bucket names: 3–63 lowercase letters, digits, `-` and `.`.
const BUCKET_NAME: NameRule = NameRule {
    what: "S3 bucket name",
    max_len: 63,
    lowercase: true,
    extra: "-.",
    start_letter: false,
};
/// The key prefix access logs are written under (ELB appends `AWSLogs/<account>/...`).
pub(super) const LOG_PREFIX: &str = "access-logs";
/// Regions opened before December 2021, where ELB writes access logs as a regional AWS
/// account (`data.aws_elb_service_account`); newer regions accept only the service principal.
const LEGACY_ELB_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "eu-south-1",
    "me-south-1",
    "sa-east-1",
    "us-gov-west-1",
    "us-gov-east-1",
    "cn-north-1",
    "cn-northwest-1",
];
/// CloudWatch/S3 retention values stacksmith accepts for access logs, in days.
pub(super) const MAX_LOG_DAYS: u32 = 3653;

/// The access-log bucket: (bucket, bucket policy). SSE-S3 because ELB log delivery supports
/// no other encryption; versioned; public access blocked; TLS-only; logs expire.
pub(super) fn access_log_bucket(
    cx: &mut Lowering<'_>,
    name: &str,
    days: u32,
) -> (Address, Address) {
    let account = common::account_id(cx);
    let region = cx.region().to_owned();
    // The account id (12 digits) is only known at plan time; check the name with a stand-in,
    // and only once the load balancer's own name (the usual culprit) fits.
    let bucket_name = format!("{name}-logs-000000000000-{region}");
    if LB_NAME.check(name).is_ok() && BUCKET_NAME.check(&bucket_name).is_err() {
        cx.error(
            "SS0130",
            format!(
                "the access-log bucket name `{name}-logs-<account-id>-{region}` would be {} characters; S3 allows 63",
                bucket_name.len()
            ),
            "shorten the construct id or the stack name",
        );
    }
    let bucket = cx.add_with(
        "aws_s3_bucket",
        "logs",
        tf! {
            "bucket" => Template::new().lit(format!("{name}-logs-")).with(&account).lit(format!("-{region}")),
            "force_destroy" => false,
            "tags" => name_tag(&format!("{name}-logs")),
        },
        crate::bucket::BUCKET,
    );
    let id: Ref = bucket.attr("id");
    cx.add(
        "aws_s3_bucket_ownership_controls",
        "logs",
        tf! { "bucket" => &id, "rule" => tf! { "object_ownership" => "BucketOwnerEnforced" } },
    );
    let public_access = cx.add_with(
        "aws_s3_bucket_public_access_block",
        "logs",
        tf! {
            "bucket" => &id,
            "block_public_acls" => true,
            "block_public_policy" => true,
            "ignore_public_acls" => true,
            "restrict_public_buckets" => true,
        },
        crate::common::SECURITY,
    );
    let versioning = cx.add(
        "aws_s3_bucket_versioning",
        "logs",
        tf! { "bucket" => &id, "versioning_configuration" => tf! { "status" => "Enabled" } },
    );
    cx.add(
        "aws_s3_bucket_server_side_encryption_configuration",
        "logs",
        tf! {
            "bucket" => &id,
            "rule" => vec![Value::Map(tf! {
                "apply_server_side_encryption_by_default" => tf! { "sse_algorithm" => "AES256" },
            })],
        },
    );
    let lifecycle = Resource::new(
        cx.address("aws_s3_bucket_lifecycle_configuration", "logs"),
        cx.path().clone(),
        tf! {
            "bucket" => &id,
            "rule" => vec![Value::Map(tf! {
                "id" => "expire-access-logs",
                "status" => "Enabled",
                "filter" => Map::new(),
                "expiration" => tf! { "days" => days },
                "noncurrent_version_expiration" => tf! { "noncurrent_days" => 30_i64 },
                "abort_incomplete_multipart_upload" => tf! { "days_after_initiation" => 7_i64 },
            })],
        },
    )
    .depends_on(&versioning);
    cx.resource(lifecycle);

    let arn: Ref = bucket.attr("arn");
    let objects = Template::new().with(&arn).lit("/*");
    let log_objects = Template::new()
        .with(&arn)
        .lit(format!("/{LOG_PREFIX}/AWSLogs/"))
        .with(&account)
        .lit("/*");
    let mut statements = vec![
        PolicyStatement::deny("DenyInsecureTransport", ["s3:*"])
            .principal(Principal::Aws("*".into()))
            .resource(&arn)
            .resource(objects.clone())
            .condition("Bool", "aws:SecureTransport", vec!["false".into()]),
        PolicyStatement::deny("DenyOutdatedTls", ["s3:*"])
            .principal(Principal::Aws("*".into()))
            .resource(&arn)
            .resource(objects)
            .condition("NumericLessThan", "s3:TlsVersion", vec!["1.2".into()]),
        PolicyStatement::allow("ElbLogDelivery", ["s3:PutObject"])
            .principal(Principal::Service(
                "logdelivery.elasticloadbalancing.amazonaws.com".into(),
            ))
            .resource(log_objects.clone()),
    ];
    if LEGACY_ELB_REGIONS.contains(&region.as_str()) {
        let elb = cx
            .shared_data("aws_elb_service_account", "current", Map::new())
            .attr::<String>("arn");
        statements.push(
            PolicyStatement::allow("ElbRegionalAccountLogDelivery", ["s3:PutObject"])
                .principal(Principal::Aws(elb.into()))
                .resource(log_objects),
        );
    }
    let policy = policy_document(cx, "logs-policy", &statements);
    // After the public access block, as `Bucket` does: S3 answers OperationAborted to a
    // bucket policy put while the block is being changed.
    let policy = cx.resource(
        stacksmith_core::terraform::Resource::new(
            cx.address("aws_s3_bucket_policy", "logs"),
            cx.path().clone(),
            tf! { "bucket" => &id, "policy" => policy },
        )
        .facts(crate::common::SECURITY)
        .depends_on(&public_access),
    );
    (bucket, policy)
}
