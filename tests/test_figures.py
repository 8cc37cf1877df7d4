"""The figure rules (``figure_rules.py``): each one fires on a figure planted to break it and stays quiet on a
figure that keeps it; then every figure and widget setting of the lessons."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from figure_rules import MIN_DELTA_E, colour_distance, figure_problems
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lessons_lib.plots import OKABE_ITO

REPO = Path(__file__).resolve().parents[1]


def figure(size=(4.0, 3.0), dpi=96):
    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def clean():
    """A panel that keeps every rule: a line, its legend outside the panel, 9 pt text."""
    fig = figure((5.0, 3.0))
    ax = fig.add_axes([0.15, 0.18, 0.5, 0.7])
    ax.plot(np.linspace(0, 1, 50), np.linspace(0, 1, 50) ** 2, color=OKABE_ITO["blue"], label="a")
    ax.plot(np.linspace(0, 1, 50), np.linspace(0, 1, 50), color=OKABE_ITO["orange"], label="b")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9)
    ax.set_xlabel("x", fontsize=9)
    ax.set_ylabel("y", fontsize=9)
    ax.tick_params(labelsize=9)
    return fig, ax


def rules(fig):
    return sorted({problem.split(":")[0] for problem in figure_problems(fig)})


def test_a_clean_figure_passes():
    fig, _ = clean()
    assert figure_problems(fig) == []


def test_a_legend_over_a_line_is_found_and_one_in_an_empty_corner_is_not():
    fig, ax = clean()
    ax.legend(loc="center", fontsize=9)  # the diagonal runs through the middle
    assert rules(fig) == ["legend-over-data"]
    ax.legend(loc="upper left", fontsize=9)  # above y = x**2 and y = x near x = 0: empty
    assert rules(fig) == []


def test_a_legend_moved_out_of_its_panel_onto_another_is_found():
    fig = figure((8.0, 3.0))
    left = fig.add_axes([0.08, 0.18, 0.38, 0.7])
    right = fig.add_axes([0.58, 0.18, 0.38, 0.7])
    for ax in (left, right):
        ax.plot(np.linspace(0, 1, 50), np.linspace(0, 1, 50), color=OKABE_ITO["blue"], label="a")
        ax.tick_params(labelsize=9)
    left.legend(loc="center", bbox_to_anchor=(1.8, 0.5), fontsize=9)  # over the right panel's diagonal
    assert rules(fig) == ["legend-over-data"]
    assert "a legend from outside of 'panel 2'" in figure_problems(fig)[0]


def test_text_beyond_the_edge_or_over_other_text_or_too_small_is_found():
    fig, _ = clean()
    fig.text(0.95, 0.5, "a long note that runs off", fontsize=9)
    assert rules(fig) == ["text-clipped"]
    fig, _ = clean()
    fig.text(0.70, 0.05, "note one", fontsize=9)
    fig.text(0.72, 0.05, "note two", fontsize=9)
    assert rules(fig) == ["text-overlap"]
    fig, ax = clean()
    ax.set_title("title", fontsize=6.5)
    assert rules(fig) == ["font-too-small"]


def test_font_size_is_judged_as_displayed():
    fig, ax = clean()
    ax.set_title("title", fontsize=8)
    assert figure_problems(fig) == []  # 8 pt at 96 dpi
    fig.set_dpi(80)
    assert rules(fig) == ["font-too-small"]  # 8 pt at 80 dpi is 6.7 pt as displayed
    assert any("6.7 pt" in p for p in figure_problems(fig))
    fig.set_dpi(96)
    assert rules(fig) == []


def test_a_small_panel_is_found():
    fig = figure((2.0, 1.6))
    ax = fig.add_axes([0.25, 0.25, 0.7, 0.7])
    ax.plot([0, 1], [0, 1], color="k")
    ax.tick_params(labelsize=9)
    assert rules(fig) == ["panel-too-small"]


def test_a_colour_map_needs_a_colour_bar():
    fig = figure((5.0, 3.0))
    ax = fig.add_axes([0.12, 0.15, 0.6, 0.75])
    image = ax.imshow(np.arange(16.0).reshape(4, 4))
    ax.tick_params(labelsize=9)
    assert rules(fig) == ["colormap-without-colorbar"]
    fig.colorbar(image, ax=ax).ax.tick_params(labelsize=9)
    assert rules(fig) == []


def test_colours_that_merge_for_colour_blind_readers_are_found():
    assert colour_distance(OKABE_ITO["orange"], OKABE_ITO["vermillion"]) > 30  # distinct to most eyes
    assert colour_distance(OKABE_ITO["orange"], OKABE_ITO["vermillion"], "deuteranopia") < MIN_DELTA_E
    assert colour_distance("#000000", "#FFFFFF", "protanopia") > 99
    fig, ax = clean()
    ax.lines[0].set_color(OKABE_ITO["vermillion"])
    assert rules(fig) == ["colours-confusable"]


def test_a_status_label_on_the_data_is_found():
    fig, ax = clean()
    ax.text(0.5, 0.5, "diverged at step 11", transform=ax.transAxes, ha="center", fontsize=9)
    assert rules(fig) == ["text-over-data"]


# ----------------------------------------------------------------------------------------------------
# Every figure of the lessons, and every widget at both ends of every control


@pytest.fixture(scope="module")
def found():
    sys.path.insert(0, str(REPO / "tools"))
    import figure_check

    return figure_check.check_all(sorted((REPO / "notebooks" / "solutions").glob("*.ipynb")))


def test_every_static_figure_and_widget_setting_was_checked(found):
    widgets = {name.split(" [")[0] for name in found if " widget " in name}
    static = [name for name in found if " widget " not in name]
    assert len(static) >= 30 and len(widgets) >= 7
    assert all(any(f"{name} [first render]" == key for key in found) for name in widgets)


def test_no_figure_and_no_widget_setting_breaks_a_rule(found):
    """Every figure keeps every rule, with any matplotlib in the declared range (``make ends`` runs this at
    both ends). To see what breaks and look at the figures: ``python tools/figure_check.py --save DIR``."""
    broken = {name: problems for name, problems in found.items() if problems}
    assert not broken, f"figures that break the rules: {json.dumps(broken, indent=1, ensure_ascii=False)}"
