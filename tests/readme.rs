//! README.md stays true: its architecture diagram is the flagship stack's current one.

#[path = "../examples/prod-stack.rs"]
#[allow(dead_code)]
mod prod_stack;

#[test]
fn readme_diagram_is_the_prod_stack_architecture() {
    let graphs = prod_stack::app().lower();
    let diagram = stacksmith::synth_api::diagram::mermaid(&graphs[0]);
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&format!("```mermaid\n{diagram}```")),
        "README.md's Mermaid block is stale: paste out/prod/architecture.mmd into it"
    );
}
