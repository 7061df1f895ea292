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
