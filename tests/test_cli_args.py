"""The command line's shared argument types."""

import argparse

import pytest

from mstatlas.cli_args import kinds_of_figures, whole_number
from mstatlas.data.schema import COUNTS_WHAT


def test_whole_number_accepts_the_minimum_and_above() -> None:
    assert whole_number(0)("0") == 0
    assert whole_number(2)("2") == 2
    assert whole_number(1)("41") == 41


@pytest.mark.parametrize(
    ("minimum", "text", "message"),
    [
        (1, "0", "must be 1 or more, got 0"),
        (0, "-3", "must be 0 or more, got -3"),
        (2, "1", "must be 2 or more, got 1"),
        (1, "2.5", "expected a whole number, got '2.5'"),
        (1, "ten", "expected a whole number, got 'ten'"),
        (1, "1,5", "expected a whole number, got '1,5'"),
    ],
)
def test_whole_number_refuses_with_a_message(minimum: int, text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        whole_number(minimum)(text)


def test_digit_groups_are_accepted_only_when_asked() -> None:
    parse = whole_number(1, digit_groups=True)
    assert parse("10_000_000") == 10_000_000
    assert parse("10,000,000") == 10_000_000
    with pytest.raises(argparse.ArgumentTypeError, match="must be 1 or more"):
        parse("0")


def test_argparse_prints_the_message_after_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="mstatlas")
    parser.add_argument("--top", type=whole_number(1))
    with pytest.raises(SystemExit):
        parser.parse_args(["--top", "0"])
    assert "argument --top: must be 1 or more, got 0" in capsys.readouterr().err


def test_kinds_of_figures_reads_a_list_or_all() -> None:
    assert kinds_of_figures("national, regional_sector") == ("national", "regional_sector")
    assert kinds_of_figures(" ALL ") is None


@pytest.mark.parametrize(
    ("text", "bad"), [("national,staff", "staff"), (",", "(none)"), ("", "(none)")]
)
def test_an_unknown_kind_is_named_with_the_known_ones(text: str, bad: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        kinds_of_figures(text)
    message = str(caught.value)
    assert f"unknown kind(s) {bad}; choose from " in message
    assert all(kind in message for kind in COUNTS_WHAT)
