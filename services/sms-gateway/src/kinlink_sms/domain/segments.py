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

import functools
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True)
class ForcingCharacter:
    """A character (or cluster: an emoji with its skin tone) that made the message UCS-2, where
    it first appears in the text (code points from 0), and the GSM-7 text suggested instead (""
    when none, or when the character is invisible and plain text simply drops it)."""

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
_BREAKING = frozenset({"Cc", "Zl", "Zp", "Cf"})  # but for the joiners and tags
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_TAGS = range(0xE0020, 0xE0080)  # subdivision flags (England, Scotland, Wales)
_SPACING_LETTERS = frozenset("\u0e33\u0eb3")  # Thai and Lao AM: letters that extend as marks
# Hangul's conjoining jamo, leading consonants, vowels and trailing consonants, make a syllable.
_LEADING = "[\u1100-\u115f\ua960-\ua97c]"
_VOWEL = "[\u1160-\u11a7\ud7b0-\ud7c6]"
_TRAILING = "[\u11a8-\u11ff\ud7cb-\ud7fb]"
_SYLLABLES = range(0xAC00, 0xD7A4)  # composed: a vowel-ending one takes vowels and trailing
# Where every mark, symbol and control is: planes 0 and 1, and the tags and variation selectors
# of plane 14 (planes 2 and 3 hold only ideographs; 15 and 16 private use).
_PLANES_READ = (range(0x20000), range(0xE0000, 0xE1000))


def _character_classes() -> dict[str, str]:
    """Regular-expression classes of the characters that shape clusters, from the Unicode data:
    `breaking` (controls, line and paragraph separators, invisible formatting: alone),
    `extending` (marks, joiners, skin tones, tags: kept with what they follow), `pictographic`
    (symbols, emoji among them: joined by a zero-width joiner)."""
    ranges: dict[str, list[list[int]]] = {"breaking": [], "extending": [], "pictographic": []}
    for plane in _PLANES_READ:
        for point in plane:
            kind = _kind(chr(point))
            if kind is None:
                continue
            found = ranges[kind]
            if found and found[-1][1] == point - 1:
                found[-1][1] = point
            else:
                found.append([point, point])
    return {kind: _class_of(found) for kind, found in ranges.items()}


def _class_of(ranges: list[list[int]]) -> str:
    """The class as two: the basic plane's, which the regular expression engine tests as a
    bitmap, and the others' (a list it scans), tested only for a character beyond."""
    basic = [(low, high) for low, high in ranges if high <= 0xFFFF]
    beyond = [(low, high) for low, high in ranges if high > 0xFFFF]
    return f"(?:{_ranges_class(basic)}|(?=[\\U00010000-\\U0010ffff]){_ranges_class(beyond)})"


def _ranges_class(ranges: list[tuple[int, int]]) -> str:
    return "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges) + "]"


def _kind(character: str) -> str | None:
    category = unicodedata.category(character)
    point = ord(character)
    if (
        character in _JOINERS
        or character in _SPACING_LETTERS
        or category in _MARKS
        or point in _SKIN_TONES
        or point in _TAGS
    ):
        return "extending"
    if category in _BREAKING:
        return "breaking"
    return "pictographic" if category == "So" else None


def _cluster_pattern(classes: dict[str, str]) -> re.Pattern[str]:
    """A cluster: a control alone; a flag (two regional indicators); a pictograph with what
    extends it and the pictographs joined to it by zero-width joiners; a Hangul syllable of
    jamo; or any character with what extends it. Unicode's grapheme clusters (UAX #29) but for
    prepended characters; CR LF are two clusters, as they are two GSM-7 characters."""
    breaking, extending, pictographic = (
        classes["breaking"],
        classes["extending"],
        classes["pictographic"],
    )
    not_joining = f"(?:(?!{_ZWJ}){extending})"
    flag = "[\\U0001f1e6-\\U0001f1ff]"
    open_syllable = "[" + "".join(chr(point) for point in _SYLLABLES[::28]) + "]"
    closed_syllable = "[\uac00-\ud7a3]"
    syllable = (
        f"(?:{_LEADING}*(?:{_VOWEL}+|{open_syllable}{_VOWEL}*|{closed_syllable}){_TRAILING}*"
        f"|{_LEADING}+|{_TRAILING}+)"
    )
    return re.compile(
        f"{breaking}"
        f"|{flag}{flag}{extending}*"
        f"|{pictographic}(?:{not_joining}|{_ZWJ}{pictographic}|{_ZWJ})*"
        f"|{syllable}{extending}*"
        f"|.{extending}*",
        re.DOTALL,
    )


_CLASSES = _character_classes()
_CLUSTER = _cluster_pattern(_CLASSES)
# none in a text: each character a cluster
_SHAPING = re.compile("|".join([*_CLASSES.values(), _LEADING, _VOWEL, _TRAILING]))


def count_segments(text: str) -> SegmentCount:
    """The encoding, segments and units of `text` as sent; "" is 0 segments."""
    if _is_gsm7(text):
        escapes = sum(map(text.count, GSM7_EXTENSION))
        units = len(text) + escapes
        if escapes == 0:  # every part full: no escape can be left over
            segments = _segments_of_equal_units(units, Encoding.GSM7)
        else:
            segments = len(_parts(_gsm7_units(text), Encoding.GSM7))
        return SegmentCount(Encoding.GSM7, segments, units, ())
    clusters = _clusters(text)
    units = _utf16_units(text)
    if units == len(clusters):  # every cluster one unit: every part full
        segments = _segments_of_equal_units(units, Encoding.UCS2)
    else:
        segments = len(_parts(_ucs2_sizes(_ucs2_pieces(clusters)), Encoding.UCS2))
    return SegmentCount(Encoding.UCS2, segments, units, _forcing(clusters))


def split_segments(text: str) -> list[str]:
    """The parts `text` is sent in, never splitting an escape, a surrogate pair or a cluster."""
    if _is_gsm7(text):
        pieces = list(text)
        sizes = _gsm7_units(text)
        encoding = Encoding.GSM7
    else:
        pieces = _ucs2_pieces(_clusters(text))
        sizes = _ucs2_sizes(pieces)
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
    return len(text.encode("utf-16-le")) // 2


def _ucs2_sizes(pieces: list[str]) -> list[int]:
    # most pieces are one character of the basic plane: one unit, without encoding it
    return [1 if len(piece) == 1 and piece <= "\uffff" else _utf16_units(piece) for piece in pieces]


def _segments_of_equal_units(units: int, encoding: Encoding) -> int:
    single, per_part = LIMITS[encoding]
    return 0 if units == 0 else 1 if units <= single else -(-units // per_part)


def _parts(sizes: list[int], encoding: Encoding) -> list[tuple[int, int]]:
    """(start, end) of each part over pieces of `sizes` units: all in one segment if they fit,
    else filled in turn, a piece that does not fit what is left of a part opening the next."""
    single, per_part = LIMITS[encoding]
    if sum(sizes) <= single:
        return [(0, len(sizes))] if sizes else []
    parts: list[tuple[int, int]] = []
    start, used = 0, 0
    for i, size in enumerate(sizes):
        if used + size > per_part:
            parts.append((start, i))
            start, used = i, 0
        used += size
    parts.append((start, len(sizes)))
    return parts


def _ucs2_pieces(clusters: list[str]) -> list[str]:
    """What a part may not split: the clusters, but for one larger than a whole part (a letter
    under dozens of marks), cut into its characters: it could not be sent otherwise."""
    per_part = LIMITS[Encoding.UCS2][1]
    pieces: list[str] = []
    for cluster in clusters:
        if len(cluster) > per_part // 2 and _utf16_units(cluster) > per_part:
            pieces.extend(cluster)
        else:
            pieces.append(cluster)
    return pieces


def _clusters(text: str) -> list[str]:
    """`text` cut into what a reader sees as one character (`_cluster_pattern`)."""
    return _CLUSTER.findall(text) if _SHAPING.search(text) else list(text)


def _forcing(clusters: list[str]) -> tuple[ForcingCharacter, ...]:
    """Each cluster GSM-7 lacks, once, where it first appears."""
    forcing: dict[str, ForcingCharacter] = {}
    position = 0
    for cluster in clusters:
        if cluster not in GSM7 and cluster not in forcing:  # a GSM-7 cluster is one character
            replacement = _replacement_of(cluster)
            forcing[cluster] = ForcingCharacter(cluster, position, replacement or "")
        position += len(cluster)
    return tuple(forcing.values())


@functools.lru_cache(maxsize=4096)
def _replacement_of(cluster: str) -> str | None:
    """GSM-7 text for a cluster GSM-7 lacks ("" to drop it), or None when there is none: its
    composed form if that is GSM-7 (e and a combining acute: é), else its characters replaced
    one by one."""
    composed = unicodedata.normalize("NFC", cluster)
    if _is_gsm7(composed):
        return composed
    return _plain_characters(composed, decompose=True)


def _plain_characters(text: str, *, decompose: bool) -> str | None:
    """Each character kept if GSM-7, else replaced from the table, else (once) by its
    compatibility form's characters (á: a and a mark, ⅓: 1, a fraction slash and 3, a fullwidth
    letter: the letter); marks dropped. None when one of them has no replacement."""
    replaced = []
    for character in text:
        if character in GSM7:
            replaced.append(character)
        elif character in REPLACEMENTS:
            replaced.append(REPLACEMENTS[character])
        elif unicodedata.category(character) in _MARKS:
            continue
        else:
            compatible = unicodedata.normalize("NFKD", character)
            plain = _plain_characters(compatible, decompose=False) if decompose else None
            # a lone accent (¨, ˚) is a space and a mark: no replacement
            if not plain or plain.isspace():
                return None
            replaced.append(plain)
    return "".join(replaced)
