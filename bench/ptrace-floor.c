/*
 * The machine's floor for numapol's one-call path: the same system calls numapol makes to run
 * one set_mempolicy(MPOL_DEFAULT) in the main thread of a running process, in C with nothing
 * else. Read /proc/PID/status, list /proc/PID/task, PTRACE_SEIZE + PTRACE_INTERRUPT every
 * thread, wait for their stops (polling, as numapol does), list the tasks again, save the main
 * thread's registers, check the syscall instruction behind its instruction pointer, single-step
 * it with the injected registers and a signal mask that lets only SIGTRAP through, restore, and
 * detach everything.
 *
 * No error recovery: it is a benchmark reference, run on a target made for it (threads blocked
 * in syscalls). numapol's engine does all of this with the checks this file leaves out.
 *
 * With `park` it makes instead the system calls of numapol's held protocol for every thread
 * (what a policy on every thread of a process costs): PTRACE_SEIZE and PTRACE_INTERRUPT (first
 * wake-up), the wait for its stop and its registers; then registers that make it run one
 * system call, tgkill of a signal to itself, and PTRACE_CONT (second wake-up); the wait for that
 * signal's delivery stop (numapol's park), its registers, and its own registers put back; and
 * at the end PTRACE_DETACH with the signal dropped (third wake-up). numapol's park code runs its
 * calls where this runs tgkill alone: the tracee's side of the work, which overlaps with the
 * tracer's on another CPU. The first thread must be stopped in a syscall: its syscall
 * instruction serves every thread, as numapol finds one instruction for all.
 *
 * usage: ptrace-floor PID RUNS [park]   prints the median and the minimum in microseconds.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TIDS 8192
#define SET_MEMPOLICY 238
#define PARK_SIGNAL SIGWINCH

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int list_tasks(int pid, int *tids) {
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

/*
 * One stop, call and release of the whole process. Returns 0 when set_mempolicy returned 0, 1
 * when the main thread was not stopped inside a syscall (numapol then looks further for a
 * syscall instruction; this reference just tries again), -1 on failure.
 */
static int one_call(int pid) {
  static int tids[MAX_TIDS];
  char path[64], buf[8192];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  int fd = open(path, O_RDONLY);
  if (fd < 0 || read(fd, buf, sizeof buf) <= 0) return -1;
  close(fd);
  int n = list_tasks(pid, tids);
  if (n <= 0) return -1;
  for (int i = 0; i < n; i++) {
    if (ptrace(PTRACE_SEIZE, tids[i], 0, PTRACE_O_TRACESYSGOOD) != 0) return -1;
    if (ptrace(PTRACE_INTERRUPT, tids[i], 0, 0) != 0) return -1;
  }
  int bad = 0;
  for (int i = 0; i < n; i++) bad |= poll_stop(tids[i]) < 0;
  static int again[MAX_TIDS];
  if (list_tasks(pid, again) != n) bad = 1;

  struct user_regs_struct saved, regs;
  unsigned long mask, step_mask = ~(1UL << (SIGTRAP - 1));
  long result = -1;
  int elsewhere = 0;
  if (!bad && regset(PTRACE_GETREGSET, pid, &saved) == 0) {
    long insn = ptrace(PTRACE_PEEKTEXT, pid, saved.rip - 2, 0);
    elsewhere = (insn & 0xffff) != 0x050f;
    if (!elsewhere && ptrace(PTRACE_GETSIGMASK, pid, sizeof mask, &mask) == 0) {
      regs = saved;
      regs.rip -= 2;
      regs.rax = SET_MEMPOLICY;
      regs.orig_rax = -1;
      regs.rdi = regs.rsi = regs.rdx = 0;
      ptrace(PTRACE_SETSIGMASK, pid, sizeof step_mask, &step_mask);
      regset(PTRACE_SETREGSET, pid, &regs);
      ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
      if (poll_stop(pid) >= 0 && regset(PTRACE_GETREGSET, pid, &regs) == 0) result = (long)regs.rax;
      regset(PTRACE_SETREGSET, pid, &saved);
      ptrace(PTRACE_SETSIGMASK, pid, sizeof mask, &mask);
    }
  }
  for (int i = 0; i < n; i++) ptrace(PTRACE_DETACH, tids[i], 0, 0);
  if (elsewhere) return 1;
  return result == 0 ? 0 : -1;
}

/* One stop of the whole process with a park of every thread (the `park` mode). 0 on success. */
static int park_round(int pid) {
  static int tids[MAX_TIDS];
  static struct user_regs_struct saved[MAX_TIDS];
  int n = list_tasks(pid, tids);
  if (n <= 0) return -1;
  for (int i = 0; i < n; i++) {
    if (ptrace(PTRACE_SEIZE, tids[i], 0, 0) != 0) return -1;
    if (ptrace(PTRACE_INTERRUPT, tids[i], 0, 0) != 0) return -1;
  }
  int bad = 0;
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
  int park = argc == 4 && strcmp(argv[3], "park") == 0;
  if (argc != 3 && !park) {
    fprintf(stderr, "usage: ptrace-floor PID RUNS [park]\n");
    return 2;
  }
  int pid = atoi(argv[1]), runs = atoi(argv[2]);
  if (runs < 1 || runs > 100000) return 2;
  double *us = calloc(runs, sizeof *us);
  int retries = 0;
  for (int i = 0; i < runs; i++) {
    double t0 = now_us();
    int r = park ? park_round(pid) : one_call(pid);
    if (r == 1 && ++retries < runs) {
      i--;
      continue;
    }
    if (r != 0) {
      fprintf(stderr, "ptrace-floor: run %d failed\n", i);
      return 1;
    }
    us[i] = now_us() - t0;
  }
  qsort(us, runs, sizeof *us, cmp);
  printf("%.1f %.1f\n", us[runs / 2], us[0]);
  return 0;
}
