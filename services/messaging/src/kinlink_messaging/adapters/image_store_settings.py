"""Where the messaging service keeps image bytes, from the environment: an S3-compatible store
when `KINLINK_S3_ENDPOINT` is set, else a folder under the data directory (embedded mode)."""

from __future__ import annotations

from kinlink_kit.settings import ServiceSettings
from pydantic import Field
from pydantic import SecretStr

from kinlink_messaging.adapters.image_store_folder import FolderImageStore
from kinlink_messaging.adapters.image_store_s3 import S3ImageStore
from kinlink_messaging.domain.ports import ImageStore


class ImageStoreSettings(ServiceSettings):
    s3_endpoint: str | None = Field(
        default=None,
        description="URL of the S3-compatible store holding message images; unset: a folder "
        "`images` under the data directory.",
        examples=["http://127.0.0.1:13900"],
    )
    s3_region: str = Field(
        default="us-east-1", description="The region requests are signed for (Garage's s3_region)."
    )
    s3_bucket: str = Field(default="kinlink-messages", description="The bucket, kept private.")
    s3_access_key_id: str | None = Field(default=None, description="Needed with an endpoint.")
    s3_secret_access_key: SecretStr | None = Field(
        default=None, description="Needed with an endpoint."
    )


def open_image_store(settings: ImageStoreSettings) -> ImageStore:
    if settings.s3_endpoint is None:
        return FolderImageStore(settings.data_dir / "images")
    if settings.s3_access_key_id is None or settings.s3_secret_access_key is None:
        raise ValueError(
            "KINLINK_S3_ENDPOINT is set without KINLINK_S3_ACCESS_KEY_ID and "
            "KINLINK_S3_SECRET_ACCESS_KEY: give the key the service signs its requests with"
        )
    return S3ImageStore(
        endpoint_url=settings.s3_endpoint,
        region=settings.s3_region,
        bucket=settings.s3_bucket,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key.get_secret_value(),
        max_connections=settings.worker_threads,
    )
