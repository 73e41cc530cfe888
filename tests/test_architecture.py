"""The layout stays as designed: layers only point down, modules and functions stay small.

The import contracts live in pyproject.toml ([tool.importlinter]) and are checked by
import-linter, here and by ``make check``:

* layers only point down: ui -> report -> mapping -> analysis -> store -> io -> data;
* data, io, store, analysis, mapping and report never import Streamlit;
* nothing but the UI imports the UI (the command line included);
* a private (``_underscore``) module is imported only from its own package.

The size limits (no module over 600 lines, no function over 80) are measured with ``ast``;
today's offenders are listed below with their size when listed, so each may shrink but not
grow, and an entry that is no longer needed must be deleted.
"""

from __future__ import annotations

import ast
import textwrap
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PYPROJECT = ROOT / "pyproject.toml"

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80

#: Modules over the limit today -> their length now (lines). Shrinking list: delete an entry
#: when the module is split.
MODULE_ALLOWANCE: dict[str, int] = {}

#: Functions over the limit today ("path:qualified name") -> their length now (lines,
#: docstring included). Shrinking list: delete an entry when the function is split.
FUNCTION_ALLOWANCE: dict[str, int] = {}


def _modules() -> Iterator[tuple[str, str]]:
    for path in sorted((SRC / "mstatlas").rglob("*.py")):
        yield path.relative_to(SRC).as_posix(), path.read_text(encoding="utf-8")


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, int]]:
    """Every function and method with its qualified name and length (``def`` to last line)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = prefix + node.name
            assert node.end_lineno is not None
            yield name, node.end_lineno - node.lineno + 1
            yield from _functions(node, name + ".")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, prefix + node.name + ".")
        else:
            yield from _functions(node, prefix)


def module_sizes() -> dict[str, int]:
    return {path: len(text.splitlines()) for path, text in _modules()}


def function_sizes() -> dict[str, int]:
    return {
        f"{path}:{name}": n for path, text in _modules() for name, n in _functions(ast.parse(text))
    }


def over_limits(sizes: dict[str, int], limit: int, allowance: dict[str, int]) -> list[str]:
    """What breaks a size limit: too long and not allowed, grown past its allowance, or an
    allowance no longer needed (so the list only shrinks)."""
    problems = []
    for name, n in sorted(sizes.items()):
        allowed = allowance.get(name)
        if n > limit and allowed is None:
            problems.append(f"{name} has {n} lines (limit {limit}): split it by job")
        elif allowed is not None and n > allowed:
            problems.append(
                f"{name} grew to {n} lines (allowed {allowed} until split; limit {limit})"
            )
        elif allowed is not None and n <= limit:
            problems.append(f"{name} is {n} lines, within the limit: delete its allowance")
    problems += [
        f"{name} is allowed {allowed} lines but no longer exists: delete its allowance"
        for name, allowed in allowance.items()
        if name not in sizes
    ]
    return problems


# -- import contracts -------------------------------------------------------------------


def test_imports_keep_the_contracts_in_pyproject() -> None:
    code = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    assert code == 0, "an import breaks a contract in pyproject.toml; see the output above"


def test_the_layers_contract_names_every_package_and_the_order_of_the_design() -> None:
    contracts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c for c in contracts["contracts"] if c["id"] == "layers")
    assert layers["layers"] == ["ui", "report", "mapping", "analysis", "store", "io", "data"]
    packages = {p.parent.name for p in (SRC / "mstatlas").glob("*/__init__.py")}
    assert packages == set(layers["layers"]), "a package outside the layers is not checked"


def _write(base: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_the_contracts_catch_an_upward_import_a_hidden_one_and_streamlit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same contracts, on a made-up package that breaks each of them."""
    pkg = "archfixture"
    _write(
        tmp_path,
        {
            f"{pkg}/__init__.py": "",
            f"{pkg}/ui/__init__.py": "",
            f"{pkg}/mapping/__init__.py": "",
            f"{pkg}/analysis/__init__.py": "",
            f"{pkg}/analysis/charts.py": "from archfixture.mapping import legend\n",
            f"{pkg}/mapping/legend.py": "",
            f"{pkg}/store/__init__.py": "",
            f"{pkg}/io/__init__.py": "",
            f"{pkg}/data/__init__.py": "",
            # an upward import hidden in a function, as the old code hid its cycles
            f"{pkg}/data/loading.py": "def load():\n    from archfixture.io import reader\n",
            f"{pkg}/io/reader.py": "",
            f"{pkg}/store/db.py": "import streamlit\n",
            f"{pkg}/cli.py": "from archfixture.ui import page\n",
            f"{pkg}/ui/page.py": "import streamlit\n",
            f"{pkg}/data/_codes.py": "",
            f"{pkg}/analysis/ranking.py": "from archfixture.data import _codes\n",
        },
    )
    config = PYPROJECT.read_text(encoding="utf-8").replace('"mstatlas', f'"{pkg}')
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text(config, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    code = lint_imports(config_filename=str(cfg), no_cache=True, no_logo=True)
    assert code == 1
    broken = {
        cid
        for cid in ("layers", "no-streamlit", "ui-only", "private-modules")
        if lint_imports(
            config_filename=str(cfg), no_cache=True, no_logo=True, limit_to_contracts=(cid,)
        )
    }
    assert broken == {"layers", "no-streamlit", "ui-only", "private-modules"}


# -- size limits ------------------------------------------------------------------------


def test_no_module_over_600_lines() -> None:
    assert over_limits(module_sizes(), MAX_MODULE_LINES, MODULE_ALLOWANCE) == []


def test_no_function_over_80_lines() -> None:
    assert over_limits(function_sizes(), MAX_FUNCTION_LINES, FUNCTION_ALLOWANCE) == []


def test_the_size_check_measures_functions_and_methods_by_their_full_length() -> None:
    tree = ast.parse(
        textwrap.dedent(
            '''
            def short():
                """Doc."""
                return 1

            class Box:
                def method(self):
                    x = 1

                    return x
            '''
        )
    )
    assert dict(_functions(tree)) == {"short": 3, "Box.method": 4}
    sizes = {"a.py:f": 81, "a.py:g": 80, "a.py:h": 90, "a.py:k": 70, "a.py:m": 84}
    allowance = {"a.py:h": 85, "a.py:k": 75, "a.py:m": 88, "a.py:gone": 100}
    assert over_limits(sizes, 80, allowance) == [
        "a.py:f has 81 lines (limit 80): split it by job",
        "a.py:h grew to 90 lines (allowed 85 until split; limit 80)",
        "a.py:k is 70 lines, within the limit: delete its allowance",
        "a.py:gone is allowed 100 lines but no longer exists: delete its allowance",
    ]


# -- private names ----------------------------------------------------------------------


#: Names that begin with an underscore by convention, not because they are private:
#: gettext's ``_()`` is meant to be imported everywhere.
PUBLIC_UNDERSCORE: dict[str, tuple[str, ...]] = {"mstatlas.i18n": ("_",)}


def private_names_used_across_modules() -> list[str]:
    """``from mstatlas.x import _y`` and ``x._y`` on an imported mstatlas module, in src/."""
    found = []
    for path, text in _modules():
        tree = ast.parse(text)
        modules: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mstatlas"):
                for alias in node.names:
                    if alias.name in PUBLIC_UNDERSCORE.get(node.module or "", ()):
                        continue
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{path}:{node.lineno} imports {node.module}.{alias.name}")
                    modules.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                modules |= {
                    (a.asname or a.name.split(".")[0])
                    for a in node.names
                    if a.name.startswith("mstatlas")
                }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{path}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    assert private_names_used_across_modules() == []
