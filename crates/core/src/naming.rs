//! Names derived from construct paths, checked against each target's rules (length and
//! characters), so a name that AWS or Kubernetes would reject is a diagnostic, not an apply error.

use sha2::{Digest, Sha256};

/// A target's naming rule: which characters, how long, how it must start and end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameRule {
    /// What is being named, for messages: "ElastiCache replication group id".
    pub what: &'static str,
    /// Maximum length in characters.
    pub max_len: usize,
    /// Only lowercase letters allowed.
    pub lowercase: bool,
    /// Extra characters allowed beside letters and digits.
    pub extra: &'static str,
    /// Must start with a letter.
    pub start_letter: bool,
}

impl NameRule {
    /// A DNS-1123 label (Kubernetes names of Services, Namespaces...): 63, `a-z0-9-`.
    pub const DNS_LABEL: NameRule = NameRule {
        what: "Kubernetes DNS-1123 label",
        max_len: 63,
        lowercase: true,
        extra: "-",
        start_letter: false,
    };
    /// A DNS-1123 subdomain (most Kubernetes object names): 253, `a-z0-9-.`.
    pub const DNS_SUBDOMAIN: NameRule = NameRule {
        what: "Kubernetes DNS-1123 subdomain",
        max_len: 253,
        lowercase: true,
        extra: "-.",
        start_letter: false,
    };

    /// Checks a name; the error says what is wrong in words fit for a diagnostic.
    pub fn check(&self, name: &str) -> Result<(), String> {
        let what = self.what;
        if name.is_empty() {
            return Err(format!("the {what} is empty"));
        }
        if name.len() > self.max_len {
            return Err(format!(
                "the {what} `{name}` is {} characters long; at most {} are allowed",
                name.len(),
                self.max_len
            ));
        }
        let ok = |c: char| {
            (c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || (!self.lowercase && c.is_ascii_uppercase()))
                || self.extra.contains(c)
        };
        if let Some(bad) = name.chars().find(|c| !ok(*c)) {
            let case = if self.lowercase { "lowercase " } else { "" };
            return Err(format!(
                "the {what} `{name}` contains `{bad}`; only {case}letters, digits and `{}` are allowed",
                self.extra
            ));
        }
        let first = name.chars().next().unwrap_or('a');
        if self.start_letter && !first.is_ascii_alphabetic() {
            return Err(format!("the {what} `{name}` must start with a letter"));
        }
        if !first.is_ascii_alphanumeric() || !name.ends_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(format!(
                "the {what} `{name}` must start and end with a letter or digit"
            ));
        }
        if self.extra.contains('-') && name.contains("--") && self.start_letter {
            return Err(format!(
                "the {what} `{name}` must not contain two hyphens in a row"
            ));
        }
        Ok(())
    }
}

/// `text` in kebab-case (`prod-metadata-db`), as [`heck::ToKebabCase`] writes it.
pub fn kebab_case(text: &str) -> String {
    case_words(text, '-').unwrap_or_else(|| heck::ToKebabCase::to_kebab_case(text))
}

/// `text` in snake_case (`metadata_db_subnet_group`), as [`heck::ToSnakeCase`] writes it.
pub fn snake_case(text: &str) -> String {
    case_words(text, '_').unwrap_or_else(|| heck::ToSnakeCase::to_snake_case(text))
}

/// The common case of [`kebab_case`] and [`snake_case`] without heck's general word
/// splitting: ASCII text without capitals (names derived from construct paths), whose words
/// are its runs of letters and digits, joined by `sep`. `None` for other text.
fn case_words(text: &str, sep: char) -> Option<String> {
    case_join([text], sep)
}

/// [`case_words`] of `pieces` joined by any separator (`-`, `_`, `/`): the same words, without
/// joining them first.
pub(crate) fn case_join<'a, I>(pieces: I, sep: char) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
    I::IntoIter: Clone,
{
    let pieces = pieces.into_iter();
    if pieces
        .clone()
        .any(|p| !p.is_ascii() || p.bytes().any(|b| b.is_ascii_uppercase()))
    {
        return None;
    }
    let mut out = String::with_capacity(pieces.clone().map(|p| p.len().saturating_add(1)).sum());
    for word in pieces
        .flat_map(|p| p.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(sep);
        }
        out.push_str(word);
    }
    Some(out)
}

/// The first 8 hex digits of the SHA-256 of `text`: a stable suffix for shortened names.
pub fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// The candidate closest to `word` by edit distance (ASCII case ignored), if one is close
/// enough to be a likely typo: at most a third of the word's length away. Hints use it to
/// suggest a valid value ("did you mean `us-east-1`?").
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance between `a` and `b`, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // `previous[j]`: the distance between the characters of `a` read so far and `b[..j]`.
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut row = Vec::with_capacity(previous.len());
        row.push(i.saturating_add(1));
        for ((cb, diagonal), above) in b.iter().zip(&previous).zip(previous.iter().skip(1)) {
            let left = row.last().copied().unwrap_or_default();
            row.push(
                above
                    .saturating_add(1)
                    .min(left.saturating_add(1))
                    .min(diagonal.saturating_add(usize::from(ca != *cb))),
            );
        }
        previous = row;
    }
    previous.last().copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_suggests_a_likely_typo_only() {
        let regions = ["us-east-1", "us-east-2", "eu-west-1"];
        assert_eq!(closest("us-east1", regions), Some("us-east-1"));
        assert_eq!(closest("US-EAST-2", regions), Some("us-east-2"));
        assert_eq!(closest("ap-south-7", regions), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    const RG: NameRule = NameRule {
        what: "replication group id",
        max_len: 40,
        lowercase: true,
        extra: "-",
        start_letter: true,
    };

    #[test]
    fn rules_check_length_charset_and_start() {
        assert!(RG.check("prod-cache").is_ok());
        assert!(RG.check(&"a".repeat(41)).is_err());
        assert!(RG.check("Prod").is_err());
        assert!(RG.check("1prod").is_err());
        assert!(RG.check("prod-").is_err());
        assert!(RG.check("prod--cache").is_err());
        assert!(NameRule::DNS_LABEL.check("0abc").is_ok());
    }

    #[test]
    fn cases_are_heck_s() {
        use heck::{ToKebabCase, ToSnakeCase};
        let words = [
            "",
            "prod",
            "metadataDb",
            "private-a",
            "a--b",
            "-lead",
            "trail_",
            "svc0-config",
            "HTTPServer",
            "db.v2",
            "x y",
            "Ärger-ß",
            "a__b-c",
            "9lives",
            "k8s_One",
            "ΣΑΣ",
        ];
        for a in words {
            for b in words {
                let text = format!("{a}-{b}");
                for t in [a, text.as_str()] {
                    assert_eq!(kebab_case(t), t.to_kebab_case(), "{t:?}");
                    assert_eq!(snake_case(t), t.to_snake_case(), "{t:?}");
                }
            }
        }
    }

    #[test]
    fn short_hash_is_stable() {
        assert_eq!(short_hash("prod/api"), short_hash("prod/api"));
        assert_eq!(short_hash("x").len(), 8);
    }
}
