"""The German catalogue is complete and current, and the UI has no text that bypasses it.

``make translations`` extracts the texts, updates ``de/LC_MESSAGES/mstatlas.po`` and
compiles the ``.mo``; these tests fail when a text in the code has no German
translation, when an entry is fuzzy or empty, when the ``.mo`` is older than the
``.po``, and when a UI call hands Streamlit an English literal without ``_()``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from mstatlas import i18n

ROOT = Path(__file__).resolve().parents[1]
PO = i18n.LOCALE_DIR / "de" / "LC_MESSAGES" / "mstatlas.po"
MO = PO.with_suffix(".mo")


def _extracted() -> dict[str | tuple[str, str], str]:
    """Every text marked for translation in the code -> the file it is in."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[str | tuple[str, str], str] = {}
    for filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        key = message[0] if isinstance(message, tuple) else message
        found[(context, key) if context else key] = filename
    return found


def _catalogue(path: Path):
    with open(path, "rb") as f:
        return read_po(f, locale="de")


def test_the_code_has_texts_to_translate():
    # Guards the tests below against an extraction that silently finds nothing.
    assert len(_extracted()) > 200


def test_every_text_in_the_code_has_a_german_translation():
    catalogue = _catalogue(PO)
    missing, empty, fuzzy = [], [], []
    for key, filename in sorted(_extracted().items(), key=lambda kv: (kv[1], str(kv[0]))):
        context, msgid = key if isinstance(key, tuple) else (None, key)
        entry = catalogue.get(msgid, context=context)
        where = f"{filename}: {msgid[:70]!r}"
        if entry is None:
            missing.append(where)
        elif entry.fuzzy:
            fuzzy.append(where)
        elif not all(entry.string) if isinstance(entry.string, tuple) else not entry.string:
            empty.append(where)
    assert not missing, (
        f"{len(missing)} texts not in the German catalogue (run `make translations`):\n"
        + "\n".join(missing[:40])
    )
    assert not fuzzy, f"{len(fuzzy)} fuzzy German entries (check and unmark them):\n" + "\n".join(
        fuzzy[:40]
    )
    assert not empty, f"{len(empty)} German entries without a translation:\n" + "\n".join(
        empty[:40]
    )


def test_german_translations_keep_every_placeholder():
    placeholder = re.compile(r"\{[a-z_0-9]*(?:[:!][^}]*)?\}")
    wrong = []
    for entry in _catalogue(PO):
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(placeholder.findall(ids[-1]))
        for text in strings:
            if set(placeholder.findall(text)) - set(placeholder.findall(ids[0])) - wanted or (
                wanted - set(placeholder.findall(text)) - {"{n}"}
            ):
                wrong.append(f"{ids[0][:60]!r} -> {text[:60]!r}")
    assert not wrong, "German entries whose placeholders differ:\n" + "\n".join(wrong)


def _entries(messages) -> dict[tuple[str | None, str], tuple[str, ...]]:
    """(context, msgid) -> its translations, plural forms as a tuple (read_po and read_mo agree)."""
    found = {}
    for m in messages:
        if not m.id or not m.string or getattr(m, "fuzzy", False):
            continue
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        found[(m.context, msgid)] = (m.string,) if isinstance(m.string, str) else tuple(m.string)
    return found


def test_the_compiled_catalogue_is_the_current_one():
    with open(MO, "rb") as f:
        compiled = _entries(read_mo(f))
    assert compiled == _entries(_catalogue(PO)), "the .mo is out of date: run `make translations`"


# --- no English literal handed to Streamlit without _() ---------------------------------

#: Streamlit calls that show their first argument (or these keywords) to a person.
_SHOWN = {
    "markdown", "caption", "write", "title", "header", "subheader", "text", "info", "warning",
    "error", "success", "toast", "button", "download_button", "link_button", "page_link",
    "checkbox", "toggle", "radio", "selectbox", "multiselect", "slider", "select_slider",
    "number_input", "text_input", "text_area", "file_uploader", "expander", "popover",
    "metric", "segmented_control", "pills", "form_submit_button", "spinner", "status",
    "progress", "Page", "color_picker", "date_input", "dialog",
}  # fmt: skip
_SHOWN_KEYWORDS = {"label", "help", "placeholder", "title", "caption", "text", "value_label"}
#: Texts shown as they are in both languages.
_SAME_IN_BOTH = {"Language · Sprache", "MST Atlas"}
_WORDS = re.compile(r"[A-Za-z]{2,}")


def _literal_words(node: ast.AST) -> str | None:
    """The English words of a string literal or f-string, or None when it is not one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    else:
        return None
    stripped = re.sub(r":material/[a-z_]+:|<[^>]*>|&[a-z]+;|\*\*|`[^`]*`", " ", text)
    if text in _SAME_IN_BOTH or not _WORDS.search(stripped):
        return None
    return text


def _untranslated(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        args: list[ast.AST] = []
        if name in _SHOWN:
            args = node.args[:1] + [k.value for k in node.keywords if k.arg in _SHOWN_KEYWORDS]
        elif name == "bound_widget":
            args = node.args[2:3] + [k.value for k in node.keywords if k.arg in _SHOWN_KEYWORDS]
        for arg in args:
            text = _literal_words(arg)
            if text is not None:
                found.append(f"{path.relative_to(root)}:{node.lineno}: {text[:60]!r}")
    return found


_UI_FILES = sorted((ROOT / "src/mstatlas/ui").rglob("*.py")) + [ROOT / "app.py"]


@pytest.mark.parametrize("path", _UI_FILES, ids=lambda p: p.name)
def test_ui_hands_streamlit_no_untranslated_text(path):
    found = _untranslated(path)
    assert not found, "English text shown without _():\n" + "\n".join(found)


def test_the_untranslated_text_check_can_fail(tmp_path):
    sample = tmp_path / "page.py"
    sample.write_text(
        'import streamlit as st\nst.button("Share this view")\nst.caption(f"{n} clusters")\n'
        'st.markdown(_("Fine"))\nsession.bound_widget("x", st.radio, "Size by")\n'
    )
    found = _untranslated(sample, tmp_path)
    assert [f.split(": ", 1)[1] for f in found] == ["'Share this view'", "' clusters'", "'Size by'"]


def test_plural_forms_take_numpy_integers() -> None:
    import warnings

    import numpy as np

    from mstatlas.i18n import ngettext

    with warnings.catch_warnings(), i18n.language("de"):
        warnings.simplefilter("error")
        assert ngettext("{n} firm", "{n} firms", np.int64(1)) == "{n} Firma"
        assert ngettext("{n} firm", "{n} firms", np.int64(2)) == "{n} Firmen"
