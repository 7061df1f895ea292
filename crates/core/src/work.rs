//! A test-only count of unit steps of work (an address compared, an object or reference
//! visited by a whole-stack pass), so that a test can assert the work per object stays flat as
//! a stack grows: a pass that scans every object for each object does ten times the work per
//! object at ten times the size. No wall clock, nothing counted outside tests.

#[cfg(test)]
thread_local! {
    /// Unit steps taken on this thread (see [`tick`]).
    static WORK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts one unit step of work, in tests; nothing otherwise.
#[inline]
pub(crate) fn tick() {
    #[cfg(test)]
    WORK.with(|w| w.set(w.get() + 1));
}

/// The unit steps counted on this thread so far.
#[cfg(test)]
pub(crate) fn work() -> u64 {
    WORK.with(std::cell::Cell::get)
}

#[cfg(test)]
mod tests {
    use super::work;
    use crate::terraform::{Map, Resource, Value};
    use crate::{
        Address, App, Construct, KubeObject, KubeUse, Lower, Lowering, Scope, SourceKind, Stack, tf,
    };

    /// A web service as lowering sees it: a security group, a rule shared with every other
    /// unit (declared alike by each, added once) and one of its own, a stack-wide data source,
    /// a ConfigMap and a Deployment reading one of its keys, and references between them.
    struct Unit(String);

    impl Lower for Unit {
        fn lower(&self, cx: &mut Lowering<'_>) {
            let sg = cx.add("aws_security_group", "sg", tf! { "name" => cx.name("sg") });
            let account = cx.shared_data("aws_caller_identity", "current", Map::new());
            for (part, shared) in [("rule", false), ("shared", true)] {
                let a = if shared {
                    Address::resource(cx.path().stack(), "aws_rule", "shared")
                } else {
                    cx.address("aws_rule", part)
                };
                let body = tf! {
                    "security_group_id" => sg.attr::<()>("id"),
                    "owner" => account.attr::<()>("account_id"),
                };
                cx.resource_once(Resource::new(a, cx.path().clone(), body));
            }
            let name = self.0.clone();
            let object = |kind: &str, name: String| KubeObject {
                owner: cx.path().clone(),
                api_version: "v1".into(),
                kind: kind.into(),
                namespace: Some("apps".into()),
                body: serde_json::json!({ "kind": kind, "data": { "mode": "production" } }).into(),
                name,
            };
            let (config, deployment) = (
                object("ConfigMap", format!("{name}-config")),
                object("Deployment", name.clone()),
            );
            if name == "svc0" {
                // The namespace every unit's objects are in, created once.
                let mut ns = object("Namespace", "apps".into());
                ns.namespace = None;
                cx.object(ns);
            }
            cx.object(config);
            cx.object(deployment);
            cx.uses(KubeUse {
                owner: cx.path().clone(),
                reader: name.clone(),
                source: SourceKind::ConfigMap,
                namespace: "apps".into(),
                name: format!("{name}-config"),
                key: "mode".into(),
            });
        }
    }

    impl Construct for Unit {
        type Handle = ();

        fn id(&self) -> &str {
            &self.0
        }

        fn handle(&self, _: &Scope) {}
    }

    /// Steps per unit to build, lower and validate a stack of `n` units, with an override of
    /// every tenth unit's group. Lowered in one part, so that every step is taken (and counted)
    /// on this thread; the app lowers it in parts on the machine's cores, to the same graph.
    fn work_per_unit(n: usize) -> f64 {
        let before = work();
        let mut stack = Stack::new("prod", "us-east-1");
        for i in 0..n {
            stack.add(Unit(format!("svc{i}")));
            if i % 10 == 0 {
                let a = Address::resource("prod", "aws_security_group", &format!("svc{i}_sg"));
                stack.override_attribute(&a, "description", Value::from("overridden"));
            }
        }
        let g = stack.lower_in_parts(usize::MAX);
        let steps = work() - before;
        let mut app = App::new();
        app.add(stack);
        let graphs = app.lower();
        assert_eq!(graphs.len(), 1);
        assert!(graphs[0] == g, "lowered in parts, the graph differs");
        assert!(g.diagnostics.is_empty(), "{}", g.diagnostics);
        assert_eq!(g.resources.len(), 2 * n + 1);
        assert_eq!(g.data.len(), 1);
        let a = Address::resource("prod", "aws_rule", &format!("svc{}_rule", n - 1));
        assert!(g.resource(&a).is_some());
        steps as f64 / n as f64
    }

    #[test]
    fn lowering_work_per_object_stays_flat_as_the_stack_grows() {
        let small = work_per_unit(1_000);
        let large = work_per_unit(10_000);
        eprintln!("lowering work per unit: {small:.2} at 1,000, {large:.2} at 10,000");
        assert!(small > 0.0, "the count covers lowering");
        // Linear passes do the same work per unit at any size; a scan of every resource per
        // resource would do ten times as much per unit at ten times the size. The margin
        // covers hash-table probes, whose false matches depend on the table's load and seed.
        assert!(
            large <= small * 1.5,
            "work per unit grew from {small:.1} (1,000 units) to {large:.1} (10,000)"
        );
    }
}
