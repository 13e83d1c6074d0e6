#!/bin/bash
# slurm-up.sh [DIR] -- start a throw-away Slurm 22.05 cluster on this Debian 12 machine (root, no
# systemd needed) for disbatch integration tests.  See scripts/LAB.md.
#
# Idempotent: installs missing packages (apt-get update once, then install; daemons are not
# auto-started), writes DIR/slurm.conf, starts munged (unless one runs), slurmctld and one slurmd
# per node, waits until every node is idle, writes DIR/env.sh.  If the same layout is already
# running in DIR it only re-checks; a different or half-dead layout is torn down first.
#
#   NODES=1     1: one node named `hostname -s`, everything on 127.0.0.1 (MODE single)
#               >1: nodes n1..nN, each slurmd in its own network namespace slurm-n<i> (veth on
#               bridge $BRIDGE; $SUBNET.1 = controller, $SUBNET.1<i> = n<i>) and UTS namespace
#               (hostname n<i>); /etc/hosts gets "addr n<i>" lines (MODE netns)
#   DIR         default /tmp/disbatch-lab/c$NODES
#   CPUS        CPUs declared per node (default 8 single, 4 netns; may exceed the real cores)
#   ACCOUNTING=0  1: also MariaDB (datadir DIR/mysql) + slurmdbd.  Needed to shrink a job
#               (scontrol update JobId=.. NodeList=..) more than once; one such cluster at a time
#   CTLD_PORT   6817 single, 6827 netns (so a single and a netns cluster can run side by side)
#   SLURMD_PORT=6818  DBD_PORT=6819  SUBNET=10.77.0  BRIDGE=slurmbr0  NS_PREFIX=slurm-  WAIT=60
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
NODES=${NODES:-1}
DIR=${1:-/tmp/disbatch-lab/c$NODES}
if [ "$NODES" -le 1 ]; then MODE=single; else MODE=netns; fi
if [ $MODE = single ]; then CPUS=${CPUS:-8}; CTLD_PORT=${CTLD_PORT:-6817}
else CPUS=${CPUS:-4}; CTLD_PORT=${CTLD_PORT:-6827}; fi
ACCOUNTING=${ACCOUNTING:-0}
SLURMD_PORT=${SLURMD_PORT:-6818}
DBD_PORT=${DBD_PORT:-6819}
SUBNET=${SUBNET:-10.77.0}
BRIDGE=${BRIDGE:-slurmbr0}
NS_PREFIX=${NS_PREFIX:-slurm-}
WAIT=${WAIT:-60}

[ "$(id -u)" = 0 ] || { echo "slurm-up: must run as root" >&2; exit 1; }
T0=${EPOCHREALTIME//[!0-9]/}
log() { local d=$(((${EPOCHREALTIME//[!0-9]/} - T0) / 10000)); printf '[slurm-up %d.%02ds] %s\n' $((d / 100)) $((d % 100)) "$*"; }

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
CONF=$DIR/slurm.conf
export SLURM_CONF=$CONF

# ------------------------------------------------------------------------------------ packages
# apt_install LOG PKG...: one `apt-get update` per 6 h (stamp shared with sshd-up.sh), then install.
# A temporary policy-rc.d keeps postinst scripts from starting the daemons (an existing one stays).
apt_install() {
  local log=$1 stamp=/run/disbatch-lab.apt-updated made=0 rc=0 updated=0; shift
  local o=(-q -o DPkg::Lock::Timeout=300)
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; made=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  {
    if [ -z "$(find "$stamp" -mmin -360 2>/dev/null)" ]; then apt-get "${o[@]}" update && touch "$stamp" && updated=1; fi
    apt-get "${o[@]}" install -y --no-install-recommends "$@" ||
      { [ $updated = 0 ] && apt-get "${o[@]}" update && touch "$stamp" && apt-get "${o[@]}" install -y --no-install-recommends "$@"; }
  } >"$log" 2>&1 || rc=$?
  [ $made = 0 ] || rm -f /usr/sbin/policy-rc.d
  [ $rc = 0 ] || { tail -20 "$log" >&2; echo "slurm-up: apt-get failed, see $log" >&2; exit 1; }
}
need=()
command -v slurmctld >/dev/null || need+=(slurmctld)
command -v slurmd >/dev/null || need+=(slurmd)
command -v sbatch >/dev/null || need+=(slurm-client)
command -v munged >/dev/null || need+=(munge)
command -v ip >/dev/null || need+=(iproute2)
if [ "$ACCOUNTING" = 1 ]; then
  command -v slurmdbd >/dev/null || need+=(slurmdbd)
  command -v mariadbd >/dev/null || need+=(mariadb-server)
fi
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt_install "$DIR/apt.log" "${need[@]}"
  log "packages installed"
fi

# alive PID: exists and is not a zombie (a lazy PID 1 may reap orphans late, so `kill -0` lies)
alive_pid() {
  [ -n "${1:-}" ] || return 1
  local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }; [ "${st%% *}" != Z ]
}
alive() { [ -f "$1" ] && alive_pid "$(cat "$1")"; }   # alive PIDFILE

nodes=()   # "name addr"
if [ $MODE = single ]; then
  nodes=("$(hostname -s) 127.0.0.1"); CTLD_ADDR=127.0.0.1
else
  for i in $(seq 1 "$NODES"); do nodes+=("n$i $SUBNET.$((10 + i))"); done
  CTLD_ADDR=$SUBNET.1
fi
CTLD_HOST=$(hostname -s)
LAYOUT="$MODE $NODES $CPUS $ACCOUNTING $CTLD_PORT $SLURMD_PORT $DBD_PORT $SUBNET $BRIDGE $NS_PREFIX"

# ------------------------------------------------------------------------------ already up?
STARTED=1
if alive "$DIR/run/slurmctld.pid" && [ "$(cat "$DIR/layout" 2>/dev/null)" = "$LAYOUT" ]; then
  STARTED=0
  for n in "${nodes[@]}"; do set -- $n; alive "$DIR/run/slurmd-$1.pid" || STARTED=1; done
  [ $STARTED = 1 ] || log "cluster in $DIR already running; checking state"
fi

if [ $STARTED = 1 ]; then
  if ls "$DIR"/run/*.pid >/dev/null 2>&1; then
    log "other layout or partial cluster in $DIR: running slurm-down.sh first"
    "$(dirname "$0")/slurm-down.sh" "$DIR" >/dev/null || true
  fi
  rm -rf "$DIR"/state "$DIR"/spool "$DIR"/run "$DIR"/mysql "$DIR"/log
  mkdir -p "$DIR"/{state,spool,log,run}

  # ---------------------------------------------------------------------------------- munge
  # the marker in /run/munge says "a lab script started this munged"; the last slurm-down stops it
  if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "munged already running (reused)"
  else
    install -d -o munge -g munge -m 0755 /run/munge
    install -d -o munge -g munge -m 0700 /var/log/munge /etc/munge
    install -d -o munge -g munge -m 0711 /var/lib/munge
    if [ ! -s /etc/munge/munge.key ]; then
      runuser -u munge -- mungekey -c -k /etc/munge/munge.key
      chmod 400 /etc/munge/munge.key
    fi
    runuser -u munge -- /usr/sbin/munged </dev/null >"$DIR/log/munged.out" 2>&1
    for _ in $(seq 100); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
    cp /run/munge/munged.pid /run/munge/disbatch-lab.pid
    log "munged started (pid $(cat /run/munge/munged.pid))"
  fi

  # --------------------------------------------------------------------------------- config
  {
    cat <<EOF
# generated by slurm-up.sh ($LAYOUT)
ClusterName=lab
SlurmctldHost=$CTLD_HOST($CTLD_ADDR)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd-%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
# no cgroups
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
EOF
    if [ "$ACCOUNTING" = 1 ]; then
      printf 'AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost=%s\nAccountingStoragePort=%s\n' "$CTLD_ADDR" "$DBD_PORT"
    else
      echo "AccountingStorageType=accounting_storage/none"
    fi
    cat <<EOF
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
# start batch jobs at once (default delay 3 s)
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# declared CPUs may exceed the real ones (else the node drains: "Low socket*core*thread count")
SlurmdParameters=config_overrides
ReturnToService=2
SlurmdTimeout=30
SlurmctldTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
EOF
    for n in "${nodes[@]}"; do
      set -- $n
      echo "NodeName=$1 NodeHostname=$1 NodeAddr=$2 CPUs=$CPUS RealMemory=1000 State=UNKNOWN"
    done
    echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
  } >"$CONF"
  echo "$LAYOUT" >"$DIR/layout"
  printf '%s\n' "${nodes[@]}" >"$DIR/nodes"

  # ---------------------------------------------------------------------- network namespaces
  if [ $MODE = netns ]; then
    ip link del "$BRIDGE" 2>/dev/null || true
    ip link add "$BRIDGE" type bridge
    ip addr add "$CTLD_ADDR/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
    for n in "${nodes[@]}"; do
      set -- $n; ns=$NS_PREFIX$1
      ip netns del "$ns" 2>/dev/null || true
      ip link del "v$ns" 2>/dev/null || true
      ip netns add "$ns"
      ip link add "v$ns" type veth peer name eth0 netns "$ns"
      ip link set "v$ns" master "$BRIDGE" up
      ip -n "$ns" addr add "$2/24" dev eth0
      ip -n "$ns" link set lo up
      ip -n "$ns" link set eth0 up
    done
    # node names for everyone (marked block, removed by slurm-down.sh); in-place write because
    # /etc/hosts is often a bind mount
    tag="disbatch-lab:$DIR"
    hosts=$(awk -v b="# BEGIN $tag" -v e="# END $tag" '$0==b{s=1} !s{print} $0==e{s=0}' /etc/hosts)
    { printf '%s\n' "$hosts" "# BEGIN $tag"; for n in "${nodes[@]}"; do set -- $n; echo "$2 $1"; done
      echo "# END $tag"; } >"$DIR/hosts.new"
    cat "$DIR/hosts.new" >/etc/hosts; rm -f "$DIR/hosts.new"
    log "bridge $BRIDGE + ${#nodes[@]} netns created"
  fi

  # -------------------------------------------------------------------------------- daemons
  # every daemon gets stdio redirected: a daemon holding the caller's stdout pipe would make
  # e.g. Deno's Command.output() hang until the cluster is stopped
  if [ "$ACCOUNTING" = 1 ]; then
    mkdir -p /run/mysqld
    mariadb-install-db --no-defaults --user=root --datadir="$DIR/mysql" >"$DIR/log/mariadb-install-db.log" 2>&1
    setsid mariadbd --no-defaults --user=root --datadir="$DIR/mysql" --socket=/run/mysqld/mysqld.sock \
      --skip-networking --pid-file="$DIR/run/mariadbd.pid" --log-error="$DIR/log/mariadbd.err" \
      --innodb-buffer-pool-size=32M </dev/null >/dev/null 2>&1 &
    for _ in $(seq 300); do mariadb -uroot -e 'select 1' >/dev/null 2>&1 && break; sleep 0.1; done
    mariadb -uroot -e 'select 1' >/dev/null || { echo "mariadbd did not start" >&2; tail "$DIR/log/mariadbd.err" >&2; exit 1; }
    cat >"$DIR/slurmdbd.conf" <<EOF
AuthType=auth/munge
DbdHost=$CTLD_HOST
DbdAddr=$CTLD_ADDR
DbdPort=$DBD_PORT
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=root
StorageLoc=slurm_acct_db
PidFile=$DIR/run/slurmdbd.pid
LogFile=$DIR/log/slurmdbd.log
DebugLevel=info
EOF
    chmod 600 "$DIR/slurmdbd.conf"
    slurmdbd </dev/null >"$DIR/log/slurmdbd.out" 2>&1   # reads slurmdbd.conf next to $SLURM_CONF
    for _ in $(seq 300); do sacctmgr -n list cluster >/dev/null 2>&1 && break; sleep 0.1; done
    sacctmgr -i add cluster lab >/dev/null
    log "mariadbd + slurmdbd started (pids $(cat "$DIR/run/mariadbd.pid") $(cat "$DIR/run/slurmdbd.pid"))"
  fi
  for n in "${nodes[@]}"; do set -- $n; mkdir -p "$DIR/spool/$1"; done
  slurmctld -f "$CONF" </dev/null >"$DIR/log/slurmctld.out" 2>&1
  for _ in $(seq 100); do alive "$DIR/run/slurmctld.pid" && break; sleep 0.05; done
  alive "$DIR/run/slurmctld.pid" || { echo "slurmctld did not start" >&2; tail "$DIR/log/slurmctld.log" >&2; exit 1; }
  log "slurmctld started (pid $(cat "$DIR/run/slurmctld.pid"))"
  for n in "${nodes[@]}"; do
    set -- $n
    if [ $MODE = single ]; then
      slurmd -f "$CONF" -N "$1"
    else
      # nsenter --net, not `ip netns exec`: the latter remounts /sys without /sys/fs/cgroup and
      # slurmd 22.05 then dies with "No filesystem mounted on /sys/fs/cgroup"
      nsenter --net="/run/netns/$NS_PREFIX$1" unshare --uts \
        sh -c 'hostname "$1" && exec slurmd -f "$2" -N "$1"' sh "$1" "$CONF"
    fi </dev/null >"$DIR/log/slurmd-$1.out" 2>&1 || true   # checked below
  done
  for n in "${nodes[@]}"; do
    set -- $n
    for _ in $(seq 100); do alive "$DIR/run/slurmd-$1.pid" && break; sleep 0.05; done
    alive "$DIR/run/slurmd-$1.pid" || {
      echo "slurmd $1 did not start:" >&2; tail -5 "$DIR/log/slurmd-$1.out" "$DIR/log/slurmd-$1.log" >&2 || true; exit 1; }
  done
  log "slurmd started: $(for n in "${nodes[@]}"; do set -- $n; printf '%s=%s ' "$1" "$(cat "$DIR/run/slurmd-$1.pid")"; done)"
fi

# ------------------------------------------------------------------------------ wait for idle
want=${#nodes[@]}
idle=0
for _ in $(seq $((WAIT * 5))); do
  idle=$(sinfo -h -N -o '%N %T' 2>/dev/null | awk '$2=="idle"' | sort -u | wc -l) || idle=0
  [ "$idle" -ge "$want" ] && break
  sleep 0.2
done
if [ "$idle" -lt "$want" ]; then
  echo "slurm-up: only $idle/$want nodes idle after ${WAIT}s:" >&2
  sinfo -N -l >&2 || true
  tail -5 "$DIR"/log/*.log >&2 || true
  exit 1
fi
names=$(for n in "${nodes[@]}"; do set -- $n; printf '%s ' "$1"; done)
printf 'export SLURM_CONF=%s\nexport LAB_NODES="%s"\n' "$CONF" "${names% }" >"$DIR/env.sh"
log "cluster up: ${names% } idle ($CPUS CPUs each); . $DIR/env.sh"
