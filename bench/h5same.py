#!/usr/bin/python3
"""h5same.py: do two ladsim output files hold the same data sets, bit for bit?

    bench/h5same.py A.h5 B.h5

Walks every data set of A and B (their names must agree) and compares the
raw bytes of each. Prints one line and exits 0 when all agree, 1 otherwise.
"""
import sys

import h5py
import numpy as np


def datasets(f):
    found = {}
    f.visititems(lambda name, obj: found.__setitem__(name, obj[()])
                 if isinstance(obj, h5py.Dataset) else None)
    return found


def main():
    a_path, b_path = sys.argv[1], sys.argv[2]
    with h5py.File(a_path, "r") as fa, h5py.File(b_path, "r") as fb:
        a, b = datasets(fa), datasets(fb)
    differ = sorted(set(a) ^ set(b))
    for name in sorted(set(a) & set(b)):
        x, y = np.asarray(a[name]), np.asarray(b[name])
        if x.dtype != y.dtype or x.shape != y.shape or x.tobytes() != y.tobytes():
            differ.append(name)
    if differ:
        print(f"{b_path}: {len(differ)} data sets differ from {a_path}: "
              + ", ".join(differ[:10]))
        return 1
    print(f"{b_path}: all {len(a)} data sets identical to {a_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
