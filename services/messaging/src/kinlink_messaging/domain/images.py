"""The images a message may carry: what an upload is, the rules it must pass, each refusal with
its own code, and what is stored once it passed (`image_preparation.prepare_image` does the work).

The platform sets ceilings (`PlatformImageLimits`); a facility's `ImageRules` can only tighten
them, limit by limit (`effective_image_rules`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from kinlink_contracts.facility_settings import ImageRules
from kinlink_kit.errors import InvalidArgument

JPEG = "image/jpeg"
PNG = "image/png"
HEIC = "image/heic"
PREPARED_TYPES = frozenset({JPEG, PNG})  # what `prepare_image` decodes and re-encodes

_EXTENSIONS = {JPEG: "jpg", PNG: "png"}  # the usual ones, for renaming a file

# What families know the formats as, for the sentences they read.
FORMAT_NAMES = {
    JPEG: "JPEG",
    PNG: "PNG",
    HEIC: "HEIC",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "image/bmp": "BMP",
    "image/tiff": "TIFF",
    "image/avif": "AVIF",
}


@dataclass(frozen=True)
class ImageUpload:
    """An image as a family member sent it: nothing in it is trusted yet."""

    file_name: str
    declared_content_type: str
    content: bytes


@dataclass(frozen=True)
class PreparedImage:
    """An image that passed the rules, re-encoded without any metadata: what is stored."""

    content: bytes
    content_type: str
    width: int
    height: int
    size: int  # bytes of `content`
    sha256: str  # hex digest of `content`
    thumbnail: bytes
    thumbnail_content_type: str


@dataclass(frozen=True)
class PlatformImageLimits:
    """The most any facility may allow."""

    max_bytes: int = 10_000_000
    max_dimension_px: int = 10_000
    # A phone's largest photos (48 to 50 megapixels) pass; decoding one takes about 200 MB.
    max_pixels: int = 50_000_000
    max_per_message: int = 5
    content_types: frozenset[str] = PREPARED_TYPES

    def __post_init__(self) -> None:
        if not self.content_types <= PREPARED_TYPES:
            raise ValueError(f"images can only be prepared as {sorted(PREPARED_TYPES)}")


@dataclass(frozen=True)
class EffectiveImageRules:
    """The limits an upload to one facility must pass: for each, the stricter of the
    platform's and the facility's."""

    max_bytes: int
    content_types: frozenset[str]
    max_per_message: int
    min_dimension_px: int
    max_dimension_px: int
    max_pixels: int  # beyond this, decoding is refused as a decompression bomb


def effective_image_rules(
    facility: ImageRules, platform: PlatformImageLimits = PlatformImageLimits()
) -> EffectiveImageRules:
    max_dimension_px = min(platform.max_dimension_px, facility.max_dimension_px)
    return EffectiveImageRules(
        max_bytes=min(platform.max_bytes, facility.max_bytes),
        content_types=platform.content_types & {kind.lower() for kind in facility.content_types},
        max_per_message=min(platform.max_per_message, facility.max_per_message),
        min_dimension_px=facility.min_dimension_px,
        max_dimension_px=max_dimension_px,
        # No image within the sides allowed holds more pixels than their square.
        max_pixels=min(platform.max_pixels, max_dimension_px * max_dimension_px),
    )


def check_image_count(count: int, rules: EffectiveImageRules) -> None:
    if count > rules.max_per_message:
        raise TooManyImages(count, rules.max_per_message)


def format_name(content_type: str) -> str:
    return FORMAT_NAMES.get(content_type, content_type)


def _either(content_types: frozenset[str]) -> str:
    return " or ".join(sorted(format_name(kind) for kind in content_types))


def _images(count: int) -> str:
    return f"{count} image" if count == 1 else f"{count} images"


def _megabytes(size: int, rounded: Callable[[float], int]) -> str:
    return f"{rounded(size / 100_000) / 10:g} MB"


class ImageTooLarge(InvalidArgument):
    def __init__(self, size: int, max_bytes: int) -> None:
        super().__init__(
            "image_too_large",
            # The size rounded up and the limit down: a file just over it never reads as equal.
            f"This image is {_megabytes(size, math.ceil)}; images may be at most "
            f"{_megabytes(max_bytes, math.floor)}. Send a smaller copy of it.",
        )


class ImageHeicUnsupported(InvalidArgument):
    def __init__(self) -> None:
        super().__init__(
            "image_heic_unsupported",
            "HEIC photos (the format iPhones save in) cannot be sent. Send the photo as a JPEG: "
            "your phone's web browser usually converts it to JPEG when you choose it to send; "
            "if not, save a JPEG copy first.",
        )


class ImageTypeNotAllowed(InvalidArgument):
    def __init__(self, content_type: str, allowed: frozenset[str]) -> None:
        super().__init__(
            "image_type_not_allowed",
            f"{format_name(content_type)} images cannot be sent here: send a "
            f"{_either(allowed)} picture."
            if allowed
            else "This facility does not accept images in messages.",
        )


class ImageTypeMismatch(InvalidArgument):
    def __init__(self, content_type: str) -> None:
        super().__init__(
            "image_type_mismatch",
            f"This file is a {format_name(content_type)} picture, but its name or type says it "
            f"is something else. Rename it to end in .{_EXTENSIONS[content_type]} and send it "
            "again.",
        )


class ImageCorrupt(InvalidArgument):
    def __init__(self) -> None:
        super().__init__(
            "image_corrupt",
            "This file could not be opened as a picture: it may be damaged, incomplete or not "
            "a picture at all. Send the photo again as a JPEG or PNG file.",
        )


class ImageTooSmall(InvalidArgument):
    def __init__(self, width: int, height: int, min_dimension_px: int) -> None:
        super().__init__(
            "image_too_small",
            f"This image is {width:,} by {height:,} pixels; each side must be at least "
            f"{min_dimension_px:,} pixels.",
        )


class ImageTooBig(InvalidArgument):
    def __init__(self, width: int, height: int, max_dimension_px: int) -> None:
        super().__init__(
            "image_too_big",
            f"This image is {width:,} by {height:,} pixels; each side may be at most "
            f"{max_dimension_px:,} pixels. Send a smaller copy of it.",
        )


class ImageDecompressionBomb(InvalidArgument):
    def __init__(self, max_pixels: int) -> None:
        super().__init__(
            "image_decompression_bomb",
            "This image holds more pixels than can be opened safely: images may hold at most "
            f"{max_pixels / 1_000_000:.3g} megapixels. Send a smaller copy of it.",
        )


class TooManyImages(InvalidArgument):
    def __init__(self, count: int, max_per_message: int) -> None:
        super().__init__(
            "too_many_images",
            f"A message may carry at most {_images(max_per_message)} here; this one has "
            f"{_images(count)}."
            if max_per_message
            else "This facility does not accept images in messages.",
        )
