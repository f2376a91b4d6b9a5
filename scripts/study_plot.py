"""The studies' line plots, drawn with matplotlib as SVG: ticks on both axes,
a log scale where the values span decades, the legend beside the axes (where
it hides no curve) and inside the saved figure. Each
series is a group with id "series-K" (test/Study checks them)."""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# The same data gives the same file.
matplotlib.rcParams["svg.hashsalt"] = "marthe"
LOG_SPAN = 100  # positive values spanning this factor get a log axis


def spans_decades(values):
    finite = [v for v in values if math.isfinite(v)]
    return bool(finite) and min(finite) > 0 and max(finite) / min(finite) >= LOG_SPAN


def line_plot(path, title, x_label, y_label, series, log_x=False):
    """series is [(name, [(x, y), ...])]; non-finite y values are left out."""
    fig, ax = plt.subplots(figsize=(10, 4.8), dpi=100)
    all_y = []
    for k, (name, points) in enumerate(series):
        points = [(x, y) for x, y in points if math.isfinite(y)]
        all_y += [y for _, y in points]
        (line,) = ax.plot([x for x, _ in points], [y for _, y in points], label=name,
                          linewidth=1.4, marker="o" if len(points) < 12 else None, markersize=3)
        line.set_gid(f"series-{k}")
    if log_x:
        ax.set_xscale("log")
    if spans_decades(all_y):
        ax.set_yscale("log")
        y_label += " (log scale)"
    ax.set_title(title)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.grid(True, which="major", color="#e4e4e4")
    if series:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
    fig.savefig(path, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
