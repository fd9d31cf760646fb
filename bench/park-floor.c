/*
 * The machine's floor for numapol's many-thread path: the system calls of its held protocol,
 * made for every thread of a running process by a C program with nothing else. Per thread:
 * PTRACE_SEIZE and PTRACE_INTERRUPT (first wake-up), the wait for its stop and its registers;
 * then registers that make it run one system call, tgkill of a signal to itself, and PTRACE_CONT
 * (second wake-up); the wait for that signal's delivery stop (numapol's park), its registers, and
 * its own registers put back; and at the end PTRACE_DETACH with the signal dropped (third
 * wake-up). numapol's park code runs its calls where this runs tgkill alone: the tracee's side
 * of the work, which overlaps with the tracer's on another CPU.
 *
 * No error recovery: a benchmark reference, run on a target made for it (threads blocked in
 * syscalls: the first thread's instruction pointer must follow a syscall instruction).
 *
 * usage: park-floor PID RUNS   prints the median and the minimum in milliseconds.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TIDS 8192
#define PARK_SIGNAL SIGWINCH

static int tids[MAX_TIDS];
static struct user_regs_struct saved[MAX_TIDS];

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Polls as numapol does (WNOHANG, yielding): returns the stop signal, or -1. */
static int poll_stop(int tid) {
  int status;
  for (;;) {
    int r = waitpid(tid, &status, __WALL | WNOHANG);
    if (r == tid) return WIFSTOPPED(status) ? WSTOPSIG(status) : -1;
    if (r < 0) return -1;
    sched_yield();
  }
}

static int regset(int request, int tid, struct user_regs_struct *regs) {
  struct iovec io = { regs, sizeof *regs };
  return ptrace(request, tid, NT_PRSTATUS, &io) == 0 ? 0 : -1;
}

static int list_tasks(int pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task", pid);
  DIR *d = opendir(path);
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < MAX_TIDS)
    if (e->d_name[0] != '.') tids[n++] = atoi(e->d_name);
  closedir(d);
  return n;
}

/* One stop of the whole process with a park of every thread. 0 on success. */
static int one_round(int pid) {
  int n = list_tasks(pid);
  if (n <= 0) return -1;
  for (int i = 0; i < n; i++) {
    if (ptrace(PTRACE_SEIZE, tids[i], 0, 0) != 0) return -1;
    if (ptrace(PTRACE_INTERRUPT, tids[i], 0, 0) != 0) return -1;
  }
  int bad = 0;
  /* A syscall instruction of the process, found once (as numapol does): behind the first thread
     stopped in a syscall. A thread stopped elsewhere is pointed at it too. */
  unsigned long long insn_at = 0;
  for (int i = 0; i < n && !bad; i++) {
    if (poll_stop(tids[i]) < 0 || regset(PTRACE_GETREGSET, tids[i], &saved[i]) != 0) bad = 1;
    if (!bad && insn_at == 0 && (ptrace(PTRACE_PEEKTEXT, tids[i], saved[i].rip - 2, 0) & 0xffff) == 0x050f) insn_at = saved[i].rip - 2;
    if (insn_at == 0) bad = 1;
    struct user_regs_struct r = saved[i];
    r.rip = insn_at;
    r.orig_rax = -1;
    r.rax = SYS_tgkill;
    r.rdi = pid;
    r.rsi = tids[i];
    r.rdx = PARK_SIGNAL;
    if (!bad && (regset(PTRACE_SETREGSET, tids[i], &r) != 0 || ptrace(PTRACE_CONT, tids[i], 0, 0) != 0)) bad = 1;
  }
  for (int i = 0; i < n && !bad; i++) {
    struct user_regs_struct r;
    if (poll_stop(tids[i]) != PARK_SIGNAL || regset(PTRACE_GETREGSET, tids[i], &r) != 0) bad = 1;
    if (!bad && regset(PTRACE_SETREGSET, tids[i], &saved[i]) != 0) bad = 1;
  }
  for (int i = 0; i < n; i++)
    if (ptrace(PTRACE_DETACH, tids[i], 0, 0) != 0) bad = 1;
  return bad ? -1 : 0;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: park-floor PID RUNS\n");
    return 2;
  }
  int pid = atoi(argv[1]), runs = atoi(argv[2]);
  if (runs < 1 || runs > 10000) return 2;
  double *ms = calloc(runs, sizeof *ms);
  if (!ms) return 1;
  for (int i = 0; i < runs; i++) {
    double t0 = now_ms();
    if (one_round(pid) != 0) {
      fprintf(stderr, "park-floor: run %d failed\n", i);
      return 1;
    }
    ms[i] = now_ms() - t0;
  }
  qsort(ms, runs, sizeof *ms, cmp);
  printf("%.2f %.2f\n", ms[runs / 2], ms[0]);
  return 0;
}
