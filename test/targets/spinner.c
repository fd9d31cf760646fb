/*
 * Target for placement's sampler: touches MIB MiB of anonymous memory, then one thread spins (one
 * CPU kept busy) while the main thread waits on stdin.
 *
 * Usage: spinner mib=N [comm=NAME]. With comm=, the process renames itself NAME once its memory is
 * touched (so a rule on NAME sees it whole, not while it allocates). Prints "ready <pid>" once the memory is touched and the spinner runs; at
 * EOF stops the spinner, checks the memory still holds its pattern and prints
 * "result spins=N bad=N" and "done".
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

static atomic_int stop_flag;
static atomic_int started;
static unsigned long spins;

static void *spin(void *arg) {
  (void)arg;
  atomic_store(&started, 1);
  while (!atomic_load_explicit(&stop_flag, memory_order_relaxed)) spins++;
  return NULL;
}

int main(int argc, char **argv) {
  size_t mib = 64;
  const char *comm = NULL;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "mib=", 4) == 0) mib = strtoul(argv[i] + 4, NULL, 10);
    if (strncmp(argv[i], "comm=", 5) == 0) comm = argv[i] + 5;
  }
  size_t len = mib << 20;
  unsigned char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  long page = sysconf(_SC_PAGESIZE);
  for (size_t off = 0; off < len; off += (size_t)page) mem[off] = (unsigned char)(off / (size_t)page);
  pthread_t t;
  if (pthread_create(&t, NULL, spin, NULL) != 0) return 1;
  while (!atomic_load(&started)) usleep(1000);
  if (comm != NULL && prctl(PR_SET_NAME, comm, 0, 0, 0) != 0) {
    perror("prctl");
    return 1;
  }
  printf("ready %d\n", getpid());
  fflush(stdout);
  char buf[256];
  while (read(0, buf, sizeof buf) > 0) {
  }
  atomic_store(&stop_flag, 1);
  pthread_join(t, NULL);
  size_t bad = 0;
  for (size_t off = 0; off < len; off += (size_t)page) bad += mem[off] != (unsigned char)(off / (size_t)page);
  printf("result spins=%lu bad=%zu\ndone\n", spins, bad);
  return 0;
}
