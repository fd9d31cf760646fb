#!/usr/bin/env node
/**
 * The shipped CLI, package.json's `bin`: it runs numapol-body.cjs (main.ts and every module it
 * imports, bundled as CommonJS by scripts/bundle-cli.mjs) through a V8 code cache
 * (code-cache.cts). Node 20 can keep no code cache for ES modules, hence CommonJS here, and the
 * bundle: one file is one script to cache. CommonJS also skips the ES module loader's work.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Script } from 'node:vm';
import { codeCacheDir, codeCacheFile, readCodeCache, writeCodeCache } from './code-cache.cjs';

const body = join(__dirname, 'numapol-body.cjs');
const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(body, 'utf8')}\n})`;

const dir = codeCacheDir();
let cacheFile: string | undefined;
try {
  cacheFile = dir === undefined ? undefined : codeCacheFile(dir, body, process.argv[2] ?? '');
} catch {
  cacheFile = undefined;
}
const cachedData = cacheFile === undefined ? undefined : readCodeCache(cacheFile);
const script = new Script(source, { filename: body, ...(cachedData === undefined ? {} : { cachedData }) });
if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
  const file = cacheFile;
  // At exit, so that the cache holds every function the command ran, not only the top level.
  process.once('exit', () => {
    writeCodeCache(file, script.createCachedData());
  });
}
const run = script.runInThisContext() as (e: object, r: NodeJS.Require, m: object, f: string, d: string) => void;
const mod = { exports: {} };
run(mod.exports, createRequire(body), mod, body, __dirname);
