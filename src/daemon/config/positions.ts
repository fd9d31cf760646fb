/**
 * From a setting's path (`['rules', 0, 'policy']`) to where it is written: the YAML node of its
 * value, of its key, or of the nearest enclosing map when the key is missing.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type PathSegment = string | number;

/** What of a setting an error points at. */
export type Anchor = 'value' | 'key';

export interface Position {
  /** Offset in the text, to order problems as they appear in the file. */
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/** `rules[0].vmas["file:/opt/*"].policy`; `(document)` for the empty path. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === '' ? '(document)' : out;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

export class DocumentPositions {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Line and column of an offset, 1-based. */
  at(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { offset, line, column: col };
  }

  /**
   * Where `path` is written. `value`: its value's node; `key`: its key (for keys that should not
   * be there). A path that runs out (a missing key) ends at the nearest node that exists.
   */
  locate(path: readonly PathSegment[], anchor: Anchor = 'value'): Position {
    let node: Node | null | undefined = this.doc.contents as Node | null;
    let keyNode: Node | undefined;
    for (const seg of path) {
      node = this.resolve(node);
      keyNode = undefined;
      let next: Node | null | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
        if (pair !== undefined) {
          keyNode = pair.key as Node;
          next = pair.value as Node | null;
          // `key:` with nothing after it: the value is null and has no place of its own.
          if (next === null || !next.range || next.range[0] === next.range[1]) next = keyNode;
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg] as Node | undefined;
      }
      if (next === undefined || next === null) break;
      node = next;
    }
    const target = anchor === 'key' && keyNode !== undefined ? keyNode : node;
    const offset = target?.range?.[0] ?? 0;
    return this.at(offset);
  }

  private resolve(node: Node | null | undefined): Node | null | undefined {
    return isAlias(node) ? (node.resolve(this.doc) as Node | undefined) : node;
  }
}
