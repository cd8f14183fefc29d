#!/bin/sh
# cuba.sh: ladsim against Brian2's C++ standalone mode on the CUBA network.
#
#   bench/cuba.sh [LADSIM] [WORKDIR] [SEEDS]
#
# Runs examples/cuba.yaml in ladsim and bench/cuba_brian2.py in Brian2, one
# after the other on one core (taskset -c 0), for 1 s and 10 s of model
# time and for each seed of SEEDS (default "1 2 3": connectivity and initial
# potentials differ between seeds and so do the firing rates, so the
# simulators are compared over several networks). Prints for each run: wall
# time, mean firing rate, CV of inter-spike intervals and peak memory; then
# the means per simulator and duration, and the ratio of the wall times.
# Brian2's wall time is that of its compiled simulation binary (the
# compilation, once per network, is shown apart); ladsim's is the whole
# `ladsim run`: start-up, drawing the connections, simulating, writing HDF5.
# The speed of a shared machine drifts by tens of percent within seconds,
# so each network is run REPEAT times (default 3) in each simulator, the
# two taking turns, and the wall time shown is the fastest of those runs
# (Brian2's repeats run its compiled binary again, as Brian2 itself does).
# Wall times are read to the millisecond, Brian2's first run's by Python
# around its binary, the others by the clock before and after the process.
# ladsim's peak memory comes from one more run under /usr/bin/time, outside
# the timed ones; Brian2's from its first run.
set -e
here=$(cd "$(dirname "$0")" && pwd)
ladsim=${1:-$here/../ladsim}
work=${2:-cuba_bench}
seeds=${3:-1 2 3}
mkdir -p "$work"
py=/usr/bin/python3
runs="$work/runs.txt"
: > "$runs"
stats() { "$py" "$here/spike_stats.py" "$1" 4000 0 "$2"; }
peak_mib() { awk '/Maximum resident/ { printf "%.0f", $6 / 1024 }' "$1"; }
# timed FILE CMD...: runs CMD and appends its wall time to FILE, in seconds
# to the millisecond (time(1) reads it to 0.01 s, too coarse for 1 s runs)
timed() {
  out=$1; shift
  t0=$(date +%s%N)
  "$@" || return
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }' >> "$out"
}

printf "%-8s %7s %5s %8s %8s %7s %9s\n" sim model_s seed wall_s rate_Hz cv_isi peak_MiB
repeat=${REPEAT:-3}
fastest() { sort -n | head -n 1; }
for T in 1 10; do
  for seed in $seeds; do
    tag=${T}s_seed$seed
    taskset -c 0 "$py" "$here/cuba_brian2.py" $T "$work/brian2_$tag.npz" \
      "$work/brian2_build_$tag" $seed > "$work/brian2_$tag.log" 2>&1
    "$py" -c "import numpy as np; print(f\"{float(np.load('$work/brian2_$tag.npz')['run_s']):.3f}\")" \
      > "$work/brian2_$tag.walls"
    : > "$work/ladsim_$tag.walls"
    run_ladsim() {
      "$@" taskset -c 0 "$ladsim" run "$here/../examples/cuba.yaml" \
        -o "$work/ladsim_$tag.h5" --force --quiet \
        --set simulation.duration=${T}s --set simulation.seed=$seed \
        > /dev/null 2> "$work/ladsim_$tag.err" || { cat "$work/ladsim_$tag.err"; exit 1; }
    }
    # peak memory from a run of its own: /usr/bin/time around the timed
    # runs would add its own start (about 1 ms) to ladsim's wall time only
    run_ladsim /usr/bin/time -v -o "$work/ladsim_$tag.time"
    i=0
    while [ $i -lt "$repeat" ]; do
      timed "$work/ladsim_$tag.walls" run_ladsim
      if [ $i -gt 0 ]; then
        (cd "$work/brian2_build_$tag" && timed ../brian2_$tag.walls \
          taskset -c 0 ./main > /dev/null 2>&1)
      fi
      i=$((i + 1))
    done
    set -- $(stats "$work/ladsim_$tag.h5" $((T * 1000)))
    line=$(printf "%-8s %7s %5s %8.3f %8s %7s %9s" ladsim $T $seed \
      "$(fastest < "$work/ladsim_$tag.walls")" "$2" "$3" "$(peak_mib "$work/ladsim_$tag.time")")
    echo "$line"; echo "$line" >> "$runs"
    set -- $(stats "$work/brian2_$tag.npz" $((T * 1000)))
    set -- "$2" "$3" $("$py" -c "import numpy as np; d = np.load('$work/brian2_$tag.npz'); print(f\"{float(d['compile_s']):.1f} {float(d['peak_kb']) / 1024:.0f}\")")
    line=$(printf "%-8s %7s %5s %8.3f %8s %7s %9s" brian2 $T $seed \
      "$(fastest < "$work/brian2_$tag.walls")" "$1" "$2" "$4")
    echo "$line   (compile $3 s)"; echo "$line" >> "$runs"
  done
done
echo
echo "means over seeds $seeds (each wall time the fastest of $repeat runs):"
awk '{ k = $1 " " $2; n[k]++; w[k] += $4; r[k] += $5; c[k] += $6 }
  END { for (T = 1; T <= 10; T += 9) {
          a = "ladsim " T; b = "brian2 " T
          printf "  %2d s: ladsim %.3f s, %.3f Hz, CV %.3f | brian2 %.3f s, %.3f Hz, CV %.3f | rate %+.1f%%, CV %+.1f%%, speed-up (brian2 wall / ladsim wall) %.2f\n",
            T, w[a] / n[a], r[a] / n[a], c[a] / n[a], w[b] / n[b], r[b] / n[b], c[b] / n[b],
            100 * (r[a] / r[b] - 1), 100 * (c[a] / c[b] - 1), w[b] / w[a] } }' "$runs"
