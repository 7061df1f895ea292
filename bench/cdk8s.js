// The stacksmith K8s benchmark unit (benches/synth.rs, `k8s_one_stack`) written the idiomatic
// cdk8s way: one chart, N units of ConfigMap, Deployment (probes, env from the ConfigMap and a
// Secret, requests/limits), Service, HPA, Ingress with TLS and PDB.
// Usage: node cdk8s.js <units> <outdir>
const { App, Chart, ApiObject, Duration, Size } = require('cdk8s');
const kplus = require('cdk8s-plus-33');

const units = Number(process.argv[2] || 1000);
const outdir = process.argv[3] || 'dist-k8s';
const start = process.hrtime.bigint();

const app = new App({ outdir });
const chart = new Chart(app, 'bench', { namespace: 'apps' });
const secret = kplus.Secret.fromSecretName(chart, 'app-secrets', 'app-secrets');
for (let i = 0; i < units; i++) {
  const id = `svc${i}`;
  const config = new kplus.ConfigMap(chart, `${id}-config`, {
    data: { mode: 'production', 'log-level': 'info' },
  });
  const web = new kplus.Deployment(chart, id);
  web.addContainer({
    name: 'web',
    image: `example/${id}:1.2.3`,
    portNumber: 8080,
    envVariables: {
      MODE: kplus.EnvValue.fromConfigMap(config, 'mode'),
      LOG_LEVEL: kplus.EnvValue.fromConfigMap(config, 'log-level'),
      DATABASE_URL: kplus.EnvValue.fromSecretValue({ secret, key: 'database-url' }),
    },
    resources: {
      cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(500) },
      memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) },
    },
    readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080, periodSeconds: Duration.seconds(5) }),
    liveness: kplus.Probe.fromHttpGet('/healthz', { port: 8080, initialDelaySeconds: Duration.seconds(10) }),
  });
  const service = web.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
  new kplus.HorizontalPodAutoscaler(chart, `${id}-hpa`, {
    target: web,
    minReplicas: 3,
    maxReplicas: 10,
    metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(70))],
  });
  const ingress = new kplus.Ingress(chart, `${id}-ingress`);
  ingress.addHostRule(`${id}.example.com`, '/', kplus.IngressBackend.fromService(service));
  ingress.addTls([{ hosts: [`${id}.example.com`], secret: kplus.Secret.fromSecretName(chart, `${id}-tls`, `${id}-tls`) }]);
  new ApiObject(chart, `${id}-pdb`, {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    spec: { maxUnavailable: 1, selector: { matchLabels: web.matchLabels } },
  });
}
app.synth();
const ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(`cdk8s N=${units}: ${(units * 6)} objects, ${ms.toFixed(1)} ms in node (after module load)`);
