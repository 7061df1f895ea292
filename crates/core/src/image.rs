//! [`Image`]: the image a Kubernetes container runs, either a reference written out
//! (`ghcr.io/org/api:1.4.2`) or an image in an ECR repository of the app, whose registry host
//! (`<account>.dkr.ecr.<region>.amazonaws.com`) is only known from the stack's account id.

/// A container image for Kubernetes YAML, which `kubectl` applies as written: it cannot read a
/// Terraform value, so an ECR image is spelled out from the stack's declared account id
/// ([`Stack::account`](crate::Stack::account)) and the repository's region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image(Kind);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Named(String),
    Ecr {
        repository: String,
        region: String,
        tag: String,
    },
}

impl Image {
    /// The image tagged `tag` in the ECR repository named `repository` in `region` (of the
    /// stack's account). Constructs build it (`repo.image("1.2.3")`); users rarely do.
    pub fn ecr(repository: &str, region: &str, tag: &str) -> Self {
        Self(Kind::Ecr {
            repository: repository.to_owned(),
            region: region.to_owned(),
            tag: tag.to_owned(),
        })
    }

    /// The reference Kubernetes pulls, for a stack in AWS account `account`: `None` for an ECR
    /// image when the stack declares no account id.
    pub fn reference(&self, account: Option<&str>) -> Option<String> {
        match &self.0 {
            Kind::Named(name) => Some(name.clone()),
            Kind::Ecr {
                repository,
                region,
                tag,
            } => account.map(|a| format!("{a}.dkr.ecr.{region}.amazonaws.com/{repository}:{tag}")),
        }
    }

    /// How the image is named in a message: its reference, or `<account>.dkr.ecr…` for an ECR
    /// image without an account id.
    pub fn describe(&self, account: Option<&str>) -> String {
        self.reference(account)
            .or_else(|| self.reference(Some("<account>")))
            .unwrap_or_default()
    }

    /// The ECR repository's name, for an image in a repository of the app.
    pub fn ecr_repository(&self) -> Option<&str> {
        match &self.0 {
            Kind::Named(_) => None,
            Kind::Ecr { repository, .. } => Some(repository),
        }
    }
}

impl From<&str> for Image {
    fn from(name: &str) -> Self {
        Self(Kind::Named(name.to_owned()))
    }
}

impl From<String> for Image {
    fn from(name: String) -> Self {
        Self(Kind::Named(name))
    }
}

impl From<&String> for Image {
    fn from(name: &String) -> Self {
        Self(Kind::Named(name.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ecr_image_names_the_account_region_repository_and_tag() {
        let image = Image::ecr("kgas-primary-api", "us-east-1", "v1.0.0");
        assert_eq!(
            image.reference(Some("123456789012")).as_deref(),
            Some("123456789012.dkr.ecr.us-east-1.amazonaws.com/kgas-primary-api:v1.0.0")
        );
        assert_eq!(image.reference(None), None);
        assert_eq!(
            Image::from("nginx:1.27").reference(None).as_deref(),
            Some("nginx:1.27")
        );
    }
}
