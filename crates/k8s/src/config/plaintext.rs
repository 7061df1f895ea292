//! Telling a secret written in plain text from configuration. A literal env var named like a
//! credential (`DB_PASSWORD`, `API_KEY`), a ConfigMap key named like one, or a value shaped like
//! a key or token (a PEM private key, an AWS access key id, a well-known token prefix, a URL
//! with a password) ends up readable by anyone who can read the Deployment or the ConfigMap,
//! and in every copy of the manifests: synth warns (SS0490, SS0491) with the typed
//! alternative. A name is judged by its last part(s), so `SECRET_NAME` or `TOKEN_URL` (which
//! name a secret or where to get one) are not warned.

/// Last parts of a name that mean the value is a credential.
const SECRET_WORDS: [&str; 8] = [
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "credential",
    "credentials",
];

/// Last two parts of a name that mean the value is a credential (`API_KEY`, `private-key`).
const SECRET_PAIRS: [(&str, &str); 7] = [
    ("api", "key"),
    ("private", "key"),
    ("access", "key"),
    ("secret", "key"),
    ("signing", "key"),
    ("encryption", "key"),
    ("client", "secret"),
];

/// Prefixes of tokens issued by well-known services (GitHub, GitLab, Slack, Stripe).
const TOKEN_PREFIXES: [&str; 7] = [
    "ghp_",
    "gho_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "sk_live_",
];

/// Whether `name` (an env var or a ConfigMap key) names a credential.
pub(crate) fn names_a_secret(name: &str) -> bool {
    let parts: Vec<String> = name
        .split(['_', '-', '.'])
        .filter(|p| !p.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let last = parts.last().map(String::as_str);
    if last.is_some_and(|l| SECRET_WORDS.contains(&l)) {
        return true;
    }
    match parts.as_slice() {
        [.., a, b] => SECRET_PAIRS.contains(&(a.as_str(), b.as_str())),
        _ => false,
    }
}

/// What `value` looks like, if it looks like a key or token.
pub(crate) fn looks_like_a_secret(value: &str) -> Option<&'static str> {
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY-----") {
        return Some("a PEM private key");
    }
    if (value.starts_with("AKIA") || value.starts_with("ASIA"))
        && value.len() == 20
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Some("an AWS access key id");
    }
    if TOKEN_PREFIXES.iter().any(|p| value.starts_with(p)) && value.len() > 20 {
        return Some("an access token");
    }
    // `scheme://user:password@host`: a password in the authority part of a URL.
    if let Some((_, rest)) = value.split_once("://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && userinfo
                .split_once(':')
                .is_some_and(|(_, password)| !password.is_empty() && !env_reference(password))
        {
            return Some("a URL with a password in it");
        }
    }
    None
}

/// Whether `text` is only a Kubernetes dependent env var reference, `$(REDIS_AUTH_TOKEN)`:
/// the container reads the value from another env var (one from a Secret), not in plain text.
fn env_reference(text: &str) -> bool {
    text.strip_prefix("$(")
        .and_then(|t| t.strip_suffix(')'))
        .is_some_and(|name| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_credentials_are_told_from_names_about_them() {
        for name in [
            "DB_PASSWORD",
            "API_KEY",
            "api-key",
            "GITHUB_TOKEN",
            "client_secret",
            "password",
            "AWS_SECRET_ACCESS_KEY",
            "secret",
        ] {
            assert!(names_a_secret(name), "{name}");
        }
        for name in [
            "SECRET_NAME",
            "TOKEN_URL",
            "PASSWORD_MIN_LENGTH",
            "LOG_LEVEL",
            "KEY",
            "",
        ] {
            assert!(!names_a_secret(name), "{name}");
        }
    }

    #[test]
    fn values_shaped_like_keys_are_recognised() {
        assert_eq!(
            looks_like_a_secret("AKIAIOSFODNN7EXAMPLE"),
            Some("an AWS access key id")
        );
        assert_eq!(
            looks_like_a_secret("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"),
            Some("a PEM private key")
        );
        assert_eq!(
            looks_like_a_secret("postgres://app:hunter2@db:5432/app"),
            Some("a URL with a password in it")
        );
        assert_eq!(
            looks_like_a_secret("ghp_0123456789abcdefghijABCDEFGHIJ012345"),
            Some("an access token")
        );
        for value in [
            "production",
            "postgres://db:5432/app",
            "https://user@example.com/",
            "rediss://:$(REDIS_AUTH_TOKEN)@$(REDIS_HOST):6379",
            "AKIA",
            "10.0.0.0/16",
        ] {
            assert_eq!(looks_like_a_secret(value), None, "{value}");
        }
    }
}
