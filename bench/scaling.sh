#!/bin/sh
# scaling.sh: strong scaling of one model over MPI ranks on this machine.
#
#   bench/scaling.sh [LADSIM] [WORKDIR] [RANKS] [-- --set KEY=VALUE ...]
#
# Runs MODEL (default examples/fmnist_rate.yaml, the largest example: 256
# rate neurons with a 256 x 256 predictor, one epoch of Fashion-MNIST and
# the full evaluation) once for each rank count of RANKS (default "1 2"),
# with `ladsim run --profile`, and prints for each: the wall time of the
# whole run, the time in the simulation's steps, the time in communication
# (slowest rank), the bytes each rank sent per second of model time while
# simulating, and the speed-up against the first rank count. It then checks
# that every run wrote the same data sets, bit for bit, as the first one
# (bench/h5same.py). Set MODEL in the environment for another model; extra
# arguments after -- go to every run (e.g. -- --set input.dataset.train_limit=10000).
# The speed of a shared machine drifts by tens of percent within minutes, so
# each run waits for an idle machine (QUIET_MAX, below), the rank counts
# take turns, REPEAT rounds (default 3), and each line shows the fastest of
# its runs; the speed-up is the ratio of those.
set -e
here=$(cd "$(dirname "$0")" && pwd)
ladsim=${1:-$here/../ladsim}
work=${2:-scaling_bench}
ranks=${3:-1 2}
[ $# -ge 3 ] && shift 3 || shift $#
[ "$1" = "--" ] && shift
model=${MODEL:-$here/../examples/fmnist_rate.yaml}
mkdir -p "$work"
flags="--oversubscribe"
[ "$(id -u)" -eq 0 ] && flags="$flags --allow-run-as-root"
now() { date +%s.%N; }
# The profile's lines: "  steps  <slowest> <mean> <calls>", etc.
field() { awk -v k="$1" -v c="$2" 'index($0, "  " k " ") == 1 { print $c; exit }' "$3"; }

# Percent of the machine's CPU time that was busy over one second (Linux).
busy() {
  a=$(awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
  sleep 1
  b=$(awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
  echo "$a $b" | awk '{ u = $3 - $1; i = $4 - $2; print int(100 * u / (u + i + 1e-9)) }'
}
# Before each run, waits (at most QUIET_MAX seconds, default 300; 0 skips
# this) until the machine has been nearly idle for two seconds, so that a
# run is not timed against another job; the waits are printed.
quiet() {
  [ -r /proc/stat ] && [ "${QUIET_MAX:-300}" -gt 0 ] || return 0
  start=$(date +%s)
  until [ "$(busy)" -lt 8 ] && [ "$(busy)" -lt 8 ]; do
    [ $(($(date +%s) - start)) -ge "${QUIET_MAX:-300}" ] && break
  done
  waited=$(($(date +%s) - start - 2))
  [ "$waited" -gt 0 ] && echo "(waited $waited s for an idle machine)" >&2
  return 0
}

repeat=${REPEAT:-3}
# One run on $1 ranks; appends "wall steps comm bytes" to $work/np$1.times.
run() {
  np=$1
  shift
  quiet
  t0=$(now)
  mpiexec $flags -n "$np" "$ladsim" run "$model" -o "$work/np$np.h5" --force --quiet --profile \
    "$@" > "$work/np$np.report" 2> "$work/np$np.profile"
  t1=$(now)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') $(field steps 2 "$work/np$np.profile")" \
    "$(field communication 2 "$work/np$np.profile")" \
    "$(awk '/while simulating/ { print $4; exit }' "$work/np$np.profile")" >> "$work/np$np.times"
}
for p in $ranks; do : > "$work/np$p.times"; done
i=0
while [ $i -lt "$repeat" ]; do
  for p in $ranks; do run "$p" "$@"; done
  i=$((i + 1))
done
printf "%5s %8s %8s %8s %14s %8s   (fastest of %s runs)\n" ranks wall_s steps_s comm_s \
  bytes/rank/s speedup "$repeat"
first=""
for p in $ranks; do
  set -- $(sort -n "$work/np$p.times" | head -n 1)
  [ -z "$first" ] && first=$1 && base="$work/np$p.h5"
  printf "%5s %8.2f %8.2f %8.2f %14s %8.2f\n" "$p" "$1" "$2" "$3" "$4" \
    "$(awk -v a="$first" -v b="$1" 'BEGIN { print a / b }')"
done
for p in $ranks; do
  [ "$work/np$p.h5" = "$base" ] && continue
  /usr/bin/python3 "$here/h5same.py" "$base" "$work/np$p.h5"
done
