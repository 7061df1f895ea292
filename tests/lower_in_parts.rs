//! A stack of many constructs is lowered on several cores, in parts merged in order
//! (`Stack::lower`). Every stack of every example, lowered in parts of one, two and seven
//! constructs, gives the graph lowering its constructs one after another gives: resources,
//! objects, shared rules and data sources kept once, providers, prerequisites, requirements,
//! diagnostics, everything.

#[path = "../examples/prod-stack.rs"]
#[allow(dead_code)]
mod prod_stack;

#[path = "../examples/janua.rs"]
#[allow(dead_code)]
mod janua;

#[path = "../examples/kgas.rs"]
#[allow(dead_code)]
mod kgas;

#[path = "../examples/flagwise.rs"]
#[allow(dead_code)]
mod flagwise;

#[path = "../examples/kubedb-dbaas.rs"]
#[allow(dead_code)]
mod kubedb_dbaas;

#[path = "../examples/newcomer.rs"]
#[allow(dead_code)]
mod newcomer;

use stacksmith::core::App;

#[test]
fn every_example_lowers_alike_in_parts() {
    let apps: [(&str, App); 6] = [
        ("prod-stack", prod_stack::app()),
        ("janua", janua::app()),
        ("kgas", kgas::app()),
        ("flagwise", flagwise::app()),
        ("kubedb-dbaas", kubedb_dbaas::app()),
        ("newcomer", newcomer::app()),
    ];
    for (example, app) in &apps {
        for stack in app.stacks() {
            let whole = stack.lower_in_parts(usize::MAX);
            assert!(
                !whole.objects.is_empty() || !whole.resources.is_empty(),
                "{example}/{}: lowered nothing",
                stack.name()
            );
            for per_part in [1, 2, 7] {
                assert!(
                    stack.lower_in_parts(per_part) == whole,
                    "{example}/{}: lowered in parts of {per_part}, the graph differs",
                    stack.name()
                );
            }
        }
    }
}

/// A stack whose name holds a `/` and whose region is unknown records the region's error once
/// per part; which failed construct explains a missing reference must not depend on how many
/// times (found by the builder fuzz: lowered in parts, the stack's own errors took the
/// Terraform name of the network `..`, which had failed, and so changed which errors were
/// marked root causes).
#[test]
fn a_failed_construct_explains_its_references_alike_in_parts() {
    use stacksmith::prelude::*;
    let mut s = Stack::new("/", "");
    let network = s.add(Network::new("..", "::/0"));
    let cluster = s.add(EksCluster::new("a", &network));
    s.add(Database::postgres("db", &network).allow_from(&cluster));
    s.add(Bucket::new("b"));
    let mut app = App::new();
    app.add(s);
    for stack in app.stacks() {
        let whole = stack.lower_in_parts(usize::MAX);
        for per_part in [1, 2] {
            let parts = stack.lower_in_parts(per_part);
            assert!(
                parts == whole,
                "lowered in parts of {per_part}, the graph differs:\n{}\n\nin parts:\n{}",
                whole.diagnostics,
                parts.diagnostics
            );
        }
    }
}
