"""The portal's help pages: one Markdown file per topic and language, `<language>/<slug>.md`.

Each file starts with a front matter naming its title (the question as a family member asks it),
its section and its order within the section; the rest is the answer, in Markdown, which the
portal renders. The same slugs exist in every language, so a page can switch language in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

LANGUAGES = ("en", "es")
# The order the help index shows its sections in.
SECTIONS = ("accounts", "cards", "deposits", "messaging", "commissary", "visits", "sms", "support")
_FIELDS = ("title", "section", "order")
_FENCE = "---"


@dataclass(frozen=True)
class HelpTopic:
    slug: str
    title: str
    section: str
    order: int
    body: str  # Markdown


class MalformedTopic(ValueError):
    """A help file without a complete front matter: a mistake in the package, not in a request."""

    def __init__(self, slug: str, problem: str) -> None:
        super().__init__(f"help topic {slug!r}: {problem}")


class TopicNotFound(LookupError):
    def __init__(self, language: str, slug: str) -> None:
        super().__init__(f"no help topic {slug!r} in {language!r}")


def parse_topic(slug: str, text: str) -> HelpTopic:
    """A topic from its file's text: `---`, one `key: value` line per field, `---`, the body."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != _FENCE:
        raise MalformedTopic(slug, "it does not start with a front matter")
    end = next((i for i, line in enumerate(lines) if i and line.strip() == _FENCE), None)
    if end is None:
        raise MalformedTopic(slug, "its front matter is not closed")
    fields: dict[str, str] = {}
    for line in lines[1:end]:
        key, colon, value = line.partition(":")
        if not colon or key.strip() not in _FIELDS or key.strip() in fields:
            raise MalformedTopic(slug, f"unexpected front matter line {line!r}")
        fields[key.strip()] = value.strip()
    missing = [name for name in _FIELDS if not fields.get(name)]
    if missing:
        raise MalformedTopic(slug, f"its front matter lacks {', '.join(missing)}")
    if fields["section"] not in SECTIONS:
        raise MalformedTopic(slug, f"unknown section {fields['section']!r}")
    if not fields["order"].isdigit():
        raise MalformedTopic(slug, f"order {fields['order']!r} is not a whole number")
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        raise MalformedTopic(slug, "it has no answer")
    return HelpTopic(slug, fields["title"], fields["section"], int(fields["order"]), body + "\n")


def load_topics(language: str) -> list[HelpTopic]:
    """Every topic in `language`, by section (in SECTIONS' order), then order, then slug."""
    return list(_topics(_checked(language)))


def topic(language: str, slug: str) -> HelpTopic:
    for candidate in _topics(_checked(language)):
        if candidate.slug == slug:
            return candidate
    raise TopicNotFound(language, slug)


def _checked(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"help is written in {', '.join(LANGUAGES)}, not {language!r}")
    return language


@cache  # the files ship inside the package and do not change while it runs
def _topics(language: str) -> tuple[HelpTopic, ...]:
    folder = resources.files(__package__) / language
    topics = [
        parse_topic(entry.name.removesuffix(".md"), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".md")
    ]
    return tuple(
        sorted(topics, key=lambda each: (SECTIONS.index(each.section), each.order, each.slug))
    )
