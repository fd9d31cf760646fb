// Builds the dashboard into dist/web: app.js (src/web/main.ts and the parts of ECharts it uses,
// one ES module), app.css, index.html and the icon, and the licences of the bundled libraries.
// The daemon serves that folder at / (src/daemon/api/routes/web.ts); nothing comes from elsewhere,
// so the page works offline under a Content-Security-Policy of 'self'.
// The browser code is type-checked first with its own tsconfig (DOM, no Node).
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const OUT = 'dist/web';
const require = createRequire(import.meta.url);

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'src/web'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const common = { bundle: true, minify: true, logLevel: 'warning', legalComments: 'none' };
const js = await build({
  ...common,
  entryPoints: ['src/web/main.ts'],
  outfile: `${OUT}/app.js`,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  banner: { js: '/* numapol dashboard. Bundles Apache ECharts, ZRender and tslib: see /assets/THIRD-PARTY-LICENSES.txt */' },
});
const css = await build({ ...common, entryPoints: ['src/web/app.css'], outfile: `${OUT}/app.css` });
if ([js, css].some((r) => r.errors.length > 0 || r.warnings.length > 0)) process.exit(1);
copyFileSync('src/web/index.html', `${OUT}/index.html`);
copyFileSync('src/web/favicon.svg', `${OUT}/favicon.svg`);

// Apache-2.0 (ECharts: its LICENSE and NOTICE), BSD-3-Clause (ZRender), 0BSD (tslib).
const licence = (name, files) => {
  const dir = `node_modules/${name}/`;
  return files.map((f) => `==== ${name}/${f} ====\n\n${readFileSync(dir + f, 'utf8').trim()}\n`).join('\n');
};
writeFileSync(`${OUT}/THIRD-PARTY-LICENSES.txt`, [licence('echarts', ['LICENSE', 'NOTICE']), licence('zrender', ['LICENSE']), licence('tslib', ['LICENSE.txt'])].join('\n'));

if (process.env.NUMAPOL_BUNDLE_QUIET !== '1') {
  const size = (f) => `${(statSync(`${OUT}/${f}`).size / 1024).toFixed(1)} KiB`;
  console.log(`dist/web: app.js ${size('app.js')}, app.css ${size('app.css')}`);
}
