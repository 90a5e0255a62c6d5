#!/usr/bin/env bash
# npm run test:infra: Terraform and Ansible, tested on this machine with no AWS account (about 15 minutes on 2 cores).
#
#  1. terraform fmt -check, validate (AWS root and local root), terraform test (mocked provider: hardened settings,
#     least privilege, network, outputs)
#  2. ansible-lint (production profile) and ansible-playbook --syntax-check
#  3. the data-plane module applied with hardening=false to a local stack on free ports (tf- prefixed names), then
#     a re-plan that must show no change (-detailed-exitcode 0) - destroyed at the end
#  4. a real deploy to three local "hosts" (sshd on 127.0.0.1 with their own ports and install roots; test mode,
#     as systemd cannot run here) from the Terraform outputs: stage.yml ships the build during the apply, site.yml
#     starts the actors against the Terraform-made resources (every unit rated by systemd-analyze security offline;
#     host 3 runs the alert-system, the drone watchdog and the operator console (Terraform's placement: three
#     hosts) beside a storage worker; the console's /healthz and GET /api/alarms must answer, with an alarm that came
#     alert-system -> SNS -> its SQS queue; the watchdog's /healthz and its runtime events), a second run changes
#     nothing, redeploy.yml rolls a
#     new build one host at a time while messages keep flowing, and every drone's messages are in DynamoDB with no
#     hole but the simulator's own restart
#
# It installs what it lacks (apt: ansible, ansible-lint, openssh-server, systemd for systemd-analyze; once), stops
# everything it started by pid, and prints one line: "infra: N passed, M failed". Logs stay in the temp folder when
# something fails.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
T0=$(date +%s)
TMP=$(mktemp -d /tmp/prestacop-infra.XXXXXX)
LOGS=$TMP/logs
mkdir -p "$LOGS"
PASSED=0
FAILED=0
RESULTS=()

elapsed() { echo $(($(date +%s) - T0)); }
say() { printf '[%3ss] %s\n' "$(elapsed)" "$*"; }
record() { # record NAME OK(0/1) SECONDS [DETAIL]
  if [ "$2" = 0 ]; then
    PASSED=$((PASSED + 1))
    RESULTS+=("PASS  $1 (${3}s)${4:+ - $4}")
    say "PASS $1 (${3}s)${4:+ - $4}"
  else
    FAILED=$((FAILED + 1))
    RESULTS+=("FAIL  $1 (${3}s)${4:+ - $4}")
    say "FAIL $1 (${3}s)${4:+ - $4}"
  fi
}
# check NAME CMD...: runs CMD with its output in $LOGS/<name>.log, records the result; shows the log tail on failure.
check() {
  local name=$1 log t
  shift
  log="$LOGS/$(echo "$name" | tr -c 'a-zA-Z0-9\n' '-').log"
  t=$(date +%s)
  if "$@" > "$log" 2>&1; then
    record "$name" 0 $(($(date +%s) - t))
  else
    record "$name" 1 $(($(date +%s) - t)) "see $log"
    tail -n 25 "$log" | sed 's/^/    | /'
    return 1
  fi
}
# A background job's result: bg NAME CMD... starts it; bg_wait NAME records it.
declare -A BG_PID BG_T
bg() {
  local name=$1
  shift
  BG_T[$name]=$(date +%s)
  ("$@" > "$LOGS/$(echo "$name" | tr -c 'a-zA-Z0-9\n' '-').log" 2>&1) &
  BG_PID[$name]=$!
}
bg_wait() {
  local name=$1 log
  log="$LOGS/$(echo "$name" | tr -c 'a-zA-Z0-9\n' '-').log"
  if wait "${BG_PID[$name]}"; then
    record "$name" 0 $(($(date +%s) - BG_T[$name]))
  else
    record "$name" 1 $(($(date +%s) - BG_T[$name])) "see $log"
    tail -n 25 "$log" | sed 's/^/    | /'
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# Everything started here is stopped on exit, by pid.
STACK_PID=""
WATCH_PID=""
SSHD_PIDS=()
cleanup() {
  set +e
  [ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2> /dev/null
  if [ -f "$TMP/inventory.json" ] && [ -z "${SERVICES_STOPPED:-}" ]; then
    (cd ansible && ansible-playbook -i "$TMP/inventory.json" stop.yml > "$LOGS/cleanup-stop.log" 2>&1)
  fi
  # Ansible's persistent SSH connections (their control sockets are in our temp folder), then our sshd instances:
  # their session processes first, then the listeners.
  for sock in "$TMP"/cp/*; do [ -S "$sock" ] && ssh -o ControlPath="$sock" -O exit x > /dev/null 2>&1; done
  for pid in "${SSHD_PIDS[@]}"; do
    for child in $(pgrep -P "$pid"); do kill "$child" 2> /dev/null; done
    kill "$pid" 2> /dev/null
  done
  if [ -n "${TF_APPLIED:-}" ] && [ -z "${TF_DESTROYED:-}" ]; then
    [ -n "${BUCKET:-}" ] && node --import tsx test/infra/flow.ts empty "$TMP/stack.json" "$BUCKET" > /dev/null 2>&1
    terraform -chdir="$TFL" destroy -auto-approve -input=false -no-color -var-file="$TMP/local.tfvars.json" \
      > "$LOGS/cleanup-destroy.log" 2>&1
  fi
  if [ -n "$STACK_PID" ]; then
    kill -TERM "$STACK_PID" 2> /dev/null
    for _ in $(seq 1 150); do kill -0 "$STACK_PID" 2> /dev/null || break; sleep 0.1; done
  fi
  if [ "$FAILED" = 0 ] && [ -z "${KEEP_TMP:-}" ]; then rm -rf "$TMP"; else echo "logs and state kept in $TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

summary() {
  echo
  echo "infra test summary:"
  printf '  %s\n' "${RESULTS[@]}"
  echo "infra: $PASSED passed, $FAILED failed ($(elapsed)s)"
}
abort() { # a step everything after depends on failed
  say "stopping: $*"
  summary
  exit 1
}

# ---------------------------------------------------------------------------------------------------------------
say "temp folder $TMP"
install_deps() {
  local missing=()
  command -v ansible-playbook > /dev/null || missing+=(ansible)
  command -v ansible-lint > /dev/null || missing+=(ansible-lint)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v systemd-analyze > /dev/null || missing+=(systemd)
  [ ${#missing[@]} = 0 ] && { echo "all there"; return 0; }
  echo "installing ${missing[*]}"
  [ "$(id -u)" = 0 ] && SUDO="" || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" > /dev/null
}
check "tools (ansible, ansible-lint, sshd, systemd-analyze)" install_deps || abort "tools missing"
command -v terraform > /dev/null || abort "terraform is not on PATH"

# Terraform works on a copy (terraform/ + config/ + the analysis's generated Athena files, which the analytics
# module reads), so .terraform, lock files and state never land in the repo.
# Not a .terraform/providers folder (another run's copy, which links into its own temp folder and may go away).
MIRROR=$(find / -type d -path '*/registry.terraform.io/hashicorp/aws' -not -path '/proc/*' -not -path '*/.terraform/*' 2> /dev/null | head -n 1)
[ -n "$MIRROR" ] || abort "no provider mirror (registry.terraform.io/hashicorp/aws) on this machine"
cat > "$TMP/terraformrc" << EOF
provider_installation {
  filesystem_mirror {
    path    = "$(dirname "$(dirname "$(dirname "$MIRROR")")")"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
EOF
export TF_CLI_CONFIG_FILE=$TMP/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
# Nothing here may reach AWS, whatever the caller's environment holds.
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_DEFAULT_PROFILE
export AWS_EC2_METADATA_DISABLED=true
mkdir -p "$TMP/tf"
cp -r terraform config "$TMP/tf/"
mkdir -p "$TMP/tf/analysis" && cp -r analysis/athena "$TMP/tf/analysis/"
rm -rf "$TMP/tf/terraform/.terraform" "$TMP/tf/terraform/local/.terraform" "$TMP"/tf/terraform/*.tfstate*
TFR=$TMP/tf/terraform
TFL=$TMP/tf/terraform/local

export ANSIBLE_HOME=$TMP/ansible-home ANSIBLE_SSH_CONTROL_PATH_DIR=$TMP/cp ANSIBLE_LOCAL_TEMP=$TMP/ansible-tmp
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks # per-task times in the logs
# One SSH connection per host for the whole test (closed at the end by cleanup()).
export ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=900s"

# ---------------------------------------------------------------------------------------------------------------
# The stack starts first (Java takes a few seconds); static checks run beside it and beside the apply.
node --import tsx test/infra/local-stack.ts "$TMP/stack" "$TMP/stack.json" > "$LOGS/local-stack.log" 2>&1 &
STACK_PID=$!

tf_root_checks() {
  terraform -chdir="$TFR" init -backend=false -input=false -no-color &&
    terraform -chdir="$TFR" validate -no-color &&
    terraform -chdir="$TFR" test -no-color
}
bg "terraform validate + test (AWS root, mocked provider)" tf_root_checks
ansible_checks() {
  cd ansible && ansible-lint --offline -q &&
    ansible-playbook --syntax-check -i inventory/example.yml site.yml stage.yml redeploy.yml stop.yml
}
bg "ansible-lint + syntax-check" ansible_checks

check "terraform fmt -check -recursive" terraform fmt -check -recursive -diff terraform

wait_stack() {
  for _ in $(seq 1 120); do
    [ -f "$TMP/stack.json" ] && return 0
    kill -0 "$STACK_PID" 2> /dev/null || return 1
    sleep 0.5
  done
  return 1
}
check "local stack up (free ports, nothing provisioned)" wait_stack || {
  tail -n 20 "$LOGS/local-stack.log"
  abort "no local stack"
}
# Two drone shards and one history shard instead of 4 + 2: the consumers poll every shard every 20 ms against the
# emulator, and two cores are shared with everything else here. (The mocked test checks resources.json's sizes.)
node -e 'const s = require(process.argv[1]);
  console.log(JSON.stringify({ endpoints: s.terraform, shard_counts: { drones: 2, history: 1 } }))' \
  "$TMP/stack.json" > "$TMP/local.tfvars.json"

tf_apply() {
  terraform -chdir="$TFL" init -input=false -no-color &&
    terraform -chdir="$TFL" apply -auto-approve -input=false -no-color -var-file="$TMP/local.tfvars.json" &&
    terraform -chdir="$TFL" output -json > "$TMP/tf-output.json"
}
TF_APPLIED=1
bg "terraform apply: data-plane module, hardening=false, on the local stack" tf_apply

# ---------------------------------------------------------------------------------------------------------------
# Three local hosts: sshd on 127.0.0.1 only, one port and install root each, key auth with a throwaway key.
mkdir -p "$TMP/ssh" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$TMP/ssh/id" -C prestacop-infra-test
ssh-keygen -q -t ed25519 -N '' -f "$TMP/ssh/host_key"
cp "$TMP/ssh/id.pub" "$TMP/ssh/authorized_keys"
read -r -a PORTS <<< "$(node -e '
  const net = require("net");
  (async () => {
    const servers = [];
    for (let i = 0; i < 3; i++) {
      const s = net.createServer();
      await new Promise((r) => s.listen(0, "127.0.0.1", r));
      servers.push(s);
    }
    console.log(servers.map((s) => s.address().port).join(" "));
    servers.forEach((s) => s.close());
  })();')"
start_hosts() {
  for i in 1 2 3; do
    cat > "$TMP/ssh/sshd_$i.conf" << EOF
ListenAddress 127.0.0.1
Port ${PORTS[$((i - 1))]}
HostKey $TMP/ssh/host_key
PidFile $TMP/ssh/sshd_$i.pid
AuthorizedKeysFile $TMP/ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $(id -un)
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
# A clean host's shell: bash sources ~/.bashrc for every command sshd runs unless SHLVL is set, and this machine's
# (pyenv init, cargo) costs over a second per command, i.e. per Ansible task and loop item: measured 48-52 s for 20
# trivial tasks without this line, 15-30 s with it, same load. An EC2 host's default dotfiles cost nothing.
SetEnv SHLVL=1
EOF
    /usr/sbin/sshd -D -f "$TMP/ssh/sshd_$i.conf" -E "$LOGS/sshd_$i.log" &
    SSHD_PIDS+=($!)
  done
  for i in 1 2 3; do
    for _ in $(seq 1 50); do
      ssh -q -i "$TMP/ssh/id" -p "${PORTS[$((i - 1))]}" -o BatchMode=yes -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null "$(id -un)@127.0.0.1" true && continue 2
      sleep 0.2
    done
    return 1
  done
}
start_hosts
ok=$?
record "three sshd hosts on 127.0.0.1:${PORTS[*]}" $ok 0
[ $ok = 0 ] || abort "no hosts"

# A snapshot of the tree, so the build is the same across runs even if files change meanwhile.
mkdir -p "$TMP/snapshot"
(git ls-files -z --cached --others --exclude-standard | xargs -0 -r cp --parents -t "$TMP/snapshot" 2> /dev/null) ||
  true
cat > "$TMP/hosts.json" << EOF
{"key": "$TMP/ssh/id", "user": "$(id -un)", "hosts": [
  {"name": "host1", "port": ${PORTS[0]}, "root": "$TMP/host1", "services": ["drone-simulator"]},
  {"name": "host2", "port": ${PORTS[1]}, "root": "$TMP/host2", "services": ["stream-to-storage"]},
  {"name": "host3", "port": ${PORTS[2]}, "root": "$TMP/host3", "services": ["stream-to-storage", "alert-system", "drone-watchdog", "operator-console"]}
]}
EOF
# The release is built and staged on the hosts (unpacked, npm ci) while Terraform waits on its waiters: stage.yml
# needs the hosts only. site.yml then finds it staged and makes it current.
node --import tsx test/infra/inventory.ts - "$TMP/stack.json" "$TMP/hosts.json" > "$TMP/inventory-hosts.json" \
  2> "$LOGS/inventory.log" || abort "inventory"
bg "stage.yml: build the release, unpack and npm ci on 3 hosts (during the apply)" \
  bash -c 'cd ansible && ansible-playbook -i "$1/inventory-hosts.json" -e "prestacop_repo_dir=$1/snapshot" \
    -e "prestacop_build_dir=$1/dist" stage.yml' _ "$TMP"

bg_wait "terraform apply: data-plane module, hardening=false, on the local stack" || abort "nothing to deploy to"
node --import tsx test/infra/inventory.ts "$TMP/tf-output.json" "$TMP/stack.json" "$TMP/hosts.json" \
  > "$TMP/inventory.json" 2> "$LOGS/inventory.log" || abort "inventory"
json() { node -e 'console.log(eval(`require(process.argv[1])${process.argv[2]}`))' "$1" "$2"; }
TABLE=$(json "$TMP/tf-output.json" '.services.value.env["stream-to-storage"].PRESTACOP_MESSAGES_TABLE')
BUCKET=$(json "$TMP/tf-output.json" '.services.value.env["stream-to-storage"].PRESTACOP_BUCKET')
INTERVAL_MS=$(json "$TMP/inventory.json" '.all.vars.prestacop_extra_env["drone-simulator"].PRESTACOP_INTERVAL_MS')
flow() { node --import tsx test/infra/flow.ts "$@" 2>> "$LOGS/flow.log"; }
playbook() { (cd ansible && ansible-playbook -i "$TMP/inventory.json" -e "prestacop_repo_dir=$TMP/snapshot" \
  -e "prestacop_build_dir=$TMP/dist" "$@"); }
# Every host of a PLAY RECAP (in the log given) reports changed=0 and failed=0.
no_change() { grep -E '^host[0-9]+ +:' "$1" | grep -vE 'changed=0 .*failed=0' | grep -q . && return 1 || return 0; }

bg_wait "terraform validate + test (AWS root, mocked provider)"
bg_wait "ansible-lint + syntax-check"
bg_wait "stage.yml: build the release, unpack and npm ci on 3 hosts (during the apply)" || abort "no release"

# ---------------------------------------------------------------------------------------------------------------
check "site.yml: deploy and start the actors on 3 hosts (test mode)" playbook site.yml ||
  abort "deploy failed"
# Every unit the deploy wrote (five services over three hosts): sandboxed to an exposure of 4.0 at most, as rated
# offline (the role checks it before restarting; this lists each rating), memory capped, and no
# MemoryDenyWriteExecute (V8 writes the code it runs).
units_hardened() {
  local units=("$TMP"/host*/opt/prestacop/systemd/prestacop-*.service) bad
  [ -f "${units[0]}" ] || { echo "no unit files under $TMP/host*/opt/prestacop/systemd"; return 1; }
  bad=$(grep -L '^MemoryMax=[0-9]' "${units[@]}")
  [ -z "$bad" ] || { echo "no MemoryMax: $bad"; return 1; }
  bad=$(grep -l '^MemoryDenyWriteExecute=' "${units[@]}")
  [ -z "$bad" ] || { echo "MemoryDenyWriteExecute breaks V8: $bad"; return 1; }
  systemd-analyze security --offline=true --threshold=40 --no-pager "${units[@]}" > "$LOGS/units-security.txt"
  local rc=$?
  grep 'Overall exposure' "$LOGS/units-security.txt"
  echo "${#units[@]} units"
  return $rc
}
check "systemd-analyze security --offline=true --threshold=40: every unit" units_hardened
# The storage host's Parquet compaction (analysis/archive/compact.ts): its oneshot unit and hourly timer pass
# systemd-analyze verify (rated above with the services), and the deploy ran it once, as the timer starts it.
compact_timer() {
  local units=("$TMP"/host*/opt/prestacop/systemd/prestacop-compact.*) logs=("$TMP"/host*/var/log/prestacop/compact.log)
  [ -f "${units[0]}" ] || { echo "no prestacop-compact unit on any host"; return 1; }
  systemd-analyze verify "${units[@]}" > "$LOGS/compact-verify.txt" 2>&1 || { cat "$LOGS/compact-verify.txt"; return 1; }
  ! grep prestacop- "$LOGS/compact-verify.txt" || return 1
  grep -l '^OnCalendar=\*-\*-\* \*:15:00$' "${units[@]}" || { echo "no hourly timer"; return 1; }
  grep -h '^compact: ' "${logs[@]}" 2> /dev/null | tail -1 | grep . || { echo "the compaction did not run"; return 1; }
}
check "compaction on the storage host: unit and hourly timer verified, run once by the deploy" compact_timer
check "messages flow: drone-simulator -> Kinesis -> stream-to-storage -> DynamoDB" \
  flow grows "$TMP/stack.json" "$TABLE" 60
# The operator console, co-located with the alert-system on host 3: ops /healthz, and its page's JSON API on
# loopback (no token), as an operator's SSH tunnel reaches it, showing at least one alarm the alert-system raised
# (through the Terraform-made topic and the console's own queue; ~1 % of messages raise one).
console_answers() {
  node --import tsx test/infra/console.ts \
    "$(json "$TMP/inventory.json" '.all.children.prestacop.hosts.host3.prestacop_ops_ports["operator-console"]')" \
    "$(json "$TMP/inventory.json" '.all.vars.prestacop_extra_env["operator-console"].PRESTACOP_CONSOLE_PORT')" 90 1 |
    tee "$TMP/console.json"
  return "${PIPESTATUS[0]}"
}
check "operator console on host 3: /healthz, GET /api/alarms shows alarms from SNS -> SQS" console_answers
# The drone watchdog, co-located on host 3 too: healthy, and processing the drones' messages (its runtime events).
watchdog_runs() {
  node -e '
    const [port, seconds] = process.argv.slice(1).map(Number);
    const base = `http://127.0.0.1:${port}`;
    const end = Date.now() + seconds * 1000;
    (async () => {
      let last = "";
      while (Date.now() < end) {
        try {
          const health = await fetch(`${base}/healthz`);
          const metrics = await (await fetch(`${base}/metrics`)).text();
          const processed = metrics.split("\n").filter((l) =>
            l.startsWith("prestacop_runtime_events_total{") && l.includes("actor=\"drone-watchdog\"") &&
            l.includes("type=\"actor.processed\"")).map((l) => Number(l.split(" ").pop()));
          last = `healthz ${health.status}, drone messages processed: ${processed[0] ?? 0}`;
          if (health.status === 200 && (processed[0] ?? 0) > 0) { console.log(last); return; }
        } catch (e) { last = String(e); }
        await new Promise((r) => setTimeout(r, 1000));
      }
      console.log(`not running: ${last}`);
      process.exit(1);
    })();' \
    "$(json "$TMP/inventory.json" '.all.children.prestacop.hosts.host3.prestacop_ops_ports["drone-watchdog"]')" 60
}
check "drone watchdog on host 3: /healthz, drone messages processed (/metrics)" watchdog_runs

# The re-plan runs beside the second deploy.
bg "terraform plan -detailed-exitcode: no changes after apply" \
  terraform -chdir="$TFL" plan -detailed-exitcode -input=false -no-color -var-file="$TMP/local.tfvars.json"
site_again() {
  playbook site.yml > "$LOGS/site-2.out" 2>&1 || { cat "$LOGS/site-2.out"; return 1; }
  grep -A4 'PLAY RECAP' "$LOGS/site-2.out"
  no_change "$LOGS/site-2.out"
}
check "site.yml again: changed=0 on every host" site_again
bg_wait "terraform plan -detailed-exitcode: no changes after apply"

# node itself in the background (not the flow function, whose subshell would be the pid killed below).
node --import tsx test/infra/flow.ts watch "$TMP/stack.json" "$TABLE" > "$TMP/watch.txt" 2>> "$LOGS/flow.log" &
WATCH_PID=$!
REDEPLOY_AT=$(($(date +%s) * 1000))
check "redeploy.yml: a new build, one host at a time, /healthz before the next" \
  playbook redeploy.yml -e prestacop_build_label="redeploy-$(date +%s)"
# Play order: the stream readers' hosts first (host2 and host3, in either order: group_by fills the readers' group
# as hosts finish, so their order varies from run to run), then the producer's (host1): see redeploy.yml.
readers_first() {
  local f=test/infra/flow.ts
  node --import tsx $f rolling "$REDEPLOY_AT" "$TMP"/host{2,3,1}/var/log/prestacop ||
    node --import tsx $f rolling "$REDEPLOY_AT" "$TMP"/host{3,2,1}/var/log/prestacop
}
check "redeploy order: readers' hosts first, each host back up before the next one stopped" readers_first
sleep 3
kill "$WATCH_PID" 2> /dev/null
WATCH_PID=""

# Stop the drones first, let the writers drain, then stop the rest: then every message sent must be stored.
check "stop the drone simulator (graceful: flushes)" \
  playbook stop.yml -e '{"prestacop_stop_services": ["drone-simulator"]}'
verify_flow() {
  flow verify "$TMP/stack.json" "$TABLE" "$TMP/host1/var/log/prestacop/drone-simulator.log" "$INTERVAL_MS" 60 \
    "$TMP/watch.txt" | tee "$TMP/flow.json"
  local rc=${PIPESTATUS[0]}
  # Messages kept flowing during the redeploy: the table never stood still for 30 s.
  [ "$(json "$TMP/flow.json" '.longestStallMs < 30000')" = true ] || {
    echo "the table stood still for $(json "$TMP/flow.json" .longestStallMs) ms"
    return 1
  }
  return "$rc"
}
check "nothing lost: every drone's messages stored, holes only at the simulator's restart" verify_flow
FLOW=$(cat "$TMP/flow.json" 2> /dev/null)
check "stop every service" playbook stop.yml && SERVICES_STOPPED=1

destroy() {
  flow empty "$TMP/stack.json" "$BUCKET" &&
    terraform -chdir="$TFL" destroy -refresh=false -auto-approve -input=false -no-color \
      -var-file="$TMP/local.tfvars.json"
}
check "terraform destroy (after emptying the archive bucket)" destroy && TF_DESTROYED=1

summary
[ -n "$FLOW" ] && echo "flow: $FLOW"
[ -s "$TMP/console.json" ] && echo "console: $(cat "$TMP/console.json")"
[ "$FAILED" = 0 ]
