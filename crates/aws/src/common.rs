//! Shared plumbing for AWS constructs: the provider, account/partition lookups, KMS keys, log
//! groups, service roles, and the `Peer` side of security-group connections.

use stacksmith_core::terraform::{Map, Provider, Value};
use stacksmith_core::{Address, Facts, Lowering, NameRule, Path, Ref, Template, tf};

use crate::iam::{PolicyStatement, Principal, policy_document};
use crate::network::NetworkRef;

/// The hashicorp/aws provider version the output is written for and checked against.
pub const AWS_PROVIDER_VERSION: &str = "6.47.0";
/// The hashicorp/random provider version (generated cache auth tokens).
pub const RANDOM_PROVIDER_VERSION: &str = "3.7.2";

/// A KMS key: security-relevant (its policy decides who decrypts); it has no name of its own.
pub(crate) const KMS_KEY: Facts = Facts::new().security();
/// A KMS alias, known by its name.
pub(crate) const KMS_ALIAS: Facts = Facts::new().identity(&["name"]);
/// A log group, known by its name.
pub(crate) const LOG_GROUP: Facts = Facts::new().identity(&["name"]);
/// An IAM policy, attachment, OIDC provider or policy document: security-relevant.
pub(crate) const IAM: Facts = Facts::new().security();
/// An inline IAM role policy, known by its name within its role.
pub(crate) const IAM_ROLE_POLICY: Facts = Facts::new().security().identity(&["name"]);
/// A security group, known by its name (or name prefix).
pub(crate) const SECURITY_GROUP: Facts = Facts::new()
    .security()
    .identity(&["name", "name_prefix"])
    .replaced_on(&["description", "vpc_id"]);
/// A security-group rule, a network ACL, a listener, a web ACL, an access entry: a change
/// changes who reaches what.
pub(crate) const SECURITY: Facts = Facts::new().security();
/// A subnet group, parameter group, cluster, target group or secret, known by its name.
pub(crate) const NAMED: Facts = Facts::new().identity(&["name", "name_prefix"]);
/// A task definition, known by its family.
pub(crate) const TASK_FAMILY: Facts = Facts::new().identity(&["family"]);

/// Something traffic can be allowed from: a security group and what it stands for.
pub trait Peer {
    /// The security group whose members are the source of traffic.
    fn security_group_id(&self) -> Ref;
    /// The construct it belongs to, for rule descriptions and diagnostics.
    fn peer_path(&self) -> &Path;
    /// Whether the peer's security group denies egress unless a rule allows it (then every
    /// `allow_from` also writes the matching egress rule on the peer's side). Default: no.
    fn restricts_egress(&self) -> bool {
        false
    }
}

/// A recorded `allow_from`: the peer's security group and its path.
#[derive(Clone, Debug)]
pub(crate) struct Ingress {
    pub(crate) source: Ref,
    pub(crate) from: Path,
    pub(crate) egress: bool,
}

impl Ingress {
    pub(crate) fn of(peer: &impl Peer) -> Self {
        Self {
            source: peer.security_group_id(),
            from: peer.peer_path().clone(),
            egress: peer.restricts_egress(),
        }
    }
}

/// Registers the aws provider: the stack's region, its tags as `default_tags`, and the
/// declared account as `allowed_account_ids`.
pub(crate) fn aws(cx: &mut Lowering<'_>) {
    if !cx.has_provider("aws") {
        crate::region::check_region(cx);
    }
    let tags: Map = cx
        .stack_tags()
        .iter()
        .map(|(k, v)| (k.clone().into(), Value::from(v)))
        .collect();
    let mut config = tf! { "region" => cx.region(), "default_tags" => tf! { "tags" => tags } };
    // The account the stack declares (`Stack::account`, which ECR images in Kubernetes YAML are
    // spelled from): Terraform refuses to run with credentials of another account.
    if let Some(account) = cx.account() {
        config.insert(
            "allowed_account_ids".into(),
            Value::from(vec![account.to_owned()]),
        );
    }
    cx.provider(
        "aws",
        Provider {
            source: "hashicorp/aws".into(),
            version: AWS_PROVIDER_VERSION.into(),
            config: Some(config),
        },
    );
}

/// Registers the random provider (no configuration).
pub(crate) fn random(cx: &mut Lowering<'_>) {
    cx.provider(
        "random",
        Provider {
            source: "hashicorp/random".into(),
            version: RANDOM_PROVIDER_VERSION.into(),
            config: None,
        },
    );
}

/// `{ Name = name }`: the per-resource tag; the stack's tags come from `default_tags`.
pub(crate) fn name_tag(name: &str) -> Map {
    tf! { "Name" => name }
}

/// The account id of the caller.
pub(crate) fn account_id(cx: &mut Lowering<'_>) -> Ref {
    cx.shared_data("aws_caller_identity", "current", Map::new())
        .attr("account_id")
}

/// The partition (`aws`, `aws-cn`, `aws-us-gov`).
pub(crate) fn partition(cx: &mut Lowering<'_>) -> Ref {
    cx.shared_data("aws_partition", "current", Map::new())
        .attr("partition")
}

/// `arn:<partition>:<service>:<region>:<account>:<rest>`.
pub(crate) fn arn(cx: &mut Lowering<'_>, service: &str, region: bool, rest: &str) -> Template {
    let (p, a) = (partition(cx), account_id(cx));
    let region = if region {
        cx.region().to_owned()
    } else {
        String::new()
    };
    Template::new()
        .lit("arn:")
        .with(&p)
        .lit(format!(":{service}:{region}:"))
        .with(&a)
        .lit(format!(":{rest}"))
}

/// An AWS-managed policy ARN, partition-aware.
pub(crate) fn managed_policy(cx: &mut Lowering<'_>, name: &str) -> Template {
    let p = partition(cx);
    Template::new()
        .lit("arn:")
        .with(&p)
        .lit(format!(":iam::aws:policy/{name}"))
}

/// A customer-managed KMS key for `part`, rotation on, 30-day deletion window, with a key
/// policy that keeps the account in control and lets `services` use it.
pub(crate) fn kms_key(
    cx: &mut Lowering<'_>,
    part: &str,
    description: &str,
    services: &[PolicyStatement],
) -> Address {
    let root = arn(cx, "iam", false, "root");
    let mut statements = vec![
        PolicyStatement::allow("AccountAdministers", ["kms:*"])
            .principal(Principal::Aws(root.into()))
            .resource("*"),
    ];
    statements.extend_from_slice(services);
    let policy = policy_document(cx, &format!("{part}-policy"), &statements);
    let name = cx.name(part);
    let key = cx.add_with(
        "aws_kms_key",
        part,
        tf! {
            "description" => description,
            "enable_key_rotation" => true,
            "rotation_period_in_days" => 365_i64,
            "deletion_window_in_days" => 30_i64,
            "policy" => policy,
            "tags" => name_tag(&name),
        },
        KMS_KEY,
    );
    cx.add_with(
        "aws_kms_alias",
        &format!("{part}-alias"),
        tf! { "name" => format!("alias/{name}"), "target_key_id" => key.attr::<String>("key_id") },
        KMS_ALIAS,
    );
    key
}

/// The key-policy statement that lets CloudWatch Logs encrypt the log group `name`.
pub(crate) fn logs_may_use_key(cx: &mut Lowering<'_>, log_group: &str) -> PolicyStatement {
    logs_may_use_key_for(cx, &[log_group.to_owned()])
}

/// The key-policy statement that lets CloudWatch Logs encrypt exactly these log groups.
pub(crate) fn logs_may_use_key_for(
    cx: &mut Lowering<'_>,
    log_groups: &[String],
) -> PolicyStatement {
    let service = format!("logs.{}.amazonaws.com", cx.region());
    let arns: Vec<Value> = log_groups
        .iter()
        .map(|g| arn(cx, "logs", true, &format!("log-group:{g}")).into())
        .collect();
    PolicyStatement::allow(
        "CloudWatchLogsEncrypt",
        [
            "kms:Encrypt*",
            "kms:Decrypt*",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:Describe*",
        ],
    )
    .principal(Principal::Service(service))
    .resource("*")
    .condition("ArnEquals", "kms:EncryptionContext:aws:logs:arn", arns)
}

/// Retention values CloudWatch Logs accepts, in days.
pub(crate) const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// The accepted CloudWatch retention values, for hints.
pub(crate) fn retention_list() -> String {
    LOG_RETENTION_DAYS
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reports `code` when CloudWatch Logs does not accept `days`, set with `setter`, as a
/// retention.
pub(crate) fn check_retention(cx: &mut Lowering<'_>, code: &'static str, setter: &str, days: u32) {
    if !LOG_RETENTION_DAYS.contains(&days) {
        cx.error(
            code,
            format!("`{setter}` is {days}, which CloudWatch Logs does not accept"),
            format!("use one of {}", retention_list()),
        );
    }
}

/// `days`, or 365 when CloudWatch Logs does not accept it ([`check_retention`] reports that),
/// so lowering goes on after the error.
pub(crate) fn accepted_retention(days: u32) -> u32 {
    if LOG_RETENTION_DAYS.contains(&days) {
        days
    } else {
        365
    }
}

/// A log group encrypted with `key`, kept `retention_days`.
pub(crate) fn log_group(
    cx: &mut Lowering<'_>,
    part: &str,
    name: &str,
    retention_days: u32,
    key: &Address,
) -> Address {
    cx.add_with(
        "aws_cloudwatch_log_group",
        part,
        tf! {
            "name" => name,
            "retention_in_days" => retention_days,
            "kms_key_id" => key.attr::<String>("arn"),
            "tags" => name_tag(name),
        },
        LOG_GROUP,
    )
}

/// IAM role names: 64 characters.
pub(crate) const ROLE_NAME: NameRule = NameRule {
    what: "IAM role name",
    max_len: 64,
    lowercase: false,
    extra: "+=,.@-_",
    start_letter: false,
};

/// Service principals AWS documents as sending `aws:SourceAccount` when they assume a role,
/// so a trust policy may require it (confused-deputy protection): VPC Flow Logs, ECS tasks,
/// RDS enhanced monitoring and the EKS cluster role. EC2 is not among them: the EKS node role's
/// documented trust policy has no condition (EKS User Guide, "Amazon EKS node IAM role"), and a
/// condition on a key the request lacks denies it.
const SENDS_SOURCE_ACCOUNT: &[&str] = &[
    "vpc-flow-logs.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "monitoring.rds.amazonaws.com",
    "eks.amazonaws.com",
];

/// An IAM role `service` may assume (only from this account where the service says which
/// account it acts for, [`SENDS_SOURCE_ACCOUNT`]), with AWS-managed policies attached.
pub(crate) fn service_role(
    cx: &mut Lowering<'_>,
    part: &str,
    service: &str,
    managed: &[&str],
) -> (Address, Vec<Address>) {
    let mut assume = PolicyStatement::allow("ServiceAssumesRole", ["sts:AssumeRole"])
        .principal(Principal::Service(service.to_owned()));
    if SENDS_SOURCE_ACCOUNT.contains(&service) {
        let account = account_id(cx);
        assume = assume.condition("StringEquals", "aws:SourceAccount", vec![account.into()]);
    }
    let trust = policy_document(cx, &format!("{part}-trust"), &[assume]);
    let name = cx.name(part);
    cx.check_name(&ROLE_NAME, &name, "role name");
    let role = cx.add_with(
        "aws_iam_role",
        part,
        tf! { "name" => name.as_str(), "assume_role_policy" => trust, "tags" => name_tag(&name) },
        crate::iam::ROLE,
    );
    let attachments = managed
        .iter()
        .map(|policy| {
            let arn = managed_policy(cx, policy);
            cx.add_with(
                "aws_iam_role_policy_attachment",
                &format!("{part}-{policy}"),
                tf! { "role" => role.attr::<String>("name"), "policy_arn" => arn },
                IAM,
            )
        })
        .collect();
    (role, attachments)
}

/// A security group for `part` in `vpc_id`, with no rules: AWS's default allow-all egress is
/// removed by Terraform, and every ingress rule is added explicitly with a description.
pub(crate) fn security_group(
    cx: &mut Lowering<'_>,
    part: &str,
    description: &str,
    vpc_id: &Ref,
) -> Address {
    let name = cx.name(part);
    cx.add_with(
        "aws_security_group",
        part,
        tf! {
            "name" => name.as_str(),
            "description" => description,
            "vpc_id" => vpc_id,
            "revoke_rules_on_delete" => true,
            "tags" => name_tag(&name),
        },
        SECURITY_GROUP,
    )
}

/// `network`'s private subnets as a list value.
pub(crate) fn private_subnets(network: &NetworkRef) -> Value {
    Value::List(
        network
            .private_subnet_ids()
            .into_iter()
            .map(Value::from)
            .collect(),
    )
}

/// The security group of a data store listening on `port`: no rules but one TCP ingress rule
/// per peer that was allowed in.
pub(crate) fn data_store_sg(
    cx: &mut Lowering<'_>,
    network: &NetworkRef,
    what: &str,
    port: u16,
    peers: &[Ingress],
) -> Address {
    let name = cx.name("");
    let sg = security_group(
        cx,
        "sg",
        &format!("{name} {what}: {port}/tcp from allowed peers only"),
        &network.vpc_id(),
    );
    ingress_rules(cx, &sg, port, what, peers);
    sg
}

/// One TCP ingress rule per recorded peer on `port`, and the matching egress rule on the
/// peer's side when its security group restricts egress: a connection is declared once.
pub(crate) fn ingress_rules(
    cx: &mut Lowering<'_>,
    sg: &Address,
    port: u16,
    what: &str,
    peers: &[Ingress],
) {
    let sg: Ref = sg.attr("id");
    let listener = cx.path().clone();
    for peer in peers {
        crate::connection::rules(cx, &listener, &sg, port, what, peer);
    }
}

/// Checks, for the constructs' tests, that a later root can read what a construct hands out to
/// workloads.
#[cfg(test)]
pub(crate) mod lookup_check {
    use stacksmith_core::terraform::{Resource, Value};
    use stacksmith_core::{Graph, Lookup, Ref};

    /// The resource `r` refers to.
    pub(crate) fn resource<'g, T>(g: &'g Graph, r: &Ref<T>) -> Result<&'g Resource, String> {
        g.resource(r.address())
            .ok_or_else(|| format!("`{}` refers to no resource", r.expression()))
    }

    /// Ok when a later root can read `r`: its resource declares a lookup through a data source of
    /// the same provider, the attribute is one it can read, and the value the resource is found
    /// by is a literal (or a reference to a resource found the same way).
    pub(crate) fn readable<T>(g: &Graph, r: &Ref<T>) -> Result<(), String> {
        let res = resource(g, r)?;
        let Some(&Lookup::By {
            data_source,
            argument,
            from,
            readable: attributes,
        }) = res.facts.found_by
        else {
            return Err(format!(
                "`{}` declares no data source lookup",
                res.address.expression()
            ));
        };
        let provider = |kind: &str| kind.split('_').next().map(str::to_owned);
        if provider(data_source) != provider(res.address.kind()) || argument.is_empty() {
            return Err(format!(
                "`{}` is found through `{data_source}` by `{argument}`",
                res.address.expression()
            ));
        }
        let attrs: Vec<&str> = attributes.iter().map(|(a, _)| *a).collect();
        let distinct = attrs
            .iter()
            .all(|a| attrs.iter().filter(|b| a == *b).count() == 1);
        if !distinct || attributes.iter().any(|(a, d)| a.is_empty() || d.is_empty()) {
            return Err(format!(
                "`{data_source}` lists readable attributes twice or blank"
            ));
        }
        if !attrs.contains(&r.attr()) {
            return Err(format!(
                "`{}` is not readable through `{data_source}`",
                r.expression()
            ));
        }
        match res.body.get(from) {
            Some(Value::String(_)) => Ok(()),
            Some(Value::Ref(inner)) => readable(g, inner),
            other => Err(format!(
                "`{}` is found by `{from}`, which is {other:?}",
                res.address.expression()
            )),
        }
    }

    /// Ok when `r` names a secret whose value a later root can read.
    pub(crate) fn names_secret<T>(g: &Graph, r: &Ref<T>) -> Result<(), String> {
        readable(g, r)?;
        match resource(g, r)?.facts.secret_value {
            Some(v) if !v.data_source.is_empty() && !v.argument.is_empty() => Ok(()),
            _ => Err(format!("`{}` names no readable secret", r.expression())),
        }
    }
}
