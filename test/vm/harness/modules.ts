import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from './exit-codes.js';

/**
 * Modules the guest needs: virtio PCI transport, 9p over virtio, overlayfs. They are modules in
 * Debian's 6.1 kernel; their dependencies (virtio_ring before virtio, netfs/fscache before 9p)
 * are resolved from the modules themselves.
 */
export const GUEST_MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'] as const;

/** The kernel's module name for a file name: basename without .ko, '-' read as '_'. */
export function moduleName(fileName: string): string {
  return fileName.replace(/\.ko(\.[a-z]+)?$/, '').replace(/-/g, '_');
}

/**
 * The `depends=` entry of a module's .modinfo section. The Debian package ships no modules.dep
 * (depmod runs at install time, and kmod may be absent), so read the same information depmod
 * reads: .modinfo is a list of NUL-terminated "key=value" strings.
 */
export function modinfoDepends(ko: Buffer): string[] {
  const key = Buffer.from('\0depends=');
  const at = ko.indexOf(key);
  if (at < 0) return [];
  const start = at + key.length;
  const end = ko.indexOf(0, start);
  const value = ko.subarray(start, end < 0 ? ko.length : end).toString('latin1');
  return value.split(',').filter((s) => s !== '').map((s) => s.replace(/-/g, '_'));
}

/** Parses modules.dep text ("kernel/a.ko: kernel/b.ko kernel/c.ko") into name -> deps. */
export function parseModulesDep(text: string): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const base = (p: string) => moduleName(p.slice(p.lastIndexOf('/') + 1));
    deps.set(base(line.slice(0, colon)), line.slice(colon + 1).trim().split(/\s+/).filter((s) => s !== '').map(base));
  }
  return deps;
}

/**
 * Load order for `wanted` and everything they depend on: each module after its dependencies
 * (insmod, unlike modprobe, does not resolve them). Throws on unknown modules and cycles.
 */
export function loadOrder(wanted: readonly string[], depsOf: (name: string) => readonly string[] | undefined): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, chain: string[]) => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new HarnessError(`module dependency cycle: ${[...chain, name].join(' -> ')}`);
    const deps = depsOf(name);
    if (deps === undefined) throw new HarnessError(`kernel module ${name} not found${chain.length ? ` (needed by ${chain.at(-1)})` : ''}`);
    state.set(name, 'visiting');
    for (const d of deps) visit(d, [...chain, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const w of wanted) visit(w, []);
  return order;
}

/** Every module file under a lib/modules/<release> directory, by module name. */
export function indexModules(modulesDir: string): Map<string, string> {
  const index = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ko$/.test(e.name)) index.set(moduleName(e.name), p);
    }
  };
  walk(modulesDir);
  return index;
}

/** Resolves the guest modules in an extracted kernel tree: [name, file] in load order. */
export function resolveGuestModules(modulesDir: string): Array<[string, string]> {
  const index = indexModules(modulesDir);
  // modules.dep when depmod has run (an installed kernel), else each module's own modinfo.
  const depFile = join(modulesDir, 'modules.dep');
  const table = existsSync(depFile) ? parseModulesDep(readFileSync(depFile, 'utf8')) : undefined;
  const depsOf = (name: string) => {
    const file = index.get(name);
    if (file === undefined) return undefined;
    return table?.get(name) ?? modinfoDepends(readFileSync(file));
  };
  return loadOrder(GUEST_MODULES, depsOf).map((name) => [name, index.get(name)!]);
}
