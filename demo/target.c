/*
 * The demo's running program, shaped like the seeds' process 12024: a heap, an anonymous mmap
 * area and a file mapping. It touches the first half of each area at start and the second half
 * on SIGUSR1, so pages allocated after numapol changed its policy show where they land.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define AREA (32UL << 20)

static volatile sig_atomic_t touch_more;

static void on_usr1(int sig) { (void)sig; touch_more = 1; }

static void touch(char *p, size_t len, char v) {
  for (size_t i = 0; i < len; i += 4096) p[i] = v;
}

int main(void) {
  char *heap = sbrk(AREA);
  char *area = mmap(NULL, AREA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (heap == (void *)-1 || area == MAP_FAILED) return 1;
  /* 4 KiB pages, so "half the area" is half the pages whatever the THP setting. */
  madvise(heap, AREA, MADV_NOHUGEPAGE);
  madvise(area, AREA, MADV_NOHUGEPAGE);
  touch(heap, AREA / 2, 1);
  touch(area, AREA / 2, 2);
  signal(SIGUSR1, on_usr1);
  printf("ready pid=%d heap=%lx area=%lx\n", getpid(), (unsigned long)heap, (unsigned long)area);
  fflush(stdout);
  for (;;) {
    pause();
    if (touch_more) {
      touch_more = 0;
      touch(heap + AREA / 2, AREA / 2, 3);
      touch(area + AREA / 2, AREA / 2, 4);
      printf("touched\n");
      fflush(stdout);
    }
  }
}
