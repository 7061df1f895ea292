//! The service's IAM roles: the execution role ECS starts tasks with (pull the image, write
//! the logs, read the secrets) and the task role the application runs as.

use stacksmith_core::terraform::Value;
use stacksmith_core::{Address, Lowering, Ref, Template, tf};

use super::secret::Resolved;
use super::{ContainerImage, EcsService};
use crate::common;
use crate::iam::{PolicyStatement, policy_document};

/// The ECR repository an image comes from: (account, region, repository), if it is one.
pub(super) fn ecr_repository(image: &str) -> Option<(String, String, String)> {
    let (host, rest) = image.split_once('/')?;
    let labels: Vec<&str> = host.split('.').collect();
    let [
        account,
        "dkr",
        "ecr" | "ecr-fips",
        region,
        "amazonaws",
        "com",
        ..,
    ] = labels.as_slice()
    else {
        return None;
    };
    if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let repo = rest.split('@').next().unwrap_or(rest);
    let repo = match repo.rsplit_once(':') {
        Some((r, tag)) if !tag.contains('/') => r,
        _ => repo,
    };
    Some(((*account).to_owned(), (*region).to_owned(), repo.to_owned()))
}

impl EcsService {
    pub(super) fn execution_role(
        &self,
        cx: &mut Lowering<'_>,
        logs_arn: &Ref,
        secrets: &[(String, Resolved)],
    ) -> (Address, Address) {
        let (role, _) = common::service_role(cx, "execution", "ecs-tasks.amazonaws.com", &[]);
        let mut statements = Vec::new();
        let repo_arn: Option<Value> = match &self.image {
            Some(ContainerImage::Ecr(image)) => Some(image.repository_arn().into()),
            Some(ContainerImage::Uri(uri)) => ecr_repository(uri).map(|(account, region, repo)| {
                let partition = common::partition(cx);
                Template::new()
                    .lit("arn:")
                    .with(&partition)
                    .lit(format!(":ecr:{region}:{account}:repository/{repo}"))
                    .into()
            }),
            None => None,
        };
        if let Some(repo_arn) = repo_arn {
            statements.push(
                PolicyStatement::allow("EcrAuthorization", ["ecr:GetAuthorizationToken"])
                    .resource("*"),
            );
            statements.push(
                PolicyStatement::allow(
                    "EcrPullImage",
                    [
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:GetDownloadUrlForLayer",
                        "ecr:BatchGetImage",
                    ],
                )
                .resource(repo_arn),
            );
        }
        statements.push(
            PolicyStatement::allow("WriteLogs", ["logs:CreateLogStream", "logs:PutLogEvents"])
                .resource(Template::new().with(logs_arn).lit(":*")),
        );
        let mut read_secrets =
            PolicyStatement::allow("ReadSecrets", ["secretsmanager:GetSecretValue"]);
        let mut read_params = PolicyStatement::allow("ReadParameters", ["ssm:GetParameters"]);
        let mut decrypt = PolicyStatement::allow("DecryptSecrets", ["kms:Decrypt"]).condition(
            "StringEquals",
            "kms:ViaService",
            vec![
                format!("secretsmanager.{}.amazonaws.com", cx.region()).into(),
                format!("ssm.{}.amazonaws.com", cx.region()).into(),
            ],
        );
        let (mut seen_s, mut seen_p, mut seen_k): (Vec<Value>, Vec<Value>, Vec<Value>) =
            (Vec::new(), Vec::new(), Vec::new());
        for ((_, r), (_, src)) in secrets.iter().zip(self.sorted_secrets()) {
            if let Some(v) = &r.secret {
                if !seen_s.contains(v) {
                    read_secrets = read_secrets.resource(v.clone());
                    seen_s.push(v.clone());
                }
            }
            if let Some(v) = &r.parameter {
                if !seen_p.contains(v) {
                    read_params = read_params.resource(v.clone());
                    seen_p.push(v.clone());
                }
            }
            if let Some(k) = &src.key {
                let v = Value::from(k);
                if !seen_k.contains(&v) {
                    decrypt = decrypt.resource(v.clone());
                    seen_k.push(v);
                }
            }
        }
        if !seen_s.is_empty() {
            statements.push(read_secrets);
        }
        if !seen_p.is_empty() {
            statements.push(read_params);
        }
        if !seen_k.is_empty() {
            statements.push(decrypt);
        }
        let doc = policy_document(cx, "execution-policy", &statements);
        let policy = cx.add_with(
            "aws_iam_role_policy",
            "execution",
            tf! { "name" => "pull-image-write-logs-read-secrets", "role" => role.attr::<String>("id"), "policy" => doc },
            crate::common::IAM_ROLE_POLICY,
        );
        (role, policy)
    }

    pub(super) fn task_role(&self, cx: &mut Lowering<'_>) -> Address {
        let (role, _) = common::service_role(cx, "task", "ecs-tasks.amazonaws.com", &[]);
        let mut statements = self.task_policy.clone();
        if self.exec {
            statements.push(
                PolicyStatement::allow(
                    "EcsExecChannels",
                    [
                        "ssmmessages:CreateControlChannel",
                        "ssmmessages:CreateDataChannel",
                        "ssmmessages:OpenControlChannel",
                        "ssmmessages:OpenDataChannel",
                    ],
                )
                .resource("*"),
            );
            statements.push(
                PolicyStatement::allow("EcsExecDecrypt", ["kms:Decrypt"])
                    .resource(self.cluster.exec_key_arn()),
            );
            statements.push(
                PolicyStatement::allow("EcsExecDescribeLogGroups", ["logs:DescribeLogGroups"])
                    .resource("*"),
            );
            statements.push(
                PolicyStatement::allow(
                    "EcsExecWriteLogs",
                    [
                        "logs:CreateLogStream",
                        "logs:DescribeLogStreams",
                        "logs:PutLogEvents",
                    ],
                )
                .resource(
                    Template::new()
                        .with(&self.cluster.exec_log_group_arn())
                        .lit(":*"),
                ),
            );
        }
        if !statements.is_empty() {
            let doc = policy_document(cx, "task-policy", &statements);
            cx.add_with(
                "aws_iam_role_policy",
                "task",
                tf! { "name" => "application", "role" => role.attr::<String>("id"), "policy" => doc },
                crate::common::IAM_ROLE_POLICY,
            );
        }
        role
    }
}
