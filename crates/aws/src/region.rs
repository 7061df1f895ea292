//! The AWS regions stacksmith knows, with their availability-zone counts where known: a stack's
//! region is checked against this table (SS0171) and a network's zones against its count (SS0105).
//!
//! Source: the AWS Regions list, <https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html>
//! (commercial, China and GovCloud partitions, as of December 2026). A region AWS opens later
//! is added here.

use stacksmith_core::{Diagnostic, Lowering, Path, closest};

/// Every region: its code, and its availability zones when counted here (AWS's published
/// figures; other regions are held to the network's own maximum).
pub(crate) const REGIONS: &[(&str, Option<u8>)] = &[
    ("af-south-1", None),
    ("ap-east-1", None),
    ("ap-east-2", None),
    ("ap-northeast-1", Some(4)),
    ("ap-northeast-2", Some(4)),
    ("ap-northeast-3", None),
    ("ap-south-1", Some(3)),
    ("ap-south-2", None),
    ("ap-southeast-1", Some(3)),
    ("ap-southeast-2", Some(3)),
    ("ap-southeast-3", None),
    ("ap-southeast-4", None),
    ("ap-southeast-5", None),
    ("ap-southeast-6", None),
    ("ap-southeast-7", None),
    ("ca-central-1", Some(3)),
    ("ca-west-1", None),
    ("cn-north-1", None),
    ("cn-northwest-1", None),
    ("eu-central-1", Some(3)),
    ("eu-central-2", None),
    ("eu-north-1", Some(3)),
    ("eu-south-1", Some(3)),
    ("eu-south-2", None),
    ("eu-west-1", Some(3)),
    ("eu-west-2", Some(3)),
    ("eu-west-3", Some(3)),
    ("il-central-1", None),
    ("me-central-1", None),
    ("me-south-1", None),
    ("mx-central-1", None),
    ("sa-east-1", Some(3)),
    ("us-east-1", Some(6)),
    ("us-east-2", Some(4)),
    ("us-gov-east-1", None),
    ("us-gov-west-1", None),
    ("us-west-1", Some(2)),
    ("us-west-2", Some(4)),
];

/// The availability zones of `region`, when counted here.
pub(crate) fn region_zones(region: &str) -> Option<u8> {
    REGIONS
        .iter()
        .find(|(r, _)| *r == region)
        .and_then(|(_, zones)| *zones)
}

/// Checks the stack's region against [`REGIONS`] (SS0171), once per stack: called before the
/// AWS provider is first required.
pub(crate) fn check_region(cx: &mut Lowering<'_>) {
    let region = cx.region().to_owned();
    if REGIONS.iter().any(|(r, _)| *r == region) {
        return;
    }
    let hint = match closest(&region, REGIONS.iter().map(|(r, _)| *r)) {
        Some(near) => format!(
            "did you mean `{near}`? Regions are written like `us-east-1` or `eu-central-1`"
        ),
        None => "use a region code such as `us-east-1` or `eu-central-1` (the AWS Regions list has them all)".to_owned(),
    };
    let stack = Path::root(cx.path().stack());
    cx.diag(
        Diagnostic::error(
            "SS0171",
            &stack,
            format!("stack region `{region}` is not an AWS region"),
        )
        .hint(hint),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_sorted_and_unique() {
        assert!(REGIONS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(region_zones("us-east-1"), Some(6));
        assert_eq!(region_zones("mx-central-1"), None);
    }
}
