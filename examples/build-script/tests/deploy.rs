//! The deployment description is code: test it like code, before the build script runs it.

#[path = "../deploy.rs"]
mod deploy;
#[path = "../src/service.rs"]
mod service;

use stacksmith::synth_api::render;

#[test]
fn lowers_without_diagnostics() {
    let graphs = deploy::app("1.2.3").lower();
    assert_eq!(graphs.len(), 1);
    assert!(graphs.iter().all(|g| g.diagnostics.is_empty()));
}

#[test]
fn the_image_is_tagged_with_the_version() {
    let graphs = deploy::app("1.2.3").lower();
    let Some(output) = graphs.first().and_then(|g| render(g).ok()) else {
        panic!("the stack renders");
    };
    let deployment = output
        .files
        .iter()
        .find(|f| f.path.contains("deployment"))
        .and_then(|f| f.as_text());
    assert!(
        deployment.is_some_and(|yaml| yaml.contains(r#"image: "example/api:1.2.3""#)),
        "{deployment:?}"
    );
}
