"""The course's figure rules, checked from matplotlib's own geometry after a figure is drawn.

``figure_problems(fig)`` draws ``fig`` and returns one line per broken rule (empty: the figure passes). The
rules are the README's (section "Figure rules"); sizes are as displayed, in CSS pixels (96 per inch), for a
figure shown at ``display_scale`` times its drawn size (1 for a static figure shown at its size; a widget
image shown narrower or wider than drawn scales everything with it):

* ``legend-over-data``: no legend (a panel's own, one placed outside its panel, or the figure's) covers a
  point of a line or scatter drawn in any panel (lines are sampled every 2 px, so a line that only crosses
  the legend counts too);
* ``text-clipped``: no text reaches beyond the figure's edge;
* ``text-overlap``: no two texts overlap (tick labels, axis labels, titles, legends, annotations);
* ``font-too-small``: no text is smaller than 7 pt as displayed;
* ``panel-too-small``: every panel (colour bars aside) is at least 140 px on its shorter side as displayed;
* ``colormap-without-colorbar``: an image, mesh or filled contour drawn with a colour map has a colour bar;
  contour lines coloured by a map have a colour bar or labelled levels;
* ``colours-confusable``: two labelled lines or point sets in one panel stay distinct (CIELAB ΔE of at least
  20) for readers with deuteranopia and with protanopia (Machado, Oliveira & Fernandes 2009, severity 1);
* ``text-over-data``: a text placed inside a panel (a status label such as "diverged at step k", an
  annotation) covers no point of a line or scatter.
"""

from __future__ import annotations

import itertools

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgb
from matplotlib.contour import ContourSet
from matplotlib.image import AxesImage
from matplotlib.text import Text

MIN_POINTS = 7.0  # smallest font as displayed, in points
MIN_PANEL_PX = 140.0  # shorter side of a panel as displayed, in CSS pixels
MIN_DELTA_E = 20.0  # smallest CIELAB distance between two colours drawn together, under simulation
CSS_DPI = 96.0

# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
_SIMULATIONS = {
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
}


def _linear(rgb):
    rgb = np.asarray(rgb, dtype=float)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


_SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)


def _lab(linear_rgb):
    xyz = _SRGB_TO_XYZ @ np.clip(linear_rgb, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def colour_distance(a, b, simulation: str | None = None) -> float:
    """CIELAB ΔE (1976) between two matplotlib colours, as seen normally or under ``simulation``."""
    la, lb = _linear(to_rgb(a)), _linear(to_rgb(b))
    if simulation is not None:
        la, lb = _SIMULATIONS[simulation] @ la, _SIMULATIONS[simulation] @ lb
    return float(np.linalg.norm(_lab(la) - _lab(lb)))


def _texts(fig, renderer):
    """Every text that is drawn, with the legend it belongs to (or None), and its extent."""
    tick_labels, drawn = set(), set()
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for axis in ax._axis_map.values():
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                tick_labels |= {id(tick.label1), id(tick.label2)}
            for tick in axis._update_ticks():
                drawn |= {id(t) for t in (tick.label1, tick.label2) if t.get_visible()}
    candidates = []
    for ax in fig.axes:
        if ax.get_visible():
            candidates += ax.findobj(Text)
    for legend in fig.legends:
        candidates += legend.findobj(Text)
    candidates += list(fig.texts)
    candidates += [t for t in (fig._suptitle, fig._supxlabel, fig._supylabel) if t is not None]
    found, seen = [], set()
    for t in candidates:
        if id(t) in seen or not t.get_visible() or not t.get_text().strip():
            continue
        seen.add(id(t))
        if id(t) in tick_labels and id(t) not in drawn:
            continue
        legend = next((x for x in _legends(fig) if t in x.get_texts() or t is x.get_title()), None)
        if legend is not None and not legend.get_visible():
            continue
        found.append((t, legend, t.get_window_extent(renderer)))
    return found


def _legends(fig):
    return [x for x in list(fig.legends) + [ax.get_legend() for ax in fig.axes] if x is not None]


def _data_points(ax, step_px: float = 2.0) -> np.ndarray:
    """Display coordinates of every line (sampled every ``step_px``) and scatter point drawn in ``ax``."""
    pieces = []
    box = ax.get_window_extent()
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        xy = np.column_stack([np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)])
        xy = line.get_transform().transform(xy)
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        if len(xy) == 0:
            continue
        if line.get_linestyle() not in ("None", "", " ", "none") and len(xy) > 1:
            seg = np.diff(xy, axis=0)
            counts = np.minimum(np.ceil(np.hypot(*seg.T) / step_px).astype(int), 2000)
            parts = [xy[:1]] + [
                xy[i] + seg[i] * np.linspace(0, 1, n + 1)[1:, None] for i, n in enumerate(counts) if n > 0
            ]
            xy = np.concatenate(parts)
        pieces.append(xy)
    for coll in ax.collections:
        if isinstance(coll, PathCollection) and coll.get_visible() and not isinstance(coll, ContourSet):
            offsets = coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), float))
            pieces.append(offsets[np.all(np.isfinite(offsets), axis=1)])
    if not pieces:
        return np.zeros((0, 2))
    xy = np.concatenate(pieces)
    inside = (xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1) & (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1)
    return xy[inside]


def _covered(points: np.ndarray, bbox, shrink: float = 1.0) -> int:
    x0, y0, x1, y1 = bbox.x0 + shrink, bbox.y0 + shrink, bbox.x1 - shrink, bbox.y1 - shrink
    return int(np.sum((points[:, 0] > x0) & (points[:, 0] < x1) & (points[:, 1] > y0) & (points[:, 1] < y1)))


def problem_key(problem: str) -> str:
    """What a problem is, without its measurement (which moves with the renderer): the text before " — "."""
    return problem.split(" — ")[0]


def figure_problems(fig, *, display_scale: float = 1.0) -> list[str]:
    """Draw ``fig`` and list every broken rule, one line each (see the module docstring)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    scale = fig.dpi / CSS_DPI * display_scale  # displayed points per point of font size
    problems = []
    width, height = fig.bbox.width, fig.bbox.height
    colorbar_axes = [ax for ax in fig.axes if hasattr(ax, "_colorbar") or ax.get_label() == "<colorbar>"]

    for ax in fig.axes:
        if not ax.get_visible():
            continue
        titles = [ax.get_title(loc=loc) for loc in ("center", "left", "right")]
        name = next((t for t in titles if t), None) or ax.get_ylabel() or f"panel {fig.axes.index(ax) + 1}"
        box = ax.get_window_extent(renderer)
        if ax not in colorbar_axes:
            short = min(box.width, box.height) * display_scale
            if short < MIN_PANEL_PX:
                problems.append(f"panel-too-small: {name!r} — {short:.0f} px on its shorter side")
        points = _data_points(ax)
        for legend in _legends(fig):  # its own, or one placed outside another panel or the figure's
            if legend.get_visible() and len(points):
                n = _covered(points, legend.get_window_extent(renderer))
                whose = "the legend" if legend is ax.get_legend() else "a legend from outside"
                if n:
                    problems.append(
                        f"legend-over-data: {whose} of {name!r} — over {n} sampled points of data"
                    )
        for t in ax.texts:
            if not t.get_visible() or not t.get_text().strip():
                continue
            if any(t in getattr(c, "labelTexts", []) for c in ax.collections):
                continue
            n = _covered(points, t.get_window_extent(renderer))
            if n:
                problems.append(f"text-over-data: {t.get_text()!r} in {name!r} — covers {n} sampled points")
        for artist in [] if ax in colorbar_axes else list(ax.images) + list(ax.collections):
            cmap_used = isinstance(artist, AxesImage) or (
                artist.get_array() is not None and not isinstance(artist, PathCollection)
            )
            if not cmap_used or getattr(artist, "colorbar", None) is not None:
                continue
            lines_only = isinstance(artist, ContourSet) and not artist.filled
            fixed = getattr(artist, "colors", None) is not None
            if lines_only and (getattr(artist, "labelTexts", []) or fixed):
                continue  # labelled levels, or lines in fixed colours: the shape of a landscape
            problems.append(f"colormap-without-colorbar: a {type(artist).__name__} in {name!r}")
        labelled = []
        for line in ax.get_lines():
            drawn_as_line = line.get_linestyle() not in ("None", "", " ", "none")
            if line.get_visible() and drawn_as_line and not line.get_label().startswith("_"):
                labelled.append((line.get_label(), line.get_color()))
        for (la, ca), (lb, cb) in itertools.combinations(labelled, 2):
            if to_rgb(ca) == to_rgb(cb):
                continue
            for sim in _SIMULATIONS:
                d = colour_distance(ca, cb, sim)
                if d < MIN_DELTA_E:
                    problems.append(f"colours-confusable: {la!r} and {lb!r} in {name!r} — ΔE {d:.1f} ({sim})")
                    break

    texts = _texts(fig, renderer)
    for t, _, extent in texts:
        size = t.get_fontsize() * scale
        if size < MIN_POINTS - 1e-9:
            problems.append(f"font-too-small: {t.get_text()!r} — {size:.1f} pt as displayed")
        if extent.x0 < -1 or extent.y0 < -1 or extent.x1 > width + 1 or extent.y1 > height + 1:
            problems.append(f"text-clipped: {t.get_text()!r} reaches beyond the figure")
    for (ta, oa, ea), (tb, ob, eb) in itertools.combinations(texts, 2):
        if oa is not None and oa is ob:
            continue
        w = min(ea.x1, eb.x1) - max(ea.x0, eb.x0)
        h = min(ea.y1, eb.y1) - max(ea.y0, eb.y0)
        if w > 1 and h > 1:
            problems.append(f"text-overlap: {ta.get_text()!r} and {tb.get_text()!r}")
    return sorted(set(problems))
