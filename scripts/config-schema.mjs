// Writes the daemon configuration's JSON Schema (draft 2020-12) from the built module, for
// editors: with yaml-language-server, a first line
//   # yaml-language-server: $schema=/path/to/numapol.schema.json
// in /etc/numapol/numapol.yaml gives completion, descriptions and checks as you type.
// Default output dist/schema/numapol.schema.json; an argument writes elsewhere.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const out = resolve(process.argv[2] ?? 'dist/schema/numapol.schema.json');
const { configJsonSchema } = await import(pathToFileURL(resolve('dist/src/daemon/config/index.js')).href);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
