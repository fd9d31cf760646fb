// Writes the man pages (dist/man: numapol.8, numapol-COMMAND.8, numapol.yaml.5) and the shell
// completions (dist/completion: numapol.bash, _numapol) from the built modules: each command's
// own definition (dist/src/cli/commands), the configuration's JSON Schema, and docs/config.md's
// example and units. The generators are src/cli/docs/; this only runs them.
// SOURCE_DATE_EPOCH, when set, dates the pages (reproducible builds); else they carry no date.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve('dist');
const load = (p) => import(pathToFileURL(join(dist, p)).href);
const { docFiles, loadCommandDir } = await load('src/cli/docs/build.js');
const { configJsonSchema } = await load('src/daemon/config/index.js');

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const epoch = Number(process.env.SOURCE_DATE_EPOCH);
const files = docFiles({
  commands: await loadCommandDir(join(dist, 'src/cli/commands')),
  schema: configJsonSchema(),
  version: pkg.version,
  ...(Number.isFinite(epoch) && epoch > 0 ? { date: new Date(epoch * 1000).toISOString().slice(0, 10) } : {}),
  ...(existsSync('docs/config.md') ? { configMarkdown: readFileSync('docs/config.md', 'utf8') } : {}),
});
// Pages of commands that no longer exist go too.
for (const d of ['man', 'completion']) rmSync(join(dist, d), { recursive: true, force: true });
for (const f of files) {
  const out = join(dist, f.path);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, f.text);
}
