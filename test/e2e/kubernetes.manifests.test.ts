// deploy/kubernetes as a cluster would receive it: rendered like `kubectl kustomize`, every
// object checked against the Kubernetes API schemas (a vendored subset, test/kubernetes),
// then against the rules a team applying it expects. No cluster or kubectl is needed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  type KubernetesObject,
  podContainers,
  podTemplate,
  readKustomization,
  renderKustomization,
  selects,
} from '../helpers/kubernetes.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIR = path.join(ROOT, 'deploy/kubernetes');
const objects = renderKustomization(DIR);
const ofKind = (kind: string) => objects.filter((object) => object.kind === kind);
const deployments = ofKind('Deployment');
const workloads = [...deployments, ...ofKind('Job')];
const GRPC_PARTS = ['users', 'catalog', 'payments'];

const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addSchema(
  JSON.parse(readFileSync(path.join(ROOT, 'test/kubernetes/kubernetes-api.schema.json'), 'utf8')),
  'k8s',
);

/** Schema errors of one object, as readable lines (empty when valid). */
function schemaErrors(object: KubernetesObject): string[] {
  const validate = ajv.getSchema(`k8s#/$defs/${object.apiVersion.replace('/', '.')}.${object.kind}`);
  if (!validate) return [`no schema for ${object.apiVersion} ${object.kind}`];
  if (validate(object)) return [];
  return (validate.errors ?? []).map(
    (error) =>
      `${error.instancePath || '/'} ${error.message}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`,
  );
}

/** The uid the image runs as: the Dockerfile's USER (node is uid 1000 in the official images). */
function imageUid(): number {
  const user = /^USER\s+(\S+)/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
  const uids: Record<string, number> = { node: 1000 };
  if (!user || !(user in uids || /^\d+$/.test(user))) throw new Error(`unknown Dockerfile USER ${user}`);
  return user in uids ? uids[user]! : Number(user);
}

const name = (object: KubernetesObject) => `${object.kind}/${object.metadata.name}`;
const partOf = (object: KubernetesObject) => podTemplate(object)?.metadata?.labels?.part ?? '';

describe('Kubernetes manifests', () => {
  it('render to the objects of every part, all in the namespace', () => {
    expect(deployments.map(partOf).sort()).toEqual([
      'catalog',
      'gateway',
      'notifications',
      'payments',
      'users',
    ]);
    for (const object of objects)
      if (object.kind !== 'Namespace') expect(object.metadata.namespace, name(object)).toBe('mamlaka');
  });

  it('validate against the Kubernetes API schemas', () => {
    const problems = objects.flatMap((object) =>
      schemaErrors(object).map((error) => `${name(object)}: ${error}`),
    );
    expect(problems).toEqual([]);
  });

  it('the schemas refuse what the API server would (a misspelt field, a bad quantity, a missing selector)', () => {
    const deployment = structuredClone(deployments[0]!);
    const [container] = podContainers(deployment);
    container!.readinessProbes = container!.readinessProbe;
    (container!.resources as { requests: Record<string, string> }).requests.memory = '256 MB';
    delete (deployment.spec as { selector?: unknown }).selector;
    const errors = schemaErrors(deployment).join('\n');
    expect(errors).toMatch(/readinessProbes/);
    expect(errors).toMatch(/resources\/requests\/memory/);
    expect(errors).toMatch(/selector/);
    expect(schemaErrors({ ...deployment, apiVersion: 'extensions/v1beta1' })).toEqual([
      'no schema for extensions/v1beta1 Deployment',
    ]);
  });

  it('run every container unprivileged, as the image user, on a read-only root filesystem', () => {
    for (const workload of workloads) {
      const pod = podTemplate(workload)!.spec as {
        securityContext?: Record<string, unknown>;
        volumes?: { name: string; emptyDir?: unknown }[];
        automountServiceAccountToken?: boolean;
      };
      expect(pod.securityContext, name(workload)).toMatchObject({
        runAsNonRoot: true,
        runAsUser: imageUid(),
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.automountServiceAccountToken, name(workload)).toBe(false);
      for (const container of podContainers(workload)) {
        expect(container.securityContext, `${name(workload)} ${container.name}`).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        // The writable paths are emptyDir volumes, among them /tmp (DATA_DIR is under it).
        const mounts = (container.volumeMounts ?? []) as { name: string; mountPath: string }[];
        const tmp = mounts.find((mount) => mount.mountPath === '/tmp');
        expect(tmp, `${name(workload)} mounts /tmp`).toBeDefined();
        expect(pod.volumes?.find((volume) => volume.name === tmp!.name)?.emptyDir).toBeDefined();
      }
    }
    const config = ofKind('ConfigMap')[0]!.data as Record<string, string>;
    expect(config.DATA_DIR).toMatch(/^\/tmp\//);
  });

  it('give every container requests for CPU and memory and a memory limit', () => {
    for (const workload of workloads)
      for (const container of podContainers(workload)) {
        const resources = container.resources as {
          requests?: Record<string, string>;
          limits?: Record<string, string>;
        };
        expect(Object.keys(resources?.requests ?? {}).sort(), name(workload)).toEqual(['cpu', 'memory']);
        expect(resources.limits?.memory, name(workload)).toBeDefined();
      }
  });

  it('probe every part: readiness is /ready (database and migrations), liveness /health', () => {
    for (const deployment of deployments)
      for (const container of podContainers(deployment)) {
        expect(container.readinessProbe, name(deployment)).toMatchObject({
          httpGet: { path: '/ready', port: 'http' },
        });
        expect(container.livenessProbe, name(deployment)).toMatchObject({ httpGet: { path: '/health' } });
        expect(container.ports, name(deployment)).toContainEqual({ name: 'http', containerPort: 8080 });
      }
  });

  it('cover every Deployment with a PodDisruptionBudget that leaves pods serving', () => {
    const budgets = ofKind('PodDisruptionBudget') as (KubernetesObject & {
      spec: { selector: never; maxUnavailable?: number; minAvailable?: number };
    })[];
    for (const deployment of deployments) {
      const labels = podTemplate(deployment)!.metadata!.labels!;
      const budget = budgets.find((candidate) => selects(candidate.spec.selector, labels));
      expect(budget, `PodDisruptionBudget for ${name(deployment)}`).toBeDefined();
      const replicas = (deployment.spec as { replicas: number }).replicas;
      expect(budget!.spec.maxUnavailable ?? replicas - budget!.spec.minAvailable!).toBeLessThan(replicas);
    }
  });

  it('scale the gateway and the gRPC services on CPU (autoscaling/v2)', () => {
    const autoscalers = ofKind('HorizontalPodAutoscaler') as (KubernetesObject & {
      spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number };
    })[];
    for (const part of ['gateway', ...GRPC_PARTS]) {
      const deployment = deployments.find((candidate) => partOf(candidate) === part)!;
      const autoscaler = autoscalers.find(
        (candidate) => candidate.spec.scaleTargetRef.name === deployment.metadata.name,
      );
      expect(autoscaler, `HorizontalPodAutoscaler for ${part}`).toBeDefined();
      expect(autoscaler!.spec.scaleTargetRef.kind).toBe('Deployment');
      expect(autoscaler!.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(autoscaler!.spec.maxReplicas).toBeGreaterThan(autoscaler!.spec.minReplicas);
    }
  });

  it('name the migrate Job after the release, so that each release runs it once', () => {
    const [job] = ofKind('Job');
    const tag = readKustomization(DIR).images!.find((image) => image.name === 'mamlaka')!.newTag!;
    expect(tag).not.toBe('latest');
    expect(job!.metadata.name).toBe(`mamlaka-migrate-${tag.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`);
    for (const workload of workloads)
      for (const container of podContainers(workload)) expect(container.image).toBe(`mamlaka:${tag}`);
    expect((job!.spec as { ttlSecondsAfterFinished?: number }).ttlSecondsAfterFinished).toBeGreaterThan(0);
  });

  describe('NetworkPolicies', () => {
    type Peer = { podSelector?: never; namespaceSelector?: never; ipBlock?: unknown };
    type Rule = { from?: Peer[]; ports?: { port: number | string }[] };
    const policies = ofKind('NetworkPolicy') as (KubernetesObject & {
      spec: { podSelector: never; policyTypes: string[]; ingress?: Rule[] };
    })[];
    const podLabels = (part: string) =>
      podTemplate(deployments.find((d) => partOf(d) === part)!)!.metadata!.labels!;
    /** The ingress rules that let traffic reach `port` of the pods of `part`. */
    const rulesFor = (part: string, port: number) =>
      policies
        .filter((policy) => selects(policy.spec.podSelector, podLabels(part)))
        .flatMap((policy) => policy.spec.ingress ?? [])
        .filter((rule) => !rule.ports || rule.ports.some((allowed) => allowed.port === port));

    it('deny ingress to every pod by default', () => {
      expect(
        policies.some(
          (policy) =>
            selects(policy.spec.podSelector, {}) &&
            policy.spec.policyTypes.includes('Ingress') &&
            !policy.spec.ingress,
        ),
      ).toBe(true);
    });

    it('let only the gateway reach the services gRPC port', () => {
      for (const part of GRPC_PARTS) {
        const rules = rulesFor(part, 50051);
        expect(rules.length, part).toBeGreaterThan(0);
        for (const rule of rules) {
          expect(rule.from?.length, `${part}: a rule without "from" admits everyone`).toBeGreaterThan(0);
          for (const peer of rule.from!) {
            expect(peer.namespaceSelector ?? peer.ipBlock, part).toBeUndefined();
            expect(selects(peer.podSelector!, podLabels('gateway')), part).toBe(true);
            for (const other of ['users', 'catalog', 'payments', 'notifications'])
              expect(selects(peer.podSelector!, podLabels(other)), `${other} may reach ${part}`).toBe(false);
          }
        }
      }
    });

    it('let the monitoring namespace, and only it, scrape the metrics port of every part', () => {
      for (const deployment of deployments) {
        const part = partOf(deployment);
        const rules = rulesFor(part, 9464);
        expect(rules.length, part).toBeGreaterThan(0);
        for (const rule of rules)
          expect(rule.from, part).toEqual([
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
          ]);
        expect(podTemplate(deployment)!.metadata!.annotations, part).toMatchObject({
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': '9464',
        });
        expect(podContainers(deployment)[0]!.ports).toContainEqual({ name: 'metrics', containerPort: 9464 });
      }
      const config = ofKind('ConfigMap')[0]!.data as Record<string, string>;
      expect(config).toMatchObject({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' });
    });
  });

  it('point every Service at a port its pods declare', () => {
    for (const service of ofKind('Service')) {
      const spec = service.spec as { selector: Record<string, string>; ports: { targetPort: string }[] };
      const backing = deployments.filter((d) =>
        selects({ matchLabels: spec.selector }, podTemplate(d)!.metadata!.labels!),
      );
      expect(backing.length, name(service)).toBe(1);
      const declared = (podContainers(backing[0]!)[0]!.ports as { name: string }[]).map((port) => port.name);
      for (const port of spec.ports) expect(declared, name(service)).toContain(port.targetPort);
    }
  });
});
