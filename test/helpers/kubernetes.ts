import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as a manifest spells it (only what the checks read is typed). */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface Kustomization {
  namespace?: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

/** Kinds that live in no namespace (among those the manifests use). */
const CLUSTER_SCOPED = new Set(['Namespace']);

export function readKustomization(dir: string): Kustomization {
  return parseAllDocuments(
    readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'),
  )[0]!.toJS() as Kustomization;
}

/**
 * What `kubectl kustomize dir` prints for the features the kustomization uses — `resources`
 * (files), `namespace` and `images` — so that the checks see the objects a cluster would
 * receive. Any other kustomization field is refused: this renderer would silently ignore it.
 */
export function renderKustomization(dir: string): KubernetesObject[] {
  const kustomization = readKustomization(dir);
  const known = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images']);
  const unknown = Object.keys(kustomization).filter((key) => !known.has(key));
  if (unknown.length)
    throw new Error(`kustomization fields this renderer does not apply: ${unknown.join(', ')}`);
  const objects: KubernetesObject[] = [];
  for (const file of kustomization.resources ?? []) {
    for (const document of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
      if (document.errors.length) throw new Error(`${file}: ${document.errors[0]!.message}`);
      const object = document.toJS() as KubernetesObject | null;
      if (!object) continue;
      if (kustomization.namespace && !CLUSTER_SCOPED.has(object.kind)) {
        object.metadata = { ...object.metadata, namespace: kustomization.namespace };
      }
      for (const container of podContainers(object)) {
        const image = kustomization.images?.find((entry) => entry.name === imageName(container.image));
        if (image)
          container.image = `${image.newName ?? image.name}${image.newTag ? `:${image.newTag}` : ''}`;
      }
      objects.push(object);
    }
  }
  return objects;
}

const imageName = (image: unknown) => String(image).replace(/[:@].*$/, '');

export interface Container {
  name: string;
  image: string;
  [field: string]: unknown;
}

/** The pod template of a Deployment or Job, or undefined for other kinds. */
export function podTemplate(object: KubernetesObject):
  | {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: Record<string, unknown>;
    }
  | undefined {
  if (object.kind !== 'Deployment' && object.kind !== 'Job') return undefined;
  return (object.spec as { template: never }).template;
}

export function podContainers(object: KubernetesObject): Container[] {
  const template = podTemplate(object);
  if (!template) return [];
  const spec = template.spec as { containers?: Container[]; initContainers?: Container[] };
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
}

/** Whether a label selector (matchLabels and matchExpressions) selects pods with these labels. */
export function selects(
  selector: {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  },
  labels: Record<string, string>,
): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key]!);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]!);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        throw new Error(`unknown selector operator ${operator}`);
    }
  });
  return byLabel && byExpression;
}
