//! EC2 instance types a node group may name (SS0172): a known family, a `.`, and a size.
//!
//! Source: Amazon EC2 instance types, <https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-types.html>
//! (current and previous generation families, as of December 2026). Sizes follow the pattern
//! every family uses (`nano`, `micro`, `small`, `medium`, `large`, `xlarge`, `<n>xlarge`,
//! `metal`, `metal-<n>xl`); not every family offers every size, which EC2 reports at apply.

use stacksmith_core::closest;

/// Every instance family, sorted.
pub(crate) const FAMILIES: &[&str] = &[
    "a1",
    "c1",
    "c3",
    "c4",
    "c5",
    "c5a",
    "c5ad",
    "c5d",
    "c5n",
    "c6a",
    "c6g",
    "c6gd",
    "c6gn",
    "c6i",
    "c6id",
    "c6in",
    "c7a",
    "c7g",
    "c7gd",
    "c7gn",
    "c7i",
    "c7i-flex",
    "c8a",
    "c8g",
    "c8gd",
    "c8gn",
    "c8i",
    "c8i-flex",
    "d2",
    "d3",
    "d3en",
    "dl1",
    "dl2q",
    "f1",
    "f2",
    "g3",
    "g3s",
    "g4ad",
    "g4dn",
    "g5",
    "g5g",
    "g6",
    "g6e",
    "g6f",
    "gr6",
    "gr6f",
    "h1",
    "hpc6a",
    "hpc6id",
    "hpc7a",
    "hpc7g",
    "i2",
    "i3",
    "i3en",
    "i4g",
    "i4i",
    "i7i",
    "i7ie",
    "i8g",
    "i8ge",
    "im4gn",
    "inf1",
    "inf2",
    "is4gen",
    "m1",
    "m2",
    "m3",
    "m4",
    "m5",
    "m5a",
    "m5ad",
    "m5d",
    "m5dn",
    "m5n",
    "m5zn",
    "m6a",
    "m6g",
    "m6gd",
    "m6i",
    "m6id",
    "m6idn",
    "m6in",
    "m7a",
    "m7g",
    "m7gd",
    "m7i",
    "m7i-flex",
    "m8a",
    "m8g",
    "m8gd",
    "m8i",
    "m8i-flex",
    "mac1",
    "mac2",
    "mac2-m1ultra",
    "mac2-m2",
    "mac2-m2pro",
    "p2",
    "p3",
    "p3dn",
    "p4d",
    "p4de",
    "p5",
    "p5e",
    "p5en",
    "p6-b200",
    "r3",
    "r4",
    "r5",
    "r5a",
    "r5ad",
    "r5b",
    "r5d",
    "r5dn",
    "r5n",
    "r6a",
    "r6g",
    "r6gd",
    "r6i",
    "r6id",
    "r6idn",
    "r6in",
    "r7a",
    "r7g",
    "r7gd",
    "r7i",
    "r7iz",
    "r8a",
    "r8g",
    "r8gd",
    "r8i",
    "r8i-flex",
    "t1",
    "t2",
    "t3",
    "t3a",
    "t4g",
    "trn1",
    "trn1n",
    "trn2",
    "u-3tb1",
    "u-6tb1",
    "u-9tb1",
    "u-12tb1",
    "u-18tb1",
    "u-24tb1",
    "u7i-6tb",
    "u7i-8tb",
    "u7i-12tb",
    "u7in-16tb",
    "u7in-24tb",
    "u7in-32tb",
    "vt1",
    "x1",
    "x1e",
    "x2gd",
    "x2idn",
    "x2iedn",
    "x2iezn",
    "x8g",
    "z1d",
];

/// Sizes without a multiplier.
const SIZES: &[&str] = &[
    "nano", "micro", "small", "medium", "large", "xlarge", "metal",
];

/// Whether `size` is a size some family offers: one of [`SIZES`], `<n>xlarge` or `metal-<n>xl`.
fn is_size(size: &str) -> bool {
    let multiplied = |s: Option<&str>| {
        s.is_some_and(|n| {
            !n.is_empty() && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit())
        })
    };
    SIZES.contains(&size)
        || multiplied(size.strip_suffix("xlarge"))
        || multiplied(
            size.strip_prefix("metal-")
                .and_then(|s| s.strip_suffix("xl")),
        )
}

/// `None` when `name` is an instance type of a known family; else what is wrong and, when a
/// known type is near, a suggestion.
pub(crate) fn instance_type_problem(name: &str) -> Option<String> {
    let Some((family, size)) = name.split_once('.') else {
        return Some(format!(
            "`{name}` is not an EC2 instance type, which is a family, a `.` and a size (`m6i.large`)"
        ));
    };
    let family_ok = FAMILIES.contains(&family);
    let size_ok = is_size(size);
    if family_ok && size_ok {
        return None;
    }
    let near_family = if family_ok {
        Some(family)
    } else {
        closest(family, FAMILIES.iter().copied())
    };
    let near_size = if size_ok {
        Some(size)
    } else {
        closest(size, SIZES.iter().copied())
    };
    let what = if family_ok {
        format!("`{size}` is not an instance size (`large`, `xlarge`, `2xlarge`, … `metal`)")
    } else {
        format!("`{family}` is not an EC2 instance family")
    };
    Some(match (near_family, near_size) {
        (Some(f), Some(s)) => format!("{what}; did you mean `{f}.{s}`?"),
        _ => what,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_unique() {
        let mut sorted = FAMILIES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), FAMILIES.len());
    }

    #[test]
    fn known_types_pass_and_typos_get_a_suggestion() {
        for ok in [
            "m6i.large",
            "t3.medium",
            "c7i-flex.2xlarge",
            "m7g.metal",
            "c6i.metal-24xl",
            "p6-b200.48xlarge",
        ] {
            assert_eq!(instance_type_problem(ok), None, "{ok}");
        }
        assert!(instance_type_problem("m6i.larg").is_some_and(|p| p.contains("`m6i.large`")));
        assert!(instance_type_problem("m6x.large").is_some_and(|p| p.contains("did you mean")));
        assert!(instance_type_problem("m6i.02xlarge").is_some());
        assert!(instance_type_problem("large").is_some());
    }
}
