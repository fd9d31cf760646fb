import assert from 'node:assert/strict';
import { ParseError } from '../../src/errors.js';
import type { NodeContext } from '../../src/policy/nodelist.js';
/** fast-check generators of valid mempolicies, shared by the policy tests. */
import fc from 'fast-check';
import { mempolicy, nodeSet, type Mempolicy, type MempolicyFlags, type NodeSet, type NodesRemap } from '../../src/policy/model.js';

/** Mostly small node ids (so runs and ranges happen), sometimes anything the kernel allows. */
export const nodeId: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 15 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1023 }) },
);

export function nodes(minLength: number, maxLength = 24): fc.Arbitrary<NodeSet> {
  return fc.uniqueArray(nodeId, { minLength, maxLength }).map(nodeSet);
}

const remap: fc.Arbitrary<NodesRemap | undefined> = fc.constantFrom(undefined, 'static', 'relative');

function flags(r: NodesRemap | undefined, balancing: boolean): MempolicyFlags {
  return { ...(r === undefined ? {} : { remap: r }), ...(balancing ? { balancing: true } : {}) };
}

/** Policies the kernel accepts (policyProblem finds nothing), with or without a home node. */
export const validPolicy: fc.Arbitrary<Mempolicy> = fc.oneof(
  fc.constant(mempolicy('default')),
  fc.constant(mempolicy('local')),
  fc.record({ n: nodeId, r: remap }).map(({ n, r }) => mempolicy('preferred', [n], flags(r, false))),
  fc
    .record({ mode: fc.constantFrom('interleave' as const, 'weighted_interleave' as const), ns: nodes(1), r: remap })
    .map(({ mode, ns, r }) => mempolicy(mode, ns, flags(r, false))),
  fc
    .record({
      mode: fc.constantFrom('bind' as const, 'preferred_many' as const),
      ns: nodes(1),
      r: remap,
      balancing: fc.boolean(),
      home: fc.option(nodeId, { nil: undefined }),
    })
    .map(({ mode, ns, r, balancing, home }) => mempolicy(mode, ns, flags(r, balancing), home)),
);

/** The same policy without its home node: what the kernel's text can carry. */
export function withoutHome(p: Mempolicy): Mempolicy {
  const { homeNode: _drop, ...rest } = p;
  return rest;
}

/** Text made of the pieces policies are written with, so fuzzing reaches deep into the grammar. */
export const policyishText: fc.Arbitrary<string> = fc
  .array(
    fc.constantFrom(
      'default', 'local', 'prefer', 'preferred', ' (many)', 'weighted', ' interleave', 'interleave', 'bind',
      'membind', 'preferred-many', 'static', 'relative', 'balancing', 'all', 'home', '=', ':', '|', ',', '-',
      '!', '+', '{', '}', '/', ' ', '\n', '\t', '0', '1', '2', '3', '7', '0x', 'f', '010', '1023', '1024',
      '99999999999999999999', 'normal', '"', '\u0000', 'é', '\ud800',
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

/** Mostly `good`, sometimes `bad`: each piece of a policy is usually right. */
function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: bad });
}

/**
 * Text built like a policy (mode, separator, flags, node list, home clause) from pieces that are
 * mostly right and sometimes wrong: reaches every check after the mode, and often parses.
 */
export const policyShapedText: fc.Arbitrary<string> = fc
  .tuple(
    mostly(
      fc.constantFrom('bind', 'membind', 'prefer', 'preferred', 'local', 'default', 'interleave', 'prefer (many)',
        'preferred-many', 'weighted interleave', 'weighted-interleave', 'Bind'),
      fc.constantFrom('', ' ', 'bnd', 'prefer (many', 'weighted', 'bind bind'),
    ),
    mostly(fc.constantFrom(':', '='), fc.constantFrom('', ' ', '::', '==', '=:', ':=')),
    mostly(
      fc.constantFrom('', '', '', 'static:', 'relative:', 'balancing:', 'static|balancing:', 'balancing|relative:'),
      fc.constantFrom('static', 'static|relative:', 'static|:', 'stat:', 'static|static:', ':', '|'),
    ),
    mostly(fc.constantFrom('', '', '', '', '!', '+', '!+'), fc.constantFrom('+!', '!!', '{', '}')),
    mostly(
      fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 5 }).map((ns) =>
        ns.map(String).join(','),
      ),
      fc
        .array(fc.constantFrom('0', '1', '3', '7', '0x3', '010', '1023', '1024', 'all', '-', ',', '/normal', '}', 'x'), {
          maxLength: 6,
        })
        .map((parts) => parts.join('')),
    ),
    mostly(fc.constantFrom('', '', '', ' home=1', ' home:2', ' home=+0'), fc.constantFrom(' home=', ' home=0-1', ' extra', '\n', ' ', '}', ' home=1 home=1')),
  )
  .map((parts) => parts.join(''));

/** Machine contexts the parser tests share: four dense nodes, and sparse ids with a cpuset leaving node 0 out. */
export const fourNodes: NodeContext = { nodes: [0, 1, 2, 3] };
export const sparse: NodeContext = { nodes: [0, 2, 4, 6], allowed: [2, 4, 6] };

/** The ParseError `fn` throws; fails the test when it throws nothing or something else. */
export function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ParseError, `expected ParseError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a ParseError');
}
