use super::iam::ecr_repository;
use super::*;
use crate::{EcsCluster, LoadBalancer, Network};
use stacksmith_core::Stack;

fn lowered(f: impl FnOnce(EcsService) -> EcsService) -> stacksmith_core::Graph {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let cluster = stack.add(EcsCluster::new("ecs"));
    let alb = stack.add(
        LoadBalancer::new("alb", &net)
            .certificate("api.janua.dev", "janua.dev")
            .open_to_internet(),
    );
    stack.add(f(EcsService::new("api", &cluster, &net)
        .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/janua-api:1.0.0")
        .cpu(1024)
        .memory(2048)
        .port(8000)
        .env("ENVIRONMENT", "production")
        .secret(
            "DATABASE_URL",
            SecretSource::ssm_parameter("/janua/database-url"),
        )
        .health_path("/health")
        .serve_via(&alb, Route::host("api.janua.dev"))));
    stack.lower()
}

fn body(g: &stacksmith_core::Graph, expr: &str) -> Option<Value> {
    g.resources
        .iter()
        .chain(&g.data)
        .find(|r| r.address.expression() == expr)
        .map(|r| Value::Map(r.body.clone()))
}

fn json(g: &stacksmith_core::Graph, expr: &str) -> String {
    let r = g
        .resources
        .iter()
        .chain(&g.data)
        .find(|r| r.address.expression() == expr);
    serde_json::to_string_pretty(&r).unwrap_or_default()
}

/// The container definitions as parsed JSON (references stay `${...}` strings).
fn containers(g: &stacksmith_core::Graph) -> serde_json::Value {
    let text = body(g, "aws_ecs_task_definition.api_task")
        .and_then(|b| b.get("container_definitions").cloned())
        .and_then(|v| serde_json::to_value(&v).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

#[test]
fn service_defaults_are_safe_and_written_out() {
    let g = lowered(|s| s);
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let svc = body(&g, "aws_ecs_service.api");
    let get = |k: &str| svc.as_ref().and_then(|b| b.get(k)).cloned();
    assert_eq!(
        get("network_configuration.assign_public_ip"),
        Some(Value::Bool(false))
    );
    assert_eq!(
        get("deployment_circuit_breaker.rollback"),
        Some(Value::Bool(true))
    );
    assert_eq!(get("platform_version"), Some(Value::from("LATEST")));
    assert_eq!(get("enable_execute_command"), Some(Value::Bool(false)));
    assert_eq!(get("desired_count"), Some(Value::Int(3)));
    insta::assert_snapshot!(json(&g, "aws_ecs_service.api"));
}

#[test]
fn container_definition_is_valid_json_and_hardened() {
    let g = lowered(|s| s);
    let c = containers(&g);
    let c0 = &c[0];
    assert_eq!(c0["readonlyRootFilesystem"], serde_json::json!(true));
    assert_eq!(
        c0["linuxParameters"]["capabilities"]["drop"],
        serde_json::json!(["ALL"])
    );
    assert_eq!(
        c0["healthCheck"]["command"],
        serde_json::json!([
            "CMD-SHELL",
            "curl -f http://localhost:8000/health || exit 1"
        ])
    );
    assert_eq!(
        c0["secrets"][0]["valueFrom"],
        serde_json::json!(
            "arn:${data.aws_partition.current.partition}:ssm:us-east-1:${data.aws_caller_identity.current.account_id}:parameter/janua/database-url"
        )
    );
    assert_eq!(
        c0["logConfiguration"]["options"]["awslogs-group"],
        serde_json::json!("${aws_cloudwatch_log_group.api_logs.name}")
    );
    insta::assert_snapshot!(serde_json::to_string_pretty(&c).unwrap_or_default());
}

#[test]
fn execution_role_reads_exactly_the_named_secrets() {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let cluster = stack.add(EcsCluster::new("ecs"));
    let db = stack.add(crate::Database::documentdb("db", &net));
    let key = Address::resource("prod", "aws_kms_key", "db_key").attr::<String>("arn");
    let Some(secret) = db.master_secret_arn() else {
        panic!("a primary database has a master secret");
    };
    stack.add(
        EcsService::new("api", &cluster, &net)
            .image("ghcr.io/janua/api:1.0.0")
            .secret(
                "DB_PASSWORD",
                SecretSource::secrets_manager_key(&secret, "password").decrypted_with(&key),
            )
            .secret(
                "DB_USER",
                SecretSource::secrets_manager_key(&secret, "username").decrypted_with(&key),
            ),
    );
    let g = stack.lower();
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let policy = json(&g, "data.aws_iam_policy_document.api_execution_policy");
    assert!(
        !policy.contains("ecr:"),
        "a non-ECR image needs no ECR permissions"
    );
    assert_eq!(
        policy
            .matches("${aws_secretsmanager_secret.db_master.arn}")
            .count(),
        1
    );
    assert!(policy.contains("kms:ViaService"));
    assert!(policy.contains("${aws_kms_key.db_key.arn}"));
    assert!(!policy.contains("ssm:GetParameters"));
    let c = containers(&g);
    assert_eq!(
        c[0]["secrets"][0]["valueFrom"],
        serde_json::json!("${aws_secretsmanager_secret.db_master.arn}:password::")
    );
}

#[test]
fn ecr_pull_is_scoped_to_the_repository() {
    let g = lowered(|s| s);
    insta::assert_snapshot!(json(
        &g,
        "data.aws_iam_policy_document.api_execution_policy"
    ));
}

#[test]
fn traffic_only_from_the_load_balancer() {
    let g = lowered(|s| s);
    let ingress: Vec<_> = g
        .resources
        .iter()
        .filter(|r| {
            r.address.kind() == "aws_vpc_security_group_ingress_rule" && r.owner.id() == "api"
        })
        .collect();
    assert_eq!(ingress.len(), 1);
    let rule = json(&g, "aws_vpc_security_group_ingress_rule.api_from_prod_alb");
    assert!(rule.contains("${aws_security_group.alb_sg.id}"));
    assert!(rule.contains("8000"));
    let egress = json(
        &g,
        "aws_vpc_security_group_egress_rule.api_prod_alb_to_tasks",
    );
    assert!(egress.contains("${aws_security_group.api_sg.id}"));
}

#[test]
fn target_group_and_listener_rule() {
    let g = lowered(|s| s);
    insta::assert_snapshot!(json(&g, "aws_lb_target_group.api_alb_targets"));
    let rule = g
        .resources
        .iter()
        .find(|r| r.address.kind() == "aws_lb_listener_rule")
        .map(|r| serde_json::to_string(r).unwrap_or_default())
        .unwrap_or_default();
    assert!(rule.contains("${aws_lb_listener.alb_https.arn}"));
    assert!(rule.contains("api.janua.dev"));
    let svc = g
        .resources
        .iter()
        .find(|r| r.address.expression() == "aws_ecs_service.api");
    assert!(svc.is_some_and(|s| {
        s.depends_on
            .iter()
            .any(|a| a.kind() == "aws_lb_listener_rule")
    }));
}

#[test]
fn default_priorities_put_specific_routes_first() {
    let both = Route::host_and_path("api.janua.dev", "/v2/*").default_priority();
    let path = Route::path("/v2/*").default_priority();
    let long = Route::path("/v2/admin/*").default_priority();
    let host = Route::host("api.janua.dev").default_priority();
    let wild = Route::host("*.janua.dev").default_priority();
    assert!(both < long && long < path && path < host && host < wild);
    assert!(wild <= 50000);
}

#[test]
fn autoscaling_tracks_cpu_and_leaves_the_count_to_it() {
    let g = lowered(|s| s.autoscale(3, 12).target_cpu_percent(70));
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    assert!(
        json(&g, "aws_appautoscaling_policy.api_cpu").contains("ECSServiceAverageCPUUtilization")
    );
    assert!(
        json(&g, "aws_appautoscaling_target.api_scaling")
            .contains("service/${aws_ecs_cluster.ecs.name}/${aws_ecs_service.api.name}")
    );
    let svc = g
        .resources
        .iter()
        .find(|r| r.address.expression() == "aws_ecs_service.api");
    assert_eq!(
        svc.map(|s| s.ignore_changes.clone()),
        Some(vec!["desired_count".to_owned()])
    );
}

#[test]
fn env_refs_and_egress_are_explicit() {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let cluster = stack.add(EcsCluster::new("ecs"));
    let cache = stack.add(crate::Cache::redis("cache", &net));
    stack.add(
        EcsService::new("worker", &cluster, &net)
            .image("ghcr.io/janua/worker:1.0.0")
            .env_ref("REDIS_HOST", &cache.endpoint())
            .allow_egress_to_cidr("10.0.0.0/16", 6379),
    );
    let g = stack.lower();
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let text = body(&g, "aws_ecs_task_definition.worker_task")
        .and_then(|b| b.get("container_definitions").cloned())
        .and_then(|v| serde_json::to_string(&v).ok())
        .unwrap_or_default();
    assert!(text.contains("${aws_elasticache_replication_group.cache.primary_endpoint_address}"));
    let egress: Vec<_> = g
        .resources
        .iter()
        .filter(|r| r.address.kind() == "aws_vpc_security_group_egress_rule")
        .map(|r| r.address.name().to_owned())
        .collect();
    assert_eq!(
        egress,
        ["worker_egress_https", "worker_to_10_0_0_0_16_6379"]
    );
    assert!(
        g.resources
            .iter()
            .all(|r| r.address.kind() != "aws_lb_target_group"),
        "a service served by no load balancer has no target group"
    );
}

#[test]
fn ecr_images_are_recognised() {
    assert_eq!(
        ecr_repository("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.2"),
        Some(("123456789012".into(), "eu-west-1".into(), "team/api".into()))
    );
    assert_eq!(ecr_repository("ghcr.io/janua/api:1.0"), None);
    assert_eq!(ecr_repository("public.ecr.aws/nginx/nginx:1.27"), None);
}

#[test]
fn fails_invalid_fargate_size() {
    let g = lowered(|s| s.cpu(1024).memory(512));
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn fails_latest_image() {
    let g = lowered(|s| s.image("janua/api:latest"));
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn fails_autoscale_min_above_max() {
    let g = lowered(|s| s.autoscale(6, 3));
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn fails_host_not_covered_by_a_listener_certificate_for_a_different_domain() {
    let g = lowered(|s| s.serve_via_again());
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn fails_priority_collision_and_exec_on_read_only_root() {
    let g = lowered(|s| {
        s.serve_via_path("/a/*", 10)
            .serve_via_path("/b/*", 10)
            .enable_execute_command()
    });
    insta::assert_snapshot!(g.diagnostics.to_string());
}

/// Test helpers that reuse the load balancer already routed to.
trait Again {
    fn serve_via_again(self) -> Self;
    fn serve_via_path(self, path: &str, priority: u32) -> Self;
}

impl Again for EcsService {
    fn serve_via_again(self) -> Self {
        let lb = self.routes[0].0.clone();
        self.serve_via(&lb, Route::host("admin.janua.io"))
    }

    fn serve_via_path(self, path: &str, priority: u32) -> Self {
        let lb = self.routes[0].0.clone();
        self.serve_via(&lb, Route::path(path).priority(priority))
    }
}

#[test]
fn a_later_root_finds_every_role_by_name() -> Result<(), String> {
    let g = lowered(|s| s);
    let roles: Vec<_> = g
        .resources
        .iter()
        .filter(|r| r.address.kind() == "aws_iam_role")
        .collect();
    assert!(roles.len() >= 2, "execution and task roles");
    for role in roles {
        crate::common::lookup_check::readable(&g, &role.address.attr::<()>("arn"))?;
    }
    Ok(())
}

/// Issue 14, F20: an app keep-alive no longer than the ALB's idle timeout (uvicorn's default
/// 5 s against 60 s) makes the ALB reuse closed connections: 502s.
#[test]
fn fails_keep_alive_shorter_than_the_load_balancer_idle_timeout() {
    let g = lowered(|s| s.keep_alive_seconds(5));
    insta::assert_snapshot!(g.diagnostics.to_string());
}

#[test]
fn a_longer_keep_alive_and_its_command_are_accepted_and_written() {
    let g = lowered(|s| {
        s.command(["uvicorn", "app.main:app", "--timeout-keep-alive", "65"])
            .keep_alive_seconds(65)
    });
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let defs = json(&g, "aws_ecs_task_definition.api_task");
    assert!(
        defs.contains(
            r#"\"command\":[\"uvicorn\",\"app.main:app\",\"--timeout-keep-alive\",\"65\"]"#
        ),
        "{defs}"
    );
}

fn with_stack_image(tag: &str) -> stacksmith_core::Graph {
    let mut stack = Stack::new("prod", "us-east-1");
    let net = stack.add(Network::new("network", "10.0.0.0/16"));
    let cluster = stack.add(EcsCluster::new("ecs"));
    let repo = stack.add(crate::EcrRepository::new("images"));
    stack.add(EcsService::new("api", &cluster, &net).image(repo.image(tag)));
    stack.lower()
}

#[test]
fn an_image_of_a_stack_repository_is_pulled_from_exactly_that_repository() {
    let g = with_stack_image("1.2.3");
    assert!(!g.diagnostics.has_errors(), "{}", g.diagnostics);
    let policy = json(&g, "data.aws_iam_policy_document.api_execution_policy");
    assert!(
        policy.contains(r#""${aws_ecr_repository.images.arn}""#),
        "{policy}"
    );
    assert!(!policy.contains(":repository/"), "{policy}");
    let task = json(&g, "aws_ecs_task_definition.api_task");
    assert!(
        task.contains(r#"\"image\":\"${aws_ecr_repository.images.repository_url}:1.2.3\""#),
        "{task}"
    );
}

#[test]
fn fails_latest_tag_of_a_stack_repository() {
    let g = with_stack_image("latest");
    insta::assert_snapshot!(g.diagnostics.to_string());
}
