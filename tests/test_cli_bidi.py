"""The command line prints names from files without bidirectional controls."""

from __future__ import annotations

import io

from mstatlas.cli import main
from mstatlas.data.text import BidiFreeWriter

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Fab{RLO}gnp.exe" would read "Fabexe.png"


def test_rank_prints_a_name_without_its_override(tmp_path, capsys):
    f = tmp_path / "c.csv"
    f.write_text(
        f"name,city,country,lat,lon,firms\nFab{RLO}gnp.exe,Dortmund,DE,51.5,7.4,12\n",
        encoding="utf-8",
    )
    assert main(["rank", str(f), "--by", "firms", "--counts", "all"]) == 0
    out = capsys.readouterr().out
    assert "Fabgnp.exe" in out
    assert RLO not in out


def test_errors_lose_the_override_too(tmp_path, capsys):
    missing = tmp_path / f"no{RLO}such.csv"
    assert main(["rank", str(missing)]) == 1
    err = capsys.readouterr().err
    assert "nosuch.csv" in err and RLO not in err


def test_writer_strips_and_passes_the_rest_through():
    buf = io.StringIO()
    w = BidiFreeWriter(buf)
    assert w.write(f"a{RLO}b\u2066c\u2069\n") == 7  # the length given, as TextIO.write returns
    w.flush()
    assert buf.getvalue() == "abc\n"
    assert w.isatty() is False
    assert w.getvalue() == "abc\n"  # other attributes are the stream's
