"""The shape of lessons_lib: modules by concept and of a readable size, each public name defined once.

These hold the package to what the README promises a contributor: no module longer than 800 lines, no name
defined in two modules (one idea, one place, one name), nothing private borrowed across modules, and every
module's ``__all__`` naming only what it has. Each rule is a function over module sources, tested on the
package and on a planted package that breaks it.
"""

import ast
import importlib
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lessons_lib"
MAX_LINES = 800


def _sources(root: Path) -> dict[str, str]:
    """Module name -> source, for every module of the package at ``root``."""
    sources = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        sources[name + (".__init__" if parts[-1] == "__init__" else "")] = path.read_text(encoding="utf-8")
    return sources


def _package_of(module: str) -> str:
    return module.rsplit(".", 1)[0]


def _definitions(source: str) -> list[str]:
    """The names a module defines at top level: functions, classes and assigned names."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return names


def long_modules(sources: dict[str, str]) -> dict[str, int]:
    return {m: n for m, s in sources.items() if (n := len(s.splitlines())) > MAX_LINES}


def defined_twice(sources: dict[str, str]) -> dict[str, list[str]]:
    where = defaultdict(list)
    for module, source in sources.items():
        for name in _definitions(source):
            if not name.startswith("_"):
                where[name].append(module)
    return {name: modules for name, modules in where.items() if len(modules) > 1}


def borrowed_private_names(sources: dict[str, str]) -> list[str]:
    """Names with a leading underscore imported from a module outside the importer's own subpackage.

    The top-level package counts as no subpackage: its modules share nothing private. Within checks/,
    widgets/ and races/ the modules are one unit and may.
    """
    borrowed = []
    for module, source in sources.items():
        package = _package_of(module)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                origin = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
                inside = package.count(".") > 0 and (origin == package or _package_of(origin) == package)
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__") and not inside:
                        borrowed.append(f"{module} imports {alias.name} from {origin}")
    return borrowed


SOURCES = _sources(PACKAGE)


def test_no_module_is_longer_than_800_lines():
    assert not long_modules(SOURCES), "split these by concept"


def test_no_public_name_is_defined_in_two_modules():
    assert not defined_twice(SOURCES)


def test_nothing_private_is_borrowed_from_another_module():
    assert not borrowed_private_names(SOURCES)


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_every_name_in_all_exists(module):
    imported = importlib.import_module(module.removesuffix(".__init__"))
    missing = [name for name in getattr(imported, "__all__", []) if not hasattr(imported, name)]
    assert not missing, f"{module}.__all__ names what it lacks: {missing}"


def test_each_rule_finds_what_breaks_it(tmp_path):
    planted = tmp_path / "pkg"
    (planted / "sub").mkdir(parents=True)
    (planted / "__init__.py").write_text("")
    (planted / "one.py").write_text("def steps_to(x):\n    return x\n\n\ndef _helper():\n    pass\n")
    (planted / "two.py").write_text("from .one import _helper\n\nsteps_to = None\n" + "\n" * MAX_LINES)
    (planted / "sub" / "__init__.py").write_text("from ._a import _shared\n")
    (planted / "sub" / "_a.py").write_text("_shared = 1\n")
    sources = _sources(planted)
    assert list(long_modules(sources)) == ["pkg.two"]
    assert defined_twice(sources) == {"steps_to": ["pkg.one", "pkg.two"]}
    assert borrowed_private_names(sources) == ["pkg.two imports _helper from pkg.one"]  # sub/ may share
