"""Screenshots of the pages the browser journeys visit, for the documentation: with
KINLINK_SCREENSHOTS set to a folder (`make screenshots`), each page a visitor reaches is written
as `<folder>/<journey>/<nn>-<page>-<width>.png` at a phone's and a computer's width (the
viewport only, to keep them small). `python -m tests.browser.portal.screenshots <folder>`
writes the folder's README, an index of them."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Page

SETTING = "KINLINK_SCREENSHOTS"
# (width, height) of an iPhone 12 to 15 and of a small laptop, in CSS pixels.
VIEWPORTS = ((390, 844), (1280, 800))
_NAMED = re.compile(r"(\d+)-(.+)-(\d+)\.png")
# Ids a run makes up (a quote's or a deposit's uuid, a receipt number, the run's own facility
# FAC-PORTAL-1a2b3c4d) would name the same page differently in every run: they are named "id".
_MADE_UP_ID = re.compile(
    r"(?<![a-z0-9])(?:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|(?=[a-f]*[0-9])[0-9a-f]{8,})"
    r"(?![a-z0-9])"
)


def folder() -> Path | None:
    """Where to write screenshots, if asked to (never in `make test`)."""
    setting = os.environ.get(SETTING, "")
    return Path(setting) if setting else None


def page_name(url: str) -> str:
    """e.g. /console/facilities/FAC-EAST/edit -> console-facilities-fac-east-edit."""
    path = urlsplit(url).path.strip("/").lower()
    return _MADE_UP_ID.sub("id", re.sub(r"[^a-z0-9]+", "-", path)).strip("-") or "home"


@dataclass
class Camera:
    """Photographs each page of one journey, numbered in the order it reaches them."""

    journey: Path
    taken: int = 0

    async def shoot(self, page: Page, shown: str = "") -> None:
        """`shown`: a CSS selector of what the page is photographed for, scrolled into view where
        it lies below the first screen (a phone's, most often)."""
        self.taken += 1
        self.journey.mkdir(parents=True, exist_ok=True)
        before = page.viewport_size
        for width, height in VIEWPORTS:
            await page.set_viewport_size({"width": width, "height": height})
            if shown:
                await page.locator(shown).scroll_into_view_if_needed()
            name = f"{self.taken:02d}-{page_name(page.url)}-{width}.png"
            await page.screenshot(path=self.journey / name)
        if before:
            await page.set_viewport_size(before)


def index(root: Path) -> str:
    """The README of `root`: each journey's pages in order, phone and computer side by side."""
    lines = [
        "# Screenshots of the portal",
        "",
        "The pages the browser journeys (`tests/browser/portal`) visit, at a phone's width "
        f"({VIEWPORTS[0][0]} px) and a computer's ({VIEWPORTS[1][0]} px). `make screenshots` "
        "takes them again.",
    ]
    for journey in sorted(path for path in root.iterdir() if path.is_dir()):
        lines += ["", f"## {journey.name.replace('_', ' ').capitalize()}", ""]
        lines += ["| # | page | phone | computer |", "| --- | --- | --- | --- |"]
        shots: dict[tuple[str, str], dict[str, str]] = {}
        for shot in sorted(journey.glob("*.png")):
            named = _NAMED.fullmatch(shot.name)
            if named:
                number, page, width = named.groups()
                shots.setdefault((number, page), {})[width] = f"{journey.name}/{shot.name}"
        for (number, page), widths in sorted(shots.items()):
            cells = [f"[{width} px]({widths[str(width)]})" for width, _ in VIEWPORTS]
            lines.append(f"| {int(number)} | `{page}` | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    root = Path(sys.argv[1])
    (root / "README.md").write_text(index(root))
