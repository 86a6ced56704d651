/**
 * The category tree as plain data: building the nested view, and deciding whether a
 * category may be placed under a parent without making a cycle or a tree too deep.
 */
export const MAX_CATEGORY_DEPTH = 8;

export interface CategoryNode {
  id: string;
  parent_id: string | null;
  name: string;
  slug: string;
  position: number;
}

export interface CategoryTree extends CategoryNode {
  children: CategoryTree[];
}

const byPosition = (a: CategoryNode, b: CategoryNode) =>
  a.position - b.position || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function childrenOf(nodes: readonly CategoryNode[]): Map<string | null, CategoryNode[]> {
  const children = new Map<string | null, CategoryNode[]>();
  const ids = new Set(nodes.map((node) => node.id));
  for (const node of nodes) {
    // A parent that is not in the list would hide its subtree: show it at the top instead.
    const parent = node.parent_id !== null && ids.has(node.parent_id) ? node.parent_id : null;
    children.set(parent, [...(children.get(parent) ?? []), node]);
  }
  for (const list of children.values()) list.sort(byPosition);
  return children;
}

/** The forest, each level ordered by position, then name. */
export function buildTree(nodes: readonly CategoryNode[]): CategoryTree[] {
  const children = childrenOf(nodes);
  const grow = (node: CategoryNode): CategoryTree => ({
    id: node.id,
    name: node.name,
    slug: node.slug,
    parent_id: node.parent_id,
    position: node.position,
    children: (children.get(node.id) ?? []).map(grow),
  });
  return (children.get(null) ?? []).map(grow);
}

/** `rootId` and every category below it. */
export function subtreeIds(nodes: readonly CategoryNode[], rootId: string): string[] {
  const children = childrenOf(nodes);
  const found: string[] = [];
  const seen = new Set<string>();
  const stack = [rootId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    found.push(id);
    for (const child of children.get(id) ?? []) stack.push(child.id);
  }
  return found;
}

/** Levels from a top category down to `id` (a top category is at depth 1). */
function depthOf(parents: Map<string, string | null>, id: string): number {
  let depth = 0;
  for (let at: string | null | undefined = id; at; at = parents.get(at)) {
    depth += 1;
    if (depth > parents.size) break;
  }
  return depth;
}

/** Levels in the subtree under `id`, itself included (a leaf has height 1). */
function heightOf(
  children: Map<string | null, CategoryNode[]>,
  id: string,
  seen = new Set<string>(),
): number {
  if (seen.has(id)) return 0;
  seen.add(id);
  let tallest = 0;
  for (const child of children.get(id) ?? []) tallest = Math.max(tallest, heightOf(children, child.id, seen));
  return tallest + 1;
}

export type PlacementVerdict = 'ok' | 'category_cycle' | 'category_too_deep';

/**
 * Whether category `id` (undefined for a new one) may sit under `parentId` (null: at the
 * top): never under itself or one of its own descendants, and its deepest descendant no
 * deeper than `maxDepth`.
 */
export function checkPlacement(
  nodes: readonly CategoryNode[],
  id: string | undefined,
  parentId: string | null,
  maxDepth = MAX_CATEGORY_DEPTH,
): PlacementVerdict {
  if (id !== undefined && parentId !== null && subtreeIds(nodes, id).includes(parentId)) {
    return 'category_cycle';
  }
  const parents = new Map(nodes.map((node) => [node.id, node.parent_id]));
  const parentDepth = parentId === null ? 0 : depthOf(parents, parentId);
  const height = id === undefined ? 1 : heightOf(childrenOf(nodes), id);
  return parentDepth + height > maxDepth ? 'category_too_deep' : 'ok';
}

/** A URL-safe slug from a name: "Batik & Tenun" → "batik-tenun"; empty when nothing is left. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/, '');
}
