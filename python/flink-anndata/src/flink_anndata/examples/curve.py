"""Learning curves of the training examples: report lines in, a PNG out (matplotlib).

Both training examples print the same kind of ``key=value`` report lines, the Python one
(``python -m flink_anndata.examples.train``) and the Java one (``anndata-cli train``)::

    training on 700 cells x 765 features of ...: 10 classes of 'bulk_labels' (majority class 'Dendritic': 0.343), ...
    cells=256 epoch=1 prequential_accuracy=0.543 loss=1.502 holdout_accuracy=0.612 holdout_loss=1.234
    epoch=1 complete cells=700 trained=553 prequential_accuracy=0.731 loss=0.912 holdout_accuracy=0.776 holdout_loss=0.801

so one parser and one plot serve both. The plot has the prequential (test-then-train) accuracy
and the holdout accuracy against cells seen, the majority-class rate as the bar to clear and the
epoch boundaries; below, the losses. The Java example's ``holdout_accuracy`` is over the held-out
cells that passed in each window; the Python example's over its whole fixed holdout set at that
moment (lines with ``holdout_loss``); the legend says which.

Command line: ``python -m flink_anndata.examples.curve REPORT.txt -o curve.png [--title T]``
(``-`` reads standard input), e.g. ``java -jar tools/target/anndata-cli.jar train | tee r.txt``.
The PNG carries the plotted series in a text chunk ``Series`` (JSON: name -> number of points).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional

_PAIR = re.compile(r"([a-z_]+)=(\S+)")
_MAJORITY = re.compile(r"majority class '(.*?)': ([0-9.]+)")


def _value(text: str):
    if text == "n/a":
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


@dataclass
class Curve:
    windows: List[dict] = field(default_factory=list)  # the every-N-cells reports
    epochs: List[dict] = field(default_factory=list)  # the end-of-epoch reports
    majority_rate: Optional[float] = None
    majority_label: Optional[str] = None
    header: Optional[str] = None

    @property
    def fixed_holdout(self) -> bool:
        """Whether the holdout numbers are over a fixed set (Python example) rather than the held-out
        cells of each window (Java example): the Python lines carry ``holdout_loss``."""
        return any("holdout_loss" in w for w in self.windows)


def parse_lines(lines: Iterable[str]) -> Curve:
    """The report lines of either example (other lines are skipped)."""
    c = Curve()
    for raw in lines:
        line = raw.strip()
        if line.startswith("training on "):
            c.header = line
            m = _MAJORITY.search(line)
            if m:
                c.majority_label, c.majority_rate = m.group(1), float(m.group(2))
            continue
        if not (line.startswith("cells=") or line.startswith("epoch=")):
            continue
        rec = {k: _value(v) for k, v in _PAIR.findall(line)}
        if line.startswith("epoch=") and " complete " in line:
            c.epochs.append(rec)
        elif line.startswith("cells="):
            c.windows.append(rec)
    return c


def from_records(records: Iterable[dict], majority_rate: Optional[float] = None,
                 majority_label: Optional[str] = None, header: Optional[str] = None) -> Curve:
    """The records of the Python example (``kind`` window / epoch) as a Curve."""
    c = Curve(majority_rate=majority_rate, majority_label=majority_label, header=header)
    for r in records:
        if r.get("kind") == "window":
            c.windows.append(dict(r))
        elif r.get("kind") == "epoch":
            c.epochs.append(dict(r))
    return c


def plot(curve: Curve, path: str, title: Optional[str] = None) -> Dict[str, int]:
    """Writes the learning curve as a PNG; returns the plotted series (name -> points)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    holdout_name = "holdout accuracy (fixed set)" if curve.fixed_holdout else "holdout accuracy (held-out cells of the window)"
    series: Dict[str, int] = {}
    fig, (ax_acc, ax_loss) = plt.subplots(2, 1, figsize=(8, 6), sharex=True, height_ratios=(3, 2))

    def line(ax, key, name, style):
        pts = [(w["cells"], w[key]) for w in curve.windows if w.get(key) is not None]
        if pts:
            xs, ys = zip(*pts)
            ax.plot(xs, ys, style, label=name, markersize=3.5, linewidth=1.4)
            series[name] = len(pts)

    line(ax_acc, "prequential_accuracy", "prequential accuracy (test-then-train)", "o-")
    line(ax_acc, "holdout_accuracy", holdout_name, "s-")
    if curve.majority_rate is not None:
        label = "majority-class rate" + (f" ('{curve.majority_label}')" if curve.majority_label else "")
        ax_acc.axhline(curve.majority_rate, color="grey", linestyle="--", linewidth=1, label=label)
        series["majority-class rate"] = 1
    line(ax_loss, "loss", "prequential loss", "o-")
    line(ax_loss, "holdout_loss", "holdout loss", "s-")
    for e in curve.epochs:
        for ax in (ax_acc, ax_loss):
            ax.axvline(e["cells"], color="lightgrey", linestyle=":", linewidth=1, zorder=0)
        ax_acc.annotate(f"epoch {e['epoch']} ", (e["cells"], 0.98), xycoords=("data", "axes fraction"),
                        ha="right", va="top", fontsize=7, color="grey")
    if curve.epochs:
        series["epoch boundaries"] = len(curve.epochs)
    ax_acc.set_ylim(0, 1.02)
    ax_acc.set_ylabel("accuracy")
    ax_acc.grid(alpha=0.3)
    ax_acc.legend(loc="lower right", fontsize=8)
    ax_loss.set_ylabel("cross-entropy")
    ax_loss.set_xlabel("cells seen")
    ax_loss.grid(alpha=0.3)
    if any(True for _ in ax_loss.get_lines()):
        ax_loss.legend(loc="upper right", fontsize=8)
    ax_acc.set_title(title or "learning curve", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90, metadata={"Title": title or "learning curve",
                                        "Software": "flink_anndata.examples.curve",
                                        "Series": json.dumps(series)})
    plt.close(fig)
    return series


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m flink_anndata.examples.curve",
                                 description="Plot the report lines of a training run (Python or Java example).")
    ap.add_argument("report", help="file of report lines, or - for standard input")
    ap.add_argument("-o", "--out", required=True, help="PNG to write")
    ap.add_argument("--title", help="title of the plot")
    a = ap.parse_args(argv)
    if a.report == "-":
        curve = parse_lines(sys.stdin)
    else:
        with open(a.report, encoding="utf-8") as f:
            curve = parse_lines(f)
    if not curve.windows:
        print(f"no report lines (cells=...) in {a.report}", file=sys.stderr)
        return 1
    series = plot(curve, a.out, a.title)
    print(f"learning curve: {a.out} ({', '.join(f'{k}: {v}' for k, v in series.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
