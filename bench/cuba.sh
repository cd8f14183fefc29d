#!/bin/sh
# cuba.sh: ladsim against Brian2's C++ standalone mode on the CUBA network.
#
#   bench/cuba.sh [LADSIM] [WORKDIR]
#
# Runs examples/cuba.yaml in ladsim and bench/cuba_brian2.py in Brian2, one
# after the other on one core, for 1 s and 10 s of model time, and prints for
# each: wall time, mean firing rate, CV of inter-spike intervals (over the
# whole run) and peak memory, then the ratio of the wall times. Brian2's
# wall time is that of its compiled simulation binary (compilation, which
# happens once per network, is shown apart); ladsim's is the whole `ladsim
# run`, including drawing the connections and writing the HDF5 file.
set -e
here=$(cd "$(dirname "$0")" && pwd)
ladsim=${1:-$here/../ladsim}
work=${2:-cuba_bench}
mkdir -p "$work"
py=/usr/bin/python3
stats() { "$py" "$here/spike_stats.py" "$1" 4000 0 "$2"; }
peak_mib() { awk '/Maximum resident/ { printf "%.0f", $6 / 1024 }' "$1"; }
elapsed_s() { awk '/Elapsed \(wall clock\)/ { n = split($8, p, ":"); s = 0;
  for (k = 1; k <= n; k++) s = s * 60 + p[k]; printf "%.2f", s }' "$1"; }

printf "%-8s %-8s %10s %10s %8s %9s\n" sim model_s wall_s rate_Hz cv_isi peak_MiB
for T in 1 10; do
  ms=$((T * 1000))
  /usr/bin/time -v taskset -c 0 "$ladsim" run "$here/../examples/cuba.yaml" \
    -o "$work/ladsim_$T.h5" --force --quiet --set simulation.duration=${T}s \
    2> "$work/ladsim_$T.time" > /dev/null
  set -- $(stats "$work/ladsim_$T.h5" $ms)
  lw=$(elapsed_s "$work/ladsim_$T.time")
  printf "%-8s %-8s %10s %10s %8s %9s\n" ladsim $T "$lw" "$2" "$3" "$(peak_mib "$work/ladsim_$T.time")"

  taskset -c 0 "$py" "$here/cuba_brian2.py" $T "$work/brian2_$T.npz" "$work/brian2_build_$T" \
    > "$work/brian2_$T.log" 2>&1
  set -- $(stats "$work/brian2_$T.npz" $ms)
  bw=$("$py" -c "import numpy as np; d = np.load('$work/brian2_$T.npz'); print(f\"{float(d['run_s']):.2f} {float(d['compile_s']):.1f} {float(d['peak_kb']) / 1024:.0f}\")")
  set -- $2 $3 $bw
  printf "%-8s %-8s %10s %10s %8s %9s   (compile %s s)\n" brian2 $T "$3" "$1" "$2" "$5" "$4"
  echo "ratio (brian2 wall / ladsim wall) at $T s: $("$py" -c "print(f'{$3 / $lw:.2f}')")"
done
