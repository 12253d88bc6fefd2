"""What every dead letter says about its failure, in its headers (the value stays the original)."""

from __future__ import annotations

import traceback
from datetime import UTC
from datetime import datetime


def failure_headers(error: BaseException) -> dict[str, str]:
    return {
        "dlq-error": repr(error)[:2000],
        "dlq-error-type": type(error).__name__,
        "dlq-traceback": "".join(traceback.format_exception(error))[-4000:],
        "dlq-failed-at": datetime.now(UTC).isoformat(),
    }
