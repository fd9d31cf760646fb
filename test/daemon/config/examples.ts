/** The two configurations the project promises to accept exactly as written. */
export const EXAMPLE_RULES = `mode: enforce            # enforce | advise
rescan: 5s               # full /proc rescan interval
journal: /var/lib/numapol/journal.db
migrate-rate: 200MB/s    # global budget for page moves made by rules
rules:
  - name: spread-cache
    match: { comm: "memcached" }
    policy: interleave=all
  - name: batch-heap
    match: { exe: "/opt/batch/bin/*", cmdline: "--big" }
    vmas:
      heap: { policy: bind=2-3, move: true }
    cpus: { nodes: 2-3 }
  - name: tidy-legacy
    match: { cgroup: "/system.slice/legacy.service" }
    migrate: { from: 0, to: 1, rate: 50MB/s }
  - name: leave-backups-alone
    match: { user: backup }
    exclude: true
`;

export const EXAMPLE_AUTO = `mode: enforce
rescan: 2s
journal: /var/lib/numapol/journal.db
migrate-rate: 500MB/s
auto:
  interval: 2s
rules:
  - name: auto-place
    match: { comm: "myapp" }
    place: auto
  - name: batch
    match: { comm: "solver" }
    job: batch1
`;
