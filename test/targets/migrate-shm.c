/*
 * Creates a System V shared memory segment (key and MiB from argv), touches it, prints
 * "ready KEY SHMID", holds it until stdin closes, then removes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  key_t key = (key_t)strtol(argv[1], NULL, 0);
  size_t len = (size_t)atol(argv[2]) << 20;
  int id = shmget(key, len, IPC_CREAT | IPC_EXCL | 0600);
  if (id < 0) { perror("shmget"); return 1; }
  char *p = shmat(id, NULL, 0);
  if (p == (void *)-1) { perror("shmat"); shmctl(id, IPC_RMID, NULL); return 1; }
  memset(p, 0x5a, len);
  printf("ready %d %d\n", (int)key, id);
  fflush(stdout);
  char c;
  while (read(0, &c, 1) > 0) {
  }
  shmdt(p);
  shmctl(id, IPC_RMID, NULL);
  return 0;
}
