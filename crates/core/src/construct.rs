//! The construct contract: a builder with an id that lowers itself into the neutral graph and
//! hands back a typed handle for the constructs that refer to it.

use crate::{Lowering, Path};

/// Where a construct is being added: its path and the stack's region.
#[derive(Clone, Debug)]
pub struct Scope {
    /// The construct's path.
    pub path: Path,
    /// The stack's AWS region.
    pub region: String,
}

/// The lowering half of a construct: object-safe, so a stack can hold any construct.
pub trait Lower: Send + Sync {
    /// Lowers into Terraform resources and Kubernetes objects, recording every problem found
    /// as a diagnostic. Never panics, never drops input silently.
    fn lower(&self, cx: &mut Lowering<'_>);

    /// Runs once every construct of the stack has lowered, to act on what the others declared
    /// (a cluster installing the add-ons its objects require, see [`crate::platform`]).
    /// Default: nothing.
    fn finish(&self, cx: &mut Lowering<'_>) {
        let _ = cx;
    }
}

/// A construct: a typed builder added to a [`Stack`](crate::Stack) with `stack.add(...)`.
pub trait Construct: Lower + 'static {
    /// What `stack.add` returns: a cheap, cloneable handle that yields typed references and
    /// builders of related constructs (`api.expose_via_service(...)`).
    type Handle;

    /// The construct's id, unique among its siblings.
    fn id(&self) -> &str;

    /// The parent construct, for constructs created by another's intent method
    /// (a Service made by `deployment.expose_via_service`). `None`: a child of the stack.
    fn parent(&self) -> Option<&Path> {
        None
    }

    /// The space the construct's id is unique in among its siblings. Default: `None`, the space
    /// every construct shares. A construct whose only output is a Kubernetes object of one kind
    /// it alone creates returns that kind (`Some("ServiceAccount")`): objects of different kinds
    /// never collide, so the ServiceAccount `api` may sit beside the Deployment `api`.
    fn id_space(&self) -> Option<&'static str> {
        None
    }

    /// Makes the handle once the construct's path is known.
    fn handle(&self, scope: &Scope) -> Self::Handle;
}
