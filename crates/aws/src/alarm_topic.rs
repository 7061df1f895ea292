//! `AlarmTopic`: an encrypted SNS topic CloudWatch alarms publish to, with the people and
//! endpoints subscribed to it.

use stacksmith_core::{
    Address, Construct, Facts, Lower, Lowering, NameRule, Path, Ref, Scope, tf, tf_name,
};

use crate::common::{self, name_tag};
use crate::iam::{PolicyStatement, Principal, policy_document};

/// SNS topic names: 1–256 letters, digits, `-` and `_`.
const TOPIC_NAME: NameRule = NameRule {
    what: "SNS topic name",
    max_len: 256,
    lowercase: false,
    extra: "-_",
    start_letter: false,
};

/// A topic is known by its name; a new key re-encrypts, it does not replace. The `cluster/`
/// root finds it by name (Alertmanager publishes to it).
const TOPIC: Facts = Facts::new()
    .identity(&["name", "name_prefix"])
    .found_by(&TOPIC_LOOKUP);
const TOPIC_LOOKUP: stacksmith_core::Lookup =
    stacksmith_core::Lookup::by("aws_sns_topic", "name", "name", &[("arn", "arn")]);
/// Who may publish: security-relevant.
const TOPIC_POLICY: Facts = Facts::new().security();
/// Who is told.
const SUBSCRIPTION: Facts = Facts::new();

/// Where an alarm notification is delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Subscriber {
    Email(String),
    Https(String),
}

/// An Amazon SNS topic for alarm notifications: CloudWatch alarms of the stack publish to it,
/// and its subscribers (an on-call address, a paging service's HTTPS endpoint) receive them.
///
/// Creates: a KMS key (rotation on) that CloudWatch may use to publish, `aws_sns_topic`
/// encrypted with it, `aws_sns_topic_policy` letting CloudWatch alarms of this account publish,
/// and one `aws_sns_topic_subscription` per subscriber.
///
/// Defaults: no subscribers (a warning: nobody is told). Email subscriptions must be confirmed
/// from the message AWS sends.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::AlarmTopic;
/// let mut stack = Stack::new("prod", "us-east-1");
/// let topic = stack.add(AlarmTopic::new("alerts").email("oncall@example.com"));
/// ```
#[derive(Clone, Debug)]
pub struct AlarmTopic {
    id: String,
    subscribers: Vec<Subscriber>,
}

/// A handle to an [`AlarmTopic`]: its ARN (an alarm action).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlarmTopicRef {
    path: Path,
    stack: String,
}

impl AlarmTopic {
    /// A topic named after the construct path (`prod-alerts`).
    pub fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            subscribers: Vec::new(),
        }
    }

    /// Sends each notification to an email address (confirmed once by its owner).
    #[must_use]
    pub fn email(mut self, address: &str) -> Self {
        self.subscribers
            .push(Subscriber::Email(address.trim().to_owned()));
        self
    }

    /// Posts each notification to an HTTPS endpoint (a paging service's integration URL).
    #[must_use]
    pub fn https(mut self, url: &str) -> Self {
        self.subscribers
            .push(Subscriber::Https(url.trim().to_owned()));
        self
    }

    fn validate(&self, cx: &mut Lowering<'_>) {
        for s in &self.subscribers {
            match s {
                Subscriber::Email(a) => {
                    let ok = a.split_once('@').is_some_and(|(user, host)| {
                        !user.is_empty() && host.contains('.') && !a.contains(char::is_whitespace)
                    });
                    if !ok {
                        cx.error(
                            "SS0620",
                            format!("`{a}` is not an email address"),
                            "subscribe an address such as `oncall@example.com`",
                        );
                    }
                }
                Subscriber::Https(u) => {
                    if !u.starts_with("https://") || u.len() <= "https://".len() {
                        cx.error(
                            "SS0620",
                            format!(
                                "`{u}` is not an HTTPS URL; notifications are only sent over HTTPS"
                            ),
                            "subscribe the integration's `https://` URL",
                        );
                    }
                }
            }
        }
        if self.subscribers.is_empty() {
            cx.warning(
                "SS0621",
                "the alarm topic has no subscribers, so nobody is told when an alarm fires",
                "add `.email(\"oncall@example.com\")` or `.https(..)` with the paging service's endpoint",
            );
        }
    }
}

impl AlarmTopicRef {
    /// The topic's ARN.
    pub fn arn(&self) -> Ref {
        Address::resource(&self.stack, "aws_sns_topic", &tf_name(&self.path, "")).attr("arn")
    }

    /// The ARN of the KMS key the topic is encrypted with (a publisher needs
    /// `kms:GenerateDataKey*` and `kms:Decrypt` on it).
    pub fn key_arn(&self) -> Ref {
        Address::resource(&self.stack, "aws_kms_key", &tf_name(&self.path, "key")).attr("arn")
    }

    /// The statements that let an identity publish to the topic: `sns:Publish` on it, and the
    /// key use encryption needs.
    pub fn publish_statements(&self) -> Vec<PolicyStatement> {
        vec![
            PolicyStatement::allow("PublishAlarms", ["sns:Publish"]).resource(self.arn()),
            PolicyStatement::allow("EncryptAlarms", ["kms:Decrypt", "kms:GenerateDataKey*"])
                .resource(self.key_arn()),
        ]
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Construct for AlarmTopic {
    type Handle = AlarmTopicRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> AlarmTopicRef {
        AlarmTopicRef {
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
        }
    }
}

impl Lower for AlarmTopic {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let name = cx.name("");
        cx.check_name(&TOPIC_NAME, &name, "topic name");
        self.validate(cx);
        let account = common::account_id(cx);
        let cloudwatch_uses_key = PolicyStatement::allow(
            "CloudWatchAlarmsPublish",
            ["kms:Decrypt", "kms:GenerateDataKey*"],
        )
        .principal(Principal::Service("cloudwatch.amazonaws.com".into()))
        .resource("*")
        .condition(
            "StringEquals",
            "aws:SourceAccount",
            vec![account.clone().into()],
        );
        let key = common::kms_key(
            cx,
            "key",
            &format!("Encrypts the {name} alarm notifications"),
            &[cloudwatch_uses_key],
        );
        let topic = cx.add_with(
            "aws_sns_topic",
            "",
            tf! {
                "name" => name.as_str(),
                "display_name" => format!("{name} alarms"),
                "kms_master_key_id" => key.attr::<String>("arn"),
                "tags" => name_tag(&name),
            },
            TOPIC,
        );
        let topic_arn: Ref = topic.attr("arn");
        let policy = policy_document(
            cx,
            "policy",
            &[
                PolicyStatement::allow("CloudWatchAlarmsPublish", ["sns:Publish"])
                    .principal(Principal::Service("cloudwatch.amazonaws.com".into()))
                    .resource(&topic_arn)
                    .condition("StringEquals", "aws:SourceAccount", vec![account.into()]),
            ],
        );
        cx.add_with(
            "aws_sns_topic_policy",
            "policy",
            tf! { "arn" => &topic_arn, "policy" => policy },
            TOPIC_POLICY,
        );
        for (i, s) in self.subscribers.iter().enumerate() {
            let (protocol, endpoint) = match s {
                Subscriber::Email(a) => ("email", a),
                Subscriber::Https(u) => ("https", u),
            };
            cx.add_with(
                "aws_sns_topic_subscription",
                &format!("{protocol}-{}", i.saturating_add(1)),
                tf! { "topic_arn" => &topic_arn, "protocol" => protocol, "endpoint" => endpoint.as_str() },
                SUBSCRIPTION,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stacksmith_core::Stack;

    #[test]
    fn the_topic_is_encrypted_and_cloudwatch_may_publish() {
        let mut stack = Stack::new("prod", "us-east-1");
        let topic = stack.add(AlarmTopic::new("alerts").email("oncall@example.com"));
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let all = serde_json::to_string(
            &g.resources
                .iter()
                .chain(&g.data)
                .map(|r| &r.body)
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default();
        assert!(
            all.contains(r#""kms_master_key_id":"${aws_kms_key.alerts_key.arn}""#),
            "{all}"
        );
        assert!(all.contains("cloudwatch.amazonaws.com"), "{all}");
        assert!(
            all.contains(r#""protocol":"email","endpoint":"oncall@example.com""#),
            "{all}"
        );
        assert_eq!(topic.arn().expression(), "aws_sns_topic.alerts.arn");
    }

    #[test]
    fn fails_bad_subscribers() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(
            AlarmTopic::new("alerts")
                .email("oncall")
                .https("http://pager.example.com/x"),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }

    #[test]
    fn fails_no_subscribers() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(AlarmTopic::new("alerts"));
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
