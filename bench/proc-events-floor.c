/*
 * The floor for process event latency: a C listener blocked in recv on its own connector
 * socket, with nothing between the kernel and it. Prints "ready", then, once it has seen N exec
 * events, N lines: for each, CLOCK_MONOTONIC when recv returned minus the event's timestamp_ns
 * (the kernel's ktime_get_ns at the exec), in ns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 300;
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd < 0) { perror("socket"); return 1; }
  int size = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("bind"); return 1; }

  unsigned char req[NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(uint32_t))];
  memset(req, 0, sizeof req);
  struct nlmsghdr *nl = (struct nlmsghdr *)req;
  nl->nlmsg_len = sizeof req;
  nl->nlmsg_type = NLMSG_DONE;
  struct cn_msg *cn = NLMSG_DATA(nl);
  cn->id.idx = CN_IDX_PROC;
  cn->id.val = CN_VAL_PROC;
  cn->len = sizeof(uint32_t);
  uint32_t op = PROC_CN_MCAST_LISTEN;
  memcpy(cn->data, &op, sizeof op);
  if (send(fd, req, sizeof req, 0) < 0) { perror("send"); return 1; }
  printf("ready\n");
  fflush(stdout);

  long long *lat = calloc((size_t)n, sizeof *lat);
  int got = 0;
  static unsigned char buf[16384];
  while (got < n) {
    ssize_t len = recv(fd, buf, sizeof buf, 0);
    if (len < 0) {
      if (errno == EINTR || errno == ENOBUFS) continue;
      perror("recv");
      return 1;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long now_ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
    int left = (int)len;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      struct cn_msg *m = NLMSG_DATA(h);
      if (m->id.idx != CN_IDX_PROC || m->len < 16) continue;
      uint32_t what;
      uint64_t stamp;
      memcpy(&what, m->data, sizeof what);
      memcpy(&stamp, m->data + 8, sizeof stamp);
      if (what == PROC_EVENT_EXEC && got < n) lat[got++] = now_ns - (long long)stamp;
    }
  }
  for (int i = 0; i < n; i++) printf("%lld\n", lat[i]);
  return 0;
}
