"""The pictures of SMS replies as files under the data directory: `sms-pictures/<reply id>/<n>`.

A folder works as it is in the embedded mode; in the distributed mode each replica keeps what it
fetched, and a replica asked for a picture it does not hold fetches it again from the carrier,
checked against the digest recorded (`reply_picture`). A write goes to a hidden file renamed
over its target, so a reader never sees half a picture.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from uuid import UUID

from kinlink_sms.domain.ports import PictureGone


class FolderPictureStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, inbound_id: UUID, index: int) -> Path:
        return self.root / str(inbound_id) / str(int(index))

    def put(self, inbound_id: UUID, index: int, content: bytes) -> None:
        path = self._path(inbound_id, index)
        path.parent.mkdir(parents=True, exist_ok=True)
        unfinished = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        try:
            unfinished.write_bytes(content)
            os.replace(unfinished, path)
        finally:
            unfinished.unlink(missing_ok=True)

    def get(self, inbound_id: UUID, index: int) -> bytes:
        try:
            return self._path(inbound_id, index).read_bytes()
        except FileNotFoundError:
            raise PictureGone() from None
