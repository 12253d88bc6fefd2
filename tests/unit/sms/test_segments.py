"""Segments counted as carriers count them, on the cases that decide a bill: the extension
characters, the limits of one segment and of a part, what forces UCS-2 and what replaces it."""

from __future__ import annotations

import pytest
from kinlink_sms.domain.segments import GSM7
from kinlink_sms.domain.segments import REPLACEMENTS
from kinlink_sms.domain.segments import Encoding
from kinlink_sms.domain.segments import ForcingCharacter
from kinlink_sms.domain.segments import SegmentCount
from kinlink_sms.domain.segments import count_segments
from kinlink_sms.domain.segments import plain_text
from kinlink_sms.domain.segments import split_segments

GRINNING = "\U0001f600"  # outside the basic plane: a surrogate pair in UTF-16
THUMBS_UP_MEDIUM = "\U0001f44d\U0001f3fd"  # an emoji and its skin tone: 4 units, one cluster


def test_an_empty_text_is_no_segment() -> None:
    assert count_segments("") == SegmentCount(Encoding.GSM7, 0, 0, ())
    assert split_segments("") == []


@pytest.mark.parametrize("character", ["^", "{", "}", "\\", "[", "~", "]", "|", "€", "\f"])
def test_each_gsm7_extension_character_counts_two(character: str) -> None:
    assert count_segments(character) == SegmentCount(Encoding.GSM7, 1, 2, ())
    assert count_segments(character * 80).segments == 1
    assert count_segments(character * 81) == SegmentCount(Encoding.GSM7, 2, 162, ())


@pytest.mark.parametrize(
    ("text", "segments", "parts"),
    [
        ("a" * 160, 1, [160]),
        ("a" * 161, 2, [153, 8]),
        ("a" * 306, 2, [153, 153]),
        ("a" * 307, 3, [153, 153, 1]),
    ],
)
def test_gsm7_holds_160_in_one_segment_and_153_in_each_part(
    text: str, segments: int, parts: list[int]
) -> None:
    assert count_segments(text) == SegmentCount(Encoding.GSM7, segments, len(text), ())
    assert [len(part) for part in split_segments(text)] == parts


def test_an_escape_is_never_split_across_parts() -> None:
    text = "a" * 152 + "€" + "a" * 152

    assert count_segments(text) == SegmentCount(Encoding.GSM7, 3, 306, ())
    assert split_segments(text) == ["a" * 152, "€" + "a" * 151, "a"]


def test_c_cedilla_forces_ucs2_while_capital_c_cedilla_n_tilde_and_a_grave_do_not() -> None:
    assert count_segments("Ça, niño, voilà") == SegmentCount(Encoding.GSM7, 1, 15, ())
    assert count_segments("ça") == SegmentCount(
        Encoding.UCS2, 1, 2, (ForcingCharacter("ç", 0, "c"),)
    )


@pytest.mark.parametrize(
    ("text", "segments", "parts"),
    [
        ("ç" + "a" * 69, 1, [70]),
        ("ç" + "a" * 70, 2, [67, 4]),
        ("ç" + "a" * 133, 2, [67, 67]),
        ("ç" + "a" * 134, 3, [67, 67, 1]),
    ],
)
def test_ucs2_holds_70_in_one_segment_and_67_in_each_part(
    text: str, segments: int, parts: list[int]
) -> None:
    counted = count_segments(text)
    assert (counted.encoding, counted.segments, counted.units) == (
        Encoding.UCS2,
        segments,
        len(text),
    )
    assert [len(part) for part in split_segments(text)] == parts


def test_a_character_outside_the_basic_plane_counts_two_units() -> None:
    assert count_segments(GRINNING).units == 2
    assert count_segments("中").units == 1
    assert count_segments(GRINNING * 35).segments == 1
    assert count_segments(GRINNING * 35 + "a").segments == 2


def test_a_surrogate_pair_is_never_split_across_parts() -> None:
    text = "a" * 66 + GRINNING + "a" * 10

    assert count_segments(text).units == 78
    assert split_segments(text) == ["a" * 66, GRINNING + "a" * 10]


def test_an_emoji_with_its_skin_tone_stays_in_one_part() -> None:
    text = "a" * 65 + THUMBS_UP_MEDIUM + "a" * 5

    assert count_segments(text).units == 74
    assert split_segments(text) == ["a" * 65, THUMBS_UP_MEDIUM + "a" * 5]
    assert count_segments(text).forcing == (ForcingCharacter(THUMBS_UP_MEDIUM, 65, ""),)


@pytest.mark.parametrize(
    "cluster",
    [
        "\u2764\ufe0f\u200d\U0001f525",  # heart on fire: a heart, a selector, a joiner, a fire
        "\U0001f1fa\U0001f1f8",  # a flag: two regional indicators
        "1\ufe0f\u20e3",  # a keycap
        "\u0e19\u0e49\u0e33",  # Thai: a letter, a tone mark, AM
        "\u1100\u1161\u11a8",  # a Hangul syllable in jamo
        "e\u0301\u0302",  # a letter and two accents
    ],
)
def test_a_cluster_stays_in_one_part(cluster: str) -> None:
    before = "\u00e7" + "a" * 65
    parts = split_segments(before + cluster + "a" * 10)

    assert parts == [before, cluster + "a" * 10]


def test_a_cluster_larger_than_a_part_is_cut_between_its_characters() -> None:
    text = "a" + "\u0301" * 100

    assert [len(part) for part in split_segments(text)] == [67, 34]
    assert count_segments(text).segments == 2


def test_a_gsm7_extension_character_counts_one_unit_in_a_ucs2_message() -> None:
    assert count_segments("€[ç").units == 3


def test_a_line_break_counts_as_gsm7_characters() -> None:
    assert count_segments("a\r\nb\nc") == SegmentCount(Encoding.GSM7, 1, 6, ())


def test_the_characters_forcing_ucs2_are_named_where_they_are_with_their_replacement() -> None:
    text = "It\u2019s \u201cfine\u201d \u2014 see you\u2026 \U0001f600"

    counted = count_segments(text)

    assert counted.encoding == Encoding.UCS2
    assert counted.forcing == (
        ForcingCharacter("\u2019", 2, "'"),
        ForcingCharacter("\u201c", 5, '"'),
        ForcingCharacter("\u201d", 10, '"'),
        ForcingCharacter("\u2014", 12, "-"),
        ForcingCharacter("\u2026", 21, "..."),
        ForcingCharacter(GRINNING, 23, ""),
    )
    assert plain_text(text) == 'It\'s "fine" - see you... ' + GRINNING


def test_a_character_forcing_ucs2_is_named_once_where_it_first_appears() -> None:
    text = "I\u2019m here, you\u2019re there, we\u2019ll talk"

    assert count_segments(text).forcing == (ForcingCharacter("\u2019", 1, "'"),)


def test_a_mark_after_a_line_break_stands_alone() -> None:
    assert count_segments("a\n\u0301").forcing == (ForcingCharacter("\u0301", 2, ""),)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("\u00bfQu\u00e9 tal? Est\u00e1 bien, \u00a1gracias!", "¿Qué tal? Esta bien, ¡gracias!"),
        ("cafe\u0301", "café"),  # a decomposed accent composes into GSM-7's é
        ("Fran\u00e7ois", "Francois"),
        ("10\u00a0am\u2009\u2013\u20092\u202fpm", "10 am - 2 pm"),
        ("tab\there", "tab here"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("line\u2028break", "line\nbreak"),
        ("\uff28\uff49", "Hi"),  # fullwidth letters
        ("x\u00b2 \u00bd \u00d7 3", "x2 1/2 x 3"),
        ("\u2153 cup, \ufb01ne", "1/3 cup, fine"),  # through their compatibility forms
        ("\u0153uvre \u00a9", "oeuvre (c)"),
        ("\u2018quoted\u2019 \u00abguillemets\u00bb", "'quoted' \"guillemets\""),
        (
            "heart \u2764\ufe0f and \U0001f44d\U0001f3fd",
            "heart \u2764\ufe0f and \U0001f44d\U0001f3fd",
        ),
        ("\u4e2d\u6587", "\u4e2d\u6587"),
    ],
)
def test_plain_text_replaces_what_has_a_gsm7_look_alike_and_keeps_the_rest(
    text: str, plain: str
) -> None:
    assert plain_text(text) == plain


@pytest.mark.parametrize(("character", "replacement"), sorted(REPLACEMENTS.items()))
def test_every_replacement_is_gsm7_and_replaces_its_character(
    character: str, replacement: str
) -> None:
    assert character not in GSM7
    assert set(replacement) <= GSM7
    assert plain_text(f"a{character}b") == f"a{replacement}b"
