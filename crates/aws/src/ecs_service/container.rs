//! The task's one container: its definition (JSON whose strings may hold references), its
//! Fargate size, and the checks on its image, size, variables and user.

use stacksmith_core::{Address, Lowering, Ref, Template};

use super::secret::{Resolved, SecretKind};
use super::{ContainerImage, EcsService};

/// Fargate's task sizes: CPU units and the memory (MiB) allowed with each (AWS's table).
pub(super) fn fargate_memory(cpu: u32) -> Option<Vec<u32>> {
    let range = |from: u32, to: u32, step: u32| (from..=to).step_by(step as usize).collect();
    match cpu {
        256 => Some(vec![512, 1024, 2048]),
        512 => Some(range(1024, 4096, 1024)),
        1024 => Some(range(2048, 8192, 1024)),
        2048 => Some(range(4096, 16384, 1024)),
        4096 => Some(range(8192, 30720, 1024)),
        8192 => Some(range(16384, 61440, 4096)),
        16384 => Some(range(32768, 122_880, 8192)),
        _ => None,
    }
}

/// Text mixing literals and references, renderable as a template or inside JSON.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Piece {
    Lit(String),
    Ref(Ref<()>),
}

pub(super) fn template(pieces: &[Piece]) -> Template {
    pieces.iter().fold(Template::new(), |t, p| match p {
        Piece::Lit(l) => t.lit(l.as_str()),
        Piece::Ref(r) => t.with(r),
    })
}

/// A JSON document whose strings may hold references (for `container_definitions`).
enum Json {
    Str(Vec<Piece>),
    Int(i64),
    Bool(bool),
    Arr(Vec<Json>),
    Obj(Vec<(&'static str, Json)>),
}

fn s(text: &str) -> Json {
    Json::Str(vec![Piece::Lit(text.to_owned())])
}

fn escape_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

fn render(j: &Json, out: &mut Vec<Piece>) {
    let lit = |out: &mut Vec<Piece>, t: &str| out.push(Piece::Lit(t.to_owned()));
    match j {
        Json::Str(pieces) => {
            lit(out, "\"");
            for p in pieces {
                out.push(match p {
                    Piece::Lit(l) => Piece::Lit(escape_json(l)),
                    Piece::Ref(r) => Piece::Ref(r.clone()),
                });
            }
            lit(out, "\"");
        }
        Json::Int(i) => lit(out, &i.to_string()),
        Json::Bool(b) => lit(out, if *b { "true" } else { "false" }),
        Json::Arr(items) => {
            lit(out, "[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    lit(out, ",");
                }
                render(item, out);
            }
            lit(out, "]");
        }
        Json::Obj(fields) => {
            lit(out, "{");
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    lit(out, ",");
                }
                lit(out, &format!("\"{k}\":"));
                render(v, out);
            }
            lit(out, "}");
        }
    }
}

impl EcsService {
    pub(super) fn container_name(&self) -> &str {
        &self.id
    }

    pub(super) fn health_command(&self) -> Option<String> {
        self.health_command.clone().or_else(|| {
            let (path, port) = (self.health_path.as_ref()?, self.port?);
            Some(format!("curl -f http://localhost:{port}{path} || exit 1"))
        })
    }

    /// The image URI as text whose repository URL may be a reference.
    fn image_pieces(&self) -> Vec<Piece> {
        match &self.image {
            None => vec![Piece::Lit(String::new())],
            Some(ContainerImage::Uri(uri)) => vec![Piece::Lit(uri.clone())],
            Some(ContainerImage::Ecr(image)) => vec![
                Piece::Ref(image.repository_url().untyped()),
                Piece::Lit(format!(":{}", image.tag())),
            ],
        }
    }

    pub(super) fn validate_container(&self, cx: &mut Lowering<'_>) {
        match &self.image {
            None => cx.error(
                "SS0135",
                "the service has no container image",
                "add `.image(\"registry/name:1.4.2\")`",
            ),
            Some(ContainerImage::Ecr(image)) => image.check(cx),
            Some(ContainerImage::Uri(image)) if !image.contains('@') => {
                let last = image.rsplit('/').next().unwrap_or(image);
                let problem = match last.split_once(':') {
                    Some((_, "latest")) => Some("uses the tag `latest`, which moves under you"),
                    Some((_, "")) | None => {
                        Some("has no tag, so it pulls `latest`, which moves under you")
                    }
                    Some(_) => None,
                };
                if let Some(problem) = problem {
                    cx.error(
                        "SS0135",
                        format!("image `{image}` {problem}"),
                        "pin a version (`repository/name:1.4.2`) or a digest (`repository/name@sha256:…`) so every task and rollback runs the same code",
                    );
                }
            }
            Some(_) => {}
        }
        match fargate_memory(self.cpu) {
            None => cx.error(
                "SS0136",
                format!(
                    "`cpu` is {} units; Fargate offers 256, 512, 1024, 2048, 4096, 8192 or 16384",
                    self.cpu
                ),
                "use 1024 (1 vCPU) or another Fargate size",
            ),
            Some(valid) if !valid.contains(&self.memory) => cx.error(
                "SS0136",
                format!(
                    "`memory` is {} MiB, which Fargate does not offer with {} CPU units",
                    self.memory, self.cpu
                ),
                format!(
                    "with cpu {} use memory {} (MiB)",
                    self.cpu,
                    valid
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Some(_) => {}
        }
        if self.port == Some(0) {
            cx.error(
                "SS0145",
                "`port` is 0",
                "use the port the application listens on, e.g. 8000",
            );
        }
        let mut seen: Vec<&str> = Vec::new();
        let names = self
            .env
            .iter()
            .map(|(n, _)| n)
            .chain(self.secrets.iter().map(|(n, _)| n));
        for n in names {
            let valid = n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                cx.error(
                    "SS0137",
                    format!("environment variable name `{n}` is not valid"),
                    "use letters, digits and `_`, not starting with a digit (`DATABASE_URL`)",
                );
            } else if seen.contains(&n.as_str()) {
                cx.error(
                    "SS0137",
                    format!(
                        "environment variable `{n}` is set more than once (as `env` or `secret`)"
                    ),
                    "set each variable once",
                );
            }
            seen.push(n);
        }
        for (n, src) in &self.secrets {
            if let SecretKind::SsmName(p) = &src.kind {
                let ok = !p.is_empty()
                    && p.len() <= 1011
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c))
                    && (!p.contains('/') || p.starts_with('/'))
                    && !p
                        .trim_start_matches('/')
                        .to_ascii_lowercase()
                        .starts_with("aws")
                    && !p
                        .trim_start_matches('/')
                        .to_ascii_lowercase()
                        .starts_with("ssm");
                if !ok {
                    cx.error(
                        "SS0137",
                        format!("secret `{n}`: `{p}` is not a valid SSM parameter name"),
                        "use letters, digits and `_.-/`; a hierarchical name starts with `/` (`/janua/database-url`) and must not start with `aws` or `ssm`",
                    );
                }
            }
            if let SecretKind::SecretsManager {
                json_key: Some(k), ..
            } = &src.kind
            {
                if k.is_empty() || k.contains(':') {
                    cx.error(
                        "SS0137",
                        format!("secret `{n}`: JSON key `{k}` is empty or contains `:`"),
                        "name a top-level key of the secret's JSON object, e.g. `password`",
                    );
                }
            }
        }
        if let Some(u) = &self.user {
            if u.is_empty()
                || u == "root"
                || u == "0"
                || u.starts_with("0:")
                || u.starts_with("root:")
            {
                cx.error(
                    "SS0145",
                    format!("`user` is `{u}`, which runs the container as root"),
                    "use a non-root user such as `1000:1000`, or leave `user` unset to keep the image's",
                );
            }
        }
    }

    pub(super) fn container_definitions(
        &self,
        region: &str,
        logs: &Address,
        secrets: &[(String, Resolved)],
    ) -> Vec<Piece> {
        let mut env: Vec<&(String, Vec<Piece>)> = self.env.iter().collect();
        env.sort_by(|a, b| a.0.cmp(&b.0));
        let mut c: Vec<(&'static str, Json)> = vec![
            ("name", s(self.container_name())),
            ("image", Json::Str(self.image_pieces())),
            ("essential", Json::Bool(true)),
        ];
        if !self.command.is_empty() {
            c.push((
                "command",
                Json::Arr(self.command.iter().map(|a| s(a)).collect()),
            ));
        }
        if let Some(p) = self.port {
            c.push((
                "portMappings",
                Json::Arr(vec![Json::Obj(vec![
                    ("containerPort", Json::Int(i64::from(p))),
                    ("hostPort", Json::Int(i64::from(p))),
                    ("protocol", s("tcp")),
                ])]),
            ));
        }
        c.push((
            "environment",
            Json::Arr(
                env.iter()
                    .map(|(n, v)| Json::Obj(vec![("name", s(n)), ("value", Json::Str(v.clone()))]))
                    .collect(),
            ),
        ));
        c.push((
            "secrets",
            Json::Arr(
                secrets
                    .iter()
                    .map(|(n, r)| {
                        Json::Obj(vec![
                            ("name", s(n)),
                            ("valueFrom", Json::Str(r.value_from.clone())),
                        ])
                    })
                    .collect(),
            ),
        ));
        c.push(("readonlyRootFilesystem", Json::Bool(!self.writable_root)));
        if !self.writable_root {
            c.push((
                "mountPoints",
                Json::Arr(vec![Json::Obj(vec![
                    ("sourceVolume", s("tmp")),
                    ("containerPath", s("/tmp")),
                    ("readOnly", Json::Bool(false)),
                ])]),
            ));
        }
        if let Some(u) = &self.user {
            c.push(("user", s(u)));
        }
        let mut linux = vec![("initProcessEnabled", Json::Bool(true))];
        if !self.keep_capabilities {
            linux.push((
                "capabilities",
                Json::Obj(vec![("drop", Json::Arr(vec![s("ALL")]))]),
            ));
        }
        c.push(("linuxParameters", Json::Obj(linux)));
        if let Some(cmd) = self.health_command() {
            c.push((
                "healthCheck",
                Json::Obj(vec![
                    ("command", Json::Arr(vec![s("CMD-SHELL"), s(&cmd)])),
                    ("interval", Json::Int(30)),
                    ("timeout", Json::Int(5)),
                    ("retries", Json::Int(3)),
                    ("startPeriod", Json::Int(60)),
                ]),
            ));
        }
        c.push(("stopTimeout", Json::Int(30)));
        c.push((
            "logConfiguration",
            Json::Obj(vec![
                ("logDriver", s("awslogs")),
                (
                    "options",
                    Json::Obj(vec![
                        (
                            "awslogs-group",
                            Json::Str(vec![Piece::Ref(logs.attr::<()>("name"))]),
                        ),
                        ("awslogs-region", s(region)),
                        ("awslogs-stream-prefix", s("ecs")),
                        ("mode", s("non-blocking")),
                        ("max-buffer-size", s("25m")),
                    ]),
                ),
            ]),
        ));
        let mut out = Vec::new();
        render(&Json::Arr(vec![Json::Obj(c)]), &mut out);
        out
    }
}
