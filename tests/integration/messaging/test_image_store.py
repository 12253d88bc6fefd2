"""The image stores: the folder of the embedded mode and the S3-compatible store (the real Garage
`make infra-up` starts), one suite where they behave alike, then what each does alone: the
folder's atomic writes, the S3 store's private objects and presigned URLs."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit

import httpx
import pytest
from botocore.exceptions import ClientError
from kinlink_kit.errors import ErrorKind
from kinlink_kit.testing import Infra
from kinlink_kit.testing import eventually
from kinlink_kit.testing import free_port
from kinlink_kit.testing import refused
from kinlink_messaging.adapters.image_keys import ImageKeyInvalid
from kinlink_messaging.adapters.image_store_folder import FolderImageStore
from kinlink_messaging.adapters.image_store_s3 import S3ImageStore
from kinlink_messaging.adapters.image_store_settings import ImageStoreSettings
from kinlink_messaging.adapters.image_store_settings import open_image_store
from kinlink_messaging.domain.ports import ImageGone
from kinlink_messaging.domain.ports import ImageStore
from kinlink_messaging.domain.ports import ImageStoreUnavailable
from pydantic import SecretStr

JPEG = b"\xff\xd8\xff\xe0" + os.urandom(2048)
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(2048)


def s3_settings(infra: Infra, **changes: object) -> ImageStoreSettings:
    fields: dict[str, object] = {
        "s3_endpoint": infra.s3_endpoint,
        "s3_region": infra.s3_region,
        "s3_bucket": infra.s3_bucket,
        "s3_access_key_id": infra.s3_access_key_id,
        "s3_secret_access_key": SecretStr(infra.s3_secret_access_key),
    }
    return ImageStoreSettings.model_validate(fields | changes)


def new_key(n: int = 0) -> str:
    return f"messages/{uuid.uuid4()}/{n}.jpg"


@pytest.fixture(scope="session")
def s3_store(infra: Infra) -> S3ImageStore:
    store = open_image_store(s3_settings(infra))
    assert isinstance(store, S3ImageStore)
    return store


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ImageStore:
    if request.param == "folder":
        return open_image_store(ImageStoreSettings(data_dir=tmp_path, s3_endpoint=None))
    s3_store: S3ImageStore = request.getfixturevalue("s3_store")
    return s3_store


# --- both stores -----------------------------------------------------------------------------


def test_an_image_put_is_read_back_until_it_is_deleted(store: ImageStore) -> None:
    key = new_key()
    store.put(key, JPEG, "image/jpeg")
    assert store.get(key) == JPEG
    store.delete(key)
    with refused(ImageGone, "image_gone"):
        store.get(key)


def test_a_second_put_under_a_key_replaces_the_image(store: ImageStore) -> None:
    key, other = new_key(0), new_key(1)
    store.put(key, JPEG, "image/jpeg")
    store.put(other, JPEG, "image/jpeg")
    store.put(key, PNG, "image/png")
    assert (store.get(key), store.get(other)) == (PNG, JPEG)


def test_nothing_under_a_key_is_an_image_gone_and_deleting_it_is_no_error(
    store: ImageStore,
) -> None:
    key = new_key()
    with refused(ImageGone, "image_gone"):
        store.get(key)
    store.delete(key)
    store.put(key, JPEG, "image/jpeg")
    with refused(ImageGone, "image_gone"):  # a key below an image names nothing
        store.get(f"{key}/0.jpg")
    store.delete(f"{key}/0.jpg")
    assert store.get(key) == JPEG


LEAVING_KEYS = [
    "../outside.jpg",
    "messages/../../outside.jpg",
    "/outside.jpg",
    "messages//0.jpg",
    "messages/.hidden",
    "messages\\..\\..\\outside.jpg",
    "messages/0.jpg\x00",
    "",
    "m" * 513,
]


@pytest.mark.parametrize("key", LEAVING_KEYS)
def test_a_key_that_could_leave_the_store_is_refused(
    store: ImageStore, tmp_path: Path, key: str
) -> None:
    operations: list[Callable[[], object]] = [
        lambda: store.put(key, JPEG, "image/jpeg"),
        lambda: store.get(key),
        lambda: store.delete(key),
        lambda: store.signed_url(key, timedelta(minutes=5)),
    ]
    for operation in operations:
        with refused(ImageKeyInvalid, "image_key_invalid"):
            operation()
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_the_settings_choose_the_store(tmp_path: Path, infra: Infra) -> None:
    folder = open_image_store(ImageStoreSettings(data_dir=tmp_path, s3_endpoint=None))
    assert isinstance(folder, FolderImageStore) and folder.root == tmp_path / "images"
    assert isinstance(open_image_store(s3_settings(infra)), S3ImageStore)
    with pytest.raises(ValueError, match="KINLINK_S3_ACCESS_KEY_ID"):
        open_image_store(s3_settings(infra, s3_access_key_id=None))


# --- the folder ----------------------------------------------------------------------------------


def test_the_folder_keeps_images_as_files_and_signs_no_url(tmp_path: Path) -> None:
    store = FolderImageStore(tmp_path)
    key = new_key()
    store.put(key, JPEG, "image/jpeg")
    assert (tmp_path / key).read_bytes() == JPEG
    assert store.signed_url(key, timedelta(minutes=5)) is None


def test_a_write_cut_short_leaves_the_image_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, key = FolderImageStore(tmp_path), new_key()
    store.put(key, JPEG, "image/jpeg")

    def crash(descriptor: int) -> None:  # the disk fails once bytes are written
        raise OSError("disk gone")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk gone"):
        store.put(key, PNG, "image/png")
    monkeypatch.undo()
    assert store.get(key) == JPEG
    assert [path.name for path in (tmp_path / key).parent.iterdir()] == ["0.jpg"]


# --- the S3-compatible store ---------------------------------------------------------------------


async def test_a_signed_url_serves_the_image_with_its_type(s3_store: S3ImageStore) -> None:
    key = new_key()
    s3_store.put(key, PNG, "image/png")
    async with httpx.AsyncClient() as client:
        response = await client.get(s3_store.signed_url(key, timedelta(minutes=5)))
    assert response.status_code == 200
    assert (response.content, response.headers["content-type"]) == (PNG, "image/png")


async def test_the_bucket_is_private(s3_store: S3ImageStore, infra: Infra) -> None:
    key = new_key()
    s3_store.put(key, JPEG, "image/jpeg")
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{infra.s3_endpoint}/{infra.s3_bucket}/{key}")
    assert response.status_code == 403


def with_signature(url: str, change: Callable[[str], str]) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["X-Amz-Signature"] = change(query["X-Amz-Signature"])
    return parts._replace(query=urlencode(query)).geturl()


def flip_last_hex_digit(signature: str) -> str:
    return signature[:-1] + ("0" if signature[-1] != "0" else "1")


@pytest.mark.parametrize("tampered", ["signature", "key"])
async def test_a_tampered_signed_url_is_refused(s3_store: S3ImageStore, tampered: str) -> None:
    key, other = new_key(0), new_key(1)
    s3_store.put(key, JPEG, "image/jpeg")
    s3_store.put(other, PNG, "image/png")  # there, so a refusal is not a 404
    url = s3_store.signed_url(key, timedelta(minutes=5))
    if tampered == "signature":
        url = with_signature(url, flip_last_hex_digit)
    else:
        url = url.replace(f"/{key}?", f"/{other}?")
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 403
    assert PNG not in response.content and JPEG not in response.content


async def test_a_signed_url_is_refused_once_its_lifetime_has_passed(
    s3_store: S3ImageStore,
) -> None:
    key = new_key()
    s3_store.put(key, JPEG, "image/jpeg")
    url = s3_store.signed_url(key, timedelta(seconds=1))

    async with httpx.AsyncClient() as client:

        async def refused() -> bool:
            # S3 answers 403 "Request has expired"; Garage 400 "Date is too old".
            response = await client.get(url)
            assert response.status_code in (200, 400, 403), response.text
            if response.status_code == 200:
                return False
            assert JPEG not in response.content
            return (
                b"Request has expired" in response.content or b"Date is too old" in response.content
            )

        await eventually(refused, timeout=30)


@pytest.mark.parametrize("lifetime", [timedelta(0), timedelta(days=7, seconds=1)])
def test_a_signed_url_lives_a_second_to_seven_days(
    s3_store: S3ImageStore, lifetime: timedelta
) -> None:
    with pytest.raises(ValueError, match="1 second to 7 days"):
        s3_store.signed_url(new_key(), lifetime)


def test_an_unreachable_store_is_an_error_to_retry(infra: Infra) -> None:
    store = open_image_store(s3_settings(infra, s3_endpoint=f"http://127.0.0.1:{free_port()}"))
    key = new_key()
    operations: list[Callable[[], object]] = [
        lambda: store.put(key, JPEG, "image/jpeg"),
        lambda: store.get(key),
        lambda: store.delete(key),
    ]
    for operation in operations:
        with refused(ImageStoreUnavailable, "image_store_unavailable"):
            operation()
    assert ImageStoreUnavailable().kind is ErrorKind.UNAVAILABLE


class Overloaded(BaseHTTPRequestHandler):
    """An S3 endpoint that answers every request 503 SlowDown, as a store under load does."""

    def answer(self) -> None:
        body = b"<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>"
        self.send_response(503)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_DELETE = answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def overloaded_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Overloaded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_store_failing_for_now_is_an_error_to_retry(
    infra: Infra, overloaded_endpoint: str
) -> None:
    store = open_image_store(s3_settings(infra, s3_endpoint=overloaded_endpoint))
    with refused(ImageStoreUnavailable, "image_store_unavailable"):
        store.put(new_key(), JPEG, "image/jpeg")


def test_a_key_the_store_does_not_accept_is_no_error_to_retry(infra: Infra) -> None:
    store = open_image_store(s3_settings(infra, s3_secret_access_key=SecretStr("0" * 64)))
    with pytest.raises(ClientError) as refusal:  # a misconfiguration: retrying will not help
        store.put(new_key(), JPEG, "image/jpeg")
    assert refusal.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
