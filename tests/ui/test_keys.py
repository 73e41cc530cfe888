"""Session-state keys come from one module (ui/keys.py), never from string literals."""

from __future__ import annotations

import ast
from pathlib import Path

from mstatlas.ui import keys

UI = Path(__file__).resolve().parents[2] / "src" / "mstatlas" / "ui"


def _is_session_state(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "session_state"


def _literal(node: ast.AST | None) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def literal_keys(source: str) -> list[int]:
    """Lines where ``st.session_state`` is indexed or asked with a string literal."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and _is_session_state(node.value):
            key: ast.AST | None = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and _is_session_state(node.func.value)
            and node.func.attr in {"get", "setdefault", "pop"}
        ):
            key = node.args[0] if node.args else None
        elif (
            isinstance(node, ast.Compare)
            and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
            and any(_is_session_state(c) for c in node.comparators)
        ):
            key = node.left
        else:
            continue
        if _literal(key):
            lines.append(node.lineno)
    return lines


def test_the_ui_indexes_session_state_only_with_named_keys():
    found = {
        path.name: lines
        for path in sorted(UI.rglob("*.py"))
        if path.name != "keys.py" and (lines := literal_keys(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "use a name from mstatlas.ui.keys instead of a string literal"


def test_the_check_finds_every_way_of_writing_a_literal_key():
    source = (
        "st.session_state['a'] = 1\n"
        "st.session_state.get(f'w_{x}')\n"
        "st.session_state.setdefault('b', {})\n"
        "'c' in st.session_state\n"
        "st.session_state[keys.VIEW]\n"
        "st.session_state.get(key)\n"
    )
    assert literal_keys(source) == [1, 2, 3, 4]


def test_every_named_key_is_distinct():
    names = {k: v for k, v in vars(keys).items() if k.isupper() and isinstance(v, str)}
    assert len(set(names.values())) == len(names)
    made = [
        keys.view_widget("top"),
        keys.rating_widget("size"),
        keys.country_widget("by"),
        keys.sheets("f"),
        keys.column_choices("f"),
        keys.column_widget("f", "city"),
        keys.coordinate_fixes("f"),
        keys.coordinate_errors("f"),
    ]
    assert len(set(made)) == len(made)
    assert not set(made) & set(names.values())
