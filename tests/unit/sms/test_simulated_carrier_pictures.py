"""The embedded mode's carrier serves the pictures phones sent from `media/` under its folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from kinlink_sms.adapters.simulated_carrier import SimulatedCarrier
from kinlink_sms.domain.ports import PictureGone


def test_a_picture_is_served_by_its_name_with_its_type(tmp_path: Path) -> None:
    carrier = SimulatedCarrier(tmp_path)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "dog.png").write_bytes(b"\x89PNG...")

    fetched = carrier.fetch_picture("https://media.example/sms/dog.png")

    assert (fetched.content, fetched.content_type) == (b"\x89PNG...", "image/png")
    for missing in ("https://media.example/sms/cat.png", "https://media.example/sms/"):
        with pytest.raises(PictureGone):
            carrier.fetch_picture(missing)
