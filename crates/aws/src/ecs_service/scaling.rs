//! Application Auto Scaling of the task count: the checks on `autoscale` and its targets, the
//! scalable target and one target-tracking policy per metric.

use stacksmith_core::{Address, Lowering, Template, tf};

use super::EcsService;
use crate::common::name_tag;

impl EcsService {
    pub(super) fn initial_count(&self) -> u32 {
        let desired = self.desired.unwrap_or(3);
        match self.autoscale {
            Some((min, max)) if min <= max => desired.clamp(min, max),
            _ => desired,
        }
    }

    pub(super) fn validate_scaling(&self, cx: &mut Lowering<'_>) {
        if let Some((min, max)) = self.autoscale {
            if min == 0 || min > max || max > 5000 {
                cx.error(
                    "SS0140",
                    format!("`autoscale` is min {min} / max {max}; it needs 1 ≤ min ≤ max ≤ 5000"),
                    "fix `.autoscale(min, max)`; use min 2 or more so a task survives a zone outage",
                );
            }
            if let Some(d) = self.desired {
                if min <= max && !(min..=max).contains(&d) {
                    cx.warning(
                        "SS0141",
                        format!(
                            "`desired_count` {d} is outside autoscaling's {min}–{max}; the service starts with {}",
                            d.clamp(min, max)
                        ),
                        "remove `.desired_count` (autoscaling sets the count) or set it within the range",
                    );
                }
            }
            if min == 1 {
                cx.warning(
                    "SS0141",
                    "autoscaling may run a single task, which a zone outage or a deploy takes down",
                    "use min 2 or more",
                );
            }
        } else {
            if self.cpu_target.is_some() || self.memory_target.is_some() {
                cx.error(
                    "SS0140",
                    "a scaling target is set but the service does not autoscale",
                    "add `.autoscale(min, max)` or remove `.target_cpu_percent` / `.target_memory_percent`",
                );
            }
            if let Some(d) = self.desired {
                if d < 2 {
                    cx.warning(
                        "SS0141",
                        format!("`desired_count` is {d}: a zone outage or a failed task takes the service down"),
                        "run 2 or more tasks (3 spreads over three zones)",
                    );
                }
            }
        }
        for (what, target) in [
            ("target_cpu_percent", self.cpu_target),
            ("target_memory_percent", self.memory_target),
        ] {
            if let Some(t) = target {
                if !(1..=100).contains(&t) {
                    cx.error(
                        "SS0140",
                        format!("`{what}` is {t}; it is a utilisation percentage, 1 to 100"),
                        "use 60–80 to keep headroom for bursts",
                    );
                }
            }
        }
    }

    pub(super) fn autoscaling(&self, cx: &mut Lowering<'_>, service: &Address) {
        let Some((min, max)) = self.autoscale else {
            return;
        };
        let resource_id = Template::new()
            .lit("service/")
            .with(&self.cluster.name())
            .lit("/")
            .with(&service.attr::<String>("name"));
        let target = cx.add(
            "aws_appautoscaling_target",
            "scaling",
            tf! {
                "service_namespace" => "ecs",
                "scalable_dimension" => "ecs:service:DesiredCount",
                "resource_id" => resource_id,
                "min_capacity" => min,
                "max_capacity" => max,
                "tags" => name_tag(&cx.name("scaling")),
            },
        );
        let metrics = [
            (
                "cpu",
                "ECSServiceAverageCPUUtilization",
                Some(self.cpu_target.unwrap_or(70)),
            ),
            (
                "memory",
                "ECSServiceAverageMemoryUtilization",
                self.memory_target,
            ),
        ];
        for (part, metric, target_value) in metrics {
            let Some(value) = target_value else { continue };
            cx.add_with(
                "aws_appautoscaling_policy",
                part,
                tf! {
                    "name" => cx.name(part),
                    "policy_type" => "TargetTrackingScaling",
                    "service_namespace" => target.attr::<String>("service_namespace"),
                    "scalable_dimension" => target.attr::<String>("scalable_dimension"),
                    "resource_id" => target.attr::<String>("resource_id"),
                    "target_tracking_scaling_policy_configuration" => tf! {
                        "target_value" => value,
                        "scale_in_cooldown" => 300_i64,
                        "scale_out_cooldown" => 60_i64,
                        "disable_scale_in" => false,
                        "predefined_metric_specification" => tf! { "predefined_metric_type" => metric },
                    },
                },
                crate::common::NAMED,
            );
        }
    }
}
