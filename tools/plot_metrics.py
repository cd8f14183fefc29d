#!/usr/bin/python3
"""plot_metrics.py: plots the learning metrics of one or more ladsim runs.

    tools/plot_metrics.py run.h5 [other.h5 ...] [-l hidden] [-o metrics.png]

Each panel is one metric of /metrics/<layer>/ against simulated time; runs are
overlaid so that variants of the rule can be compared side by side.
"""
import argparse
import os

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PANELS = [
    ("predictor_error", "predictor error <e^2>"),
    ("invariance_error", "invariance error <v^2>"),
    ("eps_distance", "Epps-Pulley distance"),
    ("mean_abs_corr", "mean |correlation|"),
    ("participation_ratio", "participation ratio"),
    ("dead_fraction", "dead fraction"),
    ("mean_rate", "mean activity"),
    ("weight_norm", "|W| per neuron"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", help="ladsim output files (.h5)")
    ap.add_argument("-l", "--layer", help="layer name (default: the first)")
    ap.add_argument("-o", "--output", default="metrics.png", help="image to write")
    args = ap.parse_args()

    fig, axes = plt.subplots(2, 4, figsize=(16, 6.5), sharex=True)
    for path in args.files:
        with h5py.File(path, "r") as f:
            if "metrics" not in f:
                raise SystemExit(f"{path}: no /metrics group; was record.metrics 0?")
            layers = [k for k in f["metrics"] if isinstance(f["metrics"][k], h5py.Group)]
            layer = args.layer or layers[0]
            if layer not in f["metrics"]:
                raise SystemExit(f"{path}: no layer '{layer}' (has {', '.join(layers)})")
            t = f["metrics/time"][:] / 1000.0
            label = os.path.basename(path)
            for ax, (key, title) in zip(axes.flat, PANELS):
                ax.plot(t, f[f"metrics/{layer}/{key}"][:], label=label)
                ax.set_title(title, fontsize=10)
    for ax in axes[1]:
        ax.set_xlabel("simulated time (s)")
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
