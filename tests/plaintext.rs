//! Plain-text secrets are caught (issue 16 item 6): a literal env var named like a credential,
//! a value shaped like a key or token, and a ConfigMap key named like a credential each give a
//! warning with the typed alternative; `Secret::with_values` stays a warned opt-in.

use stacksmith::prelude::*;

/// The diagnostics of a stack with one Deployment whose container `c` adjusts, plus `add`.
fn diagnostics(
    c: impl FnOnce(Container) -> Container,
    add: impl FnOnce(&mut Stack, &NamespaceRef),
) -> String {
    let mut stack = Stack::new("prod", "us-east-1");
    let ns = stack.add(Namespace::new("apps"));
    stack.add(Deployment::new(&ns, "api").container(c(Container::new("api", "example/api:1.0.0"))));
    add(&mut stack, &ns);
    stack.lower().diagnostics.to_string()
}

#[test]
fn a_literal_env_var_named_like_a_password_is_warned() {
    let text = diagnostics(|c| c.env("DB_PASSWORD", "hunter2"), |_, _| {});
    assert!(text.contains("warning[SS0490]"), "{text}");
    assert!(text.contains("env_from_secret"), "{text}");
    assert!(text.contains("prod/api"), "{text}");
}

#[test]
fn a_value_shaped_like_a_key_is_warned_whatever_its_name() {
    let text = diagnostics(
        |c| c.env("DATABASE_URL", "postgres://app:hunter2@db:5432/app"),
        |_, _| {},
    );
    assert!(text.contains("warning[SS0490]"), "{text}");
    assert!(text.contains("a URL with a password in it"), "{text}");
    let text = diagnostics(|c| c.env("AWS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"), |_, _| {});
    assert!(text.contains("an AWS access key id"), "{text}");
}

#[test]
fn configuration_is_not_warned() {
    let text = diagnostics(
        |c| {
            c.env("LOG_LEVEL", "INFO")
                .env("SECRET_NAME", "api-credentials")
                .env("DATABASE_URL", "postgres://db:5432/app")
        },
        |_, _| {},
    );
    assert!(!text.contains("SS0490"), "{text}");
}

#[test]
fn a_config_map_key_named_like_a_secret_is_warned() {
    let text = diagnostics(
        |c| c,
        |s, ns| {
            s.add(
                ConfigMap::new(ns, "settings")
                    .data("log_level", "info")
                    .data("api_key", "k-123"),
            );
        },
    );
    assert!(text.contains("warning[SS0491]"), "{text}");
    assert!(text.contains("`api_key`"), "{text}");
    assert!(!text.contains("`log_level`"), "{text}");
}
