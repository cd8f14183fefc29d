#!/usr/bin/python3
"""cuba_brian2.py: the CUBA network in Brian2's C++ standalone mode (the peer).

    bench/cuba_brian2.py DURATION_S OUT.npz [BUILD_DIR] [SEED]

The network of Vogels and Abbott (2005) as benchmarked by Brette et al.
(2007), with the parameters of examples/cuba.yaml: 4000 LIF neurons (3200
excitatory), tau_m 20 ms, tau_exc 5 ms, tau_inh 10 ms, threshold -50 mV,
reset -60 mV, rest -49 mV, refractory 5 ms, connection probability 0.02,
weights +1.62 mV and -9 mV, resolution 0.1 ms, initial V uniform between
reset and threshold. One thread (no OpenMP). Writes the spikes and the
timings to OUT.npz and prints the timings.
"""
import resource
import sys
import time

import numpy as np
from brian2 import (NeuronGroup, SpikeMonitor, Synapses, defaultclock, device,
                    mV, ms, prefs, run, second, seed, set_device)


def main():
    duration = float(sys.argv[1])
    out = sys.argv[2]
    build = sys.argv[3] if len(sys.argv) > 3 else "cuba_brian2_build"
    set_device("cpp_standalone", directory=build, build_on_run=False)
    if len(sys.argv) > 4:
        seed(int(sys.argv[4]))
    prefs.devices.cpp_standalone.openmp_threads = 0
    defaultclock.dt = 0.1 * ms

    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
    eqs = """
    dv/dt  = (ge + gi - (v - El)) / taum : volt (unless refractory)
    dge/dt = -ge / taue : volt
    dgi/dt = -gi / taui : volt
    """
    P = NeuronGroup(4000, eqs, threshold="v > Vt", reset="v = Vr",
                    refractory=5 * ms, method="exact")
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = 0 * mV
    P.gi = 0 * mV
    we, wi = 1.62 * mV, -9 * mV
    Ce = Synapses(P, P, on_pre="ge += we")
    Ci = Synapses(P, P, on_pre="gi += wi")
    Ce.connect("i < 3200", p=0.02)
    Ci.connect("i >= 3200", p=0.02)
    mon = SpikeMonitor(P)
    run(duration * second)

    t0 = time.perf_counter()
    device.build(directory=build, compile=True, run=False)
    t1 = time.perf_counter()
    device.run(directory=build, with_output=False, run_args=[])
    t2 = time.perf_counter()
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    np.savez(out, t=np.asarray(mon.t / ms), i=np.asarray(mon.i),
             compile_s=t1 - t0, run_s=t2 - t1, sim_s=device._last_run_time,
             peak_kb=peak_kb)
    print(f"brian2: compile {t1 - t0:.2f} s, run {t2 - t1:.2f} s "
          f"(main loop {device._last_run_time:.2f} s), peak {peak_kb / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
