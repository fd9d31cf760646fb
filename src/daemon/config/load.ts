/**
 * Loading the daemon's configuration: YAML parsed with positions, checked against the schema
 * and the machine, refused whole at the first problem in the file (document order, so the
 * same file always gives the same error), with warnings for what loads but will not act here.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { NumapolError } from '../../errors.js';
import { ConfigError, configWarning, type ConfigWarning } from './errors.js';
import { fallbackMessage, problemOf } from './issues.js';
import { machineChecks } from './machine.js';
import { DocumentPositions, formatPath } from './positions.js';
import { configSchema } from './schema.js';
import type { DaemonConfig } from './types.js';
import { configWarnings } from './warnings.js';

export interface LoadOptions {
  /** Directory standing for `/` when reading the machine (/sys) and users (/etc/passwd). */
  readonly root?: string;
}

export interface LoadedConfig {
  readonly config: DaemonConfig;
  /** In document order. */
  readonly warnings: readonly ConfigWarning[];
}

/** The path YAML syntax errors are reported under. */
export const YAML_PATH = '(yaml)';

/** Aliases may repeat a node this often at most: a file is settings, not a YAML bomb. */
const MAX_ALIAS_COUNT = 100;

function yamlProblem(e: YAMLError): string {
  switch (e.code) {
    case 'MULTIPLE_DOCS':
      return 'the file holds more than one YAML document (---): put every setting in one';
    case 'DUPLICATE_KEY':
      return 'this key is given twice in the same map';
    default:
      return e.message;
  }
}

/** Parse and check a configuration's text; `file` names it in errors. Throws ConfigError. */
export function parseConfigText(text: string, file: string, opts: LoadOptions = {}): LoadedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const positions = new DocumentPositions(doc, lines);
  const syntax = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0])[0];
  if (syntax !== undefined) throw new ConfigError({ file, path: YAML_PATH, ...positions.at(syntax.pos[0]) }, yamlProblem(syntax), { cause: syntax });

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // yaml throws a ReferenceError for alias expansion beyond the limit.
    throw new ConfigError({ file, path: YAML_PATH, ...positions.at(0) }, `cannot read the YAML: ${(e as Error).message}`, { cause: e });
  }
  // An empty file (or one with only comments) is every default.
  if (data === null || data === undefined) data = {};

  const result = configSchema(machineChecks(opts.root)).safeParse(data, { error: fallbackMessage });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => problemOf(issue, data));
    const withUnknownKeys = new Set(problems.filter((p) => p.kind === 'unknown').map((p) => formatPath(p.path.slice(0, -1))));
    const located = problems
      .filter((p) => !(p.kind === 'missing' && withUnknownKeys.has(formatPath(p.mapPath ?? []))))
      .map((p) => ({ ...p, at: positions.locate(p.path, p.anchor) }));
    // Stable: problems at one place keep the schema's order.
    located.sort((a, b) => a.at.offset - b.at.offset);
    const first = located[0]!;
    throw new ConfigError({ file, path: formatPath(first.path), line: first.at.line, column: first.at.column }, first.problem);
  }

  const warnings = configWarnings(result.data)
    .map((w) => ({ w, at: positions.locate(w.path) }))
    .sort((a, b) => a.at.offset - b.at.offset)
    .map(({ w, at }) => configWarning({ file, path: formatPath(w.path), line: at.line, column: at.column }, w.problem));
  return { config: result.data, warnings };
}

/** Read and check the configuration file at `path`. Throws ConfigError, or NumapolError when unreadable. */
export function loadConfigFile(path: string, opts: LoadOptions = {}): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new NumapolError(code, `cannot read the configuration ${path}: ${why}`, { cause: e, usage: code === 'ENOENT', details: { path } });
  }
  return parseConfigText(text, path, opts);
}
