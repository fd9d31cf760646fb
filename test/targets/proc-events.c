/*
 * A short life that makes each process event the daemon watches, in a known order:
 *   a thread starts, renames itself (prctl PR_SET_NAME) and ends;
 *   a child starts and execs /bin/true, which exits 0;
 *   the main thread renames itself;
 *   the process exits with the status given as argv[1].
 * Prints "thread TID" and "child PID" so the test knows every id. With argv[2] = "kill", the
 * process kills itself with SIGTERM instead of exiting.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t thread_tid;

static void *renamer(void *arg) {
  thread_tid = (pid_t)syscall(SYS_gettid);
  prctl(PR_SET_NAME, "cn-thread", 0, 0, 0);
  return arg;
}

int main(int argc, char **argv) {
  int code = argc > 1 ? atoi(argv[1]) : 0;
  pthread_t t;
  if (pthread_create(&t, NULL, renamer, NULL) != 0) return 100;
  if (pthread_join(t, NULL) != 0) return 101;
  pid_t child = fork();
  if (child < 0) return 102;
  if (child == 0) {
    execl("/bin/true", "true", (char *)NULL);
    _exit(127);
  }
  int status;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 103;
  prctl(PR_SET_NAME, "cn-main", 0, 0, 0);
  printf("thread %d\nchild %d\n", (int)thread_tid, (int)child);
  fflush(stdout);
  if (argc > 2 && strcmp(argv[2], "kill") == 0) kill(getpid(), SIGTERM);
  return code;
}
