//! `CostBudget`: an AWS Budgets monthly cost budget with alerts at thresholds of actual and
//! forecast spend.

use stacksmith_core::terraform::Value;
use stacksmith_core::{Construct, Facts, Lower, Lowering, NameRule, Path, Scope, tf};

use crate::common::{self, name_tag};

/// CostBudget names: up to 100 characters, no `:` or `\`.
const BUDGET_NAME: NameRule = NameRule {
    what: "budget name",
    max_len: 100,
    lowercase: false,
    extra: "-_",
    start_letter: false,
};

/// A budget is known by its name.
const BUDGET: Facts = Facts::new().identity(&["name", "name_prefix"]);

/// A monthly AWS cost budget: emails its recipients when actual spend passes each alert
/// threshold, and when forecast spend for the month will pass 100%.
///
/// Creates: `aws_budgets_budget` (type `COST`, monthly, USD), one notification per threshold.
///
/// Defaults: alerts at 80% and 100% of actual spend and at 100% of forecast spend; the whole
/// account's costs unless `.only_tagged(..)` narrows them to a cost allocation tag (which must
/// be activated in the Billing console before it filters).
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::CostBudget;
/// let mut stack = Stack::new("prod", "us-east-1");
/// stack.add(CostBudget::monthly_usd("budget", 5000).only_tagged("project", "kgas").email("finance@example.com"));
/// ```
#[derive(Clone, Debug)]
pub struct CostBudget {
    id: String,
    limit_usd: u32,
    actual: Vec<u32>,
    forecast: Vec<u32>,
    tag: Option<(String, String)>,
    emails: Vec<String>,
}

/// A handle to a [`CostBudget`].
#[derive(Clone, Debug)]
pub struct CostBudgetRef {
    path: Path,
}

impl CostBudgetRef {
    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl CostBudget {
    /// A monthly cost budget of `limit_usd` US dollars.
    pub fn monthly_usd(id: &str, limit_usd: u32) -> Self {
        Self {
            id: id.to_owned(),
            limit_usd,
            actual: vec![80, 100],
            forecast: vec![100],
            tag: None,
            emails: Vec::new(),
        }
    }

    /// Alerts when actual spend passes these percentages of the limit (1–1000 each).
    /// Default: 80 and 100.
    #[must_use]
    pub fn alert_at_percent(mut self, percents: impl IntoIterator<Item = u32>) -> Self {
        self.actual = percents.into_iter().collect();
        self
    }

    /// Alerts when the month's forecast spend will pass these percentages (1–1000 each).
    /// Default: 100.
    #[must_use]
    pub fn forecast_alert_at_percent(mut self, percents: impl IntoIterator<Item = u32>) -> Self {
        self.forecast = percents.into_iter().collect();
        self
    }

    /// Counts only costs tagged `key = value` (a cost allocation tag such as the stack's
    /// `project` tag). Default: the whole account.
    #[must_use]
    pub fn only_tagged(mut self, key: &str, value: &str) -> Self {
        self.tag = Some((key.to_owned(), value.to_owned()));
        self
    }

    /// Sends alerts to this address (up to 10). Required.
    #[must_use]
    pub fn email(mut self, address: &str) -> Self {
        self.emails.push(address.trim().to_owned());
        self
    }

    fn validate(&self, cx: &mut Lowering<'_>) {
        if self.limit_usd == 0 {
            cx.error(
                "SS0640",
                "the budget's limit is 0 USD, so every alert fires at once",
                "set the monthly spend you expect, such as `CostBudget::monthly_usd(\"budget\", 5000)`",
            );
        }
        for p in self.actual.iter().chain(&self.forecast) {
            if !(1..=1000).contains(p) {
                cx.error(
                    "SS0640",
                    format!("the alert threshold {p}% is outside 1 to 1000%"),
                    "alert at 80 and 100 percent of the limit",
                );
            }
        }
        if self.actual.is_empty() && self.forecast.is_empty() {
            cx.error(
                "SS0640",
                "the budget has no alert thresholds, so it never tells anyone",
                "keep the default thresholds (80% and 100% actual, 100% forecast)",
            );
        }
        let bad: Vec<&String> = self
            .emails
            .iter()
            .filter(|a| {
                !a.split_once('@')
                    .is_some_and(|(u, h)| !u.is_empty() && h.contains('.'))
            })
            .collect();
        for a in bad {
            cx.error(
                "SS0640",
                format!("`{a}` is not an email address"),
                "send alerts to an address such as `finance@example.com`",
            );
        }
        if self.emails.is_empty() || self.emails.len() > 10 {
            cx.error(
                "SS0640",
                format!(
                    "the budget sends alerts to {} addresses; AWS Budgets takes 1 to 10",
                    self.emails.len()
                ),
                "add `.email(\"finance@example.com\")`",
            );
        }
    }
}

impl Construct for CostBudget {
    type Handle = CostBudgetRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> CostBudgetRef {
        CostBudgetRef {
            path: scope.path.clone(),
        }
    }
}

impl Lower for CostBudget {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let name = cx.name("");
        cx.check_name(&BUDGET_NAME, &name, "budget name");
        self.validate(cx);
        let emails: Vec<Value> = self.emails.iter().map(Value::from).collect();
        let notify = |kind: &str, percent: u32| {
            Value::Map(tf! {
                "comparison_operator" => "GREATER_THAN",
                "notification_type" => kind,
                "threshold" => percent,
                "threshold_type" => "PERCENTAGE",
                "subscriber_email_addresses" => Value::List(emails.clone()),
            })
        };
        let notifications: Vec<Value> = self
            .actual
            .iter()
            .map(|p| notify("ACTUAL", *p))
            .chain(self.forecast.iter().map(|p| notify("FORECASTED", *p)))
            .collect();
        let mut body = tf! {
            "name" => name.as_str(),
            "budget_type" => "COST",
            "time_unit" => "MONTHLY",
            "limit_amount" => format!("{}.0", self.limit_usd),
            "limit_unit" => "USD",
            "notification" => Value::List(notifications),
            "tags" => name_tag(&name),
        };
        if let Some((k, v)) = &self.tag {
            body.insert(
                "cost_filter".into(),
                Value::List(vec![Value::Map(tf! {
                    "name" => "TagKeyValue",
                    "values" => vec![format!("user:{k}${v}")],
                })]),
            );
        }
        cx.add_with("aws_budgets_budget", "", body, BUDGET);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stacksmith_core::Stack;

    #[test]
    fn alerts_on_actual_and_forecast_spend_for_the_tagged_costs() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(
            CostBudget::monthly_usd("budget", 5000)
                .only_tagged("project", "kgas")
                .email("finance@example.com"),
        );
        let g = stack.lower();
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let b = serde_json::to_string(&g.resources.first().map(|r| &r.body)).unwrap_or_default();
        for part in [
            r#""limit_amount":"5000.0""#,
            r#""notification_type":"ACTUAL","threshold":80"#,
            r#""notification_type":"FORECASTED","threshold":100"#,
            r#""values":["user:project$kgas"]"#,
        ] {
            assert!(b.contains(part), "{part} in {b}");
        }
    }

    #[test]
    fn fails_zero_limit_bad_thresholds_and_no_recipients() {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(
            CostBudget::monthly_usd("budget", 0)
                .alert_at_percent([0, 2000])
                .email("finance"),
        );
        insta::assert_snapshot!(stack.lower().diagnostics.to_string());
    }
}
