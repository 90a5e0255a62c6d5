#!/usr/bin/env bash
# Installs what the local AWS stack (npm run stack, the integration tests) needs on a fresh Debian machine:
#   java            DynamoDB Local 3.x (openjdk-17-jre-headless)
#   gcc + libc6-dev the LD_PRELOAD shim that keeps DynamoDB Local on 127.0.0.1 (runtime/local-stack/bind-loopback.c)
#   chromium        the operator console's browser tests and npm run screenshot (driven by playwright-core)
# Idempotent and quiet: prints nothing and touches nothing when all are present; runs apt-get update at most once.
set -euo pipefail

need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
# --no-install-recommends leaves out libc6-dev, whose headers (dlfcn.h, netinet/in.h) the shim needs.
[ -f /usr/include/dlfcn.h ] || need+=(libc6-dev)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ "${#need[@]}" -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ci-deps: need root or sudo to install ${need[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp -t ci-deps.XXXXXX)
trap 'rm -f "$log"' EXIT
echo "ci-deps: installing ${need[*]}"
# Slim Debian images drop /usr/share/man; the JRE's postinst then fails to register java.1.gz.
"${sudo[@]}" mkdir -p /usr/share/man/man1
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ci-deps: apt-get failed" >&2
  exit 1
fi
