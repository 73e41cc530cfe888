"""`mstatlas --lang de|en`: the command line speaks German or English (else the locale's)."""

from __future__ import annotations

import pytest

from mstatlas.cli import main
from mstatlas.cli_lang import output_language
from mstatlas.i18n import current_language

LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def locale_env(monkeypatch):
    """Set the process's locale variables: ``locale_env("de_DE.UTF-8")``."""

    def set_locale(value: str) -> None:
        for var in LOCALE_VARS:
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("LANG", value)

    return set_locale


@pytest.mark.parametrize(
    ("argv", "lang", "rest"),
    [
        (["--lang", "de", "rank", "--top", "3"], "de", ["rank", "--top", "3"]),
        (["rank", "--lang=de"], "de", ["rank"]),
        (["rank", "--top", "3", "--lang", "en"], "en", ["rank", "--top", "3"]),
    ],
)
def test_lang_is_read_anywhere_on_the_line_and_taken_out(argv, lang, rest):
    assert output_language(argv) == (lang, rest)


def test_without_lang_the_locale_decides(locale_env):
    locale_env("de_DE.UTF-8")
    assert output_language(["rank"]) == ("de", ["rank"])
    locale_env("fr_FR.UTF-8")  # a language the atlas does not speak: English
    assert output_language(["rank"]) == ("en", ["rank"])


def test_an_unknown_language_is_a_usage_error(capsys):
    assert main(["--lang", "fr", "rank"]) == 2
    assert "--lang" in capsys.readouterr().err


def test_rank_in_german_has_german_labels_and_numbers(capsys):
    assert main(["--lang", "de", "rank", "--top", "3"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header[:3] == ["#", "Cluster", "ISO"] and "Beschäftigte" in header
    assert "Jahr" in header and "Quelle" in header
    dortmund = next(line for line in out.splitlines() if "Dortmund MST cluster" in line)
    assert "≈ 2.100" in dortmund and "Cluster-Unternehmen" in dortmund
    assert "2,100" not in out
    assert current_language() == "en"  # the command's language does not outlive it


def test_the_locale_gives_german_and_english_stays_the_default(locale_env, capsys):
    locale_env("de_DE.UTF-8")
    assert main(["rank", "--top", "3"]) == 0
    assert "≈ 2.100" in capsys.readouterr().out
    locale_env("C.UTF-8")
    assert main(["rank", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:2] == ["#", "cluster"] and "≈ 2,100" in out


def test_help_texts_are_german(capsys):
    assert main(["--lang", "de", "rank", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Datendatei (Standard: eingebauter Datensatz)" in out
    assert "nur die ersten N Ränge behalten" in out
    assert out.startswith("Aufruf: mstatlas rank ")
    assert "Optionen:" in out and "diese Hilfe anzeigen und beenden" in out
    assert main(["rank", "--help"]) == 0  # English stays argparse's own words
    out = capsys.readouterr().out
    assert out.startswith("usage: mstatlas rank ") and "show this help message and exit" in out


def test_validate_reports_in_german(tmp_path, capsys):
    f = tmp_path / "cluster.csv"
    f.write_text(
        "name;city;country;employees;year\nA;Dortmund;DE;abc;2007\nB;Bochum;DE;2.100;2007\n",
        encoding="utf-8",
    )
    assert main(["validate", str(f), "--lang", "de"]) == 1
    out = capsys.readouterr().out
    assert "Art der Tabelle: Cluster-Tabelle" in out
    assert "Trennzeichen Semikolon" in out
    assert "1 von 2 Zeilen importiert, 1 abgelehnt." in out
    assert (
        "  Fehler: Zeile 2, Spalte 'employees': 'abc' ist keine Zahl (erwartet z. B. 2.100)" in out
    )


def test_data_errors_are_german(tmp_path, capsys):
    missing = tmp_path / "fehlt.csv"
    assert main(["--lang", "de", "validate", str(missing)]) == 1
    err = capsys.readouterr().err
    assert f"Die Datei {missing} gibt es nicht; prüfen Sie Namen und Ordner." in err
