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
 * usage: ptrace-floor PID RUNS   prints the median and the minimum in microseconds.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TIDS 4096
#define SET_MEMPOLICY 238

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

static int poll_stop(int tid) {
  int status;
  for (;;) {
    int r = waitpid(tid, &status, __WALL | WNOHANG);
    if (r == tid) return WIFSTOPPED(status) ? 0 : -1;
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
  for (int i = 0; i < n; i++) bad |= poll_stop(tids[i]);
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
      if (poll_stop(pid) == 0 && regset(PTRACE_GETREGSET, pid, &regs) == 0) result = (long)regs.rax;
      regset(PTRACE_SETREGSET, pid, &saved);
      ptrace(PTRACE_SETSIGMASK, pid, sizeof mask, &mask);
    }
  }
  for (int i = 0; i < n; i++) ptrace(PTRACE_DETACH, tids[i], 0, 0);
  if (elsewhere) return 1;
  return result == 0 ? 0 : -1;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: ptrace-floor PID RUNS\n");
    return 2;
  }
  int pid = atoi(argv[1]), runs = atoi(argv[2]);
  if (runs < 1 || runs > 100000) return 2;
  double *us = calloc(runs, sizeof *us);
  int retries = 0;
  for (int i = 0; i < runs; i++) {
    double t0 = now_us();
    int r = one_call(pid);
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
