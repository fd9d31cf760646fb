/*
 * Target for the remote-syscall engine tests. Threads block or work in the ways a real
 * program does, and check their own results: a syscall that returns an errno the program
 * could not have caused (EINTR without a handler, 512..516 leaking from the kernel), a sleep
 * cut short, a corrupted computation, a lost signal.
 *
 * Usage: workload key=value...   futex=N read=N sleep=N epoll=N accept=N busy=N signals=1
 *        spawn=1 zombie=1 seccomp=errno|kill seccomp_thread=1 mdwe=1 vfork=1 rtsig=1 blockall=1
 * mdwe=1 forbids writable+executable memory (PR_SET_MDWE): injected code cannot be mapped.
 * smallstack=1: the leader runs on a 2 KiB stack packed right above another 2 KiB "stack" full
 * of a pattern, both in one page, as goroutine stacks are: it sleeps there in nanosleep and
 * checks its own frame and its neighbour after every wake-up (smallstack_bad counts damaged
 * bytes). Prints "smallstack 0xADDR" (the neighbour's first byte) when set up.
 * vfork=1: the leader vforks a child that lives on the stack below the leader's stack pointer,
 * in the same memory, and checks a pattern there until EOF (vfork_bad counts damaged bytes).
 * seccomp_thread=1 adds one thread whose own seccomp filter (not the process's) makes
 * set_mempolicy fail with EPERM: an operation on every thread fails part-way.
 * rtsig=1 adds a sleeping thread named "rtsig", the only one with SIGRTMIN unblocked and the
 * only one that blocks SIGTRAP; its SIGRTMIN handler records the count and the siginfo
 * (si_code, si_value, si_pid) of the last one.
 * blockall=1 adds a thread named "blockall" that blocks every signal (as a thread that takes
 * its signals with signalfd or sigwait does) and waits on the condition variable.
 * fork=1 adds a thread that forks children all the time (each lives ~1 ms, checks a word of
 * its parent's memory and exits with 0 if intact); a child that exits otherwise counts in
 * fork_bad. exec=MS: MS ms after "ready", a thread execs "sleep 30" (the process becomes sleep).
 * Prints "ready <pid>" when set up. stdin: "mark" records a point in the spawner's history;
 * "alloc MIB" maps and touches MIB MiB ("allocated 0xADDR LEN"), "map MIB" only maps them
 * ("mapped 0xADDR LEN"), "touch 0xADDR" touches every page of that mapping ("touched"): the
 * controller thread does it, so its policy (or the range's) decides where the pages land;
 * EOF makes every thread finish and the program print "result ..." lines, one "thread ..."
 * line per thread (its own get_mempolicy), and "done".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define MAXT 4096
static atomic_int stop_flag;
static atomic_long surprises;   /* errno values no program should see */
static atomic_long eintr_epoll; /* documented: every ptrace stop makes epoll_wait return EINTR */
static atomic_long short_sleeps;
static atomic_long busy_bad;
static atomic_long sig_alrm, sig_usr2, usr2_sent, usr2_lost;
/* Set by the sender when it sends no more: the signal thread takes SIGUSR2 until then. */
static atomic_int sender_done;
static atomic_long spawned, spawned_after_mark, bind_after_mark;
static atomic_long vfork_bad, vfork_checks;
static atomic_long smallstack_bad, smallstack_checks;
static atomic_long forks, fork_bad;
static long exec_ms;
/* What the SIGRTMIN handler saw: how many, and the siginfo of the last one. */
static atomic_long rt_count, rt_code, rt_value, rt_pid, rt_ready;
static atomic_int marked;
static atomic_int main_reported;
static int zombie_mode;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int read_pipe[2], epoll_pipe[2], accept_fd;
static char sock_path[108];

struct report { int tid; const char *kind; int mode; unsigned long mask; };
static struct report reports[MAXT];
static atomic_int nreports;

static void get_policy(int *mode, unsigned long *mask) {
  *mode = -1; *mask = 0;
  syscall(SYS_get_mempolicy, mode, mask, 64UL, 0UL, 0UL);
}

static void report_self(const char *kind) {
  int i = atomic_fetch_add(&nreports, 1);
  if (i >= MAXT) return;
  reports[i].tid = (int)gettid();
  reports[i].kind = kind;
  get_policy(&reports[i].mode, &reports[i].mask);
}

static void note(int err) {
  if (err == EINTR || err >= 512) atomic_fetch_add(&surprises, 1);
  else atomic_fetch_add(&surprises, 1000);
}

static void *futex_thread(void *a) {
  (void)a;
  pthread_mutex_lock(&mu);
  while (!atomic_load(&stop_flag)) {
    int r = pthread_cond_wait(&cv, &mu);
    if (r != 0) note(r);
  }
  pthread_mutex_unlock(&mu);
  report_self("futex");
  return NULL;
}

static void *read_thread(void *a) {
  (void)a;
  char c;
  for (;;) {
    ssize_t n = read(read_pipe[0], &c, 1);
    if (n == 1) break;
    if (n < 0) note(errno);
    else break;
  }
  report_self("read");
  return NULL;
}

static double ts(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void *sleep_thread(void *a) {
  long i = (long)a;
  while (!atomic_load(&stop_flag)) {
    struct timespec req = {0, 150 * 1000 * 1000};
    double t0 = ts();
    int r = (i & 1) ? clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) : nanosleep(&req, NULL) == 0 ? 0 : errno;
    double el = ts() - t0;
    if (r != 0) note(r);
    else if (el < 0.1499) atomic_fetch_add(&short_sleeps, 1);
  }
  report_self("sleep");
  return NULL;
}

static void *epoll_thread(void *a) {
  (void)a;
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN};
  epoll_ctl(ep, EPOLL_CTL_ADD, epoll_pipe[0], &ev);
  for (;;) {
    int n = epoll_wait(ep, &ev, 1, -1);
    if (n == 1) break;
    if (n < 0 && errno == EINTR) atomic_fetch_add(&eintr_epoll, 1);
    else if (n < 0) note(errno);
  }
  report_self("epoll");
  return NULL;
}

static void *accept_thread(void *a) {
  (void)a;
  for (;;) {
    int c = accept(accept_fd, NULL, NULL);
    if (c >= 0) { close(c); break; }
    note(errno);
    if (errno != EINTR) break;
  }
  report_self("accept");
  return NULL;
}

/* Deterministic integer and floating-point work in fixed segments: every segment must end with
   the result of the first one, computed before anyone touched the thread. A register the engine
   fails to restore changes a segment's result; checking per segment keeps finishing instant. */
#define BUSY_SEGMENT 200000L
/* Read through volatile so the compiler cannot fold a segment into a constant or hoist it. */
static volatile double busy_x_seed = 1.0;
static volatile unsigned long busy_h_seed = 1469598103934665603UL;
static void busy_segment(double *xo, unsigned long *ho) {
  double x = busy_x_seed;
  unsigned long h = busy_h_seed;
  for (long m = 0; m < BUSY_SEGMENT; m++) {
    x = x * 1.0000001 + 1e-9;
    if (x > 2.0) x -= 1.0;
    h = (h ^ (unsigned long)m) * 1099511628211UL;
  }
  *xo = x;
  *ho = h;
}

static void *busy_thread(void *a) {
  (void)a;
  double x0, x;
  unsigned long h0, h;
  busy_segment(&x0, &h0);
  while (!atomic_load(&stop_flag)) {
    busy_segment(&x, &h);
    if (x != x0 || h != h0) atomic_fetch_add(&busy_bad, 1);
  }
  report_self("busy");
  return NULL;
}

static void on_alrm(int s) { (void)s; atomic_fetch_add(&sig_alrm, 1); }
static void on_usr2(int s) { (void)s; atomic_fetch_add(&sig_usr2, 1); }

/* Receives SIGALRM at 1 kHz and SIGUSR2 (the only thread with them unblocked). */
static void *signal_thread(void *a) {
  (void)a;
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGALRM);
  sigaddset(&s, SIGUSR2);
  pthread_sigmask(SIG_UNBLOCK, &s, NULL);
  struct itimerval it = {{0, 1000}, {0, 1000}};
  setitimer(ITIMER_REAL, &it, NULL);
  volatile unsigned long spin = 0;
  /* Leaving at stop_flag alone would race the sender: a SIGUSR2 it sent just before seeing
     the flag would find no thread to take it, and count as lost. */
  while (!atomic_load(&stop_flag) || !atomic_load(&sender_done)) spin++;
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  report_self("signals");
  return NULL;
}

static void on_rt(int s, siginfo_t *si, void *uc) {
  (void)s; (void)uc;
  atomic_store(&rt_code, si->si_code);
  atomic_store(&rt_value, si->si_value.sival_int);
  atomic_store(&rt_pid, si->si_pid);
  atomic_fetch_add(&rt_count, 1);
}

/* The only thread with SIGRTMIN unblocked; named "rtsig" so a test can find it. Sleeps. */
static void *rt_thread(void *a) {
  (void)a;
  prctl(PR_SET_NAME, "rtsig", 0, 0, 0);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGRTMIN);
  pthread_sigmask(SIG_UNBLOCK, &s, NULL);
  /* Programs may block SIGTRAP (a debugger's signal): injected code must leave it so. */
  sigemptyset(&s);
  sigaddset(&s, SIGTRAP);
  pthread_sigmask(SIG_BLOCK, &s, NULL);
  atomic_store(&rt_ready, 1);
  while (!atomic_load(&stop_flag)) {
    struct timespec t = {0, 10000000};
    nanosleep(&t, NULL); /* EINTR is expected here: a signal came */
  }
  report_self("rtsig");
  return NULL;
}

/* Blocks every signal, then waits like the futex threads: a park must not change its mask. */
static void *blockall_thread(void *a) {
  prctl(PR_SET_NAME, "blockall", 0, 0, 0);
  sigset_t s;
  sigfillset(&s);
  pthread_sigmask(SIG_SETMASK, &s, NULL);
  return futex_thread(a);
}

/* Forks children that check they see their parent's memory, and reaps them. */
static volatile unsigned long fork_word = 0x5eed5eed5eedUL;
static void *fork_thread(void *a) {
  (void)a;
  while (!atomic_load(&stop_flag)) {
    pid_t c = fork();
    if (c == 0) {
      struct timespec t = {0, 1000000};
      nanosleep(&t, NULL);
      _exit(fork_word == 0x5eed5eed5eedUL ? 0 : 3);
    }
    if (c < 0) { note(errno); usleep(1000); continue; }
    int st;
    while (waitpid(c, &st, 0) < 0) {
      if (errno != EINTR) { note(errno); break; }
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) atomic_fetch_add(&fork_bad, 1);
    atomic_fetch_add(&forks, 1);
    usleep(500);
  }
  report_self("fork");
  return NULL;
}

/* Replaces the process with sleep(1) after exec_ms: an exec that may come mid-operation. */
static void *exec_thread(void *a) {
  (void)a;
  struct timespec t = {exec_ms / 1000, (exec_ms % 1000) * 1000000};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {}
  execlp("sleep", "sleep", "30", (char *)NULL);
  note(errno);
  return NULL;
}

/* Sends SIGUSR2 to the process and waits for the handler before sending the next: none may be lost. */
static void *sender_thread(void *a) {
  (void)a;
  while (!atomic_load(&stop_flag)) {
    long before = atomic_load(&sig_usr2);
    kill(getpid(), SIGUSR2);
    atomic_fetch_add(&usr2_sent, 1);
    double t0 = ts();
    while (atomic_load(&sig_usr2) == before) {
      if (ts() - t0 > 5.0) { atomic_fetch_add(&usr2_lost, 1); break; }
      usleep(100);
    }
  }
  atomic_store(&sender_done, 1);
  report_self("sender");
  return NULL;
}

static void *child_thread(void *a) {
  long after = (long)a;
  int mode; unsigned long mask;
  get_policy(&mode, &mask);
  if (after) {
    atomic_fetch_add(&spawned_after_mark, 1);
    if (mode == 2) atomic_fetch_add(&bind_after_mark, 1);
  }
  return NULL;
}

/* Creates short-lived threads all the time: threads appear and exit while the engine works. */
static void *spawner_thread(void *a) {
  (void)a;
  while (!atomic_load(&stop_flag)) {
    pthread_t t;
    long after = atomic_load(&marked);
    if (pthread_create(&t, NULL, child_thread, (void *)after) == 0) {
      pthread_detach(t);
      atomic_fetch_add(&spawned, 1);
    }
    usleep(200);
  }
  report_self("spawner");
  return NULL;
}

static void install_seccomp(int kill_it) {
  struct sock_filter f[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_set_mempolicy, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, kill_it ? SECCOMP_RET_KILL_PROCESS : (SECCOMP_RET_ERRNO | EPERM)),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog p = {sizeof f / sizeof f[0], f};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p)) {
    perror("seccomp");
    exit(2);
  }
}

/* Set once the thread's filter is in force: "ready" must not be printed before. */
static atomic_int seccomp_thread_ready;

static void *seccomp_thread(void *a) {
  (void)a;
  struct sock_filter f[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_set_mempolicy, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog p = {sizeof f / sizeof f[0], f};
  /* Without SECCOMP_FILTER_FLAG_TSYNC the filter is this thread's alone. */
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p)) {
    perror("seccomp thread");
    exit(2);
  }
  atomic_store(&seccomp_thread_ready, 1);
  return futex_thread(NULL);
}

#define MAXMAPS 256
static struct { char *addr; size_t len; } maps[MAXMAPS];
static int nmaps;

static void touch(char *p, size_t len) {
  long page = sysconf(_SC_PAGESIZE);
  for (size_t o = 0; o < len; o += (size_t)page) p[o] = (char)(o / (size_t)page + 1);
}

/* "alloc MIB" / "map MIB" / "touch 0xADDR": memory made and touched by the controller thread. */
static void memory_command(const char *line) {
  if (!strncmp(line, "touch ", 6)) {
    char *want = (char *)strtoul(line + 6, NULL, 16);
    for (int i = 0; i < nmaps; i++) {
      if (maps[i].addr == want) { touch(maps[i].addr, maps[i].len); printf("touched\n"); return; }
    }
    printf("no such mapping\n");
    return;
  }
  int alloc = !strncmp(line, "alloc ", 6);
  size_t len = (size_t)atol(line + (alloc ? 6 : 4)) << 20;
  char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED || nmaps >= MAXMAPS) { printf("mmap failed\n"); return; }
  /* Base pages only: policies then decide page by page (a THP would place 512 pages at once). */
  madvise(p, len, MADV_NOHUGEPAGE);
  maps[nmaps].addr = p;
  maps[nmaps++].len = len;
  if (alloc) touch(p, len);
  printf("%s %p %zu\n", alloc ? "allocated" : "mapped", (void *)p, len);
}

static pthread_t threads[MAXT];
static int nthreads;

/*
 * Threads started by start_thread_counted, and how many of them run their own code. A new thread
 * begins with every signal blocked until glibc gives it its creator's mask back: "ready" waits
 * until all of them are past that, so a test that reads their masks sees their own.
 */
static atomic_int created, running;

struct start_arg {
  void *(*fn)(void *);
  long arg;
};

static void *trampoline(void *p) {
  struct start_arg a = *(struct start_arg *)p;
  free(p);
  atomic_fetch_add(&running, 1);
  return a.fn((void *)a.arg);
}

static int start_thread_counted(pthread_t *t, void *(*fn)(void *), long arg) {
  struct start_arg *a = malloc(sizeof *a);
  if (!a) return -1;
  a->fn = fn;
  a->arg = arg;
  if (pthread_create(t, NULL, trampoline, a) != 0) {
    free(a);
    return -1;
  }
  atomic_fetch_add(&created, 1);
  return 0;
}

static void wait_running(void) {
  while (atomic_load(&running) < atomic_load(&created)) usleep(200);
}

static void start(void *(*fn)(void *), long arg) {
  if (nthreads >= MAXT || start_thread_counted(&threads[nthreads], fn, arg) != 0) {
    perror("pthread_create");
    exit(2);
  }
  nthreads++;
}

static void *controller(void *a) {
  (void)a;
  char line[256];
  while (fgets(line, sizeof line, stdin)) {
    if (strncmp(line, "mark", 4) == 0) {
      atomic_store(&marked, 1);
      printf("marked\n");
      fflush(stdout);
    } else if (!strncmp(line, "alloc ", 6) || !strncmp(line, "map ", 4) || !strncmp(line, "touch ", 6)) {
      memory_command(line);
      fflush(stdout);
    }
  }
  if (ferror(stdin)) note(errno);
  atomic_store(&stop_flag, 1);
  pthread_mutex_lock(&mu);
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  for (int i = 0; i < nthreads; i++) {
    if (write(read_pipe[1], "x", 1) < 0 || write(epoll_pipe[1], "x", 1) < 0) note(errno);
  }
  if (accept_fd >= 0) {
    for (int i = 0; i < nthreads; i++) {
      int c = socket(AF_UNIX, SOCK_STREAM, 0);
      struct sockaddr_un sa = {.sun_family = AF_UNIX};
      strcpy(sa.sun_path, sock_path);
      connect(c, (struct sockaddr *)&sa, sizeof sa);
      close(c);
    }
  }
  for (int i = 0; i < nthreads; i++) pthread_join(threads[i], NULL);
  while (!zombie_mode && !atomic_load(&main_reported)) usleep(1000);
  usleep(20000); /* let the last spawned children finish */
  report_self("controller");
  printf("result surprises=%ld eintr_epoll=%ld short_sleeps=%ld busy_bad=%ld sig_alrm=%ld usr2_sent=%ld usr2_handled=%ld usr2_lost=%ld spawned=%ld spawned_after_mark=%ld bind_after_mark=%ld vfork_bad=%ld vfork_checks=%ld smallstack_bad=%ld smallstack_checks=%ld forks=%ld fork_bad=%ld rt_count=%ld rt_code=%ld rt_value=%ld rt_pid=%ld\n",
         atomic_load(&surprises), atomic_load(&eintr_epoll), atomic_load(&short_sleeps), atomic_load(&busy_bad),
         atomic_load(&sig_alrm), atomic_load(&usr2_sent), atomic_load(&sig_usr2), atomic_load(&usr2_lost),
         atomic_load(&spawned), atomic_load(&spawned_after_mark), atomic_load(&bind_after_mark),
         atomic_load(&vfork_bad), atomic_load(&vfork_checks), atomic_load(&smallstack_bad), atomic_load(&smallstack_checks),
         atomic_load(&forks), atomic_load(&fork_bad), atomic_load(&rt_count), atomic_load(&rt_code), atomic_load(&rt_value), atomic_load(&rt_pid));
  int n = atomic_load(&nreports);
  for (int i = 0; i < n && i < MAXT; i++)
    printf("thread %d kind=%s mode=%d mask=%lx\n", reports[i].tid, reports[i].kind, reports[i].mode, reports[i].mask);
  printf("done\n");
  fflush(stdout);
  if (sock_path[0]) unlink(sock_path);
  exit(0);
}

/* Runs in a vfork child, on the parent's stack below its stack pointer, while the parent is
   held in vfork: anything that borrows that memory while the parent is stopped damages it. */
static __attribute__((noinline)) void vfork_child_loop(pid_t parent) {
  volatile unsigned char buf[3072];
  for (unsigned i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(i * 7 + 3);
  /* Ends with its parent too: a killed test target must not leave it spinning. */
  while (!atomic_load(&stop_flag) && getppid() == parent) {
    for (unsigned i = 0; i < sizeof buf; i++) {
      if (buf[i] != (unsigned char)(i * 7 + 3)) {
        atomic_fetch_add(&vfork_bad, 1);
        buf[i] = (unsigned char)(i * 7 + 3);
      }
    }
    atomic_fetch_add(&vfork_checks, 1);
    struct timespec ts = {0, 100000};
    syscall(SYS_nanosleep, &ts, NULL);
  }
}

#define SMALL_STACK 2048
static unsigned char *small_block;
static ucontext_t small_main, small_ctx;

static unsigned char small_pattern(unsigned i, unsigned salt) { return (unsigned char)(i * 13 + salt); }

/* Runs on the small stack: [block + 2K, block + 4K); the neighbour is [block, block + 2K). */
static void small_stack_loop(void) {
  volatile unsigned char mine[384];
  for (unsigned i = 0; i < sizeof mine; i++) mine[i] = small_pattern(i, 91);
  while (!atomic_load(&stop_flag)) {
    struct timespec ts = {0, 200000};
    syscall(SYS_nanosleep, &ts, NULL);
    long bad = 0;
    for (unsigned i = 0; i < sizeof mine; i++) bad += mine[i] != small_pattern(i, 91);
    for (unsigned i = 0; i < SMALL_STACK; i++) bad += small_block[i] != small_pattern(i, 7);
    if (bad) {
      atomic_fetch_add(&smallstack_bad, bad);
      for (unsigned i = 0; i < sizeof mine; i++) mine[i] = small_pattern(i, 91);
      for (unsigned i = 0; i < SMALL_STACK; i++) small_block[i] = small_pattern(i, 7);
    }
    atomic_fetch_add(&smallstack_checks, 1);
  }
}

static void run_on_small_stack(void) {
  /* One page: the neighbour's 2 KiB, then ours; the page holding our stack pointer holds both. */
  small_block = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (small_block == MAP_FAILED) { note(errno); return; }
  for (unsigned i = 0; i < SMALL_STACK; i++) small_block[i] = small_pattern(i, 7);
  printf("smallstack %p\n", (void *)small_block);
  fflush(stdout);
  getcontext(&small_ctx);
  small_ctx.uc_stack.ss_sp = small_block + SMALL_STACK;
  small_ctx.uc_stack.ss_size = SMALL_STACK;
  small_ctx.uc_link = &small_main;
  makecontext(&small_ctx, small_stack_loop, 0);
  if (swapcontext(&small_main, &small_ctx)) note(errno);
}

int main(int argc, char **argv) {
  long futex = 0, rd = 0, sl = 0, ep = 0, ac = 0, busy = 0, sigs = 0, spawn = 0, zombie = 0, sec_thread = 0, mdwe = 0, vfk = 0, small = 0, rt = 0, blockall = 0, frk = 0;
  const char *sec = NULL;
  for (int i = 1; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (!eq) continue;
    long v = atol(eq + 1);
    if (!strncmp(argv[i], "futex=", 6)) futex = v;
    else if (!strncmp(argv[i], "read=", 5)) rd = v;
    else if (!strncmp(argv[i], "sleep=", 6)) sl = v;
    else if (!strncmp(argv[i], "epoll=", 6)) ep = v;
    else if (!strncmp(argv[i], "accept=", 7)) ac = v;
    else if (!strncmp(argv[i], "busy=", 5)) busy = v;
    else if (!strncmp(argv[i], "signals=", 8)) sigs = v;
    else if (!strncmp(argv[i], "spawn=", 6)) spawn = v;
    else if (!strncmp(argv[i], "zombie=", 7)) zombie = v;
    else if (!strncmp(argv[i], "seccomp=", 8)) sec = eq + 1;
    else if (!strncmp(argv[i], "seccomp_thread=", 15)) sec_thread = v;
    else if (!strncmp(argv[i], "mdwe=", 5)) mdwe = v;
    else if (!strncmp(argv[i], "vfork=", 6)) vfk = v;
    else if (!strncmp(argv[i], "smallstack=", 11)) small = v;
    else if (!strncmp(argv[i], "rtsig=", 6)) rt = v;
    else if (!strncmp(argv[i], "blockall=", 9)) blockall = v;
    else if (!strncmp(argv[i], "fork=", 5)) frk = v;
    else if (!strncmp(argv[i], "exec=", 5)) exec_ms = v;
  }
  /* Memory-deny-write-execute (PR_SET_MDWE, Linux 6.3+): no writable+executable mapping. */
  if (mdwe && prctl(65 /* PR_SET_MDWE */, 1 /* PR_MDWE_REFUSE_EXEC_GAIN */, 0, 0, 0)) {
    printf("mdwe unsupported\n");
    fflush(stdout);
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa = {0};
  sa.sa_flags = SA_RESTART;
  sa.sa_handler = on_alrm;
  sigaction(SIGALRM, &sa, NULL);
  sa.sa_handler = on_usr2;
  sigaction(SIGUSR2, &sa, NULL);
  sa.sa_flags = SA_RESTART | SA_SIGINFO;
  sa.sa_sigaction = on_rt;
  sigaction(SIGRTMIN, &sa, NULL);
  /* Only the signal thread takes SIGALRM/SIGUSR2, only the rtsig thread SIGRTMIN: blocked threads see no handler run. */
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGALRM);
  sigaddset(&block, SIGUSR2);
  sigaddset(&block, SIGRTMIN);
  pthread_sigmask(SIG_BLOCK, &block, NULL);
  if (pipe(read_pipe) || pipe(epoll_pipe)) return 2;
  accept_fd = -1;
  if (ac > 0) {
    snprintf(sock_path, sizeof sock_path, "/tmp/numapol-target-%d.sock", getpid());
    unlink(sock_path);
    accept_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    strcpy(un.sun_path, sock_path);
    if (bind(accept_fd, (struct sockaddr *)&un, sizeof un) || listen(accept_fd, 4096)) return 2;
  }
  if (sec) install_seccomp(strcmp(sec, "kill") == 0);
  for (long i = 0; i < futex; i++) start(futex_thread, i);
  for (long i = 0; i < rd; i++) start(read_thread, i);
  for (long i = 0; i < sl; i++) start(sleep_thread, i);
  for (long i = 0; i < ep; i++) start(epoll_thread, i);
  for (long i = 0; i < ac; i++) start(accept_thread, i);
  for (long i = 0; i < busy; i++) start(busy_thread, i);
  if (sigs) { start(signal_thread, 0); start(sender_thread, 0); }
  if (rt) {
    start(rt_thread, 0);
    while (!atomic_load(&rt_ready)) usleep(1000);
  }
  if (blockall) start(blockall_thread, 0);
  if (frk) start(fork_thread, 0);
  if (spawn) start(spawner_thread, 0);
  if (sec_thread) {
    start(seccomp_thread, 0);
    while (!atomic_load(&seccomp_thread_ready)) usleep(1000);
  }
  zombie_mode = (int)zombie;
  pthread_t ctl;
  if (start_thread_counted(&ctl, controller, 0) != 0) {
    perror("pthread_create");
    return 2;
  }
  wait_running();
  printf("ready %d\n", getpid());
  fflush(stdout);
  if (exec_ms > 0) start(exec_thread, 0);
  zombie_mode = (int)zombie;
  if (zombie) pthread_exit(NULL); /* the leader becomes a zombie while the others run */
  if (small) run_on_small_stack();
  if (vfk) {
    pid_t parent = getpid();
    pid_t c = vfork();
    if (c == 0) {
      vfork_child_loop(parent);
      _exit(0);
    }
    if (c < 0) note(errno);
    else waitpid(c, NULL, 0);
  }
  pthread_mutex_lock(&mu); /* the leader blocks in futex too, and reports after the operation */
  while (!atomic_load(&stop_flag)) {
    int r = pthread_cond_wait(&cv, &mu);
    if (r != 0) note(r);
  }
  pthread_mutex_unlock(&mu);
  report_self("main");
  atomic_store(&main_reported, 1);
  pthread_join(ctl, NULL);
  return 0;
}
