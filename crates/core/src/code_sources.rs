//! Where each rule of [`crate::CODES`] comes from: the AWS or Kubernetes documentation page (or
//! the Terraform, Linux or stacksmith document) that states the limit or the behaviour the rule
//! guards. `docs/rules.md` lists them beside each code; a test (`tests/codes.rs`) checks that
//! every code has one.
//!
//! Kept beside the code table rather than in it so rows added in parallel merge cleanly; the
//! two are joined by [`crate::Code::sources`].

// Kubernetes.
const K_NAMES: &str = "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/";
const K_LABELS: &str = "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set";
const K_ANNOTATIONS: &str = "https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/#syntax-and-character-set";
const K_WELL_KNOWN: &str = "https://kubernetes.io/docs/reference/labels-annotations-taints/";
const K_POD_API: &str =
    "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/";
const K_PODS: &str = "https://kubernetes.io/docs/concepts/workloads/pods/";
const K_PROBES: &str = "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/";
const K_RESOURCES: &str =
    "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/";
const K_IMAGES: &str = "https://kubernetes.io/docs/concepts/containers/images/#image-names";
const AWS_ACCOUNT_ID: &str =
    "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html";
const ECR_REGISTRY_HOST: &str =
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html";
const K_ENV: &str = "https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/";
const K_ENV_KEP: &str = "https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/4369-allow-special-characters-environment-variable";
const K_SERVICE: &str = "https://kubernetes.io/docs/concepts/services-networking/service/";
const K_SERVICE_API: &str =
    "https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/";
const K_HPA: &str = "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/";
const K_FEATURE_GATES: &str =
    "https://kubernetes.io/docs/reference/command-line-tools-reference/feature-gates/";
const K_PDB: &str = "https://kubernetes.io/docs/tasks/run-application/configure-pdb/";
const K_DEPLOYMENT: &str = "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/";
const K_CONFIG_MAP: &str = "https://kubernetes.io/docs/concepts/configuration/configmap/";
const K_SECRET: &str = "https://kubernetes.io/docs/concepts/configuration/secret/";
const SM_RANDOM_PASSWORD: &str =
    "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html";
const SM_ROTATION_RULES: &str =
    "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html";
const SM_ROTATION_LAMBDA: &str =
    "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda.html";
const TF_LAMBDA_FILENAME: &str =
    "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_function";
const ESO_EXTERNAL_SECRET: &str = "https://external-secrets.io/latest/api/externalsecret/";
const ESO_TEMPLATE: &str = "https://external-secrets.io/latest/guides/templating/";
const K_INGRESS: &str = "https://kubernetes.io/docs/concepts/services-networking/ingress/";
const K_SECURITY_CONTEXT: &str =
    "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/";
const K_VOLUMES: &str = "https://kubernetes.io/docs/concepts/storage/volumes/";
const K_HOST_PATH: &str = "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath";
const K_PV: &str = "https://kubernetes.io/docs/concepts/storage/persistent-volumes/";
const K_CRON_JOB: &str = "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/";
const K_CRON_TZ: &str =
    "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones";
const K_JOB: &str = "https://kubernetes.io/docs/concepts/workloads/controllers/job/";
const K_DAEMON_SET: &str = "https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/";
const K_STATEFUL_SET: &str =
    "https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/";
const K_HOOKS: &str = "https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/";
const K_TERMINATION: &str =
    "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination";
const K_INIT: &str = "https://kubernetes.io/docs/concepts/workloads/pods/init-containers/";
const K_NETWORK_POLICY: &str =
    "https://kubernetes.io/docs/concepts/services-networking/network-policies/";
const K_RBAC: &str = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/";
const K_RBAC_GOOD: &str = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/";
const K_LIMIT_RANGE: &str = "https://kubernetes.io/docs/concepts/policy/limit-range/";
const K_QUOTA: &str = "https://kubernetes.io/docs/concepts/policy/resource-quotas/";
const K_CRD_VALIDATION: &str = "https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation";
const K_API_CONVENTIONS: &str = "https://github.com/kubernetes/community/blob/master/contributors/devel/sig-architecture/api-conventions.md";
/// The API server's validation of names, ports and user ids (`IsDNS1035Label`,
/// `IsValidPortNum`, `IsValidUserID`, `IsValidGroupID`).
const K_VALIDATION: &str =
    "https://github.com/kubernetes/apimachinery/blob/master/pkg/util/validation/validation.go";
/// The API server's validation of object metadata (`TotalAnnotationSizeLimitB`).
const K_OBJECT_META: &str =
    "https://github.com/kubernetes/apimachinery/blob/master/pkg/api/validation/objectmeta.go";
const IANA_TZ: &str = "https://www.iana.org/time-zones";
const EXECVE: &str = "https://man7.org/linux/man-pages/man2/execve.2.html";
const KUBEDB_MONGODB: &str = "https://kubedb.com/docs/latest/guides/mongodb/";
const KUBEDB_REDIS: &str = "https://kubedb.com/docs/latest/guides/redis/";
const KUBEDB_TERMINATION: &str =
    "https://kubedb.com/docs/latest/guides/mongodb/concepts/mongodb/#specdeletionpolicy";
const CERT_MANAGER_ACME: &str = "https://cert-manager.io/docs/configuration/acme/";
const CERT_MANAGER_CA: &str = "https://cert-manager.io/docs/configuration/ca/";
const SERVICE_MONITOR: &str =
    "https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.Endpoint";
const NGINX_CANARY: &str =
    "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#canary";
const LB_CONTROLLER_NLB: &str = "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/";

// AWS.
const TAGS: &str = "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html";
const REGIONS: &str =
    "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html";
const ZONES: &str =
    "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html";
const INSTANCE_TYPES: &str =
    "https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-types.html";
const VPC_CIDR: &str = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html";
const SUBNET_SIZE: &str = "https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html";
const VPC_PEERING: &str = "https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html";
const NAT: &str = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html";
const EKS_NODE_SCALING: &str =
    "https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupScalingConfig.html";
const EKS_NODE_GROUP: &str =
    "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html";
const EKS_POD_IDENTITY: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html";
const EKS_POD_IDENTITY_AGENT: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html";
const MSK_SERVERLESS_TOPIC: &str =
    "https://docs.aws.amazon.com/msk/latest/developerguide/msk-serverless-create-topic.html";
const KUBEDB_MONGODB_TLS: &str = "https://kubedb.com/docs/latest/guides/mongodb/tls/";
const KUBEDB_REDIS_TLS: &str = "https://kubedb.com/docs/latest/guides/redis/tls/";
const EKS_NODE_TAINTS: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/node-taints-managed-node-groups.html";
const K_TAINTS: &str =
    "https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/";
const VPA_README: &str =
    "https://github.com/kubernetes/autoscaler/blob/master/vertical-pod-autoscaler/README.md";
const ARGO_ROLLOUTS_CANARY: &str = "https://argoproj.github.io/argo-rollouts/features/canary/";
const ARGO_ROLLOUTS_ALB: &str =
    "https://argoproj.github.io/argo-rollouts/features/traffic-management/alb/";
const EKS_NODE_GROUP_SPOT: &str = "https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html#managed-node-group-capacity-types";
const EC2_SPOT_BEST_PRACTICES: &str =
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-best-practices.html";
const EKS_ADD_ONS: &str = "https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html";
const EKS_IRSA: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html";
const EKS_ACCESS_ENTRIES: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html";
const EKS_ACCESS_POLICIES: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html";
const RDS_NAMING: &str = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints";
const ELASTICACHE_NAMING: &str = "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html";
const ELASTICACHE_REPLICAS: &str =
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoFailover.html";
const ELASTICACHE_SHARDS: &str =
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Shards.html";
const ELASTICACHE_BACKUPS: &str =
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-automatic.html";
const ELASTICACHE_VERSIONS: &str =
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html";
const AURORA_REPLICAS: &str =
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Replication.html";
const RDS_VERSIONS: &str =
    "https://docs.aws.amazon.com/cli/latest/reference/rds/describe-db-engine-versions.html";
const RDS_BACKUP_RETENTION: &str = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.BackupRetention.html";
const RDS_DELETION_PROTECTION: &str = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeletionProtection";
const RDS_TLS: &str =
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html";
const RDS_INSTANCE_CLASS: &str =
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.html";
const RDS_STORAGE: &str =
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html";
const RDS_PARAMETERS: &str =
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithParamGroups.html";
const RDS_READ_REPLICAS: &str =
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html";
const RDS_MULTI_AZ: &str =
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html";
const DOCDB_CLUSTERS: &str =
    "https://docs.aws.amazon.com/documentdb/latest/developerguide/replication.html";
const ALB: &str = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html";
const ALB_CREATE: &str = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html";
const ALB_HTTPS: &str = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html";
const ALB_ACCESS_LOGS: &str = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html";
const ALB_SECURITY_GROUPS: &str = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html";
const ALB_RULES: &str = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html";
const ALB_QUOTAS: &str =
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html";
const ALB_HEALTH: &str = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html";
const ALB_TARGET_GROUPS: &str = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html";
const ECS_TASK_DEFINITION: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html";
const FARGATE_SIZES: &str = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size";
const ECS_SECRETS: &str = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html";
const ECS_AUTOSCALING: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html";
const ECS_AVAILABILITY: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/availability.html";
const ECS_EXEC: &str = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html";
const LOG_RETENTION: &str = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html";
const MSK_VERSIONS: &str =
    "https://docs.aws.amazon.com/msk/latest/developerguide/supported-kafka-versions.html";
const MSK_BROKERS: &str =
    "https://docs.aws.amazon.com/msk/latest/developerguide/bestpractices.html";
const MSK_STORAGE: &str =
    "https://docs.aws.amazon.com/msk/latest/developerguide/msk-autoexpand.html";
const MSK_SERVERLESS: &str =
    "https://docs.aws.amazon.com/msk/latest/developerguide/serverless.html";
const S3_LIFECYCLE: &str = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html";
const S3_LIFECYCLE_RULES: &str =
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html";
const S3_VERSIONING_LIFECYCLE: &str =
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configuration-examples.html";
const S3_NAMING: &str =
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html";
const S3_ACCESS_LOGS: &str =
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html";

// Terraform, and stacksmith's own design where the rule guards stacksmith's output.
const TF_RESOURCES: &str = "https://developer.hashicorp.com/terraform/language/resources/syntax";
const TF_REFERENCES: &str =
    "https://developer.hashicorp.com/terraform/language/expressions/references";
const TF_MOVED: &str =
    "https://developer.hashicorp.com/terraform/language/modules/develop/refactoring";
const TF_DATA_SOURCES: &str = "https://developer.hashicorp.com/terraform/language/data-sources";
const TF_EPHEMERAL: &str =
    "https://developer.hashicorp.com/terraform/language/manage-sensitive-data/ephemeral";
const TF_KUBERNETES_PROVIDER: &str =
    "https://registry.terraform.io/providers/hashicorp/kubernetes/2.38.0/docs";
const TF_AWS_DATA_SOURCES: &str =
    "https://registry.terraform.io/providers/hashicorp/aws/6.47.0/docs";
const RDS_SECRETS: &str =
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html";
const ALB_IDLE_TIMEOUT: &str = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout";
const ALB_502: &str = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#http-502-issues";
const EKS_VERSIONS: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html";
const EKS_ENDPOINT: &str = "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html";
const EKS_NETWORK_POLICY: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html";
const EKS_METRICS_SERVER: &str =
    "https://docs.aws.amazon.com/eks/latest/userguide/metrics-server.html";
const LB_CONTROLLER_INGRESS: &str = "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/";
const INGRESS_NGINX_RETIREMENT: &str =
    "https://kubernetes.io/blog/2025/11/11/ingress-nginx-retirement/";
const NGINX_REWRITE: &str = "https://kubernetes.github.io/ingress-nginx/examples/rewrite/";
const RFC_2606: &str = "https://www.rfc-editor.org/rfc/rfc2606";
const ECR_LIFECYCLE: &str =
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html";
const ECR_TAG_IMMUTABILITY: &str =
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html";
const WAF_QUOTAS: &str = "https://docs.aws.amazon.com/waf/latest/developerguide/limits.html";
const WAF_ASSOCIATE: &str =
    "https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html";
const ROUTE53_NAMES: &str =
    "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html";
const ROUTE53_HEALTH_CHECKS: &str =
    "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html";
const ROUTE53_FAILOVER: &str =
    "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html";
const SNS_SUBSCRIBE: &str = "https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html";
const PROMETHEUS_STORAGE: &str = "https://prometheus.io/docs/prometheus/latest/storage/";
const KUBE_PROMETHEUS_STACK: &str =
    "https://github.com/prometheus-community/helm-charts/tree/main/charts/kube-prometheus-stack";
const PROMETHEUS_ALERTING: &str =
    "https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/";
const SRE_SLO_ALERTING: &str = "https://sre.google/workbook/alerting-on-slos/";
const CLOUDWATCH_ALARMS: &str =
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html";
const CLOUDFRONT_CERTIFICATES: &str = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html";
const BUDGETS: &str =
    "https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-create.html";
const SS_ARCHITECTURE: &str = "stacksmith ARCHITECTURE.md (the pipeline; construct paths and ids)";
const SS_CLUSTER_ROOT: &str = "stacksmith ARCHITECTURE.md (facts: `found_by`; the `cluster/` root)";
const SS_README: &str = "stacksmith README.md (escape hatches: `override_attribute`)";

/// Every code's sources, in code order.
pub(crate) const SOURCES: &[(&str, &[&str])] = &[
    ("SS0001", &[K_NAMES, SS_ARCHITECTURE]),
    ("SS0002", &[SS_ARCHITECTURE]),
    ("SS0003", &[SS_ARCHITECTURE]),
    ("SS0004", &[TAGS]),
    ("SS0005", &[SS_ARCHITECTURE]),
    ("SS0006", &[SS_README]),
    ("SS0007", &[RDS_READ_REPLICAS, SS_ARCHITECTURE]),
    ("SS0008", &[TF_RESOURCES]),
    ("SS0009", &[TF_MOVED]),
    ("SS0010", &[TF_MOVED]),
    ("SS0011", &[VPC_PEERING]),
    ("SS0101", &[VPC_CIDR]),
    ("SS0102", &[VPC_CIDR]),
    (
        "SS0103",
        &[K_NAMES, RDS_NAMING, ELASTICACHE_NAMING, S3_NAMING],
    ),
    ("SS0104", &[SUBNET_SIZE]),
    ("SS0105", &[ZONES]),
    ("SS0106", &[EKS_NODE_SCALING]),
    ("SS0107", &[ELASTICACHE_REPLICAS]),
    ("SS0108", &[AURORA_REPLICAS, DOCDB_CLUSTERS]),
    ("SS0109", &[RDS_VERSIONS, ELASTICACHE_VERSIONS]),
    ("SS0110", &[RDS_BACKUP_RETENTION, ELASTICACHE_BACKUPS]),
    ("SS0111", &[NAT]),
    ("SS0112", &[RDS_DELETION_PROTECTION]),
    ("SS0113", &[RDS_INSTANCE_CLASS]),
    ("SS0114", &[RDS_STORAGE]),
    ("SS0115", &[RDS_PARAMETERS]),
    ("SS0116", &[RDS_READ_REPLICAS]),
    ("SS0117", &[RDS_STORAGE, AURORA_REPLICAS]),
    ("SS0118", &[ELASTICACHE_SHARDS]),
    ("SS0119", &[RDS_MULTI_AZ]),
    ("SS0130", &[ALB_CREATE, S3_NAMING]),
    ("SS0131", &[ALB_HTTPS]),
    ("SS0132", &[ALB, ALB_ACCESS_LOGS]),
    ("SS0133", &[ALB]),
    ("SS0134", &[ALB_SECURITY_GROUPS]),
    ("SS0135", &[ECS_TASK_DEFINITION]),
    ("SS0136", &[FARGATE_SIZES]),
    ("SS0137", &[ECS_SECRETS, ECS_TASK_DEFINITION]),
    ("SS0138", &[ALB_RULES, ALB_HTTPS]),
    ("SS0139", &[ALB_RULES, ALB_QUOTAS]),
    ("SS0140", &[ECS_AUTOSCALING]),
    ("SS0141", &[ECS_AVAILABILITY]),
    ("SS0142", &[ECS_EXEC]),
    ("SS0143", &[ALB_HEALTH, ALB_TARGET_GROUPS]),
    ("SS0144", &[LOG_RETENTION]),
    ("SS0145", &[ECS_TASK_DEFINITION]),
    ("SS0146", &[VPC_CIDR]),
    ("SS0150", &[MSK_VERSIONS]),
    ("SS0151", &[MSK_BROKERS]),
    ("SS0152", &[MSK_STORAGE]),
    ("SS0153", &[LOG_RETENTION]),
    ("SS0154", &[MSK_SERVERLESS]),
    ("SS0155", &[S3_LIFECYCLE, S3_LIFECYCLE_RULES]),
    ("SS0156", &[S3_LIFECYCLE_RULES]),
    ("SS0157", &[S3_VERSIONING_LIFECYCLE]),
    ("SS0158", &[S3_NAMING, S3_ACCESS_LOGS]),
    ("SS0160", &[EKS_NODE_GROUP]),
    ("SS0161", &[EKS_ADD_ONS]),
    ("SS0162", &[EKS_IRSA, K_NAMES]),
    ("SS0163", &[EKS_ACCESS_ENTRIES]),
    ("SS0164", &[EKS_ACCESS_POLICIES]),
    ("SS0165", &[EKS_IRSA]),
    ("SS0170", &[TAGS]),
    ("SS0171", &[REGIONS]),
    ("SS0172", &[INSTANCE_TYPES]),
    ("SS0180", &[RDS_SECRETS, RDS_READ_REPLICAS]),
    ("SS0181", &[ALB_IDLE_TIMEOUT, ALB_502]),
    ("SS0190", &[EKS_VERSIONS]),
    ("SS0191", &[EKS_ENDPOINT]),
    ("SS0192", &[EKS_ENDPOINT, EKS_ACCESS_ENTRIES]),
    ("SS0201", &[TF_RESOURCES]),
    ("SS0202", &[TF_REFERENCES]),
    ("SS0203", &[TF_REFERENCES, SS_ARCHITECTURE]),
    ("SS0204", &[K_NAMES]),
    ("SS0205", &[K_CONFIG_MAP, K_SECRET]),
    ("SS0206", &[K_ENV, K_CONFIG_MAP]),
    ("SS0207", &[K_NAMES]),
    ("SS0210", &[K_NAMES, SS_CLUSTER_ROOT]),
    ("SS0211", &[SS_CLUSTER_ROOT]),
    ("SS0212", &[K_SECRET]),
    ("SS0213", &[K_CONFIG_MAP]),
    ("SS0214", &[TF_KUBERNETES_PROVIDER, SS_CLUSTER_ROOT]),
    ("SS0215", &[TF_DATA_SOURCES, SS_CLUSTER_ROOT]),
    ("SS0216", &[TF_DATA_SOURCES, SS_CLUSTER_ROOT]),
    ("SS0217", &[TF_AWS_DATA_SOURCES]),
    ("SS0218", &[K_CONFIG_MAP]),
    ("SS0219", &[K_SECRET]),
    ("SS0220", &[K_NAMES, SS_ARCHITECTURE]),
    ("SS0221", &[K_INGRESS, K_HPA, K_RBAC, SS_ARCHITECTURE]),
    ("SS0222", &[K_LABELS, K_NETWORK_POLICY, K_PDB]),
    ("SS0230", &[K_SECURITY_CONTEXT]),
    ("SS0300", &[K_API_CONVENTIONS]),
    ("SS0301", &[K_PROBES]),
    ("SS0302", &[K_RESOURCES]),
    ("SS0303", &[K_IMAGES]),
    ("SS0304", &[K_ENV]),
    ("SS0305", &[K_SERVICE]),
    ("SS0306", &[K_HPA]),
    ("SS0308", &[K_PDB]),
    ("SS0309", &[K_PODS, K_POD_API]),
    ("SS0310", &[K_POD_API]),
    ("SS0311", &[K_POD_API]),
    ("SS0312", &[K_POD_API]),
    ("SS0313", &[K_DEPLOYMENT]),
    ("SS0314", &[K_FEATURE_GATES, K_HPA]),
    ("SS0315", &[K_HPA]),
    ("SS0316", &[K_CONFIG_MAP, K_SECRET]),
    ("SS0317", &[K_INGRESS]),
    ("SS0318", &[K_INGRESS]),
    ("SS0319", &[K_CONFIG_MAP, K_INGRESS]),
    ("SS0320", &[K_DEPLOYMENT]),
    ("SS0321", &[K_LABELS, K_ANNOTATIONS, K_WELL_KNOWN]),
    ("SS0322", &[K_SECURITY_CONTEXT]),
    ("SS0323", &[K_PDB, NGINX_CANARY]),
    ("SS0324", &[K_SERVICE_API]),
    ("SS0325", &[K_NAMES]),
    ("SS0330", &[K_STATEFUL_SET, K_PV]),
    ("SS0331", &[K_VOLUMES]),
    ("SS0332", &[K_VOLUMES]),
    ("SS0333", &[K_PV, K_VOLUMES]),
    ("SS0334", &[K_CRON_JOB]),
    ("SS0335", &[K_CRON_TZ, IANA_TZ]),
    ("SS0336", &[K_HOST_PATH]),
    ("SS0337", &[K_HOST_PATH]),
    ("SS0338", &[K_HOOKS]),
    ("SS0339", &[K_TERMINATION, K_HOOKS]),
    ("SS0340", &[K_INIT]),
    ("SS0341", &[K_JOB, K_CRON_JOB]),
    ("SS0342", &[K_DAEMON_SET, K_SECURITY_CONTEXT]),
    ("SS0350", &[K_NETWORK_POLICY]),
    ("SS0351", &[K_NETWORK_POLICY]),
    ("SS0352", &[K_NETWORK_POLICY]),
    ("SS0353", &[K_RBAC]),
    ("SS0354", &[K_RBAC]),
    ("SS0355", &[K_RBAC_GOOD]),
    ("SS0356", &[K_RBAC_GOOD]),
    ("SS0357", &[K_RBAC_GOOD]),
    ("SS0358", &[K_RBAC]),
    ("SS0359", &[K_RBAC]),
    ("SS0360", &[K_RBAC]),
    ("SS0361", &[K_RBAC]),
    ("SS0362", &[K_LIMIT_RANGE]),
    ("SS0363", &[K_QUOTA]),
    ("SS0364", &[K_QUOTA]),
    ("SS0365", &[K_SECRET]),
    ("SS0366", &[K_CONFIG_MAP, K_SECRET]),
    ("SS0370", &[K_CRD_VALIDATION]),
    ("SS0371", &[K_CRD_VALIDATION, K_API_CONVENTIONS]),
    ("SS0372", &[K_CRD_VALIDATION]),
    ("SS0373", &[KUBEDB_MONGODB, KUBEDB_REDIS]),
    ("SS0374", &[KUBEDB_REDIS]),
    ("SS0375", &[KUBEDB_MONGODB]),
    ("SS0376", &[KUBEDB_TERMINATION]),
    ("SS0377", &[CERT_MANAGER_ACME, CERT_MANAGER_CA]),
    ("SS0378", &[CERT_MANAGER_ACME]),
    ("SS0379", &[KUBEDB_MONGODB, KUBEDB_REDIS]),
    ("SS0380", &[SERVICE_MONITOR]),
    ("SS0381", &[SERVICE_MONITOR]),
    ("SS0382", &[SERVICE_MONITOR]),
    ("SS0383", &[KUBEDB_MONGODB]),
    ("SS0390", &[K_SERVICE, NGINX_CANARY]),
    ("SS0391", &[K_SERVICE]),
    ("SS0392", &[LB_CONTROLLER_NLB]),
    ("SS0393", &[LB_CONTROLLER_NLB]),
    ("SS0394", &[LB_CONTROLLER_NLB]),
    ("SS0395", &[LB_CONTROLLER_NLB]),
    ("SS0396", &[LB_CONTROLLER_NLB]),
    ("SS0397", &[K_INGRESS]),
    ("SS0400", &[K_ENV, K_ENV_KEP]),
    ("SS0401", &[K_POD_API, K_SERVICE_API, K_VALIDATION]),
    ("SS0402", &[K_NAMES, K_VALIDATION]),
    ("SS0403", &[K_ANNOTATIONS, K_OBJECT_META]),
    ("SS0404", &[K_SECURITY_CONTEXT, K_VALIDATION]),
    ("SS0405", &[EXECVE]),
    ("SS0440", &[NGINX_REWRITE, LB_CONTROLLER_INGRESS]),
    ("SS0441", &[NGINX_REWRITE, LB_CONTROLLER_INGRESS]),
    ("SS0442", &[K_NETWORK_POLICY, K_NAMES]),
    ("SS0443", &[RFC_2606, CERT_MANAGER_ACME]),
    (
        "SS0450",
        &[
            EKS_ADD_ONS,
            EKS_METRICS_SERVER,
            EKS_NETWORK_POLICY,
            LB_CONTROLLER_INGRESS,
        ],
    ),
    ("SS0451", &[INGRESS_NGINX_RETIREMENT]),
    ("SS0452", &[LB_CONTROLLER_INGRESS]),
    ("SS0470", &[LB_CONTROLLER_NLB, K_NETWORK_POLICY]),
    ("SS0480", &[K_HPA]),
    ("SS0481", &[K_PROBES]),
    ("SS0482", &[K_NETWORK_POLICY]),
    ("SS0490", &[K_SECRET, K_ENV]),
    ("SS0491", &[K_CONFIG_MAP, K_SECRET]),
    ("SS0500", &[SM_RANDOM_PASSWORD]),
    ("SS0501", &[ESO_EXTERNAL_SECRET]),
    ("SS0502", &[ESO_TEMPLATE]),
    ("SS0503", &[ESO_EXTERNAL_SECRET]),
    ("SS0504", &[ESO_EXTERNAL_SECRET]),
    ("SS0505", &[RDS_SECRETS]),
    ("SS0506", &[SM_ROTATION_RULES]),
    ("SS0507", &[SM_ROTATION_LAMBDA]),
    ("SS0508", &[TF_LAMBDA_FILENAME]),
    ("SS0509", &[SM_ROTATION_LAMBDA]),
    ("SS0520", &[ESO_EXTERNAL_SECRET]),
    ("SS0530", &[EKS_POD_IDENTITY]),
    ("SS0531", &[EKS_POD_IDENTITY_AGENT]),
    ("SS0532", &[EKS_POD_IDENTITY, EKS_IRSA]),
    ("SS0533", &[MSK_SERVERLESS_TOPIC]),
    ("SS0534", &[KUBEDB_MONGODB_TLS, KUBEDB_REDIS_TLS]),
    ("SS0535", &[EKS_POD_IDENTITY, K_NETWORK_POLICY]),
    ("SS0536", &[EKS_POD_IDENTITY]),
    ("SS0537", &[RDS_TLS]),
    ("SS0538", &[TF_EPHEMERAL]),
    ("SS0560", &[PROMETHEUS_STORAGE, KUBE_PROMETHEUS_STACK]),
    ("SS0561", &[KUBE_PROMETHEUS_STACK]),
    ("SS0562", &[PROMETHEUS_ALERTING, SRE_SLO_ALERTING]),
    ("SS0563", &[KUBE_PROMETHEUS_STACK]),
    ("SS0600", &[ECR_LIFECYCLE]),
    ("SS0601", &[ECR_TAG_IMMUTABILITY, K_IMAGES]),
    ("SS0602", &[ECR_TAG_IMMUTABILITY]),
    ("SS0605", &[WAF_QUOTAS]),
    ("SS0606", &[WAF_ASSOCIATE]),
    ("SS0610", &[ROUTE53_NAMES]),
    ("SS0611", &[ROUTE53_HEALTH_CHECKS]),
    ("SS0612", &[ROUTE53_NAMES, ROUTE53_FAILOVER]),
    ("SS0620", &[SNS_SUBSCRIBE]),
    ("SS0621", &[CLOUDWATCH_ALARMS]),
    ("SS0622", &[CLOUDWATCH_ALARMS]),
    ("SS0623", &[CLOUDWATCH_ALARMS]),
    ("SS0630", &[CLOUDFRONT_CERTIFICATES]),
    ("SS0640", &[BUDGETS]),
    ("SS0700", &[ELASTICACHE_REPLICAS]),
    ("SS0701", &[EKS_NODE_GROUP_SPOT, EC2_SPOT_BEST_PRACTICES]),
    ("SS0702", &[EKS_NODE_TAINTS, K_TAINTS]),
    ("SS0705", &[ARGO_ROLLOUTS_CANARY, ARGO_ROLLOUTS_ALB]),
    ("SS0710", &[VPA_README]),
    ("SS0711", &[VPA_README, K_HPA]),
    ("SS0730", &[AWS_ACCOUNT_ID]),
    ("SS0731", &[ECR_REGISTRY_HOST, K_IMAGES]),
];
