/*
 * For the daemon's exec-to-rule benchmark: polls its own task policy (get_mempolicy) every
 * 50 µs from the start of main, and prints CLOCK_MONOTONIC ns of the first look that shows a
 * policy other than `default`, which a daemon rule set. Gives up after 10 s (prints -1).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void) {
  long long start = now_ns();
  struct timespec pause = {0, 50000};
  for (;;) {
    int mode = 0;
    unsigned long mask[16] = {0};
    if (syscall(SYS_get_mempolicy, &mode, mask, 16 * 64, NULL, 0) == 0 && mode != 0) break;
    if (now_ns() - start > 10000000000LL) {
      printf("-1\n");
      return 1;
    }
    nanosleep(&pause, NULL);
  }
  printf("%lld\n", now_ns());
  return 0;
}
