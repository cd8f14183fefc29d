#!/usr/bin/python3
"""raster.py: draws the spike raster and population rates of a ladsim run (SONATA spikes).

    tools/raster.py run.h5 [-p hidden] [-t0 ms] [-t1 ms] [-b ms] [-o raster.png]

Reads /spikes/<population>/{timestamps, node_ids}. The upper panel shows one
dot per spike (time against node id); several populations are stacked in
bands, separated by lines. The lower panel shows each population's rate in
bins of -b ms (1 ms by default): spikes per bin divided by the bin and by
the number of neurons, taken as the highest node id that spiked plus one
(a SONATA spike file does not record the population size).
"""
import argparse
import os
import sys

import h5py
import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

GAP = 0.04  # blank space between population bands, as a fraction of the rows


def fail(message):
    sys.exit(f"raster.py: {message}")


def read_population(f, path, name):
    """The (times in ms, node ids) of one population, checked for shape and units."""
    grp = f["spikes"][name]
    if not isinstance(grp, h5py.Group) or "timestamps" not in grp or "node_ids" not in grp:
        fail(f"{path}: /spikes/{name} is not a SONATA spike group "
             "(it needs the data sets timestamps and node_ids)")
    times = grp["timestamps"][:].astype(np.float64)
    ids = grp["node_ids"][:].astype(np.float64)
    if times.shape != ids.shape or times.ndim != 1:
        fail(f"{path}: /spikes/{name}: timestamps {times.shape} and node_ids "
             f"{ids.shape} must be 1-D and of the same length")
    units = grp["timestamps"].attrs.get("units", "ms")
    units = units.decode() if isinstance(units, bytes) else str(units)
    if units != "ms":
        fail(f"{path}: /spikes/{name}/timestamps is in '{units}'; only ms is supported")
    return times, ids


def read_spikes(path, population):
    """{name: (times, ids)} for the chosen population or all of them, in file order."""
    if not os.path.exists(path):
        fail(f"{path}: no such file")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"{path}: not a readable HDF5 file ({e})")
    with f:
        if "spikes" not in f or not isinstance(f["spikes"], h5py.Group) or len(f["spikes"]) == 0:
            fail(f"{path}: no /spikes in this file; a ladsim run records spikes "
                 "of the layers listed in record.spikes of the model")
        names = list(f["spikes"])
        if population is not None:
            if population not in names:
                fail(f"{path}: no population '{population}' under /spikes "
                     f"(it has {', '.join(names)})")
            names = [population]
        return {n: read_population(f, path, n) for n in names}


def window(spikes, t0, t1, bin_ms):
    """The time window: as given, else from 0 (or the first spike if earlier)
    to the end of the bin holding the last spike."""
    all_t = np.concatenate([t for t, _ in spikes.values()])
    lo = t0 if t0 is not None else min(0.0, all_t.min()) if all_t.size else 0.0
    if t1 is not None:
        hi = t1
    elif all_t.size and all_t.max() >= lo:
        hi = lo + bin_ms * (np.floor((all_t.max() - lo) / bin_ms) + 1)
    else:
        hi = lo + bin_ms
    if not hi > lo:
        fail(f"empty window: -t1 {hi:g} ms must be after -t0 {lo:g} ms")
    return lo, hi


def neurons(ids):
    """The population size as far as the spikes tell: highest node id + 1."""
    return int(ids.max()) + 1 if ids.size else 1


def draw_raster(ax, spikes, lo, hi):
    """Dots in one band per population; returns the number of spikes shown."""
    sizes = [neurons(ids) for _, ids in spikes.values()]
    gap = GAP * sum(sizes)
    # Dots shrink as spikes crowd, so that sparse rasters stay visible.
    total = sum(int(((t >= lo) & (t < hi)).sum()) for t, _ in spikes.values())
    dot = float(np.clip(2e4 / max(total, 1), 1.0, 9.0))
    base, ticks, labels, shown = 0.0, [], [], 0
    for k, ((name, (times, ids)), size) in enumerate(zip(spikes.items(), sizes)):
        keep = (times >= lo) & (times < hi)
        shown += int(keep.sum())
        ax.scatter(times[keep], base + ids[keep], s=dot, marker=".", linewidths=0,
                   color=f"C{k % 10}")
        if k > 0:
            ax.axhline(base - 0.5 * gap, color="0.3", lw=0.8)
        ticks.append(base + 0.5 * size)
        labels.append(f"{name}\n{size} neurons" if ids.size else f"{name}\nno spikes")
        base += size + gap
    ax.set_ylim(-0.5, base - gap + 0.5)
    if len(spikes) > 1:
        ax.set_yticks(ticks, labels)
        ax.set_ylabel("population")
    else:
        ax.set_ylabel(f"node id ({labels[0].replace(chr(10), ', ')})")
    if shown == 0:
        ax.text(0.5, 0.5, f"no spikes in [{lo:g}, {hi:g}) ms", transform=ax.transAxes,
                ha="center", va="center", color="0.4")
    return shown


def draw_rates(ax, spikes, lo, hi, bin_ms):
    """Each population's mean rate per neuron in bins of bin_ms."""
    # The last bin ends at hi and may be shorter; each count is divided by
    # its own bin's width.
    n_full = int(np.floor((hi - lo) / bin_ms * (1 + 1e-12)))
    edges = lo + bin_ms * np.arange(n_full + 1)
    if hi - edges[-1] > 1e-9 * bin_ms:
        edges = np.append(edges, hi)
    widths_s = np.diff(edges) * 1e-3
    for k, (name, (times, ids)) in enumerate(spikes.items()):
        keep = (times >= lo) & (times < hi)
        counts, _ = np.histogram(times[keep], bins=edges)
        ax.stairs(counts / (neurons(ids) * widths_s), edges, color=f"C{k % 10}",
                  label=name)
    ax.set_xlim(lo, hi)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"rate (Hz per neuron)\nin {bin_ms:g} ms bins")
    if len(spikes) > 1:
        ax.legend(fontsize=8, loc="upper right")


def draw(spikes, lo, hi, bin_ms, title):
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(10, 7), sharex=True, gridspec_kw={"height_ratios": [3, 1.2]})
    shown = draw_raster(top, spikes, lo, hi)
    draw_rates(bottom, spikes, lo, hi, bin_ms)
    fig.suptitle(f"{title}: {shown} spikes in [{lo:g}, {hi:g}) ms")
    fig.tight_layout()
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", help="ladsim output file (.h5) or any SONATA spike file")
    ap.add_argument("-p", "--population", help="population (layer) to draw (default: all, stacked)")
    ap.add_argument("-t0", "--t0", type=float, help="start of the window, ms (default: 0)")
    ap.add_argument("-t1", "--t1", type=float, help="end of the window, ms (default: after the last spike)")
    ap.add_argument("-b", "--bin", type=float, default=1.0, help="rate histogram bin, ms (default: 1)")
    ap.add_argument("-o", "--output", default="raster.png", help="image to write (default: raster.png)")
    args = ap.parse_args()
    if not args.bin > 0:
        fail(f"-b {args.bin:g}: the bin must be a positive number of ms")
    spikes = read_spikes(args.file, args.population)
    lo, hi = window(spikes, args.t0, args.t1, args.bin)
    if (hi - lo) / args.bin > 1e7:
        fail(f"[{lo:g}, {hi:g}) ms in bins of {args.bin:g} ms is too many bins; "
             "choose a larger -b or a shorter window")
    fig = draw(spikes, lo, hi, args.bin, os.path.basename(args.file))
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
