"""What ID verification needs kept, encrypted, and erased when the account is closed.

Kept: the legal name, date of birth and address; never the SSN, not even encrypted (the
provider's reference, in the account's events, is what support and audits use). Each account's
documents are sealed with a data key of their own (Fernet), stored wrapped by the master key from
the settings (`personal_data_key`). Erasing deletes the row, wrapped key and all.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.fernet import Fernet
from kinlink_kit.views import ViewStore

from kinlink_identity.domain.id_verification import IdDocuments

_DDL = """
CREATE TABLE IF NOT EXISTS personal_data (
    account_id TEXT PRIMARY KEY,
    wrapped_key TEXT NOT NULL,
    sealed TEXT NOT NULL
)
"""
EMBEDDED_KEY_FILE = Path("keys") / "personal-data.key"


class PersonalDataVault:
    def __init__(self, views: ViewStore, master_key: str) -> None:
        if not master_key:
            raise ValueError(
                "KINLINK_PERSONAL_DATA_KEY is not set: identity keeps identity documents "
                "encrypted with it. Make one with cryptography's Fernet.generate_key()."
            )
        try:
            self._master = Fernet(master_key)
        except ValueError:
            raise ValueError(
                "KINLINK_PERSONAL_DATA_KEY is not a Fernet key (32 url-safe base64 bytes)."
            ) from None
        self.views = views
        self.create_table(views)

    @staticmethod
    def create_table(views: ViewStore) -> None:
        """Its table, which needs no key: identity's `migrate` creates it too."""
        views.create(_DDL)

    def keep(self, account_id: UUID, documents: IdDocuments) -> None:
        """Replaces what was kept for the account, under a new data key."""
        data_key = Fernet.generate_key()
        plain = {
            "legal_first_name": documents.legal_first_name,
            "legal_last_name": documents.legal_last_name,
            "date_of_birth": documents.date_of_birth.isoformat(),
            "address": documents.address,
        }
        with self.views.transaction() as cursor:
            cursor.execute(
                "INSERT INTO personal_data (account_id, wrapped_key, sealed) "
                "VALUES (:account_id, :wrapped_key, :sealed) ON CONFLICT (account_id) "
                "DO UPDATE SET wrapped_key = excluded.wrapped_key, sealed = excluded.sealed",
                {
                    "account_id": str(account_id),
                    "wrapped_key": self._master.encrypt(data_key).decode(),
                    "sealed": Fernet(data_key).encrypt(json.dumps(plain).encode()).decode(),
                },
            )

    def read(self, account_id: UUID) -> dict[str, Any] | None:
        rows = self.views.query(
            "SELECT wrapped_key, sealed FROM personal_data WHERE account_id = :account_id",
            {"account_id": str(account_id)},
        )
        if not rows:
            return None
        data_key = self._master.decrypt(rows[0]["wrapped_key"])
        kept: dict[str, Any] = json.loads(Fernet(data_key).decrypt(rows[0]["sealed"]))
        return kept

    def erase(self, account_id: UUID) -> None:
        with self.views.transaction() as cursor:
            cursor.execute(
                "DELETE FROM personal_data WHERE account_id = :account_id",
                {"account_id": str(account_id)},
            )


def embedded_master_key(data_dir: Path) -> str:
    """The embedded mode's master key: made on the first start under `data_dir/keys/`, readable
    by the owner only, and reused so that what was kept stays readable after a restart."""
    path = data_dir / EMBEDDED_KEY_FILE
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
            f.write(Fernet.generate_key())
    except FileExistsError:
        pass
    return path.read_text().strip()
