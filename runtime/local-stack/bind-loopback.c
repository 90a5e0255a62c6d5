/*
 * bind-loopback: an LD_PRELOAD shim that keeps the local stack's emulators on loopback.
 *
 * DynamoDB Local builds its Jetty server as `new Server(port)`, which binds every interface, and no flag or
 * property changes that. This shim overrides bind(2): a bind to INADDR_ANY becomes 127.0.0.1, and a bind to
 * in6addr_any becomes ::1 (start Java with -Djava.net.preferIPv4Stack=true so it uses IPv4 sockets). Any other
 * address passes through unchanged. The node emulators get it too, as a second line of defence.
 *
 * It also ties each emulator's life to the process that started the stack: when PRESTACOP_PARENT_PID is set,
 * the constructor asks the kernel for SIGTERM on parent death (PR_SET_PDEATHSIG), so a stack owner killed with
 * SIGKILL does not leave emulators behind. The variable is removed at once so grandchildren, whose parent is
 * not the owner, do not inherit the check.
 *
 * Built by runtime/local-stack/shim.ts: gcc -shared -fPIC -O2 -o bind-loopback-<hash>.so bind-loopback.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  static bind_fn real = 0;
  if (!real) real = (bind_fn)dlsym(RTLD_NEXT, "bind");
  if (addr && addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
    struct sockaddr_in a;
    memcpy(&a, addr, sizeof a);
    if (a.sin_addr.s_addr == htonl(INADDR_ANY)) {
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      return real(fd, (struct sockaddr *)&a, sizeof a);
    }
  }
  if (addr && addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
    struct sockaddr_in6 a;
    memcpy(&a, addr, sizeof a);
    if (memcmp(&a.sin6_addr, &in6addr_any, sizeof a.sin6_addr) == 0) {
      a.sin6_addr = in6addr_loopback;
      return real(fd, (struct sockaddr *)&a, sizeof a);
    }
  }
  return real(fd, addr, len);
}

__attribute__((constructor)) static void die_with_parent(void) {
  const char *want = getenv("PRESTACOP_PARENT_PID");
  if (!want) return;
  pid_t parent = (pid_t)atol(want);
  unsetenv("PRESTACOP_PARENT_PID");
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  /* The owner may have died between fork and here: then the death signal was never armed for it. */
  if (getppid() != parent) raise(SIGTERM);
}
