from __future__ import annotations

from mstatlas.data.countries import country_codes, country_name, country_to_iso2


def test_country_name_gives_the_english_short_name():
    assert country_name("DE") == "Germany"
    assert country_name("de") == "Germany"


def test_country_name_of_an_unknown_code_is_the_code():
    assert country_name("QQ") == "QQ"


def test_country_codes_are_two_letter_codes_the_reader_returns():
    codes = country_codes()
    assert {"DE", "FR", "GB", "XK"} <= codes
    assert all(len(c) == 2 and c.isupper() for c in codes)


def test_synonyms_win_over_the_iso_table():
    # "US" and "EL" are short forms people write; EL is the EU's code for Greece
    assert country_to_iso2("EL") == "GR"
    assert country_to_iso2("Holland") == "NL"
    assert country_to_iso2("u.s.a.") == "US"


def test_iso_codes_read_without_the_name_table_as_with_it():
    """The short way for two-letter codes gives what the whole table gives."""
    import pycountry

    from mstatlas.data.countries import _country_index
    from mstatlas.data.normalise import plain_text

    texts = [c.alpha_2 for c in pycountry.countries] + ["de", " fr ", "UK", "EL", "XK", "ZZ", "u k"]
    assert [country_to_iso2(t) for t in texts] == [
        _country_index().get(plain_text(t)) for t in texts
    ]


def test_spelling_with_accents_punctuation_and_case_is_read():
    assert country_to_iso2("RÉPUBLIQUE TCHÈQUE") == "CZ"
    assert country_to_iso2("Grande-Bretagne") == "GB"


def test_country_names_follow_the_language():
    from mstatlas.data.countries import country_name
    from mstatlas.i18n import language

    # ISO 3166 short names as pycountry's German catalogue gives them
    with language("de"):
        assert [country_name(c) for c in ("DE", "NL", "GB", "CZ")] == [
            "Deutschland",
            "Niederlande",
            "Vereinigtes Königreich",
            "Tschechien",
        ]
        assert country_name("QQ") == "QQ"  # unknown codes stay as they are
    assert country_name("DE") == "Germany"  # and English again outside
