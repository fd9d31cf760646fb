import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HarnessError } from '../vm/harness/exit-codes.js';
import { loadOrder, modinfoDepends, moduleName, parseModulesDep } from '../vm/harness/modules.js';

// The dependencies of Debian 6.1's modules, as its modinfo sections state them.
const DEBIAN_61: Record<string, string[]> = {
  virtio_pci: ['virtio_ring', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio'],
  virtio: ['virtio_ring'],
  virtio_ring: [],
  virtio_pci_modern_dev: [],
  virtio_pci_legacy_dev: [],
  '9pnet_virtio': ['virtio', '9pnet', 'virtio_ring'],
  '9pnet': [],
  '9p': ['9pnet', 'fscache', 'netfs'],
  fscache: ['netfs'],
  netfs: [],
  overlay: [],
};

test('load order puts every module after its dependencies, virtio_ring before virtio', () => {
  const order = loadOrder(['virtio_pci', '9pnet_virtio', '9p', 'overlay'], (n) => DEBIAN_61[n]);
  assert.equal(new Set(order).size, order.length);
  assert.deepEqual([...order].sort(), Object.keys(DEBIAN_61).sort());
  for (const [m, deps] of Object.entries(DEBIAN_61)) {
    for (const d of deps) assert.ok(order.indexOf(d) < order.indexOf(m), `${d} before ${m}`);
  }
});

test('load order reports unknown modules and cycles', () => {
  assert.throws(() => loadOrder(['a'], (n) => ({ a: ['b'] } as Record<string, string[]>)[n]), /module b not found \(needed by a\)/);
  const cyc: Record<string, string[]> = { a: ['b'], b: ['a'] };
  assert.throws(() => loadOrder(['a'], (n) => cyc[n]), (e: unknown) => e instanceof HarnessError && /cycle: a -> b -> a/.test(e.message));
});

test('modinfoDepends reads the depends= string of a .modinfo section', () => {
  const ko = Buffer.concat([Buffer.from('\x7fELF junk\0license=GPL\0depends=virtio_ring,9pnet\0name=x\0'), Buffer.alloc(8)]);
  assert.deepEqual(modinfoDepends(ko), ['virtio_ring', '9pnet']);
  assert.deepEqual(modinfoDepends(Buffer.from('\0depends=\0name=overlay\0')), []);
  assert.deepEqual(modinfoDepends(Buffer.from('\0name=x\0')), []);
});

test('module names and modules.dep lines use the kernel\'s spelling', () => {
  assert.equal(moduleName('virtio-pci.ko'), 'virtio_pci');
  assert.equal(moduleName('9p.ko.xz'), '9p');
  const deps = parseModulesDep('kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/netfs/netfs.ko\nkernel/fs/overlayfs/overlay.ko:\n');
  assert.deepEqual(deps.get('9p'), ['9pnet', 'netfs']);
  assert.deepEqual(deps.get('overlay'), []);
});
