"""The SMS gateway's folder of reply pictures stays within its bound, the oldest going first."""

from __future__ import annotations

import os
from pathlib import Path
from uuid import uuid4

import pytest
from kinlink_sms.adapters.picture_folder import FolderPictureStore
from kinlink_sms.domain.ports import PictureGone


def test_the_pictures_written_longest_ago_go_first_once_over_the_bound(tmp_path: Path) -> None:
    folder = FolderPictureStore(tmp_path, max_bytes=100)
    first, second, third = uuid4(), uuid4(), uuid4()
    for at, reply in enumerate((first, second)):
        folder.put(reply, 0, b"x" * 40)
        os.utime(tmp_path / str(reply) / "0", ns=(at, at))  # written in this order

    folder.put(third, 0, b"z" * 40)

    with pytest.raises(PictureGone):
        folder.get(first, 0)
    assert (folder.get(second, 0), folder.get(third, 0)) == (b"x" * 40, b"z" * 40)
    assert not (tmp_path / str(first)).exists()
