//! Issue 14, item 6, over every example: a workload an autoscaler targets has no `spec.replicas`
//! in its manifest, so `kubectl apply` never resets the scale the autoscaler chose.

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

use stacksmith::core::App;

#[test]
fn no_autoscaled_workload_of_an_example_writes_replicas() {
    let apps: [(&str, App); 5] = [
        ("prod-stack", prod_stack::app()),
        ("janua", janua::app()),
        ("kgas", kgas::app()),
        ("flagwise", flagwise::app()),
        ("kubedb-dbaas", kubedb_dbaas::app()),
    ];
    let mut targets = 0;
    for (example, app) in &apps {
        for g in app.lower() {
            for hpa in g
                .objects
                .iter()
                .filter(|o| o.kind == "HorizontalPodAutoscaler")
            {
                let target = &hpa.body["spec"]["scaleTargetRef"];
                let Some(workload) = g.objects.iter().find(|o| {
                    o.namespace == hpa.namespace
                        && target["kind"] == o.kind.as_str()
                        && target["name"] == o.name.as_str()
                }) else {
                    panic!("{example}: {} targets nothing in {}", hpa.name, g.stack);
                };
                assert_eq!(
                    workload.body["spec"].get("replicas"),
                    None,
                    "{example}: {} {} is scaled by {} but writes replicas",
                    workload.kind,
                    workload.name,
                    hpa.name
                );
                targets += 1;
            }
        }
    }
    // prod 1, kgas 1 rollout × 2 regions, flagwise 1, kubedb-dbaas 1.
    assert_eq!(targets, 5);
}
