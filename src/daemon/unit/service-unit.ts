/**
 * The systemd unit that runs the daemon. It ships in the package (dist/systemd/numapol.service,
 * for `npm install -g`, which puts the bin in /usr/local/bin) and `numapol daemon --unit` prints
 * it for the bin that is running, wherever it was installed.
 */
export interface UnitOptions {
  /** The numapol executable. */
  readonly bin: string;
  readonly config?: string;
}

export const DEFAULT_BIN = '/usr/local/bin/numapol';

export function serviceUnit(o: UnitOptions): string {
  const config = o.config ?? '/etc/numapol/numapol.yaml';
  return `[Unit]
Description=numapol: places processes' memory on NUMA nodes by rules (batch process manager)
Documentation=man:numapol-daemon(8) man:numapol.yaml(5)
After=local-fs.target
ConditionPathExists=${config}

[Service]
Type=exec
ExecStart=${o.bin} daemon --config ${config}
ExecReload=/bin/kill -HUP $MAINPID
# SIGTERM: the action in flight finishes, then the daemon exits 0 (restore-on-exit: it first
# undoes its own actions). A paced page move can take a while: give it time.
TimeoutStopSec=120
Restart=on-failure
RestartSec=5
# /run/numapol/numapol.sock (0600), /var/lib/numapol/journal.db, /var/cache/numapol (code cache).
RuntimeDirectory=numapol
RuntimeDirectoryMode=0755
StateDirectory=numapol
StateDirectoryMode=0700
CacheDirectory=numapol
CacheDirectoryMode=0700
# The daemon stops processes while their threads change their own policy: run ahead of them so
# a stop is not spent waiting for a CPU behind the target's runnable threads.
Nice=-10
# It must see every process (ptrace, /proc, the process-events connector of the host): no
# private PID or network namespace, and root. The rest of the system it only reads.
NoNewPrivileges=yes
ProtectSystem=full
LockPersonality=yes

[Install]
WantedBy=multi-user.target
`;
}
