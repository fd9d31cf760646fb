/**
 * numapol.yaml(5), written from the configuration's JSON Schema (configJsonSchema(): every key,
 * its type, default and description), with docs/config.md's first example and units table when
 * the build passes them.
 */
import type { ManPage, PageMeta } from './man.js';
import { Page, bold, escapeText, inlineMarkdown, italic } from './roff.js';

type Schema = Readonly<Record<string, unknown>>;

export interface YamlPageInput extends PageMeta {
  readonly schema: Schema;
  /** A whole configuration as an example (docs/config.md's first). */
  readonly example?: string;
  /** Rows of docs/config.md's units table: kind, how it is written, what it means (inline markdown). */
  readonly units?: readonly (readonly string[])[];
}

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function branches(s: Schema): Schema[] {
  return [...(Array.isArray(s['anyOf']) ? s['anyOf'] : []), ...(Array.isArray(s['oneOf']) ? s['oneOf'] : [])].filter(isSchema);
}

/** The map a value is (or holds, for a list of maps or one branch of a choice), if any. */
export function objectOf(s: Schema): Schema | undefined {
  if (isSchema(s['properties']) || isSchema(s['patternProperties'])) return s;
  if (isSchema(s['items'])) return objectOf(s['items']);
  for (const b of branches(s)) {
    const o = objectOf(b);
    if (o !== undefined) return o;
  }
  return undefined;
}

function isList(s: Schema): boolean {
  return s['type'] === 'array' || branches(s).some((b) => b['type'] === 'array');
}

/** "string", "number or string", "one of enforce, advise", "list of maps"... */
export function typeText(s: Schema): string {
  if (Array.isArray(s['enum'])) return `one of ${s['enum'].map(String).join(', ')}`;
  const t = s['type'];
  if (Array.isArray(t)) return t.map(String).join(' or ');
  if (t === 'array') {
    const items = isSchema(s['items']) ? s['items'] : undefined;
    return items !== undefined && objectOf(items) !== undefined ? 'list of maps' : `list of ${items === undefined ? 'values' : `${typeText(items)}s`}`;
  }
  if (t === 'object') return 'map';
  if (typeof t === 'string') return t;
  const bs = branches(s);
  if (bs.length > 0) return [...new Set(bs.map(typeText))].join(' or ');
  return 'value';
}

function entries(o: Schema): [string, Schema][] {
  const props = isSchema(o['properties']) ? Object.entries(o['properties']).filter((e): e is [string, Schema] => isSchema(e[1])) : [];
  // A pattern key reads as what it matches: ^file:.+$ is "file:...".
  const patterns = isSchema(o['patternProperties'])
    ? Object.entries(o['patternProperties'])
        .filter((e): e is [string, Schema] => isSchema(e[1]))
        .map(([k, v]): [string, Schema] => [k.replace(/^\^/, '').replace(/\$$/, '').replace(/\.\+/g, '...'), v])
    : [];
  return [...props, ...patterns];
}

function keyBody(s: Schema, required: boolean): string {
  const description = typeof s['description'] === 'string' ? s['description'] : '';
  const d = s['default'];
  const showDefault = d !== undefined && !/\bdefault\b/i.test(description) && !(isSchema(d) && Object.keys(d).length === 0) && !(Array.isArray(d) && d.length === 0);
  const head = `${italic(typeText(s))}${required ? `, ${escapeText('required')}` : ''}${showDefault ? `, ${escapeText(`default ${JSON.stringify(d)}`)}` : ''}.`;
  return description === '' ? head : `${head} ${inlineMarkdown(description)}`;
}

function keyList(p: Page, o: Schema): void {
  const required = new Set(Array.isArray(o['required']) ? o['required'].map(String) : []);
  for (const [k, v] of entries(o)) p.tagged(bold(k), keyBody(v, required.has(k)));
}

/** Same keys: areas of `vmas` all hold { policy, move }; written once for them all. */
function sameShape(children: readonly Schema[]): boolean {
  const shape = (o: Schema): string => JSON.stringify(entries(o).map(([k, v]) => [k, v['description'] ?? '']));
  return children.length > 1 && children.every((c) => shape(c) === shape(children[0]!));
}

/** The keys of map `o` at `path`, then the maps inside it, each under its own path. */
function documentMap(p: Page, path: string, o: Schema, list: boolean): void {
  p.subsection(list ? `${path}[]` : path);
  const description = typeof o['description'] === 'string' ? o['description'] : '';
  if (description !== '') p.request('.PP').raw(inlineMarkdown(description));
  if (list) p.paragraph(`Each item of ${path} is a map of:`);
  keyList(p, o);
  const inner = entries(o)
    .map(([k, v]) => ({ k, v, o: objectOf(v) }))
    .filter((c): c is { k: string; v: Schema; o: Schema } => c.o !== undefined);
  const at = list ? `${path}[]` : path;
  if (sameShape(inner.map((c) => c.o))) {
    p.paragraph(`Each of ${inner.map((c) => c.k).join(', ')} is a map of:`);
    p.request('.RS 4');
    keyList(p, inner[0]!.o);
    p.request('.RE');
    return;
  }
  for (const c of inner) documentMap(p, `${at}.${c.k}`, c.o, isList(c.v));
}

export function yamlPage(input: YamlPageInput): ManPage {
  const p = new Page('NUMAPOL.YAML', '5', { ...(input.date !== undefined ? { date: input.date } : {}), source: `numapol ${input.version}`, manual: 'numapol manual' });
  p.section('name').raw(`numapol.yaml \\- ${escapeText('configuration of the numapol daemon')}`);
  p.section('synopsis').raw(bold('/etc/numapol/numapol.yaml'));
  p.section('description');
  p.paragraph(
    'numapol daemon reads one YAML file, by default /etc/numapol/numapol.yaml (numapol daemon --config FILE names another). Every key is optional: an empty file runs the daemon with the defaults and no rules.',
  );
  p.paragraph(
    'A file with any problem is refused whole; the error names the file, the setting, the problem, its line and column. numapol daemon --check FILE checks a file against the schema and this machine. The daemon reloads the file on SIGHUP or when it changes; a bad file leaves the running configuration in place.',
  );
  p.paragraph('Process rules are tried in order: the first whose match holds for a process is the one that applies to it.');
  p.paragraph('numapol daemon --schema prints the JSON Schema these keys come from (for editors with yaml-language-server).');
  if (input.example !== undefined) {
    p.section('example');
    p.preformatted(input.example.split('\n'));
  }
  p.section('keys');
  const root = objectOf(input.schema);
  if (root !== undefined) {
    keyList(p, root);
    for (const [k, v] of entries(root)) {
      const o = objectOf(v);
      if (o !== undefined) documentMap(p, k, o, isList(v));
    }
  }
  if (input.units !== undefined && input.units.length > 0) {
    p.section('units');
    for (const row of input.units) {
      const [kind = '', written = '', means = ''] = row;
      p.tagged(bold(kind), `${inlineMarkdown(written)}${means === '' ? '' : `: ${inlineMarkdown(means)}`}`);
    }
  }
  p.section('see also');
  p.raw(`${bold('numapol')}(8), ${bold('numapol-daemon')}(8), ${bold('numapol-journal')}(8), ${bold('numapol-undo')}(8), ${bold('numapol-plan')}(8)`);
  return { file: 'numapol.yaml.5', text: p.toString() };
}

