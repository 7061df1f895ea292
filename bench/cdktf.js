// The stacksmith Terraform benchmark unit (benches/synth.rs, `terraform`) written the idiomatic
// cdktf way: one VPC, one ALB with an HTTPS listener, and N units of a Postgres instance and a
// Redis replication group, each with an ingress rule from the ALB's security group, plus a
// target group and a listener rule.
// Usage: node cdktf.js <units> <outdir>
const { App, TerraformStack } = require('cdktf');
const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
const { Vpc } = require('@cdktf/provider-aws/lib/vpc');
const { SecurityGroup } = require('@cdktf/provider-aws/lib/security-group');
const { SecurityGroupRule } = require('@cdktf/provider-aws/lib/security-group-rule');
const { Lb } = require('@cdktf/provider-aws/lib/lb');
const { LbListener } = require('@cdktf/provider-aws/lib/lb-listener');
const { LbTargetGroup } = require('@cdktf/provider-aws/lib/lb-target-group');
const { LbListenerRule } = require('@cdktf/provider-aws/lib/lb-listener-rule');
const { DbInstance } = require('@cdktf/provider-aws/lib/db-instance');
const { ElasticacheReplicationGroup } = require('@cdktf/provider-aws/lib/elasticache-replication-group');

const units = Number(process.argv[2] || 1000);
const outdir = process.argv[3] || 'dist-tf';
const start = process.hrtime.bigint();

const app = new App({ outdir });
const stack = new TerraformStack(app, 'bench');
new AwsProvider(stack, 'aws', { region: 'us-east-1' });
const vpc = new Vpc(stack, 'vpc', { cidrBlock: '10.0.0.0/16' });
const albSg = new SecurityGroup(stack, 'alb-sg', { vpcId: vpc.id });
const alb = new Lb(stack, 'alb', { loadBalancerType: 'application', securityGroups: [albSg.id] });
const listener = new LbListener(stack, 'https', {
  loadBalancerArn: alb.arn,
  port: 443,
  protocol: 'HTTPS',
  defaultAction: [{ type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404' } }],
});
for (let i = 0; i < units; i++) {
  const dbSg = new SecurityGroup(stack, `db${i}-sg`, { vpcId: vpc.id });
  new DbInstance(stack, `db${i}`, {
    engine: 'postgres',
    instanceClass: 'db.t4g.medium',
    allocatedStorage: 20,
    storageEncrypted: true,
    manageMasterUserPassword: true,
    username: 'app',
    vpcSecurityGroupIds: [dbSg.id],
  });
  new SecurityGroupRule(stack, `db${i}-from-alb`, {
    type: 'ingress', fromPort: 5432, toPort: 5432, protocol: 'tcp',
    securityGroupId: dbSg.id, sourceSecurityGroupId: albSg.id,
  });
  const cacheSg = new SecurityGroup(stack, `cache${i}-sg`, { vpcId: vpc.id });
  new ElasticacheReplicationGroup(stack, `cache${i}`, {
    replicationGroupId: `cache${i}`,
    description: `cache${i}`,
    engine: 'redis',
    nodeType: 'cache.t4g.small',
    numCacheClusters: 2,
    transitEncryptionEnabled: true,
    atRestEncryptionEnabled: true,
    securityGroupIds: [cacheSg.id],
  });
  new SecurityGroupRule(stack, `cache${i}-from-alb`, {
    type: 'ingress', fromPort: 6379, toPort: 6379, protocol: 'tcp',
    securityGroupId: cacheSg.id, sourceSecurityGroupId: albSg.id,
  });
  const tg = new LbTargetGroup(stack, `svc${i}-tg`, {
    name: `svc${i}`, port: 8080, protocol: 'HTTP', targetType: 'ip', vpcId: vpc.id,
    healthCheck: { path: '/healthz' },
  });
  new LbListenerRule(stack, `svc${i}-rule`, {
    listenerArn: listener.arn,
    priority: i + 1,
    action: [{ type: 'forward', targetGroupArn: tg.arn }],
    condition: [{ hostHeader: { values: [`svc${i}.example.com`] } }],
  });
}
app.synth();
const ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(`cdktf N=${units}: ${units * 8 + 5} resources, ${ms.toFixed(1)} ms in node (after module load)`);
