//! `EcrRepository`: a private Amazon ECR repository the stack's workloads pull images from, with
//! scan on push, immutable tags, KMS encryption and a lifecycle policy; `repo.image("1.2.3")`
//! is a typed image reference that also carries the exact pull permission.

use stacksmith_core::{
    Address, Construct, Facts, Image, Lookup, Lower, Lowering, NameRule, Path, Ref, Scope,
    Template, Within, cloud_name, tf, tf_name,
};

use crate::common::{self, name_tag};
use crate::drawing::data_node;

/// ECR repository names: 2–256 lowercase letters, digits and `._-/`.
const REPOSITORY_NAME: NameRule = NameRule {
    what: "ECR repository name",
    max_len: 256,
    lowercase: true,
    extra: "._-/",
    start_letter: false,
};

/// How a later root finds a repository by name, and what it can read.
const REPOSITORY_LOOKUP: Lookup = Lookup::by(
    "aws_ecr_repository",
    "name",
    "name",
    &[("arn", "arn"), ("repository_url", "repository_url")],
);

/// An ECR repository: holds the images (destroying it loses them), known by its name; a new
/// encryption key replaces it.
const REPOSITORY: Facts = Facts::new()
    .stateful()
    .identity(&["name"])
    .replaced_on(&["encryption_configuration"])
    .found_by(&REPOSITORY_LOOKUP);

/// The lifecycle policy decides which images are deleted.
const LIFECYCLE: Facts = Facts::new();

/// Image tags: up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`.
fn tag_problem(tag: &str) -> Option<&'static str> {
    if tag.is_empty() {
        Some("is empty")
    } else if tag == "latest" {
        Some("names no version: `latest` moves under you")
    } else if tag.len() > 128 {
        Some("is longer than 128 characters")
    } else if tag.starts_with(['.', '-'])
        || !tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
    {
        Some("holds characters a tag cannot (letters, digits, `_`, `.`, `-`; not first `.` or `-`)")
    } else {
        None
    }
}

/// A private Amazon ECR repository: where the stack's container images are pushed by CI and
/// pulled by its tasks and nodes.
///
/// Creates: a KMS key (rotation on) and `aws_ecr_repository` encrypted with it, and an
/// `aws_ecr_lifecycle_policy`.
///
/// Defaults: tags immutable (a pushed `1.2.3` is always the same image; `.mutable_tags()` turns
/// this off, with a warning); every image scanned for vulnerabilities on push; encrypted with
/// the repository's own customer-managed key; the repository is not deleted while it holds
/// images; untagged images expire after 14 days and only the 100 newest tagged images are
/// kept.
///
/// ```no_run
/// use stacksmith_core::Stack;
/// use stacksmith_aws::{EcrRepository, EcsCluster, EcsService, Network};
/// let mut stack = Stack::new("prod", "us-east-1");
/// let network = stack.add(Network::new("network", "10.0.0.0/16"));
/// let cluster = stack.add(EcsCluster::new("ecs"));
/// let repo = stack.add(EcrRepository::new("api"));
/// stack.add(EcsService::new("api", &cluster, &network).image(repo.image("1.2.3")));
/// ```
#[derive(Clone, Debug)]
pub struct EcrRepository {
    id: String,
    immutable: bool,
    keep_tagged: u32,
    untagged_days: u32,
}

/// A handle to an [`EcrRepository`]: its ARN and URL, and typed images in it.
#[derive(Clone, Debug)]
pub struct EcrRepositoryRef {
    path: Path,
    stack: String,
    region: String,
}

/// An image in a repository of the stack, by tag: rendered as
/// `${aws_ecr_repository.<repo>.repository_url}:<tag>`, so it names the account and region
/// the stack is applied in, never a copied account id. A workload running it gets pull
/// permission on exactly this repository.
///
/// In a Kubernetes container (`Container::new("api", repo.image("1.2.3"))`) it is written
/// `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>`, from the stack's declared
/// account id (`Stack::account`; SS0731 without it) and the repository's region: `kubectl`
/// reads no Terraform value. The nodes pull it with their role's
/// `AmazonEC2ContainerRegistryPullOnly`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcrImage {
    repository: Path,
    stack: String,
    region: String,
    tag: String,
}

impl EcrRepository {
    /// A private repository named after the construct path (`prod-api`).
    pub fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            immutable: true,
            keep_tagged: 100,
            untagged_days: 14,
        }
    }

    /// Lets a tag be pushed again with another image (a named, visible choice, reported as a
    /// warning: a rollback to the tag may then run different code). Default: immutable.
    #[must_use]
    pub fn mutable_tags(mut self) -> Self {
        self.immutable = false;
        self
    }

    /// How many tagged images are kept (the newest; older ones expire), 1–10000.
    /// Default: 100.
    #[must_use]
    pub fn keep_tagged_images(mut self, count: u32) -> Self {
        self.keep_tagged = count;
        self
    }

    /// Days an untagged image (a layer left by a re-push or a failed build) is kept, 1–3650.
    /// Default: 14.
    #[must_use]
    pub fn untagged_images_expire_after_days(mut self, days: u32) -> Self {
        self.untagged_days = days;
        self
    }

    fn validate(&self, cx: &mut Lowering<'_>) {
        if !(1..=10_000).contains(&self.keep_tagged) {
            cx.error(
                "SS0600",
                format!(
                    "`keep_tagged_images` is {}; allowed are 1 to 10000",
                    self.keep_tagged
                ),
                "keep 100 tagged images (enough to roll back months of releases)",
            );
        }
        if !(1..=3650).contains(&self.untagged_days) {
            cx.error(
                "SS0600",
                format!(
                    "`untagged_images_expire_after_days` is {}; allowed are 1 to 3650",
                    self.untagged_days
                ),
                "expire untagged images after 14 days",
            );
        }
        if !self.immutable {
            cx.warning(
                "SS0602",
                "image tags are mutable: pushing a tag again replaces the image every task and rollback with that tag runs",
                "remove `.mutable_tags()` and push each build under a new tag",
            );
        }
    }

    /// The lifecycle policy document: untagged images expire first, then all but the newest
    /// tagged ones.
    fn lifecycle_policy(&self) -> String {
        format!(
            concat!(
                r#"{{"rules":[{{"rulePriority":1,"description":"Expire untagged images after {days} days","#,
                r#""selection":{{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":{days}}},"#,
                r#""action":{{"type":"expire"}}}},{{"rulePriority":2,"description":"Keep the {keep} newest tagged images","#,
                r#""selection":{{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":{keep}}},"#,
                r#""action":{{"type":"expire"}}}}]}}"#
            ),
            days = self.untagged_days,
            keep = self.keep_tagged,
        )
    }
}

impl EcrRepositoryRef {
    fn repository(&self) -> Address {
        Address::resource(&self.stack, "aws_ecr_repository", &tf_name(&self.path, ""))
    }

    /// The repository's ARN (for IAM statements).
    pub fn arn(&self) -> Ref {
        self.repository().attr("arn")
    }

    /// The repository's URL, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`.
    pub fn url(&self) -> Ref {
        self.repository().attr("repository_url")
    }

    /// The image tagged `tag` in this repository (a version such as `1.2.3`; `latest` and
    /// malformed tags are reported where the image is used).
    pub fn image(&self, tag: &str) -> EcrImage {
        EcrImage {
            repository: self.path.clone(),
            stack: self.stack.clone(),
            region: self.region.clone(),
            tag: tag.to_owned(),
        }
    }

    /// The construct's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl EcrImage {
    fn repository(&self) -> EcrRepositoryRef {
        EcrRepositoryRef {
            path: self.repository.clone(),
            stack: self.stack.clone(),
            region: self.region.clone(),
        }
    }

    /// The image URI: the repository's URL, `:`, the tag.
    pub fn uri(&self) -> Template {
        Template::new()
            .with(&self.repository().url())
            .lit(format!(":{}", self.tag))
    }

    /// The repository's URL (the image URI without its tag).
    pub fn repository_url(&self) -> Ref {
        self.repository().url()
    }

    /// The repository's ARN: what a pull permission names.
    pub fn repository_arn(&self) -> Ref {
        self.repository().arn()
    }

    /// The tag.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The repository's construct path.
    pub fn repository_path(&self) -> &Path {
        &self.repository
    }

    /// Reports a tag that is not a pinned version (SS0601) on the construct being lowered.
    pub(crate) fn check(&self, cx: &mut Lowering<'_>) {
        if let Some(problem) = tag_problem(&self.tag) {
            cx.error(
                "SS0601",
                format!(
                    "the image tag `{}` (repository {}) {problem}",
                    self.tag, self.repository
                ),
                "pin a version such as `repo.image(\"1.4.2\")`, pushed once under an immutable tag",
            );
        }
    }
}

impl From<&EcrImage> for Image {
    fn from(image: &EcrImage) -> Self {
        Image::ecr(
            &cloud_name(&image.repository, ""),
            &image.region,
            &image.tag,
        )
    }
}

impl From<EcrImage> for Image {
    fn from(image: EcrImage) -> Self {
        Self::from(&image)
    }
}

impl Construct for EcrRepository {
    type Handle = EcrRepositoryRef;

    fn id(&self) -> &str {
        &self.id
    }

    fn handle(&self, scope: &Scope) -> EcrRepositoryRef {
        EcrRepositoryRef {
            path: scope.path.clone(),
            stack: scope.path.stack().to_owned(),
            region: scope.region.clone(),
        }
    }
}

impl Lower for EcrRepository {
    fn lower(&self, cx: &mut Lowering<'_>) {
        common::aws(cx);
        let name = cx.name("");
        cx.check_name(&REPOSITORY_NAME, &name, "repository name");
        self.validate(cx);
        let key = common::kms_key(
            cx,
            "key",
            &format!("Encrypts the images of the {name} ECR repository"),
            &[],
        );
        let repo = cx.add_with(
            "aws_ecr_repository",
            "",
            tf! {
                "name" => name.as_str(),
                "image_tag_mutability" => if self.immutable { "IMMUTABLE" } else { "MUTABLE" },
                "image_scanning_configuration" => tf! { "scan_on_push" => true },
                "encryption_configuration" => tf! {
                    "encryption_type" => "KMS",
                    "kms_key" => key.attr::<String>("arn"),
                },
                "force_delete" => false,
                "tags" => name_tag(&name),
            },
            REPOSITORY,
        );
        cx.add_with(
            "aws_ecr_lifecycle_policy",
            "lifecycle",
            tf! {
                "repository" => repo.attr::<String>("name"),
                "policy" => self.lifecycle_policy(),
            },
            LIFECYCLE,
        );
        cx.output(
            "url",
            repo.attr::<String>("repository_url"),
            "The ECR repository's URL (CI pushes images here)",
            false,
        );
        self.draw(cx);
    }
}

impl EcrRepository {
    /// The repository as the diagram draws it: a data store at the top (it is regional, in no
    /// network).
    fn draw(&self, cx: &mut Lowering<'_>) {
        let path = cx.path().clone();
        let tags = if self.immutable {
            "immutable tags"
        } else {
            "mutable tags"
        };
        cx.node(
            data_node(&path)
                .line(format!("ECR repository · {tags} · scan on push"))
                .within(Within::Top),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stacksmith_core::Stack;
    use stacksmith_core::terraform::{Map, Value};

    fn lowered(r: EcrRepository) -> stacksmith_core::Graph {
        let mut stack = Stack::new("prod", "us-east-1");
        stack.add(r);
        stack.lower()
    }

    fn body<'a>(g: &'a stacksmith_core::Graph, kind: &str) -> Option<&'a Map> {
        g.resources
            .iter()
            .find(|r| r.address.kind() == kind)
            .map(|r| &r.body)
    }

    #[test]
    fn repository_is_immutable_scanned_and_kms_encrypted() {
        let g = lowered(EcrRepository::new("api"));
        assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
        let b = body(&g, "aws_ecr_repository");
        let get = |k: &str| b.and_then(|b| b.get(k)).cloned();
        assert_eq!(get("name"), Some(Value::from("prod-api")));
        assert_eq!(get("image_tag_mutability"), Some(Value::from("IMMUTABLE")));
        assert_eq!(
            get("image_scanning_configuration"),
            Some(Value::Map(tf! { "scan_on_push" => true }))
        );
        let enc = serde_json::to_string(&get("encryption_configuration")).unwrap_or_default();
        assert!(enc.contains(r#""encryption_type":"KMS""#), "{enc}");
        assert!(enc.contains("aws_kms_key.api_key.arn"), "{enc}");
        assert!(
            g.resources
                .iter()
                .any(|r| r.address.kind() == "aws_ecr_repository" && r.facts.stateful)
        );
    }

    #[test]
    fn lifecycle_policy_is_json_with_both_rules() -> Result<(), serde_json::Error> {
        let g = lowered(
            EcrRepository::new("api")
                .keep_tagged_images(30)
                .untagged_images_expire_after_days(7),
        );
        let policy = match body(&g, "aws_ecr_lifecycle_policy").and_then(|b| b.get("policy")) {
            Some(Value::String(s)) => s.clone(),
            other => panic!("policy is {other:?}"),
        };
        let doc: serde_json::Value = serde_json::from_str(&policy)?;
        assert_eq!(doc["rules"][0]["selection"]["countNumber"], 7);
        assert_eq!(doc["rules"][0]["selection"]["tagStatus"], "untagged");
        assert_eq!(doc["rules"][1]["selection"]["countNumber"], 30);
        assert_eq!(doc["rules"][1]["selection"]["tagStatus"], "any");
        Ok(())
    }

    #[test]
    fn an_image_names_the_repository_url_and_tag() {
        let mut stack = Stack::new("prod", "us-east-1");
        let repo = stack.add(EcrRepository::new("api"));
        let image = repo.image("1.2.3");
        assert_eq!(
            serde_json::to_string(&Value::from(image.uri())).unwrap_or_default(),
            r#""${aws_ecr_repository.api.repository_url}:1.2.3""#
        );
        assert_eq!(
            image.repository_arn().expression(),
            "aws_ecr_repository.api.arn"
        );
    }

    #[test]
    fn an_image_for_kubernetes_names_the_registry_of_the_stacks_account() {
        let mut stack = Stack::new("prod", "us-west-2");
        let repo = stack.add(EcrRepository::new("api"));
        let image = Image::from(repo.image("1.2.3"));
        assert_eq!(
            image.reference(Some("123456789012")).as_deref(),
            Some("123456789012.dkr.ecr.us-west-2.amazonaws.com/prod-api:1.2.3")
        );
        assert_eq!(image.reference(None), None);
    }

    #[test]
    fn the_declared_account_is_the_only_one_terraform_may_apply_in() {
        let mut stack = Stack::new("prod", "us-east-1").account("123456789012");
        stack.add(EcrRepository::new("api"));
        let g = stack.lower();
        let config = g.providers.get("aws").and_then(|p| p.config.as_ref());
        assert_eq!(
            config.and_then(|c| c.get("allowed_account_ids")),
            Some(&Value::from(vec!["123456789012"]))
        );
        let g = lowered(EcrRepository::new("api"));
        let config = g.providers.get("aws").and_then(|p| p.config.as_ref());
        assert_eq!(config.and_then(|c| c.get("allowed_account_ids")), None);
    }

    #[test]
    fn a_later_root_finds_the_repository_by_name() -> Result<(), String> {
        use crate::common::lookup_check::readable;
        let mut stack = Stack::new("prod", "us-east-1");
        let repo = stack.add(EcrRepository::new("api"));
        let g = stack.lower();
        readable(&g, &repo.url())?;
        readable(&g, &repo.arn())
    }

    #[test]
    fn fails_bad_lifecycle_and_mutable_tags() {
        let g = lowered(
            EcrRepository::new("api")
                .keep_tagged_images(0)
                .untagged_images_expire_after_days(4000)
                .mutable_tags(),
        );
        insta::assert_snapshot!(g.diagnostics.to_string());
    }

    #[test]
    fn tags_that_are_not_pinned_versions_are_found() {
        for bad in ["", "latest", ".hidden", "-x", "a b", &"x".repeat(129)] {
            assert!(tag_problem(bad).is_some(), "{bad:?}");
        }
        for good in ["1.2.3", "v1.0.0", "2026-12-03_abc.1", "sha-0abc"] {
            assert_eq!(tag_problem(good), None, "{good:?}");
        }
    }
}
