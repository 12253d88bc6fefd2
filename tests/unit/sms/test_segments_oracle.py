"""Segment counting checked against Twilio's own calculator (npm `sms-segments-calculator`,
installed by `make test` and `make test-unit`) over thousands of generated messages: the same
encoding, segments, units and parts. One Node.js process answers the whole batch."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from kinlink_sms.domain.segments import GSM7_BASIC
from kinlink_sms.domain.segments import GSM7_EXTENSION
from kinlink_sms.domain.segments import count_segments
from kinlink_sms.domain.segments import split_segments

from tests.conftest import ROOT

CALCULATOR = ROOT / ".cache" / "tools" / "sms-segments" / "node_modules" / "sms-segments-calculator"
RUNNER = Path(__file__).with_name("segment_oracle.cjs")
MESSAGES = 4000
SEED = 13  # the same messages every run: a difference found is found again

BASIC = "".join(sorted(GSM7_BASIC))
EXTENSION = "".join(sorted(GSM7_EXTENSION))
# What phones send beyond GSM-7, one reader-visible character each: accented letters, smart
# punctuation, other scripts, emoji in the basic plane and beyond, with skin tones, joined into
# families, flags (a subdivision's with tags), keycaps, decomposed accents, Thai and Hangul.
# Not the emoji sequences newer than the calculator's Unicode 10 (decision 40).
NOT_GSM7 = [
    *"çáíóúêõÁÍÓÚ\u2019\u2018“”—\u2013…•\u00a0\u200b`中文あ한☺❤αбשع",
    *"😀😂🙏🎉💪🥰🤣",
    "👍🏽",
    "🤟🏻",
    "❤️",
    "👨\u200d👩\u200d👧",
    "👩\u200d❤️\u200d👨",
    "🏳️\u200d🌈",
    "👩\u200d💻",
    "🇺🇸",
    "🇲🇽",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "1️⃣",
    "e\u0301",
    "n\u0303",
    "a\u0301\u0301\u0301",
    "\u0301",
    "\u0e19\u0e49\u0e33",  # Thai: a letter, a tone mark, and AM after them
    "\u1100\u1161\u11a8",  # a Hangul syllable in jamo
]
LINE_BREAKS = ["\n", "\r\n", "\r"]
# Around where one segment becomes two, and two three, in each encoding.
GSM7_LENGTHS = [(150, 170), (300, 312), (450, 465), (1, 700)]
UCS2_LENGTHS = [(60, 75), (128, 140), (195, 206), (1, 400)]


def message(rng: random.Random) -> str:
    kind = rng.choice(["gsm7", "gsm7", "one_forcing", "mixed", "emoji"])
    low, high = rng.choice(UCS2_LENGTHS if kind in {"mixed", "emoji"} else GSM7_LENGTHS)
    length = rng.randint(low, high)
    pieces: list[str] = []
    while sum(map(len, pieces)) < length:
        pieces.append(piece(rng, kind))
    if kind == "one_forcing":
        pieces.insert(rng.randrange(len(pieces) + 1), rng.choice(NOT_GSM7))
    return "".join(pieces)


def piece(rng: random.Random, kind: str) -> str:
    draw = rng.random()
    if draw < 0.03:
        return rng.choice(LINE_BREAKS)
    if draw < 0.12:
        return rng.choice(EXTENSION)
    if (kind == "mixed" and draw < 0.3) or (kind == "emoji" and draw < 0.7):
        return rng.choice(NOT_GSM7)
    return rng.choice(BASIC)


def calculator_answers(texts: list[str]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed: the segment oracle runs with `node`", pytrace=False)
    if not CALCULATOR.exists():
        pytest.fail(
            f"sms-segments-calculator is missing ({CALCULATOR.relative_to(ROOT)}): "
            "`make test-unit` fetches it with npm; `make test` does it for you",
            pytrace=False,
        )
    done = subprocess.run(
        [node, str(RUNNER), str(CALCULATOR)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        timeout=600,
    )
    answers: list[dict[str, Any]] = json.loads(done.stdout)
    return answers


def ours(text: str) -> dict[str, Any]:
    count = count_segments(text)
    return {
        "encoding": {"gsm7": "GSM-7", "ucs2": "UCS-2"}[count.encoding],
        "segments": count.segments,
        "units": count.units,
        "parts": split_segments(text),
    }


def test_segments_match_twilios_calculator_over_thousands_of_messages() -> None:
    rng = random.Random(SEED)
    texts = [message(rng) for _ in range(MESSAGES)]

    answers = calculator_answers(texts)

    counted = [(text, expected, ours(text)) for text, expected in zip(texts, answers, strict=True)]
    differences = [(text, expected, got) for text, expected, got in counted if got != expected]
    assert not differences, (
        f"{len(differences)} of {MESSAGES} messages counted otherwise than the calculator; "
        f"the first (text, calculator, ours): {differences[0]!r}"
    )
    # the batch reached what it is for: both encodings, parts up to three and more
    assert {answer["encoding"] for answer in answers} == {"GSM-7", "UCS-2"}
    assert {1, 2, 3, 4} <= {answer["segments"] for answer in answers}
