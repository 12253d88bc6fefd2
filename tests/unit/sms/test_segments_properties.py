"""What holds of every text: the parts are the text, each fits its segment and none is left
short of what the next character needed, the counts agree with the encoding, and plain text
leaves nothing it could have replaced."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from kinlink_sms.domain.segments import GSM7
from kinlink_sms.domain.segments import GSM7_EXTENSION
from kinlink_sms.domain.segments import LIMITS
from kinlink_sms.domain.segments import Encoding
from kinlink_sms.domain.segments import count_segments
from kinlink_sms.domain.segments import plain_text
from kinlink_sms.domain.segments import split_segments

GSM7_ALPHABET = "".join(sorted(GSM7))
# Characters each a cluster of its own: UCS-2 parts of them are filled to the last unit or one
# short (when the next is a surrogate pair).
SIMPLE_UCS2 = GSM7_ALPHABET + "çá\u2019“—…中あ\U0001f600\U0001f389"

gsm7_texts = st.text(alphabet=GSM7_ALPHABET, max_size=700)
simple_ucs2_texts = st.text(alphabet=SIMPLE_UCS2, max_size=400)
# Anything a phone could send, and worse: marks on nothing, lone joiners, controls, any plane.
any_texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=400)


def units_in(encoding: Encoding, text: str) -> int:
    if encoding == Encoding.GSM7:
        return len(text) + sum(1 for character in text if character in GSM7_EXTENSION)
    return len(text.encode("utf-16-le")) // 2


@given(any_texts | gsm7_texts)
def test_the_parts_are_the_text_and_each_fits_its_segment(text: str) -> None:
    counted = count_segments(text)
    parts = split_segments(text)

    assert "".join(parts) == text
    assert len(parts) == counted.segments
    single, per_part = LIMITS[counted.encoding]
    limit = single if counted.segments == 1 else per_part
    assert all(units_in(counted.encoding, part) <= limit for part in parts)
    assert sum(units_in(counted.encoding, part) for part in parts) == counted.units


@given(any_texts | gsm7_texts)
def test_the_encoding_is_gsm7_exactly_when_every_character_is_and_units_follow_it(
    text: str,
) -> None:
    counted = count_segments(text)

    expected = Encoding.GSM7 if set(text) <= GSM7 else Encoding.UCS2
    assert counted.encoding == expected
    assert counted.units == units_in(expected, text)
    assert (counted.forcing == ()) == (expected == Encoding.GSM7)
    characters = [forcing.character for forcing in counted.forcing]
    assert len(set(characters)) == len(characters)
    for forcing in counted.forcing:
        assert (
            text[forcing.position : forcing.position + len(forcing.character)] == forcing.character
        )
        assert not set(forcing.character) <= GSM7
        assert set(forcing.replacement) <= GSM7


@given(gsm7_texts)
def test_gsm7_parts_are_full_but_for_an_escape_that_did_not_fit(text: str) -> None:
    parts = split_segments(text)

    if len(parts) > 1:
        assert all(units_in(Encoding.GSM7, part) in {152, 153} for part in parts[:-1])


@given(simple_ucs2_texts.filter(lambda text: not set(text) <= GSM7))
def test_ucs2_parts_are_full_but_for_a_surrogate_pair_that_did_not_fit(text: str) -> None:
    parts = split_segments(text)

    if len(parts) > 1:
        assert all(units_in(Encoding.UCS2, part) in {66, 67} for part in parts[:-1])


@given(any_texts | gsm7_texts, st.sampled_from(GSM7_ALPHABET))
def test_a_character_more_never_makes_fewer_segments(text: str, character: str) -> None:
    assert count_segments(text + character).segments >= count_segments(text).segments


@given(any_texts)
def test_plain_text_leaves_nothing_it_could_replace(text: str) -> None:
    plain = plain_text(text)

    assert plain_text(plain) == plain
    assert all(forcing.replacement == "" for forcing in count_segments(plain).forcing)
    if all(forcing.replacement for forcing in count_segments(text).forcing):
        assert count_segments(plain).encoding == Encoding.GSM7
