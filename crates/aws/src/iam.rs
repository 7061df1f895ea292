//! IAM policy statements as typed values, lowered to `aws_iam_policy_document` data sources so
//! no policy JSON is ever written by hand.

use stacksmith_core::terraform::{Map, Value};
use stacksmith_core::{
    Edge, EdgeKind, End, Facts, Label, Lookup, Lowering, Path, Ref, tf, tf_name,
};

/// How a later root finds an IAM role by name (a workload reads its ARN for a service-account
/// annotation), and what it can read.
pub(crate) const ROLE_LOOKUP: Lookup = Lookup::by(
    "aws_iam_role",
    "name",
    "name",
    &[
        ("arn", "arn"),
        ("name", "name"),
        ("id", "id"),
        ("unique_id", "unique_id"),
    ],
);

/// What every `aws_iam_role` stacksmith creates is.
pub(crate) const ROLE: Facts = Facts::new()
    .security()
    .identity(&["name"])
    .found_by(&ROLE_LOOKUP);

/// Allow or deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Grants the actions.
    Allow,
    /// Denies the actions, overriding any allow.
    Deny,
}

/// Who a resource policy (trust policy, key policy) applies to.
#[derive(Clone, Debug, PartialEq)]
pub enum Principal {
    /// An AWS service, e.g. `eks.amazonaws.com`.
    Service(String),
    /// An AWS account or role ARN.
    Aws(Value),
    /// A web identity provider's ARN (an IAM OIDC provider, for `sts:AssumeRoleWithWebIdentity`).
    Federated(Value),
}

/// One IAM policy statement.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyStatement {
    sid: String,
    effect: Effect,
    actions: Vec<String>,
    resources: Vec<Value>,
    principals: Vec<Principal>,
    conditions: Vec<(String, Value, Vec<Value>)>,
}

/// Whether an IAM action only reads.
fn reads(action: &str) -> bool {
    let verb = action.split(':').nth(1).unwrap_or(action);
    [
        "Get",
        "List",
        "Describe",
        "Head",
        "Decrypt",
        "Query",
        "Scan",
        "Select",
        "BatchGet",
        "BatchCheck",
        "Connect",
        "ReadData",
        "Receive",
    ]
    .iter()
    .any(|p| verb.starts_with(p))
}

impl PolicyStatement {
    /// The grants the diagram draws from the construct whose policy holds this statement to
    /// the constructs owning the resources it names: one per resource and action, joined per
    /// pair of boxes into `IAM s3 write, kms read` (the key a store is encrypted with goes
    /// without saying beside the store). Trust statements and denials grant nothing.
    fn draw(&self, cx: &mut Lowering<'_>) {
        if self.effect == Effect::Deny
            || self.actions.iter().any(|a| a.starts_with("sts:AssumeRole"))
        {
            return;
        }
        let mut refs = Vec::new();
        for r in &self.resources {
            r.refs(&mut refs);
        }
        let from = End::Construct(cx.path().clone());
        for r in &refs {
            for a in &self.actions {
                let service = a.split(':').next().unwrap_or(a);
                cx.edge(Edge::new(
                    from.clone(),
                    End::Owner(r.address().clone()),
                    EdgeKind::Grant,
                    Label::Access {
                        via: "IAM",
                        service: service.to_owned(),
                        read: reads(a),
                        incidental: service == "kms",
                    },
                ));
            }
        }
    }

    /// An `Allow` statement for `actions`.
    pub fn allow<'a>(sid: &str, actions: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            sid: sid.to_owned(),
            effect: Effect::Allow,
            actions: actions.into_iter().map(str::to_owned).collect(),
            resources: Vec::new(),
            principals: Vec::new(),
            conditions: Vec::new(),
        }
    }

    /// A `Deny` statement for `actions`.
    pub fn deny<'a>(sid: &str, actions: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            effect: Effect::Deny,
            ..Self::allow(sid, actions)
        }
    }

    /// Adds a resource (an ARN reference, template or literal).
    #[must_use]
    pub fn resource(mut self, r: impl Into<Value>) -> Self {
        self.resources.push(r.into());
        self
    }

    /// Adds a principal.
    #[must_use]
    pub fn principal(mut self, p: Principal) -> Self {
        self.principals.push(p);
        self
    }

    /// Adds a condition, e.g. `("StringEquals", "aws:SourceAccount", [account])`. The variable
    /// is usually a literal key; a [`Template`](stacksmith_core::Template) builds one that
    /// holds a reference (an OIDC provider's `<issuer>:sub`).
    #[must_use]
    pub fn condition(mut self, test: &str, variable: impl Into<Value>, values: Vec<Value>) -> Self {
        self.conditions
            .push((test.to_owned(), variable.into(), values));
        self
    }

    fn to_block(&self) -> Map {
        let mut m = tf! {
            "sid" => self.sid.as_str(),
            "effect" => match self.effect { Effect::Allow => "Allow", Effect::Deny => "Deny" },
            "actions" => self.actions.iter().map(String::as_str).collect::<Vec<_>>(),
        };
        if !self.resources.is_empty() {
            m.insert("resources".into(), Value::List(self.resources.clone()));
        }
        if !self.principals.is_empty() {
            let ps: Vec<Value> = self
                .principals
                .iter()
                .map(|p| {
                    Value::Map(match p {
                        Principal::Service(s) => {
                            tf! { "type" => "Service", "identifiers" => vec![s.as_str()] }
                        }
                        Principal::Aws(v) => {
                            tf! { "type" => "AWS", "identifiers" => Value::List(vec![v.clone()]) }
                        }
                        Principal::Federated(v) => {
                            tf! { "type" => "Federated", "identifiers" => Value::List(vec![v.clone()]) }
                        }
                    })
                })
                .collect();
            m.insert("principals".into(), Value::List(ps));
        }
        if !self.conditions.is_empty() {
            let cs: Vec<Value> = self
                .conditions
                .iter()
                .map(|(t, var, vals)| {
                    Value::Map(tf! { "test" => t.as_str(), "variable" => var.clone(), "values" => Value::List(vals.clone()) })
                })
                .collect();
            m.insert("condition".into(), Value::List(cs));
        }
        m
    }
}

/// Lowers statements into an `aws_iam_policy_document` data source for `part` of the current
/// construct and returns a reference to its JSON.
pub(crate) fn policy_document(
    cx: &mut Lowering<'_>,
    part: &str,
    statements: &[PolicyStatement],
) -> Ref {
    let blocks: Vec<Value> = statements
        .iter()
        .map(|s| Value::Map(s.to_block()))
        .collect();
    for s in statements {
        s.draw(cx);
    }
    cx.data_with(
        "aws_iam_policy_document",
        part,
        tf! { "statement" => Value::List(blocks) },
        crate::common::IAM,
    )
    .attr("json")
}

/// `prod/db_backups` → `DbBackups`: an IAM `Sid` prefix (alphanumeric only).
pub(crate) fn sid_prefix(path: &Path) -> String {
    tf_name(path, "")
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect::<String>()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}
