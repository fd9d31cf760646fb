/*
 * A process for the daemon's guest tests: its memory, where it is, and whether it is intact.
 *
 * Usage: rule-target WHERE MIB [wait]
 *   WHERE: anon (mmap), heap (sbrk: the [heap] VMA)
 *   wait:  before allocating, wait until our own task policy is no longer `default` (a daemon
 *          rule sets it right after exec): the memory then shows where the rule put it.
 * It fills every page with a pattern (page number, a salt), prints "ready <pid> <addr hex> <len>",
 * then answers lines on stdin:
 *   report  -> one JSON line: {"policy":"<mode>","nodes":{"N":pages,...},"unplaced":n}
 *   verify  -> "verify ok" or "verify bad <pages>" (every word of every page checked)
 * and exits at EOF.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_NODES 64
static const char *MODES[] = {"default", "preferred", "bind", "interleave", "local", "preferred_many", "weighted_interleave"};

static long task_mode(void) {
  int mode = -1;
  unsigned long mask[16] = {0};
  if (syscall(SYS_get_mempolicy, &mode, mask, 16 * 64, NULL, 0) != 0) return -1;
  return mode;
}

static unsigned long word_of(size_t page, size_t i) { return ((unsigned long)page << 20) ^ (i * 2654435761UL) ^ 0x5a5aUL; }

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: rule-target anon|heap MIB [wait]\n");
    return 2;
  }
  size_t len = (size_t)atol(argv[2]) << 20;
  long ps = sysconf(_SC_PAGESIZE);
  if (argc > 3 && !strcmp(argv[3], "wait")) {
    struct timespec ts = {0, 1000000};
    while (task_mode() == 0) nanosleep(&ts, NULL);
  }
  char *mem;
  if (!strcmp(argv[1], "heap")) {
    mem = sbrk((intptr_t)len + ps);
    if (mem == (void *)-1) return 1;
    mem = (char *)(((unsigned long)mem + ps - 1) & ~(unsigned long)(ps - 1));
  } else {
    mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) return 1;
    madvise(mem, len, MADV_NOHUGEPAGE);
  }
  size_t pages = len / (size_t)ps, words = (size_t)ps / sizeof(unsigned long);
  for (size_t p = 0; p < pages; p++) {
    unsigned long *w = (unsigned long *)(mem + p * (size_t)ps);
    for (size_t i = 0; i < words; i++) w[i] = word_of(p, i);
  }
  printf("ready %d %lx %zu\n", getpid(), (unsigned long)mem, len);
  fflush(stdout);
  char line[64];
  void **addrs = malloc(pages * sizeof *addrs);
  int *status = malloc(pages * sizeof *status);
  while (fgets(line, sizeof line, stdin)) {
    if (!strncmp(line, "report", 6)) {
      for (size_t p = 0; p < pages; p++) addrs[p] = mem + p * (size_t)ps;
      long per_node[MAX_NODES] = {0}, other = 0;
      if (syscall(SYS_move_pages, 0, pages, addrs, NULL, status, 0) != 0) other = (long)pages;
      else
        for (size_t p = 0; p < pages; p++) {
          if (status[p] >= 0 && status[p] < MAX_NODES) per_node[status[p]]++;
          else other++;
        }
      long m = task_mode();
      printf("{\"policy\":\"%s\",\"nodes\":{", m >= 0 && m < 7 ? MODES[m] : "?");
      int first = 1;
      for (int n = 0; n < MAX_NODES; n++) {
        if (!per_node[n]) continue;
        printf("%s\"%d\":%ld", first ? "" : ",", n, per_node[n]);
        first = 0;
      }
      printf("},\"unplaced\":%ld}\n", other);
    } else if (!strncmp(line, "verify", 6)) {
      long bad = 0;
      for (size_t p = 0; p < pages; p++) {
        unsigned long *w = (unsigned long *)(mem + p * (size_t)ps);
        for (size_t i = 0; i < words; i++)
          if (w[i] != word_of(p, i)) {
            bad++;
            break;
          }
      }
      if (bad) printf("verify bad %ld\n", bad);
      else printf("verify ok\n");
    }
    fflush(stdout);
  }
  return 0;
}
