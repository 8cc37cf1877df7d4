"""What every widget shares: controls built from the optimizers' ranges, the redrawn figure, the list
of live widgets that ``make bench`` times."""

from __future__ import annotations

import html
import io
import time
import weakref

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.ticker import LogLocator, NullLocator
from matplotlib.transforms import Bbox
from PIL import Image

from ..optimizers import Optimizer, symbol
from ..plots import PlainLogFormatter, fix_margins, legend_below

_LIVE: list[weakref.ref] = []


class _TickMarks:
    """The tick marks of an axis without its labels: what must be drawn again of a panel's x axis when only
    its marks reach into an area rendered again (see ``InteractiveFigure._render_stale_panels``)."""

    def __init__(self, axis):
        self.axis = axis

    def ticks(self) -> list:
        """The ticks drawn last (their positions hold while the axis' limits are unchanged): those in view, as
        ``Axis.draw`` draws them (a locator may also give ticks beyond the limits)."""
        axis = self.axis
        low, high = sorted(axis.get_view_interval())
        slack = 1e-10 * (high - low)
        major = axis.get_major_ticks(len(axis.get_majorticklocs()))
        minor = axis.get_minor_ticks(len(axis.get_minorticklocs()))
        return [t for t in major + minor if t.get_visible() and low - slack <= t.get_loc() <= high + slack]

    def get_window_extent(self, renderer):
        lines = [line for tick in self.ticks() for line in (tick.tick1line, tick.tick2line)]
        boxes = [line.get_window_extent(renderer) for line in lines if line.get_visible()]
        return Bbox.union(boxes) if boxes else None

    def draw(self, renderer):
        if self.axis.get_visible():
            for tick in self.ticks():
                tick.tick1line.draw(renderer)
                tick.tick2line.draw(renderer)


def control_for(optimizer: Optimizer, name: str, *, low=None, high=None, description=None):
    """A slider (or checkbox) for one hyperparameter of ``optimizer``, over the range its class declares.

    ``low`` and ``high`` narrow the range. A log-scale range gives a ``FloatLogSlider``.
    """
    if name not in optimizer.hyperparameters():
        known = ", ".join(optimizer.hyperparameters())
        raise ValueError(
            f"control_for: {type(optimizer).__name__} has no hyperparameter {name!r}; it has {known}."
        )
    value = getattr(optimizer, name)
    label = description or symbol(name)
    style = {"description_width": "initial"}
    if isinstance(value, bool):
        return widgets.Checkbox(value=value, description=label, indent=False, style=style)
    if name not in optimizer.ranges:
        known = ", ".join(optimizer.ranges)
        raise ValueError(
            f"control_for: {type(optimizer).__name__} has no slider range for {name!r}; ranges: {known}."
        )
    r = optimizer.ranges[name]
    low = r.low if low is None else low
    high = r.high if high is None else high
    value = float(np.clip(value, low, high))
    if r.log:
        # The slider's grid of steps runs through the starting value (the browser snaps a value to the
        # grid: 0.1 would show as 0.0998), and reaches out to both ends of the range, less than a step past.
        step, at = 0.02, np.log10(value)
        return widgets.FloatLogSlider(
            value=value,
            base=10,
            min=at - step * np.ceil(round((at - np.log10(low)) / step, 9)),
            max=at + step * np.ceil(round((np.log10(high) - at) / step, 9)),
            step=step,
            description=label,
            readout_format=".3g",
            continuous_update=True,
            style=style,
        )
    return widgets.FloatSlider(
        value=value, min=low, max=high, step=r.step, description=label, readout_format=".3g", style=style
    )


#: Height of the row under a widget's legend where it writes its setting (``say_setting``), in inches.
SETTING_ROW = 0.25


class InteractiveFigure:
    """Controls above one figure that is redrawn whenever a control changes.

    Subclasses build their axes and everything that does not change in ``setup()``, and draw what does in
    ``update(**values)``, which returns a status line (or ""). Artists added by ``update`` are the figure's
    dynamic part: the static part is rendered once and cached, and a redraw pastes the cache and draws only
    the dynamic artists on top (blitting), which keeps a redraw to a few milliseconds. When a subclass changes
    the static part (axis limits) it calls ``invalidate()``. Any exception raised while drawing is shown as
    one line of status, never as a traceback.
    """

    says_setting = False  # a subclass whose update() calls say_setting() gets a row for it

    def __init__(self, name: str, controls: dict, *, figsize=(9.5, 3.6), dpi: int = 96):
        self.name = name
        self.controls = dict(controls)
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="none")  # margins fixed below, no layout pass
        FigureCanvasAgg(self.figure)
        self.status = widgets.HTML()
        self.timings_ms: list[float] = []
        self._dynamic: list = []
        self._background = None
        self._stale: set = set()  # panels whose static part changed (their limits) since the last render
        self._old_legends: list | None = None  # where replace_legend() found the legends drawn
        self._boxes: dict = {}  # each panel's static part's extent, as last rendered
        self._fitted: set = set()  # axes whose y limits have been fitted to data at least once
        self.legend_handles: list = []  # setup() lists what the legend under the panels shows
        self.setup()
        if self.figure.axes:
            grid = self.figure.axes[0].get_subplotspec().get_topmost_subplotspec().get_gridspec()
            fix_margins(self.figure, grid.nrows, grid.ncols)
        if self.legend_handles:  # drawn once, with the static part, and never over the data
            space = SETTING_ROW if self.says_setting else 0.0
            legend_below(self.figure, self.legend_handles, space_below=space)
        width, height = self.figure.canvas.get_width_height()  # shown at the size drawn, never stretched
        size = widgets.Layout(width=f"{width}px", height=f"{height}px")
        self.image = widgets.Image(format="png", layout=size)
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), self.status, self.image])
        self.redraw()
        _LIVE.append(weakref.ref(self))

    def setup(self):  # pragma: no cover - subclasses draw
        """Create the axes and what stays the same between redraws."""

    def update(self, **values) -> str:  # pragma: no cover - subclasses draw
        """Draw for these control values; return a status line or ""."""
        return ""

    @property
    def values(self) -> dict:
        """The controls' current values by name."""
        return {name: control.value for name, control in self.controls.items()}

    def invalidate(self):
        """Say that the static part changed (limits, labels), so the next redraw renders it again."""
        self._background = None

    def track(self, ax, n_lines: int, n_texts: int, n_collections: int | None = None):
        """Mark what was added to ``ax`` since it had ``n_lines`` lines and ``n_texts`` texts (and
        ``n_collections`` collections, such as a band, when given) as dynamic."""
        new = ax.lines[n_lines:] + ax.texts[n_texts:]
        if n_collections is not None:
            new += ax.collections[n_collections:]
        for artist in new:
            artist.set_animated(True)
        self._dynamic.extend(new)

    def replace_legend(self, handles, **options):
        """Show ``handles`` in the legend under the panels instead (in the same strip, above the setting's row
        if the widget writes one; ``options`` as for :func:`lessons_lib.plots.legend_below`). The next redraw
        renders the strip alone, not the figure."""
        options.setdefault("space_below", SETTING_ROW if self.says_setting else 0.0)
        renderer = self.figure.canvas.get_renderer()
        old = [legend.get_window_extent(renderer) for legend in self.figure.legends]
        for legend in list(self.figure.legends):
            legend.remove()
        legend_below(self.figure, handles, grow=False, **options)
        self._old_legends = (self._old_legends or []) + old

    def _on_change(self, change):
        self.redraw()

    def warns(self, message: str) -> bool:
        """Whether the status line is a warning (shown in vermillion): any message, unless a subclass that
        always says something tells which of its messages warn."""
        return bool(message)

    def say_setting(self, text: str):
        """Write the setting drawn (the optimizers' labels) in the row under the legend, so that the picture
        says what it shows even where a slider's move changes no line (a tiny ε), and in a screenshot."""
        height = self.figure.get_size_inches()[1]
        note = self.figure.text(0.5, 0.04 / height, text, ha="center", va="bottom", fontsize=8, color="0.2")
        note.set_animated(True)
        self._dynamic.append(note)

    def _fit_y(self, ax, lines):
        """Fit ``ax``'s y limits to the data of ``lines``, changing them only when the data leaves them or
        fills less than a small part of them (log axes: whole decades, 2 to spare below the data when they
        change, 3 of slack, 16 at most; linear axes: symmetric about 0 at 1, 2 or 5 × 10^k, a factor 5 of
        slack). Changed limits render that panel again."""
        ys = np.concatenate([np.asarray(line.get_ydata(), dtype=float) for line in lines] or [np.ones(1)])
        log = ax.get_yscale() == "log"
        ys = ys[np.isfinite(ys) & (ys > 0)] if log else ys[np.isfinite(ys)]
        if ys.size == 0:
            ys = np.ones(1)
        if log:  # at most 16 decades: a run that reaches round-off must not flatten every other curve
            high = 10.0 ** np.ceil(np.log10(ys.max()))
            low = max(10.0 ** np.floor(np.log10(max(ys.min(), 1e-300))), high * 1e-16)
            high = max(high, low * 10)
            span, slack = np.log10(high / low), 3.0
        else:  # symmetric about 0 and rounded up to 1, 2 or 5 × 10^k, so that small changes keep the limits
            reach = max(np.abs(ys).max() * 1.08, 1e-12)
            decade = 10.0 ** np.floor(np.log10(reach))
            nice = decade * next(f for f in (1, 2, 5, 10) if f * decade >= reach)
            low, high = -nice, nice
            span, slack = high - low, None
        current_low, current_high = ax.get_ylim()
        fits = current_low <= low and high <= current_high
        if log:
            too_wide = np.log10(current_high / current_low) > span + slack
        else:
            too_wide = (current_high - current_low) > 5 * span
        if ax not in self._fitted or not fits or too_wide:
            self._fitted.add(ax)
            if log:  # 2 decades to spare below: a slider swept towards faster runs refits less often
                low = max(low / 100, high * 1e-16)
            self.set_ylim(ax, low, high)

    def set_ylim(self, ax, low: float, high: float) -> None:
        """Give ``ax`` these y limits (a log axis labels its decades only, in plain text); that panel is
        rendered again at the next redraw, alone (see ``_render``)."""
        self._fitted.add(ax)
        ax.set_ylim(low, high)
        if ax.get_yscale() == "log":  # labelled decades only: minor ticks cost most of a redraw
            ax.yaxis.set_major_locator(LogLocator(numticks=6))
            ax.yaxis.set_minor_locator(NullLocator())
            ax.yaxis.set_major_formatter(PlainLogFormatter())  # plain text: mathtext is slow
        self._stale.add(ax)

    def redraw(self):
        """Draw for the current values and show the picture; report problems in the status line."""
        start = time.perf_counter()
        try:
            for artist in self._dynamic:
                artist.remove()
            self._dynamic = []
            message = self.update(**self.values)
            self.image.value = self._render()
            warn = self.warns(message)
        except Exception as exc:  # a widget never shows a traceback
            message, warn = f"Cannot draw this setting: {type(exc).__name__}: {exc}", True
        color = "#D55E00" if warn else "inherit"
        self.status.value = f'<span style="color:{color}">{html.escape(message) or "&nbsp;"}</span>'
        self.timings_ms.append(1000 * (time.perf_counter() - start))

    def _render(self) -> bytes:
        canvas = self.figure.canvas
        if self._background is None:
            self._render_all()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
            if self._stale or self._old_legends is not None:
                self._render_stale_panels()
                self._background = canvas.copy_from_bbox(self.figure.bbox)
        self._stale, self._old_legends = set(), None
        for artist in self._dynamic:
            (artist.axes or self.figure).draw_artist(artist)
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def _parts(self, ax) -> list:
        """Where a panel is drawn, piece by piece, as ``(extent, what draws it alone)``: the panel with 2 px
        to spare (its frame's line is centred on its edge; ``None``: only the whole panel draws it), its
        x axis' labels (drawing the axis draws its marks too) and its x tick marks alone, its y axis' labels
        (its tick marks lie along the frame), its titles, texts and legend, each with 1 px to spare (a
        glyph's ink stays within its text's box). Cheap right after a render (text laid out)."""
        renderer = self.figure.canvas.get_renderer()
        parts = [(ax.get_window_extent(renderer).padded(2), None)]  # static markers are clipped to it
        pieces = [(ax.yaxis.get_tightbbox(renderer), ax.yaxis)]
        if ax.xaxis.get_visible():
            marks = _TickMarks(ax.xaxis)
            texts = [ax.xaxis.label, ax.xaxis.offsetText, *ax.xaxis.get_ticklabels()]
            texts = [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]
            pieces += [
                (Bbox.union(texts) if texts else None, ax.xaxis),
                (marks.get_window_extent(renderer), marks),
            ]
        pieces += [
            (child.get_window_extent(renderer), child)  # the three titles, the texts, a legend
            for child in ax.get_children()
            if isinstance(child, (Text, Legend)) and child.get_visible() and not child.get_animated()
        ]
        parts += [(box.padded(1), artist) for box, artist in pieces if box is not None and box.width > 0]
        return parts

    def _all_parts(self) -> dict:
        return {ax: self._parts(ax) for ax in self.figure.axes if ax.get_visible()}

    def _render_stale_panels(self) -> None:
        """Render again only the pixels that new y limits (or a new legend) change, over the background.

        New y limits move a panel's data, its y axis and its texts, never its titles or its x axis. So the
        areas painted again are, for each panel whose limits changed, its frame (with its data), its y axis'
        labels where they were and where they are now (laid out before drawing, so that they always fit), and
        the strip of its y tick marks; and where the legends were and are. They are painted with the figure's
        colour; the panels are drawn without their titles and x axes, then of every piece of the figure (a
        title, an axis, its marks alone, a legend; a whole neighbour if its frame reaches in) what reaches
        into an area is drawn; only the areas' pixels are kept. The picture a full render gives (tested), at
        about the cost of a panel's data and y axis. When the pieces of the last render are unknown, the whole
        figure is rendered.
        """
        canvas = self.figure.canvas
        renderer = canvas.get_renderer()
        pixels = np.asarray(canvas.buffer_rgba())
        height, width = pixels.shape[:2]
        stale = [ax for ax in self._stale if ax.get_visible()]
        if not self._boxes or any(ax not in self._boxes for ax in stale):  # nothing drawn yet, or a new panel
            return self._render_all()
        moved = {ax: self._moved_parts(ax, renderer) for ax in stale}  # their pieces, as they are now
        boxes = [box for ax in stale for box, _ in self._moving(ax) + moved[ax]]  # where they were and are
        boxes += [self._tick_strip(ax) for ax in stale]
        if self._old_legends is not None:
            boxes += self._old_legends + [
                legend.get_window_extent(renderer) for legend in self.figure.legends
            ]
        areas = []
        for box in boxes:
            x0, x1 = max(int(np.floor(box.x0)), 0), min(int(np.ceil(box.x1)), width)
            y0, y1 = max(int(np.floor(box.y0)), 0), min(int(np.ceil(box.y1)), height)
            if x0 < x1 and y0 < y1:
                areas.append(Bbox.from_extents(x0, y0, x1, y1))
        slices = [(slice(height - int(a.y1), height - int(a.y0)), slice(int(a.x0), int(a.x1))) for a in areas]
        before = pixels.copy()
        paper = np.round(np.array(to_rgba(self.figure.get_facecolor())) * 255).astype(np.uint8)
        for rows, cols in slices:
            pixels[rows, cols] = paper
        for ax, parts in self._boxes.items():  # in the order a full render draws them
            # Its pieces less the pixel to spare: an area's edges were rounded out to whole pixels, and may
            # take a neighbour's spare pixel (Bbox.overlaps counts touching as overlapping).
            reaching = [artist for box, artist in parts if any(box.padded(-1).overlaps(a) for a in areas)]
            # An axis drawn draws its marks: drawn twice, their antialiased edges would darken.
            reaching = [a for a in reaching if not (isinstance(a, _TickMarks) and a.axis in reaching)]
            if ax in stale:  # what its new y limits move, then what of the rest reaches in
                fixed = [artist for _, artist in parts if self._fixed(ax, artist)]
                self._draw_without(ax, fixed, renderer)
                for artist in reaching:
                    if artist in fixed:
                        artist.draw(renderer)
            elif None in reaching:
                ax.draw(renderer)  # its static part: animated artists are left out
            else:  # only a neighbour's axis or text: what lies outside the areas is put back anyway
                for artist in reaching:
                    artist.draw(renderer)
        for artist in self.figure.legends + self.figure.texts:
            if not artist.get_animated():
                box = artist.get_window_extent(renderer)
                if any(box.overlaps(a) for a in areas):
                    artist.draw(renderer)
        redrawn = [pixels[rows, cols].copy() for rows, cols in slices]
        pixels[...] = before
        for (rows, cols), kept in zip(slices, redrawn, strict=True):
            pixels[rows, cols] = kept
        for ax in stale:
            self._boxes[ax] = [(box, artist) for box, artist in self._boxes[ax] if self._fixed(ax, artist)]
            self._boxes[ax] += moved[ax]
        return None

    @staticmethod
    def _fixed(ax, artist) -> bool:
        """Whether new y limits leave ``artist`` of ``ax`` where it was: its x axis (labels and marks). Not
        its frame (``None``), whose data move, nor its titles, which rise over an offset text ("1e−6")."""
        return isinstance(artist, _TickMarks) or artist is ax.xaxis

    def _moving(self, ax) -> list:
        """The pieces of a panel that new y limits move, as last rendered: its frame, y axis and texts."""
        return [(box, artist) for box, artist in self._boxes[ax] if not self._fixed(ax, artist)]

    @staticmethod
    def _draw_without(ax, artists, renderer) -> None:
        """Draw ``ax``'s static part without ``artists`` (hidden while it is drawn)."""
        shown = [a for a in artists if not isinstance(a, _TickMarks) and a.get_visible()]
        for artist in shown:
            artist.set_visible(False)
        try:
            ax.draw(renderer)
        finally:
            for artist in shown:
                artist.set_visible(True)

    def _moved_parts(self, ax, renderer) -> list:
        """The same pieces where the new limits put them (the y axis laid out again: its labels change)."""
        return [
            (box, artist)
            if artist is None
            else (artist.get_tightbbox(renderer).padded(1), artist)
            if artist is ax.yaxis
            else (artist.get_window_extent(renderer).padded(1), artist)
            for box, artist in self._moving(ax)
        ]

    @staticmethod
    def _tick_strip(ax):
        """Where ``ax``'s y tick marks can be: a strip along each side of its frame as long as the mark."""
        frame = ax.get_window_extent()
        ticks = ax.yaxis.get_major_ticks(1) + ax.yaxis.get_minor_ticks(1)
        length = max(t.tick1line.get_markersize() + t.tick1line.get_markeredgewidth() for t in ticks)
        reach = length * ax.figure.dpi / 72 + 2  # and the antialiased edge
        return Bbox.from_extents(frame.x0 - reach, frame.y0 - 2, frame.x1 + reach, frame.y1 + 2)

    def _render_all(self) -> None:
        self.figure.canvas.draw()  # the static part only: dynamic artists are animated, so draw() skips them
        self._boxes = self._all_parts()

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        # What a viewer without a kernel (or a saved notebook) shows in place of the widget.
        bundle["text/plain"] = f"[interactive widget: {self.name}; run the notebook to use it]"
        return bundle


def _sweep_values(control, points: int):
    if isinstance(control, widgets.Checkbox):
        return [not control.value, control.value]
    if isinstance(control, widgets.FloatLogSlider):
        return list(np.logspace(control.min, control.max, points, base=control.base))
    if isinstance(control, (widgets.FloatSlider, widgets.IntSlider)):
        return list(np.linspace(control.min, control.max, points))
    menus = (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons, widgets.SelectionSlider)
    if isinstance(control, menus):  # every option, in order
        return [option[1] if isinstance(option, tuple) else option for option in control.options]
    return []


def time_live_widgets(points_per_control: int = 15) -> dict[str, list[float]]:
    """Move every control of every live widget across its range and time each redraw, in milliseconds.

    Each control is swept from one end of its range to the other, then restored. Returns
    ``{widget name: [redraw times in ms]}``; names that repeat get a ``#2``, ``#3`` suffix.
    """
    results: dict[str, list[float]] = {}
    for ref in list(_LIVE):
        figure = ref()
        if figure is None:
            continue
        name, n = figure.name, 2
        while name in results:
            name, n = f"{figure.name} #{n}", n + 1
        before = len(figure.timings_ms)
        for control in figure.controls.values():
            original = control.value
            for value in _sweep_values(control, points_per_control):
                control.value = value
            control.value = original
        results[name] = [round(t, 3) for t in figure.timings_ms[before:]]
    return results
