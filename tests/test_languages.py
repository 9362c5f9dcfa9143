"""Language negotiation (schema/languages.py) against RFC 9110's Accept-Language examples."""

from coco_atlas.schema.languages import (
    DEFAULT,
    LANGUAGES,
    fallback_chain,
    negotiate,
    parse_accept_language,
)


def test_weights_order_the_ranges_and_zero_excludes() -> None:
    assert parse_accept_language("de;q=0.5, pl-PL, it;q=0.8") == ["pl", "it", "de"]
    assert parse_accept_language("pl;q=0, de") == ["de"]


def test_unknown_wildcard_and_malformed_ranges_are_skipped() -> None:
    assert parse_accept_language("fr-CH, fr;q=0.9, *;q=0.5, sl;q=abc, hr;q=0.1") == ["hr"]
    assert parse_accept_language("") == []
    assert parse_accept_language(None) == []


def test_explicit_choice_beats_the_browser_and_english_is_last() -> None:
    assert negotiate("sl", "pl") == "sl"
    assert negotiate("xx", "pl-PL,pl;q=0.9") == "pl"
    assert negotiate(None, "fr") == DEFAULT
    assert fallback_chain("de") == ("de", "en")
    assert fallback_chain("en") == ("en",)
    assert LANGUAGES[0] == DEFAULT
