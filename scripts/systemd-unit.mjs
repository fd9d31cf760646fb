// Writes dist/systemd/numapol.service (the unit for the bin `npm install -g` installs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { DEFAULT_BIN, serviceUnit } from '../dist/src/daemon/unit/service-unit.js';

mkdirSync('dist/systemd', { recursive: true });
writeFileSync('dist/systemd/numapol.service', serviceUnit({ bin: DEFAULT_BIN }));
