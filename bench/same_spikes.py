#!/usr/bin/python3
"""same_spikes.py: whether two ladsim runs recorded the same spikes, bit for bit.

    bench/same_spikes.py A.h5 B.h5

Compares /spikes/<population>/{timestamps, node_ids} of every population
of A with those of B (exact equality, not a tolerance) and prints one line
per population. Exits 1 if any differs or is missing, so that a change
meant to leave the simulation as it was can be checked on the benchmark's
own output (bench/cuba.sh keeps its runs in its work directory).
"""
import sys

import h5py
import numpy as np


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    same = True
    with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
        for pop in a["spikes"]:
            if pop not in b["spikes"]:
                print(f"{pop}: missing from {sys.argv[2]}")
                same = False
                continue
            ta, tb = a["spikes"][pop]["timestamps"][:], b["spikes"][pop]["timestamps"][:]
            ia, ib = a["spikes"][pop]["node_ids"][:], b["spikes"][pop]["node_ids"][:]
            equal = len(ta) == len(tb) and np.array_equal(ta, tb) and np.array_equal(ia, ib)
            print(f"{pop}: {len(ta)} and {len(tb)} spikes, {'identical' if equal else 'DIFFERENT'}")
            same = same and equal
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
