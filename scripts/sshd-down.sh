#!/bin/bash
# sshd-down.sh [DIR] -- stop the sshd's started by sshd-up.sh in DIR (default
# /tmp/disbatch-lab/ssh), by PID, and remove the /etc/ssh/ssh_config.d drop-in.  Keys stay in DIR.
# Idempotent.
set -uo pipefail
DIR=${1:-/tmp/disbatch-lab/ssh}
DROPIN=/etc/ssh/ssh_config.d/00-disbatch-lab.conf
[ -d "$DIR" ] || { echo "[sshd-down] nothing in $DIR"; exit 0; }
DIR=$(cd "$DIR" && pwd)
# alive PID: exists and is not a zombie (a lazy PID 1 may reap orphans late, so `kill -0` lies)
alive() {
  [ -n "${1:-}" ] || return 1
  local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }; [ "${st%% *}" != Z ]
}
pids=()
for f in "$DIR"/run/sshd-*.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f"); alive "$pid" && pids+=("$pid")
  rm -f "$f"
done
if [ ${#pids[@]} -gt 0 ]; then
  kill "${pids[@]}" 2>/dev/null
  for _ in $(seq 100); do
    left=0; for p in "${pids[@]}"; do alive "$p" && left=1; done
    [ $left = 0 ] && break; sleep 0.05
  done
  for p in "${pids[@]}"; do alive "$p" && kill -9 "$p"; done
fi
grep -qxF "# disbatch-lab:$DIR (removed by sshd-down.sh)" "$DROPIN" 2>/dev/null && rm -f "$DROPIN"
rm -f "$DIR/env.sh"
echo "[sshd-down] done ($DIR; stopped ${#pids[@]} sshd)"
