#!/bin/bash
# slurm-down.sh [DIR] -- stop what slurm-up.sh started in DIR (default /tmp/disbatch-lab/c$NODES,
# NODES=1), by PID, and undo its system changes: cancel jobs; stop the slurmd(s), every process
# left in the node namespaces (slurmstepd, job leftovers, node sshd's), slurmctld, slurmdbd,
# mariadbd; stop munged if a lab script started it and no other slurmctld is left; delete
# netns/veths/bridge and the /etc/hosts block.  Logs stay in DIR/log; packages stay installed.
# Idempotent; always exits 0 unless DIR is unusable.
set -uo pipefail
export PATH=$PATH:/usr/sbin:/sbin
DIR=${1:-/tmp/disbatch-lab/c${NODES:-1}}
[ -d "$DIR" ] || { echo "[slurm-down] nothing in $DIR"; exit 0; }
DIR=$(cd "$DIR" && pwd)
export SLURM_CONF=$DIR/slurm.conf
MODE=single BRIDGE=slurmbr0 NS_PREFIX=slurm-
[ -f "$DIR/layout" ] && read -r MODE _ _ _ _ _ _ _ BRIDGE NS_PREFIX <"$DIR/layout"
T0=${EPOCHREALTIME//[!0-9]/}

# alive PID: exists and is not a zombie (a lazy PID 1 may reap orphans late, so `kill -0` lies)
alive() {
  [ -n "${1:-}" ] || return 1
  local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }; [ "${st%% *}" != Z ]
}
stop_pids() {   # stop_pids TIMEOUT PID...: TERM all, wait for all, KILL the stragglers
  local t=$1 pids=() p left; shift
  for p in "$@"; do alive "$p" && pids+=("$p"); done
  [ ${#pids[@]} -eq 0 ] && return 0
  kill "${pids[@]}" 2>/dev/null
  for _ in $(seq $((t * 20))); do
    left=0
    for p in "${pids[@]}"; do alive "$p" && left=1; done
    [ $left = 0 ] && return 0
    sleep 0.05
  done
  for p in "${pids[@]}"; do alive "$p" && kill -9 "$p" 2>/dev/null; done
  sleep 0.1
}
pidof_file() { [ -f "$1" ] && cat "$1"; return 0; }

# 1. cancel jobs while the controller is alive (lets slurmd clean up its steps)
ctld=$(pidof_file "$DIR/run/slurmctld.pid")
if alive "$ctld"; then
  jobs=$(squeue -h -o %i 2>/dev/null | tr '\n' ' ')
  if [ -n "${jobs// /}" ]; then
    scancel $jobs 2>/dev/null
    for _ in $(seq 100); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.1; done
  fi
fi

# 2. daemons, plus (netns) anything still living in a node's UTS or network namespace
daemons=("$ctld" "$(pidof_file "$DIR/run/slurmdbd.pid")")
leftovers=()
if [ -f "$DIR/nodes" ]; then
  while read -r name _; do
    pid=$(pidof_file "$DIR/run/slurmd-$name.pid")
    daemons+=("$pid")
    [ "$MODE" = netns ] || continue
    if alive "$pid"; then
      uts=$(readlink "/proc/$pid/ns/uts")
      for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" != "$pid" ] && [ "$(readlink "/proc/$p/ns/uts" 2>/dev/null)" = "$uts" ] && leftovers+=("$p")
      done
    fi
    for p in $(ip netns pids "$NS_PREFIX$name" 2>/dev/null); do [ "$p" != "$pid" ] && leftovers+=("$p"); done
  done <"$DIR/nodes"
fi
stop_pids 15 "${daemons[@]}"
stop_pids 3 "${leftovers[@]}"
stop_pids 30 "$(pidof_file "$DIR/run/mariadbd.pid")"
rm -rf "$DIR/run"

# 3. munged: only if a lab script started it and no slurmctld (of any cluster) is left
mpid=$(pidof_file /run/munge/disbatch-lab.pid)
if [ -n "$mpid" ]; then
  others=0
  for s in /proc/[0-9]*/stat; do
    { read -r st <"$s"; } 2>/dev/null && [[ $st == *" (slurmctld) "[!Z]* ]] && others=1
  done
  if [ $others = 0 ]; then
    [ "$(pidof_file /run/munge/munged.pid)" = "$mpid" ] && stop_pids 10 "$mpid"
    rm -f /run/munge/disbatch-lab.pid
  fi
fi

# 4. namespaces, veths, bridge, /etc/hosts block
if [ "$MODE" = netns ]; then
  while read -r name _; do
    ip netns del "$NS_PREFIX$name" 2>/dev/null   # also destroys both ends of the veth pair
    ip link del "v$NS_PREFIX$name" 2>/dev/null
  done <"$DIR/nodes"
  ip link del "$BRIDGE" 2>/dev/null
  # `ip netns add` turned /run/netns into a bind mount; undo that once no namespace is left
  if [ -d /run/netns ] && [ -z "$(ls -A /run/netns)" ]; then umount /run/netns 2>/dev/null; rmdir /run/netns 2>/dev/null; fi
fi
tag="disbatch-lab:$DIR"
if grep -qxF "# BEGIN $tag" /etc/hosts; then
  hosts=$(awk -v b="# BEGIN $tag" -v e="# END $tag" '$0==b{s=1} !s{print} $0==e{s=0}' /etc/hosts)
  printf '%s\n' "$hosts" >/etc/hosts   # in-place write (works on a bind-mounted /etc/hosts)
fi

rm -rf "$DIR"/state "$DIR"/spool "$DIR"/mysql "$DIR/layout" "$DIR/env.sh"
d=$(((${EPOCHREALTIME//[!0-9]/} - T0) / 10000))
printf '[slurm-down %d.%02ds] done (%s)\n' $((d / 100)) $((d % 100)) "$DIR"
