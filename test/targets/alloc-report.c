/*
 * alloc-report MIB [HOLD_SECONDS]: allocates MIB MiB of anonymous memory, touches every page, then
 * prints one JSON line saying where the pages are (move_pages with no target nodes only queries),
 * the policy its numa_maps shows for that memory, and the CPUs it may run on; then sleeps
 * HOLD_SECONDS (default 0) as a quiet target. Used by test/vm/cli-*.test.ts to check that
 * `numapol run` really placed the program's memory and that `numapol stat` sees it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_NODES 64

static void policy_of(unsigned long addr, char *out, size_t len) {
  char line[4096], want[32];
  FILE *f = fopen("/proc/self/numa_maps", "r");
  snprintf(want, sizeof want, "%lx ", addr);
  snprintf(out, len, "?");
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, want, strlen(want)) != 0) continue;
    /* The policy ends where the page counters start: touched anonymous memory has " anon=". */
    char *p = line + strlen(want);
    char *end = strstr(p, " anon=");
    if (!end) end = p + strcspn(p, "\n");
    snprintf(out, len, "%.*s", (int)(end - p), p);
    break;
  }
  fclose(f);
}

static void cpus_allowed(char *out, size_t len) {
  char line[4096];
  FILE *f = fopen("/proc/self/status", "r");
  snprintf(out, len, "?");
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "Cpus_allowed_list:", 18) == 0) {
      char *p = line + 18;
      while (*p == ' ' || *p == '\t') p++;
      snprintf(out, len, "%.*s", (int)strcspn(p, "\n"), p);
    }
  }
  fclose(f);
}

int main(int argc, char **argv) {
  long mib = argc > 1 ? atol(argv[1]) : 64;
  long page = sysconf(_SC_PAGESIZE);
  size_t len = (size_t)mib << 20;
  unsigned long count = len / (size_t)page;
  char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (buf == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  /* 4 KiB pages only: interleave then alternates nodes page by page, not per 2 MiB THP. */
  madvise(buf, len, MADV_NOHUGEPAGE);
  for (size_t off = 0; off < len; off += (size_t)page) buf[off] = 1;
  /* Before any other mapping appears next to buf (and merges with it, moving its start). */
  char policy[256], cpus[256];
  policy_of((unsigned long)buf, policy, sizeof policy);
  cpus_allowed(cpus, sizeof cpus);

  void **pages = malloc(count * sizeof *pages);
  int *status = malloc(count * sizeof *status);
  for (unsigned long i = 0; i < count; i++) pages[i] = buf + i * (size_t)page;
  if (syscall(SYS_move_pages, 0, count, pages, NULL, status, 0) != 0) {
    perror("move_pages");
    return 1;
  }
  long per_node[MAX_NODES] = {0};
  long other = 0;
  for (unsigned long i = 0; i < count; i++) {
    if (status[i] >= 0 && status[i] < MAX_NODES) per_node[status[i]]++;
    else other++;
  }

  printf("{\"pid\":%d,\"pages\":%lu,\"unplaced\":%ld,\"policy\":\"%s\",\"cpus\":\"%s\",\"nodes\":{", getpid(), count, other, policy, cpus);
  int first = 1;
  for (int n = 0; n < MAX_NODES; n++) {
    if (!per_node[n]) continue;
    printf("%s\"%d\":%ld", first ? "" : ",", n, per_node[n]);
    first = 0;
  }
  printf("}}\n");
  fflush(stdout);
  if (argc > 2) sleep((unsigned)atoi(argv[2]));
  return 0;
}
