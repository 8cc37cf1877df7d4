"""Every warning an error, for tests that draw: the course's code must warn about nothing.

One exception: matplotlib before 3.9 calls pyparsing by names that pyparsing 3.3 deprecates, and pyparsing
says so with a DeprecationWarning attributed to matplotlib's own modules. That is a notice between two
libraries at the lowest declared matplotlib (3.7), not something the course does or a learner sees (Python
hides DeprecationWarnings raised outside ``__main__``), so it is ignored here, as pyproject.toml's pytest
settings ignore it everywhere else.
"""

import contextlib
import warnings


@contextlib.contextmanager
def warnings_as_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"matplotlib\.")
        yield
