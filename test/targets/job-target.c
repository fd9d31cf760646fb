/*
 * A job of NPROC processes for the job-move tests: the first maps and fills three regions, then
 * forks the others, which inherit them:
 *   shared  MAP_SHARED|MAP_ANONYMOUS: one set of pages every process maps
 *   file    MAP_SHARED of FILE (on tmpfs): page cache every process maps
 *   cow     MAP_PRIVATE|MAP_ANONYMOUS written before fork and never after: pages shared
 *           copy-on-write by every process
 * and each process then maps and fills a region of its own (own), and reads all the others (so
 * every process maps every shared page). Every word holds a value
 * computed from its region, page and position, so a process can check its data on request.
 *
 * usage: job-target NPROC SHARED_MIB FILE_MIB COW_MIB OWN_MIB FILE [OPTION...]
 *   bind-alternate  process k binds itself to node k%2 (set_mempolicy MPOL_BIND) before mapping
 *                   its own region, and runs on node k%2's CPUs (sched_setaffinity)
 *   nothp           MADV_NOHUGEPAGE on the anonymous regions: every page a 4 KiB page
 *   stall           the first process runs a thread that touches its own region page after page,
 *                   maps and unmaps a page each round, and times the rounds: "gap" reports the
 *                   longest pause
 * prints: region shared|file|cow ADDR_HEX LEN, then member PID OWN_ADDR_HEX OWN_LEN per process
 *         (the first process first), then ready
 * stdin:  verify -> "verify ok pages=N" or "verify bad ..." (every process checks what it maps)
 *         gap    -> "gap max_us=N rounds=R" (and starts measuring again)
 *         quit   -> ends every process
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define WORDS (PAGE / 8)
#define MAXPROC 16
#define MPOL_BIND 2

enum { R_SHARED = 1, R_FILE = 2, R_COW = 3, R_OWN = 10 };

static uint64_t value(unsigned region, size_t page, size_t j) {
  uint64_t x = ((uint64_t)region << 48) ^ ((uint64_t)page << 12) ^ j;
  x ^= x >> 31;
  x *= 0x9e3779b97f4a7c15ull;
  return x ^ (x >> 29);
}

static void fill(uint64_t *p, size_t len, unsigned region) {
  for (size_t pg = 0; pg < len / PAGE; pg++)
    for (size_t j = 0; j < WORDS; j++) p[pg * WORDS + j] = value(region, pg, j);
}

/* 0 when every word is right; else prints what is wrong into buf. */
static int check(const uint64_t *p, size_t len, unsigned region, const char *name, char *buf, size_t n) {
  for (size_t pg = 0; pg < len / PAGE; pg++)
    for (size_t j = 0; j < WORDS; j++)
      if (p[pg * WORDS + j] != value(region, pg, j)) {
        snprintf(buf, n, "verify bad pid=%d region=%s page=%zu word=%zu", getpid(), name, pg, j);
        return 1;
      }
  return 0;
}

static void *map_anon(size_t len, int flags, int nothp) {
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) { perror("mmap"); exit(1); }
  if (nothp) madvise(p, len, MADV_NOHUGEPAGE);
  return p;
}

/* The CPUs of node `node` from sysfs ("0-1,4" forms). */
static void node_cpus(int node, cpu_set_t *set) {
  char path[96], line[256];
  CPU_ZERO(set);
  snprintf(path, sizeof path, "/sys/devices/system/node/node%d/cpulist", node);
  FILE *f = fopen(path, "r");
  if (!f || !fgets(line, sizeof line, f)) { if (f) fclose(f); return; }
  fclose(f);
  for (char *s = strtok(line, ",\n"); s; s = strtok(NULL, ",\n")) {
    int a, b;
    if (sscanf(s, "%d-%d", &a, &b) == 2) { for (int c = a; c <= b; c++) CPU_SET(c, set); }
    else if (sscanf(s, "%d", &a) == 1) CPU_SET(a, set);
  }
}

static void bind_to(int node) {
  unsigned long mask = 1ul << node;
  if (syscall(SYS_set_mempolicy, MPOL_BIND, &mask, sizeof mask * 8) != 0) { perror("set_mempolicy"); exit(1); }
  cpu_set_t set;
  node_cpus(node, &set);
  if (CPU_COUNT(&set) > 0 && sched_setaffinity(0, sizeof set, &set) != 0) { perror("sched_setaffinity"); exit(1); }
}

static uint64_t *shared_p, *file_p, *cow_p;
static size_t shared_len, file_len, cow_len;

/* The stall probe: touch own pages one after another, remember the longest pause. */
static uint64_t *probe_p;
static size_t probe_len;
static atomic_long max_gap_ns, rounds;
static atomic_int reset_gap;

static long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void *probe(void *arg) {
  (void)arg;
  long last = now_ns();
  size_t pages = probe_len / PAGE, pg = 0;
  for (;;) {
    volatile uint64_t *w = probe_p + pg * WORDS;
    uint64_t v = w[7];
    w[7] = v; /* a write: a page being migrated makes us wait */
    pg = (pg + 1) % pages;
    /* A page mapped and unmapped, as malloc and thread creation do: that takes the address
       space's mmap lock for writing, which a migration of the whole address space (migrate_pages,
       a cpuset.mems write) holds for reading from start to end. */
    volatile char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m != MAP_FAILED) {
      m[0] = 1;
      munmap((void *)m, PAGE);
    }
    long t = now_ns();
    if (atomic_exchange(&reset_gap, 0)) atomic_store(&max_gap_ns, 0);
    else if (t - last > atomic_load(&max_gap_ns)) atomic_store(&max_gap_ns, t - last);
    atomic_fetch_add(&rounds, 1);
    last = t;
  }
  return NULL;
}

/* What a process checks: every region it maps (reading them maps the shared pages in it too). */
static int verify_all(unsigned own_region, const uint64_t *own, size_t own_len, char *buf, size_t n) {
  if (check(cow_p, cow_len, R_COW, "cow", buf, n)) return 1;
  if (check(own, own_len, own_region, "own", buf, n)) return 1;
  if (check(shared_p, shared_len, R_SHARED, "shared", buf, n)) return 1;
  if (check(file_p, file_len, R_FILE, "file", buf, n)) return 1;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: %s NPROC SHARED_MIB FILE_MIB COW_MIB OWN_MIB FILE [bind-alternate] [nothp] [stall]\n", argv[0]);
    return 2;
  }
  int nproc = atoi(argv[1]);
  if (nproc < 1 || nproc > MAXPROC) return 2;
  shared_len = (size_t)atol(argv[2]) << 20;
  file_len = (size_t)atol(argv[3]) << 20;
  cow_len = (size_t)atol(argv[4]) << 20;
  size_t own_len = (size_t)atol(argv[5]) << 20;
  int bindalt = 0, nothp = 0, stall = 0;
  for (int i = 7; i < argc; i++) {
    if (!strcmp(argv[i], "bind-alternate")) bindalt = 1;
    else if (!strcmp(argv[i], "nothp")) nothp = 1;
    else if (!strcmp(argv[i], "stall")) stall = 1;
  }
  if (bindalt) bind_to(0);
  shared_p = map_anon(shared_len, MAP_SHARED, 0);
  int fd = open(argv[6], O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || ftruncate(fd, (off_t)file_len) != 0) { perror(argv[6]); return 1; }
  file_p = mmap(NULL, file_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (file_p == MAP_FAILED) { perror("mmap file"); return 1; }
  cow_p = map_anon(cow_len, MAP_PRIVATE, nothp);
  fill(shared_p, shared_len, R_SHARED);
  fill(file_p, file_len, R_FILE);
  fill(cow_p, cow_len, R_COW);

  int up[2]; /* children -> first process: member lines and verify results */
  if (pipe(up) != 0) return 1;
  int down[MAXPROC][2];
  pid_t kids[MAXPROC];
  for (int k = 1; k < nproc; k++) {
    if (pipe(down[k]) != 0) return 1;
    kids[k] = fork();
    if (kids[k] == 0) {
      close(down[k][1]);
      if (bindalt) bind_to(k % 2);
      uint64_t *own = map_anon(own_len, MAP_PRIVATE, nothp);
      fill(own, own_len, R_OWN + k);
      /* fork copies no page table entries of shared mappings: read them so this process maps
         their pages too (and check them). */
      char first[200] = "";
      if (verify_all(R_OWN + k, own, own_len, first, sizeof first)) { fprintf(stderr, "%s\n", first); _exit(1); }
      char line[256];
      int n = snprintf(line, sizeof line, "member %d %lx %zu\n", getpid(), (unsigned long)own, own_len);
      if (write(up[1], line, n) != n) _exit(1);
      char c;
      while (read(down[k][0], &c, 1) == 1) {
        if (c == 'v') {
          char buf[200] = "ok";
          verify_all(R_OWN + k, own, own_len, buf, sizeof buf);
          char out[256];
          n = snprintf(out, sizeof out, "%s\n", buf);
          if (write(up[1], out, n) != n) _exit(1);
        } else break;
      }
      _exit(0);
    }
    close(down[k][0]);
  }
  uint64_t *own = map_anon(own_len, MAP_PRIVATE, nothp);
  fill(own, own_len, R_OWN);
  FILE *in = fdopen(up[0], "r");
  char line[256];
  printf("region shared %lx %zu\nregion file %lx %zu\nregion cow %lx %zu\n", (unsigned long)shared_p, shared_len, (unsigned long)file_p, file_len,
         (unsigned long)cow_p, cow_len);
  printf("member %d %lx %zu\n", getpid(), (unsigned long)own, own_len);
  for (int k = 1; k < nproc; k++) {
    if (!fgets(line, sizeof line, in)) return 1;
    fputs(line, stdout);
  }
  if (stall) {
    probe_p = own;
    probe_len = own_len;
    pthread_t t;
    pthread_create(&t, NULL, probe, NULL);
  }
  printf("ready\n");
  fflush(stdout);
  while (fgets(line, sizeof line, stdin)) {
    if (!strncmp(line, "verify", 6)) {
      char buf[200] = "";
      int bad = verify_all(R_OWN, own, own_len, buf, sizeof buf);
      for (int k = 1; k < nproc; k++) {
        if (write(down[k][1], "v", 1) != 1) return 1;
        char r[256];
        if (!fgets(r, sizeof r, in)) return 1;
        if (!bad && strncmp(r, "ok", 2) != 0) {
          bad = 1;
          snprintf(buf, sizeof buf, "%.*s", (int)strcspn(r, "\n"), r);
        }
      }
      size_t pages = (shared_len + file_len + cow_len) / PAGE + (size_t)nproc * (own_len / PAGE);
      if (bad) printf("%s\n", buf);
      else printf("verify ok pages=%zu\n", pages);
      fflush(stdout);
    } else if (!strncmp(line, "gap", 3)) {
      printf("gap max_us=%ld rounds=%ld\n", atomic_load(&max_gap_ns) / 1000, atomic_load(&rounds));
      atomic_store(&reset_gap, 1);
      atomic_store(&rounds, 0);
      fflush(stdout);
    } else if (!strncmp(line, "quit", 4)) break;
  }
  for (int k = 1; k < nproc; k++) {
    if (write(down[k][1], "q", 1) != 1) kill(kids[k], SIGKILL);
    waitpid(kids[k], NULL, 0);
  }
  printf("done\n");
  fflush(stdout);
  return 0;
}
