#!/usr/bin/python3
"""spike_stats.py: firing statistics of a spike file, ladsim's or the peer's.

    bench/spike_stats.py FILE [N_NEURONS] [T0_MS] [T1_MS]

FILE is a ladsim run (.h5: every population under /spikes, SONATA layout)
or a Brian2 result (.npz with arrays t in ms and i). Prints one line:
spikes, mean rate (Hz) and the mean coefficient of variation of the
inter-spike intervals over neurons with at least 3 spikes, all counted in
[T0, T1) (default: the whole run).
"""
import sys

import numpy as np


def load(path):
    if path.endswith(".npz"):
        d = np.load(path)
        return np.asarray(d["t"], float), np.asarray(d["i"], np.int64)
    import h5py
    ts, ids, base = [], [], 0
    with h5py.File(path, "r") as f:
        if "spikes" not in f:
            raise SystemExit(f"{path}: no /spikes group; record spikes in the model")
        for pop in f["spikes"]:
            g = f["spikes"][pop]
            ts.append(g["timestamps"][:])
            ids.append(g["node_ids"][:].astype(np.int64) + base)
            base += int(ids[-1].max()) + 1 if len(ids[-1]) else 0
    return np.concatenate(ts), np.concatenate(ids)


def stats(t, i, n, t0, t1):
    keep = (t >= t0) & (t < t1)
    t, i = t[keep], i[keep]
    rate = len(t) / n / ((t1 - t0) / 1000.0)
    order = np.lexsort((t, i))
    t, i = t[order], i[order]
    cvs = []
    starts = np.flatnonzero(np.r_[True, i[1:] != i[:-1]])
    ends = np.r_[starts[1:], len(i)]
    for a, b in zip(starts, ends):
        if b - a >= 3:
            isi = np.diff(t[a:b])
            cvs.append(isi.std() / isi.mean())
    return len(t), rate, float(np.mean(cvs)) if cvs else float("nan")


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    t, i = load(path)
    t0 = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    t1 = float(sys.argv[4]) if len(sys.argv) > 4 else (float(t.max()) if len(t) else 1.0)
    count, rate, cv = stats(t, i, n, t0, t1)
    print(f"{count} {rate:.4f} {cv:.4f}")


if __name__ == "__main__":
    main()
