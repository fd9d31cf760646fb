/*
 * Second reference for the 4 KiB page benchmark: what the kernel's move_pages path costs by
 * itself. Moves every page of one address range of another process to one node, BATCH pages a
 * call, and times the calls only (no placement read, no report): the floor for `numapol move`.
 * usage: move-pages-raw PID START_HEX LENGTH NODE BATCH
 *   → prints "ns=N calls=C notmoved=M wrong=W" (W: pages whose status is not NODE afterwards)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 6) return 2;
  int pid = atoi(argv[1]);
  unsigned long start = strtoul(argv[2], NULL, 16);
  unsigned long len = strtoul(argv[3], NULL, 10);
  int node = atoi(argv[4]);
  long batch = atol(argv[5]);
  long page = sysconf(_SC_PAGESIZE);
  long n = (long)(len / page);
  if (n <= 0 || batch <= 0) return 2;
  void **pages = malloc(n * sizeof *pages);
  int *nodes = malloc(n * sizeof *nodes);
  int *status = malloc(n * sizeof *status);
  if (!pages || !nodes || !status) return 1;
  for (long i = 0; i < n; i++) {
    pages[i] = (void *)(start + i * page);
    nodes[i] = node;
  }
  long calls = 0, notmoved = 0;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i += batch) {
    long c = n - i < batch ? n - i : batch;
    long r = syscall(SYS_move_pages, pid, c, pages + i, nodes + i, status + i, 4 /* MPOL_MF_MOVE_ALL, as numapol moves as root */);
    if (r < 0) {
      perror("move_pages");
      return 1;
    }
    notmoved += r;
    calls++;
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  long wrong = 0;
  for (long i = 0; i < n; i++) wrong += status[i] != node;
  printf("ns=%lld calls=%ld notmoved=%ld wrong=%ld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000ll + (b.tv_nsec - a.tv_nsec), calls, notmoved, wrong);
  return 0;
}
