//! The rotation function of a rotated [`ApplicationSecret`](crate::ApplicationSecret): a Python
//! Lambda function the stack ships (`secret_rotation.py`, zipped into the Terraform root), its
//! role, its encrypted log group, Secrets Manager's permission to call it, and the schedule.
//!
//! One function per rotated secret, not one per stack: each role may touch exactly one secret
//! and its key, each secret lowers alone (no construct gathers the others), and an idle function,
//! role and log group cost nothing. The code is the same file for all of them (shipped once).

use base64::Engine as _;
use sha2::{Digest, Sha256};
use stacksmith_core::{Address, Facts, Lowering, NameRule, Ref, Template, tf};

use crate::common::{self, name_tag};
use crate::iam::{PolicyStatement, policy_document};

/// The function's code, and its path inside the zip (the handler is `<module>.handler`).
const CODE: &str = include_str!("secret_rotation.py");
const MODULE: &str = "rotate";

/// The secret's tag the function reads the value's length from.
pub(crate) const LENGTH_TAG: &str = "stacksmith:length";

/// Days between rotations Secrets Manager accepts (`RotationRules.AutomaticallyAfterDays`).
pub(crate) const DAYS: std::ops::RangeInclusive<u32> = 1..=1000;

/// Lambda function names: 1–64 letters, digits, hyphens and underscores.
const FUNCTION_NAME: NameRule = NameRule {
    what: "Lambda function name",
    max_len: 64,
    lowercase: false,
    extra: "-_",
    start_letter: false,
};

/// A Lambda function: known by its name; its code can write the secret, so a change to it is
/// security-relevant.
const FUNCTION: Facts = Facts::new()
    .security()
    .identity(&["function_name"])
    .replaced_on(&["function_name"]);
/// A rotation schedule: moving it to another secret replaces it.
const ROTATION: Facts = Facts::new().replaced_on(&["secret_id"]);

/// The rotation's log group name, `/aws/lambda/<function>` (where Lambda writes by default), so
/// the key policy can name it before the group exists.
pub(crate) fn log_group_name(cx: &Lowering<'_>) -> String {
    format!("/aws/lambda/{}", cx.name("rotation"))
}

/// The zip holding the function's code (`rotate.py`), the same bytes on every synth.
fn package() -> Result<Vec<u8>, crate::zip_archive::TooLarge> {
    crate::zip_archive::stored(&[(&format!("{MODULE}.py"), CODE.as_bytes())])
}

/// Rotates `secret` (encrypted with `key`) every `days` days with a function of its own; the
/// first rotation runs when the stack is applied and writes the first value.
pub(crate) fn lower(cx: &mut Lowering<'_>, secret: &Address, key: &Address, days: u32) {
    let function_name = cx.name("rotation");
    cx.check_name(&FUNCTION_NAME, &function_name, "rotation function name");
    let zip = match package() {
        Ok(zip) => zip,
        Err(e) => {
            cx.error(
                "SS0508",
                format!("the rotation function's code package cannot be written: {e}"),
                "the shipped code is a few kilobytes; report this as a stacksmith bug",
            );
            return;
        }
    };
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&zip));
    let filename = cx.asset("secret-rotation.zip", zip);

    let log_group = common::log_group(cx, "rotation-logs", &log_group_name(cx), 365, key);
    let (role, _) = common::service_role(cx, "rotation", "lambda.amazonaws.com", &[]);
    let (secret_arn, key_arn): (Ref, Ref) = (secret.attr("arn"), key.attr("arn"));
    let group_arn: Ref = log_group.attr("arn");
    let via = format!("secretsmanager.{}.amazonaws.com", cx.region());
    let policy = policy_document(
        cx,
        "rotation-policy",
        &[
            PolicyStatement::allow(
                "RotateThisSecret",
                [
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
            )
            .resource(&secret_arn),
            // GetRandomPassword acts on no resource: IAM accepts only "*" for it.
            PolicyStatement::allow("GenerateValues", ["secretsmanager:GetRandomPassword"])
                .resource("*"),
            // Through Secrets Manager, for this secret's values only (Secrets Manager's
            // encryption context names the secret).
            PolicyStatement::allow("UseTheSecretKey", ["kms:Decrypt", "kms:GenerateDataKey"])
                .resource(&key_arn)
                .condition("StringEquals", "kms:ViaService", vec![via.into()])
                .condition(
                    "StringEquals",
                    "kms:EncryptionContext:SecretARN",
                    vec![secret_arn.clone().into()],
                ),
            PolicyStatement::allow(
                "WriteItsLogs",
                ["logs:CreateLogStream", "logs:PutLogEvents"],
            )
            .resource(Template::new().with(&group_arn).lit(":*")),
            // X-Ray's write actions act on no resource: IAM accepts only "*" for them.
            PolicyStatement::allow(
                "WriteTraces",
                ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            )
            .resource("*"),
        ],
    );
    let role_policy = cx.add_with(
        "aws_iam_role_policy",
        "rotation",
        tf! { "name" => "rotate-secret", "role" => role.attr::<String>("id"), "policy" => policy },
        common::IAM_ROLE_POLICY,
    );
    // The function is created once its role may act (Lambda's creation checks the role and
    // the provider retries until IAM has propagated), so the immediate first rotation does not
    // meet a role without its policy.
    let function = cx.resource(
        stacksmith_core::terraform::Resource::new(
            cx.address("aws_lambda_function", "rotation"),
            cx.path().clone(),
            tf! {
                "function_name" => function_name.as_str(),
                "description" => format!("Rotates the {} secret", cx.name("")),
                "role" => role.attr::<String>("arn"),
                "runtime" => "python3.13",
                "handler" => format!("{MODULE}.handler"),
                "architectures" => vec!["arm64"],
                "filename" => filename.as_str(),
                "source_code_hash" => hash.as_str(),
                "memory_size" => 128_i64,
                "timeout" => 30_i64,
                "logging_config" => tf! {
                    "log_format" => "Text",
                    "log_group" => log_group.attr::<String>("name"),
                },
                "tracing_config" => tf! { "mode" => "Active" },
                "tags" => name_tag(&function_name),
            },
        )
        .facts(FUNCTION)
        .depends_on(&role_policy),
    );
    let account = common::account_id(cx);
    let permission = cx.add_with(
        "aws_lambda_permission",
        "rotation",
        tf! {
            "statement_id" => "SecretsManagerRotates",
            "action" => "lambda:InvokeFunction",
            "function_name" => function.attr::<String>("function_name"),
            "principal" => "secretsmanager.amazonaws.com",
            "source_account" => account,
        },
        common::SECURITY,
    );
    // Secrets Manager checks it may call the function when the schedule is set, and the
    // immediate first rotation needs the role's policy.
    let rotation = stacksmith_core::terraform::Resource::new(
        cx.address("aws_secretsmanager_secret_rotation", "rotation"),
        cx.path().clone(),
        tf! {
            "secret_id" => secret.attr::<String>("id"),
            "rotation_lambda_arn" => function.attr::<String>("arn"),
            "rotate_immediately" => true,
            "rotation_rules" => tf! { "automatically_after_days" => i64::from(days) },
        },
    )
    .facts(ROTATION)
    .depends_on(&permission)
    .depends_on(&role_policy);
    cx.resource(rotation);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_is_the_same_bytes_every_time_and_holds_the_handler()
    -> Result<(), crate::zip_archive::TooLarge> {
        let zip = package()?;
        assert_eq!(package()?, zip);
        let name = format!("{MODULE}.py");
        assert!(zip.windows(name.len()).any(|w| w == name.as_bytes()));
        assert!(CODE.contains("def handler(event, context):"));
        assert!(CODE.contains(&format!("LENGTH_TAG = \"{LENGTH_TAG}\"")));
        Ok(())
    }
}
