import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildTree,
  type CategoryNode,
  type CategoryTree,
  checkPlacement,
  slugify,
  subtreeIds,
} from './catalog.categories.rules.js';

const node = (id: string, parent_id: string | null, position = 0): CategoryNode => ({
  id,
  parent_id,
  name: id,
  slug: id,
  position,
});

/** A random forest: each node's parent is an earlier node or none, so it has no cycle. */
const forest = fc
  .array(fc.tuple(fc.option(fc.nat(), { nil: null }), fc.nat({ max: 5 })), { minLength: 1, maxLength: 30 })
  .map((specs) =>
    specs.map(([parent, position], index) =>
      node(`c${index}`, parent === null || index === 0 ? null : `c${parent % index}`, position),
    ),
  );

function flatten(trees: CategoryTree[], depth = 1): { id: string; depth: number }[] {
  return trees.flatMap((tree) => [{ id: tree.id, depth }, ...flatten(tree.children, depth + 1)]);
}

/** True when following parents from every node reaches the top. */
function acyclic(nodes: readonly CategoryNode[]): boolean {
  const parents = new Map(nodes.map((n) => [n.id, n.parent_id]));
  return nodes.every((n) => {
    let steps = 0;
    for (let at: string | null | undefined = n.id; at; at = parents.get(at)) {
      if (++steps > nodes.length) return false;
    }
    return true;
  });
}

const maxDepth = (nodes: readonly CategoryNode[]) =>
  Math.max(0, ...flatten(buildTree(nodes)).map((entry) => entry.depth));

describe('category tree', () => {
  it('nests children under their parents, ordered by position', () => {
    const tree = buildTree([node('shoes', 'fashion', 2), node('fashion', null), node('bags', 'fashion', 1)]);
    expect(tree.map((t) => t.id)).toEqual(['fashion']);
    expect(tree[0]!.children.map((t) => t.id)).toEqual(['bags', 'shoes']);
  });

  it('shows every category of an acyclic forest exactly once', () => {
    fc.assert(
      fc.property(forest, (nodes) => {
        const ids = flatten(buildTree(nodes)).map((entry) => entry.id);
        expect(ids.sort()).toEqual(nodes.map((n) => n.id).sort());
      }),
    );
  });

  it('finds a subtree as the categories whose ancestors include its root', () => {
    fc.assert(
      fc.property(forest, fc.nat(), (nodes, pick) => {
        const root = nodes[pick % nodes.length]!.id;
        const parents = new Map(nodes.map((n) => [n.id, n.parent_id]));
        const below = (id: string) => {
          for (let at: string | null | undefined = id; at; at = parents.get(at)) if (at === root) return true;
          return false;
        };
        expect(subtreeIds(nodes, root).sort()).toEqual(
          nodes
            .filter((n) => below(n.id))
            .map((n) => n.id)
            .sort(),
        );
      }),
    );
  });
});

describe('placing a category', () => {
  it('refuses a category under itself or under one of its descendants', () => {
    const nodes = [node('a', null), node('b', 'a'), node('c', 'b')];
    expect(checkPlacement(nodes, 'a', 'a')).toBe('category_cycle');
    expect(checkPlacement(nodes, 'a', 'c')).toBe('category_cycle');
    expect(checkPlacement(nodes, 'c', 'a')).toBe('ok');
    expect(checkPlacement(nodes, 'b', null)).toBe('ok');
  });

  it('refuses a depth beyond the limit, counting the moved subtree', () => {
    const chain = Array.from({ length: 8 }, (_, i) => node(`d${i}`, i === 0 ? null : `d${i - 1}`));
    expect(checkPlacement(chain, undefined, 'd6')).toBe('ok');
    expect(checkPlacement(chain, undefined, 'd7')).toBe('category_too_deep');
    const other = [...chain, node('x', null), node('y', 'x')];
    expect(checkPlacement(other, 'x', 'd5')).toBe('ok');
    expect(checkPlacement(other, 'x', 'd6')).toBe('category_too_deep');
  });

  it('keeps any sequence of accepted moves acyclic and within the depth limit', () => {
    fc.assert(
      fc.property(
        forest,
        fc.array(fc.tuple(fc.nat(), fc.option(fc.nat(), { nil: null })), { maxLength: 40 }),
        (start, moves) => {
          let nodes: CategoryNode[] = start.map((n) => ({ ...n, parent_id: null }));
          for (const [pick, target] of moves) {
            const id = nodes[pick % nodes.length]!.id;
            const parentId = target === null ? null : nodes[target % nodes.length]!.id;
            const verdict = checkPlacement(nodes, id, parentId, 4);
            const moved = nodes.map((n) => (n.id === id ? { ...n, parent_id: parentId } : n));
            if (verdict === 'category_cycle') expect(acyclic(moved)).toBe(false);
            if (verdict !== 'ok') continue;
            nodes = moved;
            expect(acyclic(nodes)).toBe(true);
            expect(maxDepth(nodes)).toBeLessThanOrEqual(4);
          }
        },
      ),
    );
  });
});

describe('slugs', () => {
  it('makes URL-safe slugs from names', () => {
    expect(slugify('Batik & Tenun')).toBe('batik-tenun');
    expect(slugify('  Café Crème ')).toBe('cafe-creme');
    expect(slugify('玩具')).toBe('');
  });

  it('always yields lowercase words joined by single dashes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const slug = slugify(text);
        expect(slug === '' || /^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)).toBe(true);
        expect(slug.length).toBeLessThanOrEqual(100);
      }),
    );
  });
});
