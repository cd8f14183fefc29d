#!/bin/sh
# fmnist_sweep.sh: runs the main job and the variants the README compares,
# one after another, and prints one line per run: probe accuracy (learned,
# at initialisation), mean |correlation|, participation ratio, dead fraction.
#
#   examples/fmnist_sweep.sh [LADSIM] [OUTDIR]
#
# Each run takes 1.5 to 2 minutes on one core.
set -e
ladsim=${1:-./ladsim}
out=${2:-sweep}
model=$(dirname "$0")/fmnist_rate.yaml
L=layers.hidden.learning
mkdir -p "$out"

run() {
  name=$1; shift
  "$ladsim" run "$model" -o "$out/$name.h5" --force --quiet "$@" > "$out/$name.txt"
  awk -v name="$name" '
    /linear-probe accuracy \(test\)/ && !raw { acc = $4; acc0 = $5; raw = 1 }
    /mean \|off-diagonal/ { corr = $4 }
    /participation ratio/ { pr = $3 }
    /dead fraction/ { dead = $3 }
    END { printf "%-14s accuracy %s (init %s)  |corr| %s  PR %s  dead %s\n",
                 name, acc, acc0, corr, pr, dead }' "$out/$name.txt"
}

run default
run no_adversary --set $L.adversarial.weight=0
run uncentred --set input.center=false
run eta_0.001 --set $L.eta=0.001
run adv_3 --set $L.adversarial.weight=3
run inv_1 --set $L.invariance.weight=1
run sigreg_0.3 --set $L.sigreg.weight=0.3
run pairwise --set $L.decorrelation=pairwise
run none --set $L.decorrelation=none
