#!/bin/bash
# lab-selftest.sh -- smoke test of slurm-up/-down.sh and sshd-up/-down.sh in their default dirs
# (/tmp/disbatch-lab/{c1,c3,ssh}); refuses to run while any of them is up.  Root only.
# Leaves everything down (also on failure; logs stay in DIR/log).  Exit 0 = PASS.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=/tmp/disbatch-lab
C1=$ROOT/c1 C3=$ROOT/c3 SSHD=$ROOT/ssh WORK=$ROOT/selftest
for f in "$C1/env.sh" "$C3/env.sh" "$SSHD/env.sh"; do
  [ ! -e "$f" ] || { echo "lab-selftest: $f exists (lab is up): run the down scripts first" >&2; exit 2; }
done
rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK"   # scontrol writes slurm_job_*_resize.* into the cwd
T0=${EPOCHREALTIME//[!0-9]/}
ts() { echo "${EPOCHREALTIME//[!0-9]/}"; }
secs() { local d=$((($(ts) - $1) / 10000)); printf '%d.%02ds' $((d / 100)) $((d % 100)); }
step() { echo "== $*"; }
fail() { echo "lab-selftest: FAIL: $*" >&2; exit 1; }
down() {
  "$HERE/sshd-down.sh" "$SSHD" || true
  "$HERE/slurm-down.sh" "$C3" || true
  "$HERE/slurm-down.sh" "$C1" || true
}
trap 'rc=$?; [ $rc = 0 ] || { echo "lab-selftest: tearing down after failure (logs: $ROOT/*/log)" >&2; down >/dev/null 2>&1; }' EXIT
waitjob() {   # waitjob ID: until squeue forgets it (completed), at most 60 s
  for _ in $(seq 600); do [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0; sleep 0.1; done
  fail "job $1 still queued/running after 60 s: $(squeue -j "$1")"
}
munged_before=$(munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && echo 1 || echo 0)

step "single node"
t=$(ts); "$HERE/slurm-up.sh" "$C1"; echo "   slurm-up c1: $(secs "$t")"
(
  . "$C1/env.sh"
  t=$(ts); out=$(srun hostname)
  [ "$out" = "$(hostname -s)" ] || fail "srun hostname printed '$out'"
  echo "   srun hostname -> $out ($(secs "$t"))"
)
t=$(ts); "$HERE/slurm-down.sh" "$C1"; echo "   slurm-down c1: $(secs "$t")"

step "3 nodes (netns) + accounting"
t=$(ts); NODES=3 ACCOUNTING=1 "$HERE/slurm-up.sh" "$C3"; echo "   slurm-up c3: $(secs "$t")"
. "$C3/env.sh"
[ "$LAB_NODES" = "n1 n2 n3" ] || fail "LAB_NODES='$LAB_NODES'"
ctld=$(cat "$C3/run/slurmctld.pid")
t=$(ts); NODES=3 ACCOUNTING=1 "$HERE/slurm-up.sh" "$C3" >/dev/null
[ "$(cat "$C3/run/slurmctld.pid")" = "$ctld" ] || fail "second slurm-up restarted slurmctld"
echo "   slurm-up c3 again (no-op): $(secs "$t")"

t=$(ts)
j=$(sbatch --parsable -N 3 -n 6 -o wrap.out --wrap 'srun hostname')
waitjob "$j"
got=$(sort -u wrap.out | tr '\n' ' ')
[ "$got" = "n1 n2 n3 " ] || fail "sbatch -N 3 -n 6 --wrap 'srun hostname' printed: $(cat wrap.out)"
echo "   sbatch -N 3 -n 6 --wrap 'srun hostname' -> $(sort wrap.out | uniq -c | awk '{printf "%s x%s ", $2, $1}')($(secs "$t"))"

cat >shrink.sh <<'EOF'
#!/bin/bash
scontrol update JobId=$SLURM_JOB_ID NodeList=n[1-2] >/dev/null; echo "1 rc=$? $(squeue -h -j $SLURM_JOB_ID -o %N)"
scontrol update JobId=$SLURM_JOB_ID NodeList=n1 >/dev/null; echo "2 rc=$? $(squeue -h -j $SLURM_JOB_ID -o %N)"
echo "3 $(srun -N1 -n1 hostname)"
rm -f slurm_job_${SLURM_JOB_ID}_resize.*
EOF
t=$(ts)
j=$(sbatch --parsable -N 3 -n 3 -o shrink.out shrink.sh)
waitjob "$j"
[ "$(cat shrink.out)" = "$(printf '1 rc=0 n[1-2]\n2 rc=0 n1\n3 n1')" ] || fail "shrink job printed: $(cat shrink.out)"
echo "   shrink n[1-3] -> n[1-2] -> n1: both rc=0, srun afterwards on n1 ($(secs "$t"))"

step "sshd"
t=$(ts); CLUSTER_DIR=$C3 "$HERE/sshd-up.sh" "$SSHD"; echo "   sshd-up: $(secs "$t")"
t=$(ts); CLUSTER_DIR=$C3 "$HERE/sshd-up.sh" "$SSHD" >/dev/null; echo "   sshd-up again (no-op + check): $(secs "$t")"
t=$(ts); out=$(ssh n2 hostname); [ "$out" = n2 ] || fail "ssh n2 hostname printed '$out'"
echo "   ssh n2 hostname -> $out ($(secs "$t"))"
ssh localhost true || fail "ssh localhost true"
out=$(srun -N1 -n1 -w n3 ssh n1 hostname); [ "$out" = n1 ] || fail "ssh n1 hostname from a job on n3 printed '$out'"
echo "   ssh localhost true ok; from a job on n3: ssh n1 hostname -> $out"

step "teardown"
t=$(ts); "$HERE/sshd-down.sh" "$SSHD"; "$HERE/slurm-down.sh" "$C3"; echo "   sshd-down + slurm-down c3: $(secs "$t")"
left=""
for s in /proc/[0-9]*/stat; do
  { read -r st <"$s"; } 2>/dev/null || continue
  [[ $st == *") Z "* ]] && continue   # zombie: already dead, PID 1 just has not reaped it yet
  st=${st#* (}; st=${st%%) *}
  case $st in
    slurmctld | slurmd | slurmdbd | slurmstepd) left="$left $st" ;;
    munged) [ "$munged_before" = 1 ] || left="$left munged" ;;
    mariadbd | sshd) grep -qF "$ROOT/" "${s%stat}cmdline" 2>/dev/null && left="$left $st" ;;
  esac
done
[ -z "$left" ] || fail "processes left:$left"
[ -z "$(ip netns list)" ] || fail "netns left: $(ip netns list)"
! ip link show slurmbr0 >/dev/null 2>&1 || fail "bridge slurmbr0 left"
! grep -q disbatch-lab /etc/hosts || fail "/etc/hosts block left"
[ ! -e /etc/ssh/ssh_config.d/00-disbatch-lab.conf ] || fail "ssh_config drop-in left"
echo "lab-selftest: PASS ($(secs "$T0"))"
