from __future__ import annotations

from email import message_from_bytes
from email import policy
from pathlib import Path

from kinlink_identity.adapters.mail_folder import MailFolder
from kinlink_identity.domain.mail import Email


def test_each_email_becomes_an_eml_file_in_the_order_sent(tmp_path: Path) -> None:
    folder = tmp_path / "var" / "mail"
    mail = MailFolder(folder, sender="Kinlink <no-reply@kinlink.example>")
    for n in range(5):
        mail.send(Email(to=f"user{n}@example.com", subject=f"Message {n}", text=f"Body {n}\n"))

    files = sorted(folder.iterdir())
    assert [f.suffix for f in files] == [".eml"] * 5
    messages = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert [m["To"] for m in messages] == [f"user{n}@example.com" for n in range(5)]
    assert [m["Subject"] for m in messages] == [f"Message {n}" for n in range(5)]
    assert {m["From"] for m in messages} == {"Kinlink <no-reply@kinlink.example>"}
    assert messages[3].get_content() == "Body 3\n"  # type: ignore[attr-defined]


def test_links_read_as_sent_in_the_raw_file(tmp_path: Path) -> None:
    link = "http://127.0.0.1:8080/activate?token=" + "A-b_9" * 20
    MailFolder(tmp_path, sender="Kinlink <no-reply@kinlink.example>").send(
        Email(to="jose@example.com", subject="Activate", text=f"Hello José,\n\n{link}\n")
    )
    [path] = tmp_path.glob("*.eml")
    raw = path.read_text(encoding="utf-8")
    assert link in raw
    assert "Hello José," in raw
