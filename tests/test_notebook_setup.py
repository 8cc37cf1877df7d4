"""lessons_lib.setup_notebook: the settings every lesson starts with."""

import matplotlib
import numpy as np

import lessons_lib as ll


def test_setup_notebook_sets_printing_and_figures_outside_ipython():
    old_print, old_rc = np.get_printoptions(), matplotlib.rcParams.copy()
    try:
        ll.setup_notebook(precision=3)  # outside IPython it must not fail
        assert np.get_printoptions()["precision"] == 3
        assert np.get_printoptions()["suppress"] is True
        assert matplotlib.rcParams["figure.dpi"] == 80
        assert matplotlib.rcParams["figure.constrained_layout.use"] is True
    finally:
        np.set_printoptions(**old_print)
        matplotlib.rcParams.update(old_rc)
