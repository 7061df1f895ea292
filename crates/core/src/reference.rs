//! Typed references to Terraform attributes (`${aws_vpc.network.id}`) and templates that mix
//! literals with references. A reference has no `Display`: it cannot be formatted into a literal.

use std::marker::PhantomData;
use std::sync::Arc;

/// The address of a Terraform resource or data source within a stack's root.
///
/// Addresses are cloned into every reference, index and diagnostic: the text is shared, so a
/// clone is three reference counts, not three copies.
#[derive(Clone, Debug, Eq, PartialOrd, Ord)]
pub struct Address {
    stack: Arc<str>,
    mode: Mode,
    kind: Arc<str>,
    name: Arc<str>,
}

/// Which block of the root an address is in (Terraform's resource modes). The order is the
/// order addresses sort in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Mode {
    /// `resource`: managed, in state.
    Managed,
    /// `ephemeral` (Terraform 1.10+): opened during each run, never in state.
    Ephemeral,
    /// `data`: read during each run.
    Data,
}

impl PartialEq for Address {
    /// Field by field, as derived; counted as one step of work in tests (see [`crate::work`]).
    fn eq(&self, other: &Self) -> bool {
        crate::work::tick();
        self.stack == other.stack
            && self.mode == other.mode
            && self.kind == other.kind
            && self.name == other.name
    }
}

impl std::hash::Hash for Address {
    /// As derived (consistent with `eq`).
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.stack.hash(state);
        self.mode.hash(state);
        self.kind.hash(state);
        self.name.hash(state);
    }
}

impl Address {
    /// A managed resource, e.g. `aws_vpc.network`.
    pub fn resource(stack: &str, kind: &str, name: &str) -> Self {
        Self {
            stack: Arc::from(stack),
            mode: Mode::Managed,
            kind: Arc::from(kind),
            name: Arc::from(name),
        }
    }

    /// A data source, e.g. `data.aws_caller_identity.current`.
    pub fn data(stack: &str, kind: &str, name: &str) -> Self {
        Self {
            mode: Mode::Data,
            ..Self::resource(stack, kind, name)
        }
    }

    /// An ephemeral resource, e.g. `ephemeral.aws_secretsmanager_random_password.api`: its
    /// values exist only during a Terraform run and reach only write-only arguments.
    pub fn ephemeral(stack: &str, kind: &str, name: &str) -> Self {
        Self {
            mode: Mode::Ephemeral,
            ..Self::resource(stack, kind, name)
        }
    }

    /// Whether this is an ephemeral resource.
    pub fn is_ephemeral(&self) -> bool {
        self.mode == Mode::Ephemeral
    }

    /// The stack whose root holds this address.
    pub fn stack(&self) -> &str {
        &self.stack
    }

    /// Whether this is a data source.
    pub fn is_data(&self) -> bool {
        self.mode == Mode::Data
    }

    /// The resource type, e.g. `aws_vpc`.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The local name, e.g. `network`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The address as Terraform writes it in `depends_on`: `aws_vpc.network`.
    pub fn expression(&self) -> String {
        format!("{}{}.{}", self.prefix(), self.kind, self.name)
    }

    /// What comes before the type in the address's expression: `data.` for a data source,
    /// `ephemeral.` for an ephemeral resource, nothing for a managed one.
    fn prefix(&self) -> &'static str {
        match self.mode {
            Mode::Managed => "",
            Mode::Ephemeral => "ephemeral.",
            Mode::Data => "data.",
        }
    }

    /// A typed reference to one of this address's attributes.
    pub fn attr<T>(&self, attr: &str) -> Ref<T> {
        Ref {
            address: self.clone(),
            attr: Arc::from(attr),
            _type: PhantomData,
        }
    }
}

/// A typed reference to a Terraform attribute, rendered as `"${aws_vpc.network.id}"`.
///
/// `T` is the attribute's value type (`String`, `Vec<String>`, `i64`, `bool`). There is no
/// `Display`: a reference becomes text only through the synthesizer or an explicit
/// [`Template`], so it is never flattened into a literal by accident.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Ref<T = String> {
    address: Address,
    attr: Arc<str>,
    _type: PhantomData<fn() -> T>,
}

/// A reference as the Terraform JSON writes it ([`Ref::interpolation`]).
pub(crate) struct Interpolation<'a> {
    address: &'a Address,
    attr: &'a str,
}

impl std::fmt::Display for Interpolation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let a = self.address;
        write!(f, "${{{}{}.{}.{}}}", a.prefix(), a.kind, a.name, self.attr)
    }
}

impl<T> Clone for Ref<T> {
    fn clone(&self) -> Self {
        Self {
            address: self.address.clone(),
            attr: self.attr.clone(),
            _type: PhantomData,
        }
    }
}

impl<T> Ref<T> {
    /// The resource or data source referred to.
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The attribute path, e.g. `id` or `vpc_config[0].cluster_security_group_id`.
    pub fn attr(&self) -> &str {
        &self.attr
    }

    /// The Terraform expression without the `${}` wrapper: `aws_vpc.network.id`.
    pub fn expression(&self) -> String {
        let a = &self.address;
        format!("{}{}.{}.{}", a.prefix(), a.kind, a.name, self.attr)
    }

    /// `${aws_vpc.network.id}`, as the Terraform JSON writes the reference (for the serializer
    /// only: a reference is never formatted into a literal).
    pub(crate) fn interpolation(&self) -> Interpolation<'_> {
        Interpolation {
            address: &self.address,
            attr: &self.attr,
        }
    }

    /// Forgets the value type (for heterogeneous lists).
    pub fn untyped(&self) -> Ref<()> {
        Ref {
            address: self.address.clone(),
            attr: self.attr.clone(),
            _type: PhantomData,
        }
    }
}

impl Ref<Vec<String>> {
    /// The element at `index`: `names[0]`.
    pub fn at(&self, index: usize) -> Ref<String> {
        self.address.attr(&format!("{}[{index}]", self.attr))
    }
}

/// One piece of a [`Template`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// Literal text; a `${` in it is escaped on output.
    Literal(String),
    /// A reference, interpolated.
    Ref(Ref<()>),
}

/// Text that mixes literals with references: `Template::new().lit("rediss://").with(&host)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// An empty template.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends literal text.
    #[must_use]
    pub fn lit(mut self, text: impl Into<String>) -> Self {
        self.parts.push(Part::Literal(text.into()));
        self
    }

    /// Appends a reference.
    #[must_use]
    pub fn with<T>(mut self, r: &Ref<T>) -> Self {
        self.parts.push(Part::Ref(r.untyped()));
        self
    }

    /// The pieces in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_renders_terraform_expression() {
        let vpc = Address::resource("prod", "aws_vpc", "network");
        let id: Ref = vpc.attr("id");
        assert_eq!(id.expression(), "aws_vpc.network.id");
        assert_eq!(
            Address::data("prod", "aws_partition", "current").expression(),
            "data.aws_partition.current"
        );
    }

    #[test]
    fn list_reference_indexes() {
        let a = Address::resource("prod", "aws_eks_cluster", "eks");
        let l: Ref<Vec<String>> = a.attr("certificate_authority");
        assert_eq!(
            l.at(0).expression(),
            "aws_eks_cluster.eks.certificate_authority[0]"
        );
    }
}
