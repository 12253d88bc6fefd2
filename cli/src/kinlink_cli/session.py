"""The signed-in session the CLI keeps between commands, in the user's config folder.

The file holds bearer tokens, as good as a password until they expire: it is created readable
by its owner only, and replaced whole so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def session_file() -> Path:
    """$XDG_CONFIG_HOME/kinlink/session.json, by default ~/.config/kinlink/session.json."""
    config = os.environ.get("XDG_CONFIG_HOME", "")
    # The XDG spec says to ignore a relative path here.
    base = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    return base / "kinlink" / "session.json"


def save_session(access_token: str, refresh_token: str) -> Path:
    path = session_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        json.dump({"access_token": access_token, "refresh_token": refresh_token}, f)
    os.replace(draft, path)
    return path


def load_access_token() -> str | None:
    """The saved access token, or None when nobody signed in (or the file is unreadable)."""
    return _saved_token("access_token")


def load_refresh_token() -> str | None:
    return _saved_token("refresh_token")


def clear_session() -> None:
    """Log out: the tokens are forgotten on this machine."""
    session_file().unlink(missing_ok=True)


def _saved_token(name: str) -> str | None:
    try:
        session = json.loads(session_file().read_text())
    except (OSError, ValueError):
        return None
    token = session.get(name) if isinstance(session, dict) else None
    return token if isinstance(token, str) and token else None
