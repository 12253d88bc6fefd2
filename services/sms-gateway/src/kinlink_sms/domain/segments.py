"""How many segments an SMS costs, counted as the carrier counts them (3GPP TS 23.038 and 23.040,
as Twilio's segment calculator applies them; decision 40).

An SMS carries 140 octets. Text made only of GSM-7 characters takes 7 bits a character (the
extension characters `^{}\\[~]|€` and form feed take two: an escape, then the character): 160 in
one segment. Any other character makes the whole message UCS-2, 16 bits a UTF-16 code unit
(a character outside the basic plane is a surrogate pair: two units): 70 in one segment. A longer
message is sent in parts, each with a 6-octet header joining them: 153 septets or 67 units a part.
A part never ends inside an escape, a surrogate pair, or a character cluster (a letter and the
marks on it, an emoji and its skin tone or its zero-width-joined companions, a flag's two letters),
so a part may hold fewer than its most.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True)
class ForcingCharacter:
    """A character (or cluster: an emoji with its skin tone) that made the message UCS-2, where
    it starts in the text (code points), and the GSM-7 text suggested instead ("" when none,
    or when the character is invisible and plain text simply drops it)."""

    character: str
    position: int
    replacement: str


@dataclass(frozen=True)
class SegmentCount:
    """`units`: septets in GSM-7 (an extension character counts two), UTF-16 code units in
    UCS-2; headers not included."""

    encoding: Encoding
    segments: int
    units: int
    forcing: tuple[ForcingCharacter, ...]


GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")  # each sent as the escape septet and its own
GSM7 = GSM7_BASIC | GSM7_EXTENSION

# (units in one segment, units in each part of a longer message): 140 octets, less a part's
# 6-octet header (1072 bits: 153 septets, 67 UTF-16 units).
LIMITS = {Encoding.GSM7: (160, 153), Encoding.UCS2: (70, 67)}

# What a phone's smart punctuation and other look-alikes become in plain text. Checked: every
# replacement is GSM-7. Letters with accents GSM-7 lacks (á, ç, ê...) lose the accent without
# a table: see `_replacement_of`.
REPLACEMENTS = {
    # quotation marks and apostrophes
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark (the iPhone's apostrophe)
    "\u201a": "'",  # single low-9 quotation mark
    "\u201b": "'",  # single high-reversed-9 quotation mark
    "\u2032": "'",  # prime
    "\u2039": "'",  # single left-pointing angle quotation mark
    "\u203a": "'",  # single right-pointing angle quotation mark
    "\u02bc": "'",  # modifier letter apostrophe
    "\u02bb": "'",  # modifier letter turned comma
    "\u00b4": "'",  # acute accent
    "`": "'",  # grave accent: ASCII, but not GSM-7
    "\u201c": '"',  # left double quotation mark
    "\u201d": '"',  # right double quotation mark
    "\u201e": '"',  # double low-9 quotation mark
    "\u201f": '"',  # double high-reversed-9 quotation mark
    "\u2033": '"',  # double prime
    "\u00ab": '"',  # left-pointing double angle quotation mark
    "\u00bb": '"',  # right-pointing double angle quotation mark
    # dashes, hyphens, bullets
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u2022": "-",  # bullet
    "\u2023": "-",  # triangular bullet
    "\u2043": "-",  # hyphen bullet
    "\u00b7": ".",  # middle dot
    # spaces, line breaks, invisible characters
    "\t": " ",
    "\u00a0": " ",  # no-break space
    "\u1680": " ",  # ogham space mark
    **dict.fromkeys("\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a", " "),
    "\u202f": " ",  # narrow no-break space
    "\u205f": " ",  # medium mathematical space
    "\u3000": " ",  # ideographic space
    "\u0085": "\n",  # next line
    "\u2028": "\n",  # line separator
    "\u2029": "\n",  # paragraph separator
    "\u00ad": "",  # soft hyphen
    "\u200b": "",  # zero-width space
    "\u200c": "",  # zero-width non-joiner
    "\u200d": "",  # zero-width joiner (outside an emoji)
    "\u2060": "",  # word joiner
    "\ufeff": "",  # zero-width no-break space (byte order mark)
    "\ufe0f": "",  # emoji presentation selector after a GSM-7 character
    # punctuation and symbols
    "\u2026": "...",  # horizontal ellipsis
    "\u203c": "!!",  # double exclamation mark
    "\u2047": "??",  # double question mark
    "\u2048": "?!",  # question exclamation mark
    "\u2049": "!?",  # exclamation question mark
    "\u3002": ".",  # ideographic full stop
    "\u3001": ",",  # ideographic comma
    "\u00a6": "|",  # broken bar
    "\u02c6": "^",  # modifier letter circumflex accent
    "\u02dc": "~",  # small tilde
    "\u2044": "/",  # fraction slash
    "\u2215": "/",  # division slash
    "\u00f7": "/",  # division sign
    "\u00d7": "x",  # multiplication sign
    "\u00b1": "+/-",  # plus-minus sign
    "\u2264": "<=",  # less-than or equal to
    "\u2265": ">=",  # greater-than or equal to
    "\u00bc": "1/4",  # vulgar fraction one quarter
    "\u00bd": "1/2",  # vulgar fraction one half
    "\u00be": "3/4",  # vulgar fraction three quarters
    "\u00a9": "(c)",  # copyright sign
    "\u00ae": "(R)",  # registered sign
    "\u2122": "TM",  # trade mark sign
    "\u00a2": "c",  # cent sign
    # letters without a decomposition to a plain one
    "\u0153": "oe",  # latin small ligature oe
    "\u0152": "OE",  # latin capital ligature oe
    "\u0142": "l",  # latin small letter l with stroke
    "\u0141": "L",  # latin capital letter l with stroke
    "\u0111": "d",  # latin small letter d with stroke
    "\u0110": "D",  # latin capital letter d with stroke
    "\u0131": "i",  # dotless i
    "\u00f0": "d",  # latin small letter eth
    "\u00d0": "D",  # latin capital letter eth
    "\u00fe": "th",  # latin small letter thorn
    "\u00de": "Th",  # latin capital letter thorn
}

_ZWJ = "\u200d"
_JOINERS = frozenset("\u200c\u200d")
_MARKS = frozenset({"Mn", "Me", "Mc"})
_BREAKING = frozenset({"Cc", "Zl", "Zp"})  # never part of a cluster
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_TAGS = range(0xE0020, 0xE0080)  # subdivision flags (England, Scotland, Wales)


def count_segments(text: str) -> SegmentCount:
    """The encoding, segments and units of `text` as sent; "" is 0 segments."""
    if _is_gsm7(text):
        units = len(text) + sum(1 for character in text if character in GSM7_EXTENSION)
        segments = _segments_needed(_gsm7_units(text), units, Encoding.GSM7)
        return SegmentCount(Encoding.GSM7, segments, units, ())
    clusters = _clusters(text)
    sizes = [_utf16_units(cluster) for cluster in clusters]
    units = sum(sizes)
    segments = _segments_needed(sizes, units, Encoding.UCS2)
    return SegmentCount(Encoding.UCS2, segments, units, _forcing(clusters))


def split_segments(text: str) -> list[str]:
    """The parts `text` is sent in, never splitting an escape, a surrogate pair or a cluster."""
    if _is_gsm7(text):
        pieces = list(text)
        sizes = _gsm7_units(text)
        encoding = Encoding.GSM7
    else:
        pieces = _clusters(text)
        sizes = [_utf16_units(cluster) for cluster in pieces]
        encoding = Encoding.UCS2
    return ["".join(pieces[start:end]) for start, end in _parts(sizes, encoding)]


def plain_text(text: str) -> str:
    """`text` with every character GSM-7 lacks replaced where a replacement exists (a curly
    apostrophe -> ', curly quotes -> ", an ellipsis -> ..., á -> a, a no-break space -> a
    space); emoji and other scripts stay."""
    if _is_gsm7(text):
        return text
    return "".join(_plain_cluster(cluster) for cluster in _clusters(text))


def _plain_cluster(cluster: str) -> str:
    replacement = _replacement_of(cluster)
    return cluster if replacement is None else replacement


def _is_gsm7(text: str) -> bool:
    return GSM7.issuperset(text)


def _gsm7_units(text: str) -> list[int]:
    return [2 if character in GSM7_EXTENSION else 1 for character in text]


def _utf16_units(text: str) -> int:
    return len(text) + sum(1 for character in text if ord(character) > 0xFFFF)


def _segments_needed(sizes: list[int], units: int, encoding: Encoding) -> int:
    if units == 0:
        return 0
    if units <= LIMITS[encoding][0]:
        return 1
    return len(_parts(sizes, encoding))


def _parts(sizes: list[int], encoding: Encoding) -> list[tuple[int, int]]:
    """(start, end) of each part over pieces of `sizes` units: all in one segment if they fit,
    else filled in turn, a piece that does not fit what is left of a part opening the next.
    A cluster larger than a whole part (a letter under dozens of marks) fills parts alone."""
    single, per_part = LIMITS[encoding]
    if sum(sizes) <= single:
        return [(0, len(sizes))] if sizes else []
    parts: list[tuple[int, int]] = []
    start, used = 0, 0
    for i, size in enumerate(sizes):
        if used + size > per_part and i > start:
            parts.append((start, i))
            start, used = i, 0
        used += size
    parts.append((start, len(sizes)))
    return parts


def _clusters(text: str) -> list[str]:
    """`text` cut into what a reader sees as one character (after Unicode's grapheme clusters,
    UAX #29, for the cases phones send): a character with the marks, joiners, skin tone and
    tags after it, a zero-width-joined emoji sequence, a pair of regional indicators (a flag).
    Line breaks and other controls stand alone, CR and LF too (each is a GSM-7 character)."""
    clusters: list[str] = []
    for character in text:
        if clusters and _continues(clusters[-1], character):
            clusters[-1] += character
        else:
            clusters.append(character)
    return clusters


def _continues(cluster: str, character: str) -> bool:
    if _breaks(cluster[-1]) or _breaks(character):
        return False
    point = ord(character)
    if (
        character in _JOINERS
        or unicodedata.category(character) in _MARKS
        or point in _SKIN_TONES
        or point in _TAGS
    ):
        return True
    if cluster[-1] == _ZWJ:  # an emoji sequence: a pictograph, a joiner, a pictograph...
        return _is_pictograph(cluster[0]) and _is_pictograph(character)
    return (
        point in _REGIONAL_INDICATORS and len(cluster) == 1 and ord(cluster) in _REGIONAL_INDICATORS
    )


def _is_pictograph(character: str) -> bool:
    return unicodedata.category(character) == "So"


def _breaks(character: str) -> bool:
    category = unicodedata.category(character)
    return category in _BREAKING or (
        category == "Cf" and character not in _JOINERS and ord(character) not in _TAGS
    )


def _forcing(clusters: list[str]) -> tuple[ForcingCharacter, ...]:
    forcing = []
    position = 0
    for cluster in clusters:
        if not _is_gsm7(cluster):
            replacement = _replacement_of(cluster)
            forcing.append(ForcingCharacter(cluster, position, replacement or ""))
        position += len(cluster)
    return tuple(forcing)


def _replacement_of(cluster: str) -> str | None:
    """GSM-7 text for a cluster GSM-7 lacks ("" to drop it), or None when there is none: its
    composed form if that is GSM-7 (e and a combining acute: é), else each character from the
    table, or its compatibility form without accents (á: a, a fullwidth letter: the letter,
    ²: 2), combining marks dropped."""
    composed = unicodedata.normalize("NFC", cluster)
    if _is_gsm7(composed):
        return composed
    replaced = []
    for character in composed:
        if character in GSM7:
            replaced.append(character)
        elif character in REPLACEMENTS:
            replaced.append(REPLACEMENTS[character])
        elif unicodedata.category(character) in _MARKS:
            continue
        else:
            plain = _without_marks(character)
            # a lone accent (¨, ˚) decomposes to a space and its mark: no replacement
            if not plain.strip() or not _is_gsm7(plain):
                return None
            replaced.append(plain)
    return "".join(replaced)


def _without_marks(character: str) -> str:
    decomposed = unicodedata.normalize("NFKD", character)
    return "".join(c for c in decomposed if unicodedata.category(c) not in _MARKS)
