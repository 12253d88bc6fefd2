"""Receipts as HTML documents to print as they are, from the package's templates/receipt.html.

Autoescaping is on: a facility's name or a payment reference is always shown as text, never
read as markup, whoever typed it. The document needs nothing from elsewhere (no scripts,
fonts or images), so it prints the same offline.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from jinja2 import Environment
from jinja2 import PackageLoader
from jinja2 import StrictUndefined

from kinlink_ledger.domain.money import format_dollars
from kinlink_ledger.domain.receipt import Receipt
from kinlink_ledger.domain.receipt import ReceiptKind

CONTENT_TYPE = "text/html"

_TITLES = {
    ReceiptKind.DEPOSIT: "Deposit receipt",
    ReceiptKind.WALLET_FUNDING: "Messaging subscription receipt",
    ReceiptKind.ALLOWANCE_CAPTURE: "Commissary allowance receipt",
    ReceiptKind.COMMISSARY_ORDER: "Commissary order receipt",
}


def _utc(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


_TEMPLATES = Environment(
    loader=PackageLoader("kinlink_ledger"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_TEMPLATES.filters["dollars"] = format_dollars
_TEMPLATES.filters["utc"] = _utc


def render(receipt: Receipt) -> bytes:
    """The receipt as a UTF-8 HTML document."""
    html = _TEMPLATES.get_template("receipt.html").render(
        receipt=receipt, title=_TITLES[receipt.kind]
    )
    return html.encode()
