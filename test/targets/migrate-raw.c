/*
 * Reference for the migration benchmark: one migrate_pages(2) call, timed inside the process
 * around the syscall only (what migratepages(8) does, without its start-up).
 * usage: migrate-raw PID FROM TO   (single nodes below 64) → prints "ns=N notmoved=M"
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  unsigned long from = 1ul << atoi(argv[2]), to = 1ul << atoi(argv[3]);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  long r = syscall(SYS_migrate_pages, atoi(argv[1]), 65, &from, &to);
  clock_gettime(CLOCK_MONOTONIC, &b);
  if (r < 0) { perror("migrate_pages"); return 1; }
  printf("ns=%lld notmoved=%ld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000ll + (b.tv_nsec - a.tv_nsec), r);
  return 0;
}
