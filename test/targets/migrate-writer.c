/*
 * A target for the migration integrity tests: maps a region, then one thread keeps writing it
 * (every word of a page carries the page number and a generation; word 0 is written last) while
 * numapol moves the pages. On "stop" it stops the writer and checks every page: each word must
 * match the page's last generation (nothing lost, nothing torn).
 *
 * usage: migrate-writer KIND MIB [FILE]
 *   KIND anon | file (MAP_SHARED of FILE) | shared (MAP_SHARED|ANON, a forked child maps it too)
 *        | thp (2 MiB aligned, MADV_HUGEPAGE) | multi (three VMAs: the middle one NOHUGEPAGE)
 *        | hog (touch MIB and only hold it)
 * prints: ready PID ADDR_HEX LEN_BYTES
 * stdin:  "stop" → "verify ok pages=N gens=G" or "verify bad page=P word=W got=X want=Y"; then exits
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define WORDS (PAGE / 8)

static uint64_t *region;
static size_t npages;
static uint64_t *last_gen; /* per page, kept by the writer */
static atomic_int stop_flag;
static uint64_t gens;

static uint64_t word_value(size_t page, uint64_t gen, size_t j) {
  return (gen << 32) ^ ((uint64_t)page << 12) ^ j ^ 0x9e3779b97f4a7c15ull;
}

static void write_page(size_t p, uint64_t gen) {
  volatile uint64_t *w = region + p * WORDS;
  for (size_t j = 1; j < WORDS; j++) w[j] = word_value(p, gen, j);
  atomic_thread_fence(memory_order_release);
  w[0] = gen;
  last_gen[p] = gen;
}

static void *writer(void *arg) {
  (void)arg;
  for (uint64_t gen = 1; !atomic_load(&stop_flag); gen++) {
    for (size_t p = 0; p < npages && !atomic_load(&stop_flag); p++) write_page(p, gen);
    gens = gen;
  }
  return NULL;
}

static int verify(void) {
  for (size_t p = 0; p < npages; p++) {
    volatile uint64_t *w = region + p * WORDS;
    uint64_t gen = w[0];
    if (gen != last_gen[p]) {
      printf("verify bad page=%zu word=0 got=%llu want=%llu\n", p, (unsigned long long)gen, (unsigned long long)last_gen[p]);
      return 1;
    }
    for (size_t j = 1; j < WORDS; j++) {
      uint64_t want = word_value(p, gen, j);
      if (w[j] != want) {
        printf("verify bad page=%zu word=%zu got=%llx want=%llx\n", p, j, (unsigned long long)w[j], (unsigned long long)want);
        return 1;
      }
    }
  }
  printf("verify ok pages=%zu gens=%llu\n", npages, (unsigned long long)gens);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s KIND MIB [FILE]\n", argv[0]);
    return 2;
  }
  const char *kind = argv[1];
  size_t len = (size_t)atol(argv[2]) << 20;
  npages = len / PAGE;
  void *p = MAP_FAILED;
  pid_t child = -1;
  if (!strcmp(kind, "file")) {
    if (argc < 4) return 2;
    int fd = open(argv[3], O_RDWR | O_CREAT, 0600);
    if (fd < 0 || ftruncate(fd, (off_t)len) != 0) { perror("file"); return 1; }
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  } else if (!strcmp(kind, "shared")) {
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  } else if (!strcmp(kind, "thp")) {
    char *raw = mmap(NULL, len + (2u << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw != MAP_FAILED) {
      p = (void *)(((uintptr_t)raw + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1));
      madvise(p, len, MADV_HUGEPAGE);
    }
  } else {
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED && !strcmp(kind, "multi")) madvise((char *)p + len / 3 / PAGE * PAGE, len / 3 / PAGE * PAGE, MADV_NOHUGEPAGE);
  }
  if (p == MAP_FAILED) { perror("mmap"); return 1; }
  region = p;
  last_gen = calloc(npages, sizeof *last_gen);
  for (size_t i = 0; i < npages; i++) write_page(i, 0);
  if (!strcmp(kind, "shared")) {
    child = fork();
    if (child == 0) {
      /* Keep the pages mapped by a second process (mapcount 2) until the parent goes. */
      volatile uint64_t sum = 0;
      for (size_t i = 0; i < npages; i++) sum += region[i * WORDS];
      pause();
      _exit(0);
    }
  }
  printf("ready %d %lx %zu\n", getpid(), (unsigned long)p, len);
  fflush(stdout);
  pthread_t t;
  if (strcmp(kind, "hog") != 0) pthread_create(&t, NULL, writer, NULL);
  char line[64];
  while (fgets(line, sizeof line, stdin) && strncmp(line, "stop", 4) != 0) {
  }
  int rc = 0;
  if (strcmp(kind, "hog") != 0) {
    atomic_store(&stop_flag, 1);
    pthread_join(t, NULL);
    rc = verify();
  }
  if (child > 0) {
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
  }
  printf("done\n");
  fflush(stdout);
  return rc;
}
