#!/bin/bash
# sshd-up.sh [DIR] -- private sshd's (key-only root login) for disbatch tests; idempotent.
# See scripts/LAB.md.
#
#  * installs openssh-server/-client if missing (apt-get update once, daemons not auto-started)
#  * DIR (default /tmp/disbatch-lab/ssh): host key, client key id_ed25519, authorized_keys,
#    known_hosts, sshd_config, ssh_config (client config), env.sh, run/*.pid, *.log
#  * starts /usr/sbin/sshd on 127.0.0.1:$SSH_PORT in the root namespaces and, if CLUSTER_DIR is a
#    running multi-node slurm-up.sh cluster, one more inside each node's network+UTS namespace
#    (on the node address and the namespace's own loopback), so `ssh n1 hostname` prints n1
#  * writes /etc/ssh/ssh_config.d/00-disbatch-lab.conf so a plain `ssh localhost cmd` /
#    `ssh n1 cmd` uses that key and known_hosts, BatchMode=yes (sshd-down.sh removes it)
#  * checks `ssh localhost true` and `ssh n<i> hostname`
#
# Knobs: CLUSTER_DIR= (e.g. /tmp/disbatch-lab/c3)  SSH_PORT=22
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
DIR=${1:-/tmp/disbatch-lab/ssh}
CLUSTER_DIR=${CLUSTER_DIR:-}
SSH_PORT=${SSH_PORT:-22}
DROPIN=/etc/ssh/ssh_config.d/00-disbatch-lab.conf
[ "$(id -u)" = 0 ] || { echo "sshd-up: must run as root" >&2; exit 1; }
T0=${EPOCHREALTIME//[!0-9]/}
log() { local d=$(((${EPOCHREALTIME//[!0-9]/} - T0) / 10000)); printf '[sshd-up %d.%02ds] %s\n' $((d / 100)) $((d % 100)) "$*"; }
# alive PID: exists and is not a zombie (a lazy PID 1 may reap orphans late, so `kill -0` lies)
alive_pid() {
  [ -n "${1:-}" ] || return 1
  local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }; [ "${st%% *}" != Z ]
}
alive() { [ -f "$1" ] && alive_pid "$(cat "$1")"; }   # alive PIDFILE

mkdir -p "$DIR/run"
DIR=$(cd "$DIR" && pwd)

# 1. packages: one `apt-get update` per 6 h (stamp shared with slurm-up.sh), then install
if [ ! -x /usr/sbin/sshd ] || ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
  log "installing openssh-server openssh-client"
  stamp=/run/disbatch-lab.apt-updated made=0 rc=0 updated=0 o=(-q -o DPkg::Lock::Timeout=300)
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; made=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  {
    if [ -z "$(find "$stamp" -mmin -360 2>/dev/null)" ]; then apt-get "${o[@]}" update && touch "$stamp" && updated=1; fi
    apt-get "${o[@]}" install -y --no-install-recommends openssh-server openssh-client ||
      { [ $updated = 0 ] && apt-get "${o[@]}" update && touch "$stamp" &&
        apt-get "${o[@]}" install -y --no-install-recommends openssh-server openssh-client; }
  } >"$DIR/apt.log" 2>&1 || rc=$?
  [ $made = 0 ] || rm -f /usr/sbin/policy-rc.d
  [ $rc = 0 ] || { tail -20 "$DIR/apt.log" >&2; echo "sshd-up: apt-get failed, see $DIR/apt.log" >&2; exit 1; }
  log "openssh installed"
fi
install -d -m 0755 /run/sshd   # privilege-separation dir (normally created by the init system)

# 2. keys
[ -f "$DIR/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C disbatch-lab-host -f "$DIR/ssh_host_ed25519_key"
[ -f "$DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C disbatch-lab-client -f "$DIR/id_ed25519"
cp "$DIR/id_ed25519.pub" "$DIR/authorized_keys"
chmod 600 "$DIR/authorized_keys" "$DIR/id_ed25519" "$DIR/ssh_host_ed25519_key"

# 3. names we serve: loopback + this host + the cluster's nodes
hosts="localhost 127.0.0.1 ::1 $(hostname -s)"
names=localhost
nodes=()   # "name addr"
if [ -n "$CLUSTER_DIR" ]; then
  [ "$(awk '{print $1}' "$CLUSTER_DIR/layout" 2>/dev/null)" = netns ] ||
    { echo "sshd-up: CLUSTER_DIR=$CLUSTER_DIR is not a running multi-node cluster" >&2; exit 1; }
  read -r _ _ _ _ _ _ _ _ _ NS_PREFIX <"$CLUSTER_DIR/layout"
  while read -r name addr; do
    hosts="$hosts $name $addr"; names="$names $name"; nodes+=("$name $addr")
    alive "$CLUSTER_DIR/run/slurmd-$name.pid" || { echo "sshd-up: slurmd $name is not running" >&2; exit 1; }
  done <"$CLUSTER_DIR/nodes"
fi

# 4. configs
cat >"$DIR/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $DIR/ssh_host_ed25519_key
PidFile $DIR/run/sshd-root.pid
AuthorizedKeysFile $DIR/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
# no PAM (pam_loginuid & co. fail in containers); StrictModes off: DIR is under /tmp (mode 1777)
UsePAM no
StrictModes no
PrintMotd no
AcceptEnv LANG LC_* SLURM_CONF
# A login shell whose ~/.bashrc runs \`pyenv init\` waits up to a minute for a rehash lock that
# a killed shell left behind (tests kill ssh sessions on purpose): wait at most 3 s instead.
SetEnv PYENV_REHASH_TIMEOUT=3
Subsystem sftp internal-sftp
LogLevel INFO
EOF
/usr/sbin/sshd -t -f "$DIR/sshd_config"
pub=$(awk '{print $1" "$2}' "$DIR/ssh_host_ed25519_key.pub")
kh=""
for h in $hosts; do
  if [ "$SSH_PORT" = 22 ]; then kh="$kh${kh:+,}$h"; else kh="$kh${kh:+,}[$h]:$SSH_PORT"; fi
done
echo "$kh $pub" >"$DIR/known_hosts"
cat >"$DIR/ssh_config" <<EOF
# generated by sshd-up.sh; without the system drop-in use: ssh -F $DIR/ssh_config HOST
Host $hosts
  User root
  Port $SSH_PORT
  IdentityFile $DIR/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $DIR/known_hosts
  StrictHostKeyChecking accept-new
  BatchMode yes
  LogLevel ERROR
  ConnectTimeout 5
EOF
mkdir -p /etc/ssh/ssh_config.d
{ echo "# disbatch-lab:$DIR (removed by sshd-down.sh)"; cat "$DIR/ssh_config"; } >"$DROPIN"
printf 'export LAB_SSH_DIR=%s\nexport LAB_SSH_HOSTS="%s"\n' "$DIR" "$names" >"$DIR/env.sh"

# 5. daemons (stdio redirected so no caller's pipe is held open)
if ! alive "$DIR/run/sshd-root.pid"; then
  /usr/sbin/sshd -f "$DIR/sshd_config" -E "$DIR/sshd-root.log" </dev/null >/dev/null 2>&1
  for _ in $(seq 50); do alive "$DIR/run/sshd-root.pid" && break; sleep 0.1; done
  alive "$DIR/run/sshd-root.pid" || { echo "sshd did not start:" >&2; tail "$DIR/sshd-root.log" >&2; exit 1; }
  log "sshd started on 127.0.0.1:$SSH_PORT (pid $(cat "$DIR/run/sshd-root.pid"))"
fi
for n in "${nodes[@]}"; do
  set -- $n
  pidf=$DIR/run/sshd-$1.pid
  alive "$pidf" && continue
  # the node's own netns, and the slurmd's UTS namespace for the hostname
  nsenter --net="/run/netns/$NS_PREFIX$1" --uts="/proc/$(cat "$CLUSTER_DIR/run/slurmd-$1.pid")/ns/uts" \
    /usr/sbin/sshd -f "$DIR/sshd_config" -o "ListenAddress=$2" -o "PidFile=$pidf" -E "$DIR/sshd-$1.log" \
    </dev/null >/dev/null 2>&1
  for _ in $(seq 50); do alive "$pidf" && break; sleep 0.1; done
  alive "$pidf" || { echo "sshd in $1 did not start:" >&2; tail "$DIR/sshd-$1.log" >&2; exit 1; }
  log "sshd started in the namespaces of $1 on $2:$SSH_PORT (pid $(cat "$pidf"))"
done

# 6. check, in parallel (each ssh takes ~0.4 s): `ssh H hostname` must print H's hostname
checks=("localhost $(hostname)")
for n in "${nodes[@]}"; do set -- $n; checks+=("$1 $1"); done
pids=()
for c in "${checks[@]}"; do
  set -- $c
  { out=$(ssh "$1" hostname 2>&1) && [ "$out" = "$2" ] || { echo "sshd-up: ssh $1 hostname: $out" >&2; exit 1; }; } &
  pids+=($!)
done
ok=1
for p in "${pids[@]}"; do wait "$p" || ok=0; done
[ $ok = 1 ] || exit 1
log "ok: ssh works for: $names; . $DIR/env.sh"
