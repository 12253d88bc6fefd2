"""Images in an S3-compatible object store through plain boto3 (decision 0031): Garage in
development and tests, any S3 service in production.

Objects are private (no ACL is ever set); a browser gets an image through a presigned GET that
stops working after its lifetime. Addressing is path-style (`<endpoint>/<bucket>/<key>`), which
every S3-compatible server understands without wildcard DNS.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.exceptions import ConnectionError as S3ConnectionError
from botocore.exceptions import HTTPClientError
from kinlink_kit.logging import get_logger

from kinlink_messaging.adapters.image_keys import checked_key
from kinlink_messaging.domain.ports import ImageGone
from kinlink_messaging.domain.ports import ImageStore
from kinlink_messaging.domain.ports import ImageStoreUnavailable

log = get_logger(__name__)

# SigV4 presigned URLs live at least a second and at most seven days.
MAX_URL_LIFETIME = timedelta(days=7)
# S3 error codes that say "not now" rather than "no": asking again later may succeed.
_PASSING = {"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout"}

T = TypeVar("T")


def _passing(error: ClientError) -> bool:
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return status >= 500 or error.response.get("Error", {}).get("Code") in _PASSING


class S3ImageStore(ImageStore):
    def __init__(
        self,
        *,
        endpoint_url: str,
        region: str,
        bucket: str,
        access_key_id: str,
        secret_access_key: str,
        max_connections: int = 32,
    ) -> None:
        self.bucket = bucket
        self.client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                connect_timeout=2,
                read_timeout=10,
                retries={"mode": "standard", "max_attempts": 3},
                max_pool_connections=max_connections,
                # Checksums only where S3 requires them: several S3-compatible servers refuse
                # the ones boto3 adds to every upload by default.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def _call(self, operation: str, key: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except (S3ConnectionError, HTTPClientError) as error:  # refused, timed out, cut
            log.warning("image_store_unreachable", operation=operation, key=key, error=str(error))
            raise ImageStoreUnavailable() from error
        except ClientError as error:
            if not _passing(error):
                raise
            log.warning("image_store_failing", operation=operation, key=key, error=str(error))
            raise ImageStoreUnavailable() from error

    def put(self, key: str, content: bytes, content_type: str) -> None:
        key = checked_key(key)
        self._call(
            "put",
            key,
            lambda: self.client.put_object(
                Bucket=self.bucket, Key=key, Body=content, ContentType=content_type
            ),
        )

    def get(self, key: str) -> bytes:
        key = checked_key(key)

        def reading() -> bytes:
            try:
                response = self.client.get_object(Bucket=self.bucket, Key=key)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    raise ImageGone() from None
                raise
            body: bytes = response["Body"].read()
            return body

        return self._call("get", key, reading)

    def delete(self, key: str) -> None:
        key = checked_key(key)
        self._call("delete", key, lambda: self.client.delete_object(Bucket=self.bucket, Key=key))

    def signed_url(self, key: str, lifetime: timedelta) -> str:
        key = checked_key(key)
        if not timedelta(seconds=1) <= lifetime <= MAX_URL_LIFETIME:
            raise ValueError(f"a signed URL lives from 1 second to 7 days, not {lifetime}")
        # Signing is local: no request, so nothing to be unavailable.
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": key},
            ExpiresIn=int(lifetime.total_seconds()),
        )
        return url
