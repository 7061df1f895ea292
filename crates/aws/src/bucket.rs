//! `Bucket`: a private S3 bucket for backups and other data at rest: versioned, encrypted with a
//! customer KMS key, TLS-only, with typed lifecycle rules.

use stacksmith_core::terraform::{Map, Resource, Value};
use stacksmith_core::{
    Address, Construct, Facts, Lookup, Lower, Lowering, NameRule, Path, Ref, Scope, Template, tf,
    tf_name,
};

use crate::common::{self, name_tag};
use crate::drawing::join;
use crate::iam::{PolicyStatement, Principal, policy_document, sid_prefix};

/// How a later root finds a bucket by name, and what it can read.
const LOOKUP: Lookup = Lookup::by(
    "aws_s3_bucket",
    "bucket",
    "bucket",
    &[
        ("arn", "arn"),
        ("bucket", "bucket"),
        ("id", "id"),
        ("bucket_domain_name", "bucket_domain_name"),
        ("bucket_regional_domain_name", "bucket_regional_domain_name"),
    ],
);

/// What every `aws_s3_bucket` stacksmith creates is (this construct's, a load balancer's
/// access-log bucket): it holds the objects, and a later root finds it by name.
pub(crate) const BUCKET: Facts = Facts::new()
    .stateful()
    .identity(&["bucket", "bucket_prefix"])
    .found_by(&LOOKUP);

/// Days after which incomplete multipart uploads are aborted (always on).
const ABORT_MULTIPART_DAYS: u32 = 7;
/// The id of the lifecycle rule stacksmith always adds.
const ABORT_RULE_ID: &str = "abort-incomplete-multipart-uploads";

/// An S3 storage class a lifecycle rule moves objects to, in S3's transition order (an object
/// only moves down this list, never back up).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StorageClass {
    /// `STANDARD_IA`: infrequent access, millisecond reads; objects must be 30 days old.
    StandardIa,
    /// `INTELLIGENT_TIERING`: S3 moves objects between tiers by access.
    IntelligentTiering,
    /// `ONEZONE_IA`: one zone only (cheaper, lost with the zone); objects must be 30 days old.
    OneZoneIa,
    /// `GLACIER_IR`: archive with millisecond reads (90-day minimum storage).
    GlacierIr,
    /// `GLACIER`: Glacier Flexible Retrieval, reads in minutes to hours (90-day minimum).
    Glacier,
    /// `DEEP_ARCHIVE`: cheapest, reads within 12 hours (180-day minimum).
    DeepArchive,
}

impl StorageClass {
    fn name(self) -> &'static str {
        match self {
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::OneZoneIa => "ONEZONE_IA",
            StorageClass::GlacierIr => "GLACIER_IR",
            StorageClass::Glacier => "GLACIER",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
        }
    }

    /// The youngest age (days) S3 accepts for a transition into this class.
    fn min_days(self) -> u32 {
        match self {
            StorageClass::StandardIa | StorageClass::OneZoneIa => 30,
            _ => 0,
        }
    }
}

/// One lifecycle rule: what happens to objects (under a prefix, or all of them) as they age.
///
/// ```no_run
/// use stacksmith_aws::{LifecycleRule, StorageClass};
/// let rule = LifecycleRule::new("nightly-dumps")
///     .prefix("nightly/")
///     .transition(30, StorageClass::GlacierIr)
///     .expire_after_days(365)
///     .noncurrent_versions_expire_after_days(30);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LifecycleRule {
    id: String,
    prefix: String,
    expire_after_days: Option<u32>,
    noncurrent_expire_after_days: Option<u32>,
    transitions: Vec<(u32, StorageClass)>,
}

impl LifecycleRule {
    /// A rule with an id unique within the bucket, applying to every object.
    pub fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            prefix: String::new(),
            expire_after_days: None,
            noncurrent_expire_after_days: None,
            transitions: Vec::new(),
        }
    }

    /// Applies the rule only to keys starting with `prefix`. Default: every object.
    #[must_use]
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = prefix.to_owned();
        self
    }

    /// Deletes current objects `days` after creation (with versioning on, they become
    /// noncurrent versions). Default: never.
    #[must_use]
    pub fn expire_after_days(mut self, days: u32) -> Self {
        self.expire_after_days = Some(days);
        self
    }

    /// Permanently deletes noncurrent (overwritten or deleted) versions `days` after they
    /// became noncurrent. Default: kept forever.
    #[must_use]
    pub fn noncurrent_versions_expire_after_days(mut self, days: u32) -> Self {
        self.noncurrent_expire_after_days = Some(days);
        self
    }

    /// Moves objects to `class` `days` after creation. Several transitions may be given, in
    /// S3's order (`StandardIa` before `GlacierIr` before `DeepArchive`). Default: none.
    #[must_use]
    pub fn transition(mut self, days: u32, class: StorageClass) -> Self {
        self.transitions.push((days, class));
        self
    }

    fn is_empty(&self) -> bool {
        self.expire_after_days.is_none()
            && self.noncurrent_expire_after_days.is_none()
            && self.transitions.is_empty()
    }

    fn check(&self, cx: &mut Lowering<'_>) {
        let id = &self.id;
        if self.is_empty() {
            cx.error(
                "SS0155",
                format!("lifecycle rule `{id}` has no action"),
                "add `.expire_after_days(n)`, `.noncurrent_versions_expire_after_days(n)` or `.transition(days, class)`, or remove the rule",
            );
        }
        if self.expire_after_days == Some(0) {
            cx.error(
                "SS0155",
                format!("lifecycle rule `{id}`: `expire_after_days` is 0; S3 needs at least 1 day"),
                "use 1 or more days (for example 30 for nightly backups kept a month)",
            );
        }
        if self.noncurrent_expire_after_days == Some(0) {
            cx.error(
                "SS0155",
                format!(
                    "lifecycle rule `{id}`: `noncurrent_versions_expire_after_days` is 0; S3 needs at least 1 day"
                ),
                "use 1 or more days; noncurrent versions are what you restore from after an accidental delete",
            );
        }
        let mut sorted = self.transitions.clone();
        sorted.sort_by_key(|(_, class)| *class);
        for pair in sorted.windows(2) {
            let [(d1, c1), (d2, c2)] = pair else { continue };
            if c1 == c2 {
                cx.error(
                    "SS0155",
                    format!("lifecycle rule `{id}` has two transitions to {}", c1.name()),
                    "keep one transition per storage class",
                );
            } else if d2 <= d1 {
                cx.error(
                    "SS0155",
                    format!(
                        "lifecycle rule `{id}`: the transition to {} (day {d2}) is not after the transition to {} (day {d1}); S3 moves objects only down the order STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE",
                        c2.name(),
                        c1.name()
                    ),
                    format!("give the transition to {} more days than the one to {}", c2.name(), c1.name()),
                );
            }
        }
        for (days, class) in &self.transitions {
            if *days < class.min_days() {
                cx.error(
                    "SS0155",
                    format!(
                        "lifecycle rule `{id}`: transition to {} after {days} days; S3 needs objects to be at least {} days old for this class",
                        class.name(),
                        class.min_days()
                    ),
                    format!("use `.transition({}, ..)` or more", class.min_days()),
                );
            }
            if let Some(expire) = self.expire_after_days.filter(|e| days >= e) {
                cx.error(
                    "SS0155",
                    format!(
                        "lifecycle rule `{id}`: transition to {} after {days} days is not before the expiry after {expire} days",
                        class.name()
                    ),
                    "expire objects after their last transition, or drop the transition",
                );
            }
        }
        if self.expire_after_days.is_some() && self.noncurrent_expire_after_days.is_none() {
            cx.warning(
                "SS0157",
                format!(
                    "lifecycle rule `{id}` expires objects but keeps their noncurrent versions forever (versioning is on), so storage keeps growing"
                ),
                "add `.noncurrent_versions_expire_after_days(n)` to the rule",
            );
        }
    }

    fn to_block(&self) -> Value {
        let filter = if self.prefix.is_empty() {
            Map::new()
        } else {
            tf! { "prefix" => self.prefix.as_str() }
        };
        let mut m = tf! { "id" => self.id.as_str(), "status" => "Enabled", "filter" => filter };
        if !self.transitions.is_empty() {
            let ts: Vec<Value> = self
                .transitions
                .iter()
                .map(|(days, class)| {
                    Value::Map(tf! { "days" => *days, "storage_class" => class.name() })
                })
                .collect();
            m.insert("transition".into(), Value::List(ts));
        }
        if let Some(days) = self.expire_after_days {
            m.insert("expiration".into(), tf! { "days" => days }.into());
        }
        if let Some(days) = self.noncurrent_expire_after_days {
            m.insert(
                "noncurrent_version_expiration".into(),
                tf! { "noncurrent_days" => days }.into(),
            );
        }
        Value::Map(m)
    }
}

/// Where the bucket's name lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Namespace {
    /// `<prefix>-<account>-<region>-an`: only this account can create it.
    AccountRegional,
    /// `<prefix>`: must be unique across every AWS account.
    Global,
}

/// An S3 bucket: durable object storage, here private and locked down for backups and data.
///
/// Creates: a KMS key (rotation on), `aws_s3_bucket` (stateful, `force_destroy = false`),
/// versioning, default SSE-KMS encryption with an S3 Bucket Key (SSE-C uploads blocked),
/// a public access block with all four settings on, `BucketOwnerEnforced` ownership (ACLs off),
/// a bucket policy that denies requests without TLS (or older than TLS 1.2), a lifecycle
/// configuration, and EventBridge notifications.
///
/// Defaults: named `<stack>-<path>-<account id>-<region>-an` in the account-regional namespace
/// (no global name clashes; `.global_namespace()` for a plain name); every incomplete
/// multipart upload aborted after 7 days; objects and versions kept until a lifecycle rule
/// says otherwise; no server access logs (`.access_logs_to(..)`); no object lock.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::{Bucket, LifecycleRule, StorageClass};
/// let mut stack = Stack::new("prod", "us-east-1");
/// let backups = stack.add(
///     Bucket::new("backups").lifecycle_rule(
///         LifecycleRule::new("nightly-dumps")
///             .transition(30, StorageClass::GlacierIr)
///             .expire_after_days(90)
///             .noncurrent_versions_expire_after_days(30),
///     ),
/// );
/// let writer_policy = backups.write_statements();
/// ```
#[derive(Clone, Debug)]
pub struct Bucket {
    id: String,
    rules: Vec<LifecycleRule>,
    namespace: Namespace,
    access_logs: Option<(String, String)>,
    cloudfront_reader: Option<Ref>,
}

/// A handle to a [`Bucket`]: its name, ARN, and IAM statements scoped to it.
#[derive(Clone, Debug)]
pub struct BucketRef {
    path: Path,
    stack: String,
    sid: String,
}

/// General purpose bucket names: 3–63 lowercase letters, digits and hyphens (dots are allowed
/// by S3 but break virtual-hosted TLS, so stacksmith never makes them).
const BUCKET_NAME: NameRule = NameRule {
    what: "S3 bucket name",
    max_len: 63,
    lowercase: true,
    extra: "-",
    start_letter: false,
};

/// Prefixes S3 reserves.
const RESERVED_PREFIXES: &[&str] = &["xn--", "sthree-", "amzn-s3-demo-"];

impl Bucket {
    /// A private, versioned, KMS-encrypted bucket.
    pub fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            rules: Vec::new(),
            namespace: Namespace::AccountRegional,
            access_logs: None,
            cloudfront_reader: None,
        }
    }

    /// Adds a lifecycle rule. Default: only the built-in rule that aborts incomplete multipart
    /// uploads after 7 days.
    #[must_use]
    pub fn lifecycle_rule(mut self, rule: LifecycleRule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Lets the CloudFront distribution `distribution_arn` read objects (origin access
    /// control): a bucket-policy grant and key use, both conditioned on that distribution.
    pub(crate) fn readable_by_cloudfront(mut self, distribution_arn: Ref) -> Self {
        self.cloudfront_reader = Some(distribution_arn);
        self
    }

    /// Names the bucket `<stack>-<path>` in the shared global namespace, where any other AWS
    /// account may already hold that name. Default: the account-regional namespace.
    #[must_use]
    pub fn global_namespace(mut self) -> Self {
        self.namespace = Namespace::Global;
        self
    }

    /// Writes S3 server access logs to an existing bucket (typically the organisation's log
    /// archive; it must use SSE-S3, as S3 cannot deliver access logs to SSE-KMS buckets),
    /// under `prefix`. Default: off (use CloudTrail data events for an audit trail).
    #[must_use]
    pub fn access_logs_to(mut self, target_bucket: &str, prefix: &str) -> Self {
        self.access_logs = Some((target_bucket.to_owned(), prefix.to_owned()));
        self
    }
}

impl BucketRef {
    fn address(&self, kind: &str, part: &str) -> Address {
        Address::resource(&self.stack, kind, &tf_name(&self.path, part))
    }

    /// The bucket's name.
    pub fn name(&self) -> Ref {
        self.address("aws_s3_bucket", "").attr("bucket")
    }

    /// The bucket's ARN.
    pub fn arn(&self) -> Ref {
        self.address("aws_s3_bucket", "").attr("arn")
    }

    /// The ARN of the KMS key that encrypts the bucket's objects.
    pub fn key_arn(&self) -> Ref {
        self.address("aws_kms_key", "key").attr("arn")
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn objects(&self) -> Template {
        Template::new().with(&self.arn()).lit("/*")
    }

    /// IAM statements to list the bucket and read objects (and their versions), with
    /// `kms:Decrypt` on the bucket's key. Sids start with the construct's name, so statements
    /// of several buckets fit in one policy.
    pub fn read_statements(&self) -> Vec<PolicyStatement> {
        let sid = &self.sid;
        vec![
            PolicyStatement::allow(
                &format!("{sid}List"),
                ["s3:ListBucket", "s3:GetBucketLocation"],
            )
            .resource(self.arn()),
            PolicyStatement::allow(
                &format!("{sid}ReadObjects"),
                ["s3:GetObject", "s3:GetObjectVersion"],
            )
            .resource(self.objects()),
            PolicyStatement::allow(&format!("{sid}KeyDecrypt"), ["kms:Decrypt"])
                .resource(self.key_arn()),
        ]
    }

    /// IAM statements to upload objects (multipart included) and nothing else: what a backup
    /// job needs. `kms:GenerateDataKey` and `kms:Decrypt` (multipart uploads) on the key.
    pub fn write_statements(&self) -> Vec<PolicyStatement> {
        let sid = &self.sid;
        vec![
            PolicyStatement::allow(
                &format!("{sid}WriteObjects"),
                [
                    "s3:PutObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts",
                ],
            )
            .resource(self.objects()),
            PolicyStatement::allow(
                &format!("{sid}KeyEncrypt"),
                ["kms:GenerateDataKey", "kms:Decrypt"],
            )
            .resource(self.key_arn()),
        ]
    }

    /// [`read_statements`](Self::read_statements) and
    /// [`write_statements`](Self::write_statements), plus `s3:DeleteObject` (with versioning
    /// on, a delete only adds a delete marker; old versions stay until a lifecycle rule
    /// expires them; `s3:DeleteObjectVersion` is never granted).
    pub fn read_write_statements(&self) -> Vec<PolicyStatement> {
        let mut s = self.read_statements();
        s.extend(self.write_statements());
        s.push(
            PolicyStatement::allow(&format!("{}DeleteObjects", self.sid), ["s3:DeleteObject"])
                .resource(self.objects()),
        );
        s
    }
}

impl Construct for Bucket {
    type Handle = BucketRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> BucketRef {
        BucketRef {
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
            sid: sid_prefix(&scope.path),
        }
    }
}

impl Bucket {
    /// Checks the name and returns the `bucket` argument.
    fn bucket_name(&self, cx: &mut Lowering<'_>) -> Value {
        let prefix = cx.name("");
        if let Some(reserved) = RESERVED_PREFIXES.iter().find(|p| prefix.starts_with(*p)) {
            cx.error(
                "SS0158",
                format!(
                    "the S3 bucket name `{prefix}` starts with `{reserved}`, which S3 reserves"
                ),
                "rename the stack or the construct so the name starts differently",
            );
        }
        match self.namespace {
            Namespace::Global => {
                cx.check_name(&BUCKET_NAME, &prefix, "bucket name");
                Value::from(prefix)
            }
            Namespace::AccountRegional => {
                // `-<12-digit account>-<region>-an` follows the prefix.
                let suffix = cx.region().len().saturating_add(1 + 12 + 1 + 3);
                let rule = NameRule {
                    what: "S3 bucket name prefix (before `-<account id>-<region>-an`)",
                    max_len: BUCKET_NAME.max_len.saturating_sub(suffix),
                    ..BUCKET_NAME
                };
                cx.check_name(&rule, &prefix, "bucket name");
                let account = common::account_id(cx);
                Template::new()
                    .lit(format!("{prefix}-"))
                    .with(&account)
                    .lit(format!("-{}-an", cx.region()))
                    .into()
            }
        }
    }

    fn check_rules(&self, cx: &mut Lowering<'_>) {
        let mut seen: Vec<&str> = Vec::new();
        for rule in &self.rules {
            let id = rule.id.as_str();
            if id.is_empty() || id.len() > 255 {
                cx.error(
                    "SS0156",
                    format!(
                        "lifecycle rule id `{id}` is {} characters long; S3 allows 1 to 255",
                        id.len()
                    ),
                    "use a short descriptive id such as `nightly-dumps`",
                );
            } else if id == ABORT_RULE_ID || seen.contains(&id) {
                cx.error(
                    "SS0156",
                    format!("lifecycle rule id `{id}` is used twice in this bucket"),
                    format!(
                        "give each rule its own id (`{ABORT_RULE_ID}` is stacksmith's built-in rule)"
                    ),
                );
            }
            seen.push(id);
            rule.check(cx);
        }
        if let Some((target, _)) = &self.access_logs {
            if let Err(msg) = BUCKET_NAME.check(target) {
                cx.error(
                    "SS0158",
                    format!("access log target: {msg}"),
                    "name an existing bucket (SSE-S3 encrypted) that receives server access logs",
                );
            }
        }
    }
}

impl Bucket {
    /// The bucket as the diagram draws it: versioned, with its lifecycle rules (the one
    /// stacksmith always adds included).
    fn draw(&self, cx: &mut Lowering<'_>) {
        let path = cx.path().clone();
        let rules = match self.rules.len().saturating_add(1) {
            1 => "1 lifecycle rule".to_owned(),
            n => format!("{n} lifecycle rules"),
        };
        cx.node(crate::drawing::data_node(&path).line(join([
            Some("S3 bucket"),
            Some("versioned"),
            Some(rules.as_str()),
        ])));
    }
}

impl Lower for Bucket {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let bucket_name = self.bucket_name(cx);
        self.check_rules(cx);
        let name = cx.name("");

        // A CloudFront distribution serving the bucket reads its objects through origin access
        // control, so it decrypts them with the key (that distribution only).
        let reader = self.cloudfront_reader.as_ref().map(|arn| {
            PolicyStatement::allow("CloudFrontReads", ["kms:Decrypt"])
                .principal(Principal::Service("cloudfront.amazonaws.com".into()))
                .resource("*")
                .condition("StringEquals", "AWS:SourceArn", vec![arn.into()])
        });
        let key = common::kms_key(
            cx,
            "key",
            &format!("Encrypts the objects of the {name} bucket"),
            reader.as_slice(),
        );
        let mut body = tf! { "bucket" => bucket_name };
        if self.namespace == Namespace::AccountRegional {
            body.insert("bucket_namespace".into(), "account-regional".into());
        }
        body.insert("force_destroy".into(), false.into());
        body.insert("tags".into(), name_tag(&name).into());
        let bucket = cx.add_with("aws_s3_bucket", "", body, BUCKET);
        let id: Ref = bucket.attr("id");
        let arn: Ref = bucket.attr("arn");

        let versioning = cx.add(
            "aws_s3_bucket_versioning",
            "versioning",
            tf! { "bucket" => &id, "versioning_configuration" => tf! { "status" => "Enabled" } },
        );
        cx.add(
            "aws_s3_bucket_server_side_encryption_configuration",
            "encryption",
            tf! {
                "bucket" => &id,
                "rule" => tf! {
                    "apply_server_side_encryption_by_default" => tf! {
                        "sse_algorithm" => "aws:kms",
                        "kms_master_key_id" => key.attr::<String>("arn"),
                    },
                    "bucket_key_enabled" => true,
                    "blocked_encryption_types" => vec!["SSE-C"],
                },
            },
        );
        let public_access = cx.add_with(
            "aws_s3_bucket_public_access_block",
            "public-access",
            tf! {
                "bucket" => &id,
                "block_public_acls" => true,
                "block_public_policy" => true,
                "ignore_public_acls" => true,
                "restrict_public_buckets" => true,
            },
            crate::common::SECURITY,
        );
        cx.add(
            "aws_s3_bucket_ownership_controls",
            "ownership",
            tf! { "bucket" => &id, "rule" => tf! { "object_ownership" => "BucketOwnerEnforced" } },
        );

        let objects = Template::new().with(&arn).lit("/*");
        let everyone = || Principal::Aws(Value::from("*"));
        let policy = policy_document(
            cx,
            "policy",
            &[
                PolicyStatement::deny("DenyInsecureTransport", ["s3:*"])
                    .principal(everyone())
                    .resource(&arn)
                    .resource(objects.clone())
                    .condition("Bool", "aws:SecureTransport", vec!["false".into()]),
                PolicyStatement::deny("DenyOutdatedTls", ["s3:*"])
                    .principal(everyone())
                    .resource(&arn)
                    .resource(objects.clone())
                    .condition("NumericLessThan", "s3:TlsVersion", vec!["1.2".into()]),
            ]
            .into_iter()
            .chain(self.cloudfront_reader.as_ref().map(|distribution| {
                PolicyStatement::allow("CloudFrontReads", ["s3:GetObject"])
                    .principal(Principal::Service("cloudfront.amazonaws.com".into()))
                    .resource(objects.clone())
                    .condition("StringEquals", "AWS:SourceArn", vec![distribution.into()])
            }))
            .collect::<Vec<_>>(),
        );
        // After the public access block: S3 rejects policies while it is being changed.
        let policy_resource = Resource::new(
            cx.address("aws_s3_bucket_policy", "policy"),
            cx.path().clone(),
            tf! { "bucket" => &id, "policy" => policy },
        )
        .facts(common::SECURITY)
        .depends_on(&public_access);
        cx.resource(policy_resource);

        let mut rules = vec![Value::Map(tf! {
            "id" => ABORT_RULE_ID,
            "status" => "Enabled",
            "filter" => Map::new(),
            "abort_incomplete_multipart_upload" => tf! { "days_after_initiation" => ABORT_MULTIPART_DAYS },
        })];
        rules.extend(self.rules.iter().map(LifecycleRule::to_block));
        // After versioning: noncurrent-version rules need it in place.
        let lifecycle = Resource::new(
            cx.address("aws_s3_bucket_lifecycle_configuration", "lifecycle"),
            cx.path().clone(),
            tf! { "bucket" => &id, "rule" => Value::List(rules) },
        )
        .depends_on(&versioning);
        cx.resource(lifecycle);
        self.draw(cx);

        cx.add(
            "aws_s3_bucket_notification",
            "events",
            tf! { "bucket" => &id, "eventbridge" => true },
        );
        if let Some((target, prefix)) = &self.access_logs {
            cx.add(
                "aws_s3_bucket_logging",
                "access-logs",
                tf! {
                    "bucket" => &id,
                    "target_bucket" => target.as_str(),
                    "target_prefix" => prefix.as_str(),
                    "target_object_key_format" => tf! {
                        "partitioned_prefix" => tf! { "partition_date_source" => "EventTime" },
                    },
                },
            );
        }
        cx.output(
            "name",
            bucket.attr::<String>("bucket"),
            "The bucket's name",
            false,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stacksmith_core::Stack;

    fn lowered(b: Bucket) -> stacksmith_core::Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(b);
        stack.lower()
    }

    fn body<'a>(g: &'a stacksmith_core::Graph, kind: &str) -> Option<&'a Map> {
        g.resources
            .iter()
            .find(|r| r.address.kind() == kind)
            .map(|r| &r.body)
    }

    fn backups() -> Bucket {
        Bucket::new("backups").lifecycle_rule(
            LifecycleRule::new("nightly-dumps")
                .prefix("nightly/")
                .transition(30, StorageClass::GlacierIr)
                .expire_after_days(365)
                .noncurrent_versions_expire_after_days(30),
        )
    }

    #[test]
    fn bucket_is_stateful_and_named_in_the_account_regional_namespace() {
        let g = lowered(backups());
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let b = body(&g, "aws_s3_bucket");
        assert_eq!(
            b.and_then(|b| b.get("bucket_namespace")),
            Some(&Value::from("account-regional"))
        );
        assert_eq!(
            b.and_then(|b| b.get("force_destroy")),
            Some(&Value::Bool(false))
        );
        assert_eq!(
            b.and_then(|b| b.get("bucket"))
                .and_then(|v| serde_json::to_string(v).ok()),
            Some(
                r#""prod-backups-${data.aws_caller_identity.current.account_id}-us-east-1-an""#
                    .to_owned()
            )
        );
        assert!(
            g.resources
                .iter()
                .any(|r| r.address.kind() == "aws_s3_bucket" && r.facts.stateful)
        );
    }

    #[test]
    fn global_namespace_uses_the_plain_name() {
        let g = lowered(Bucket::new("backups").global_namespace());
        let b = body(&g, "aws_s3_bucket");
        assert_eq!(
            b.and_then(|b| b.get("bucket")),
            Some(&Value::from("prod-backups"))
        );
        assert_eq!(b.and_then(|b| b.get("bucket_namespace")), None);
    }

    #[test]
    fn encrypted_with_the_customer_key_and_locked_down() {
        let g = lowered(backups());
        let sse = body(&g, "aws_s3_bucket_server_side_encryption_configuration")
            .and_then(|b| b.get("rule"));
        assert_eq!(
            sse.and_then(|r| r.get("apply_server_side_encryption_by_default.sse_algorithm")),
            Some(&Value::from("aws:kms"))
        );
        assert!(matches!(
            sse.and_then(|r| r.get("apply_server_side_encryption_by_default.kms_master_key_id")),
            Some(Value::Ref(r)) if r.expression() == "aws_kms_key.backups_key.arn"
        ));
        assert_eq!(
            sse.and_then(|r| r.get("bucket_key_enabled")),
            Some(&Value::Bool(true))
        );
        let pab = body(&g, "aws_s3_bucket_public_access_block");
        for k in [
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ] {
            assert_eq!(pab.and_then(|b| b.get(k)), Some(&Value::Bool(true)), "{k}");
        }
        assert_eq!(
            body(&g, "aws_s3_bucket_versioning")
                .and_then(|b| b.get("versioning_configuration"))
                .and_then(|v| v.get("status")),
            Some(&Value::from("Enabled"))
        );
        assert_eq!(
            body(&g, "aws_s3_bucket_ownership_controls")
                .and_then(|b| b.get("rule"))
                .and_then(|v| v.get("object_ownership")),
            Some(&Value::from("BucketOwnerEnforced"))
        );
    }

    #[test]
    fn policy_denies_requests_without_tls() {
        let g = lowered(backups());
        let doc = g
            .data
            .iter()
            .find(|d| d.address.expression() == "data.aws_iam_policy_document.backups_policy");
        let Some(Value::List(statements)) = doc.and_then(|d| d.body.get("statement")) else {
            panic!("no bucket policy document");
        };
        let tls = statements.first();
        assert_eq!(
            tls.and_then(|s| s.get("effect")),
            Some(&Value::from("Deny"))
        );
        let Some(Value::List(conds)) = tls.and_then(|s| s.get("condition")) else {
            panic!("no condition");
        };
        assert_eq!(
            conds.first().and_then(|c| c.get("variable")),
            Some(&Value::from("aws:SecureTransport"))
        );
    }

    #[test]
    fn lifecycle_always_aborts_incomplete_uploads() {
        let g = lowered(Bucket::new("backups"));
        let Some(Value::List(rules)) =
            body(&g, "aws_s3_bucket_lifecycle_configuration").and_then(|b| b.get("rule"))
        else {
            panic!("no lifecycle rules");
        };
        assert_eq!(rules.len(), 1);
        assert_eq!(
            rules
                .first()
                .and_then(|r| r.get("abort_incomplete_multipart_upload.days_after_initiation")),
            Some(&Value::Int(7))
        );
        assert_eq!(
            rules.first().and_then(|r| r.get("filter")),
            Some(&Value::Map(Map::new()))
        );
    }

    #[test]
    fn statements_are_scoped_to_the_bucket_and_key() {
        let mut stack = Stack::new("prod", "us-east-1");
        let b = stack.add(Bucket::new("db-backups"));
        let rw = b.read_write_statements();
        assert_eq!(rw.len(), 6);
        assert_eq!(
            rw.first(),
            Some(
                &PolicyStatement::allow("DbBackupsList", ["s3:ListBucket", "s3:GetBucketLocation"])
                    .resource(b.arn())
            )
        );
        assert!(rw.iter().any(|s| {
            s == &PolicyStatement::allow("DbBackupsKeyDecrypt", ["kms:Decrypt"])
                .resource(b.key_arn())
        }));
        assert_eq!(b.write_statements().len(), 2);
    }

    #[test]
    fn snapshot_lowered_bucket() {
        let g = lowered(backups().access_logs_to("org-access-logs", "prod-backups/"));
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let kinds = [
            "aws_s3_bucket",
            "aws_s3_bucket_server_side_encryption_configuration",
            "aws_s3_bucket_lifecycle_configuration",
            "aws_s3_bucket_policy",
            "aws_s3_bucket_logging",
        ];
        let main: Vec<_> = g
            .resources
            .iter()
            .filter(|r| kinds.contains(&r.address.kind()))
            .map(|r| (r.address.expression(), r))
            .collect();
        insta::assert_json_snapshot!(main);
    }

    #[test]
    fn fails_name_too_long() {
        let g = lowered(Bucket::new("flagwise-nightly-postgres-database-dumps"));
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn fails_bad_lifecycle_rules() {
        let g = lowered(
            Bucket::new("backups")
                .lifecycle_rule(
                    LifecycleRule::new("dumps")
                        .expire_after_days(0)
                        .noncurrent_versions_expire_after_days(0),
                )
                .lifecycle_rule(
                    LifecycleRule::new("archive")
                        .transition(10, StorageClass::StandardIa)
                        .transition(5, StorageClass::DeepArchive)
                        .expire_after_days(60),
                )
                .lifecycle_rule(LifecycleRule::new("archive"))
                .access_logs_to("Org.Logs", "x/"),
        );
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn a_later_root_finds_the_bucket_by_name() -> Result<(), String> {
        use crate::common::lookup_check::readable;
        let mut stack = Stack::new("prod", "us-east-1");
        let b = stack.add(Bucket::new("backups").global_namespace());
        let g = stack.lower();
        readable(&g, &b.name())?;
        readable(&g, &b.arn())
    }
}
