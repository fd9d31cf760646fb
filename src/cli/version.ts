import { readFileSync } from 'node:fs';

/** numapol's version, from package.json (this module sits where the CLI bundle does: dist/src/cli/). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
