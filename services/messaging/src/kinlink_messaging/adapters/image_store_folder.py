"""Images as files under one folder: the embedded mode keeps them in `var/images`.

A write goes to a hidden file beside its target and is renamed over it, so a reader sees the
old image or the new one, never half of one, and a crash leaves no torn file under a key. The
folder cannot sign URLs: its images are served through the API.
"""

from __future__ import annotations

import os
import uuid
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

from kinlink_messaging.adapters.image_keys import checked_key
from kinlink_messaging.domain.ports import ImageGone
from kinlink_messaging.domain.ports import ImageStore


class FolderImageStore(ImageStore):
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / checked_key(key)

    def put(self, key: str, content: bytes, content_type: str) -> None:
        # The content type is not kept: the message's image reference records it.
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        unfinished = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        try:
            with unfinished.open("wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(unfinished, path)
        finally:
            unfinished.unlink(missing_ok=True)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            raise ImageGone() from None

    def delete(self, key: str) -> None:
        path = self._path(key)
        with suppress(NotADirectoryError):  # a file where the key has a folder: nothing there
            path.unlink(missing_ok=True)

    def signed_url(self, key: str, lifetime: timedelta) -> str | None:
        checked_key(key)
        return None
