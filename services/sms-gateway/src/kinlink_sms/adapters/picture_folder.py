"""The pictures of SMS replies as files under the data directory: `sms-pictures/<reply id>/<n>`.

A folder works as it is in the embedded mode; in the distributed mode each replica keeps what it
fetched, and a replica asked for a picture it does not hold fetches it again from the carrier,
checked against the digest recorded (`reply_picture`). A write goes to a hidden file renamed
over its target, so a reader never sees half a picture. What it holds is bounded (`max_bytes`):
the pictures written longest ago go first, fetched again if asked for, so the folder never
outgrows the volume it is on (a Kubernetes emptyDir over its size evicts the pod).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from uuid import UUID

from kinlink_sms.domain.ports import PictureGone

# Twenty pictures at the facilities' default largest (5 MB).
DEFAULT_MAX_BYTES = 100_000_000


class FolderPictureStore:
    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes

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
        self._keep_within_bound()

    def _keep_within_bound(self) -> None:
        """Remove the pictures written longest ago until the rest fit in `max_bytes`."""
        kept = []
        for path in self.root.glob("*/*"):
            with contextlib.suppress(FileNotFoundError):  # another thread removed it
                stat = path.stat()
                kept.append((stat.st_mtime_ns, stat.st_size, path))
        total = sum(size for _, size, _ in kept)
        for _, size, path in sorted(kept):
            if total <= self.max_bytes:
                return
            path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # the reply's folder, once empty
                path.parent.rmdir()
            total -= size

    def get(self, inbound_id: UUID, index: int) -> bytes:
        try:
            return self._path(inbound_id, index).read_bytes()
        except FileNotFoundError:
            raise PictureGone() from None
