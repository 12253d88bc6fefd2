"""Checks an uploaded image against the rules and re-encodes it with Pillow, without metadata.

The checks run cheapest first, so a hostile file costs as little as possible: its length, the
format its first bytes show, the dimensions its header claims, and only then the pixels. What
is stored is a fresh encoding of the pixels alone, turned upright: no EXIF (GPS position,
camera serial), XMP, comment, colour profile or PNG text survives.
"""

from __future__ import annotations

import hashlib
import io
import struct
from pathlib import PurePath

from PIL import ExifTags
from PIL import Image
from PIL import ImageCms

from kinlink_messaging.domain.images import HEIC
from kinlink_messaging.domain.images import JPEG
from kinlink_messaging.domain.images import PNG
from kinlink_messaging.domain.images import EffectiveImageRules
from kinlink_messaging.domain.images import ImageCorrupt
from kinlink_messaging.domain.images import ImageDecompressionBomb
from kinlink_messaging.domain.images import ImageHeicUnsupported
from kinlink_messaging.domain.images import ImageTooBig
from kinlink_messaging.domain.images import ImageTooLarge
from kinlink_messaging.domain.images import ImageTooSmall
from kinlink_messaging.domain.images import ImageTypeMismatch
from kinlink_messaging.domain.images import ImageTypeNotAllowed
from kinlink_messaging.domain.images import ImageUpload
from kinlink_messaging.domain.images import PreparedImage

JPEG_QUALITY = 85
THUMBNAIL_SIDE_PX = 320
THUMBNAIL_QUALITY = 80

# The formats told apart by their first bytes; any other file is not a picture we can read.
_SIGNATURES = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
# ISO base media files (HEIC, AVIF) name their kind in the brands of their first box, `ftyp`.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1"}
_AVIF_BRANDS = {b"avif", b"avis"}
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG"}

_EXTENSIONS = {
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".jpe": JPEG,
    ".jfif": JPEG,
    ".png": PNG,
    ".heic": HEIC,
    ".heif": HEIC,
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".avif": "image/avif",
}
_ALIASES = {"image/jpg": JPEG, "image/pjpeg": JPEG, "image/x-png": PNG, "image/heif": HEIC}
# What browsers send when they do not know the type: no claim either way.
_UNDECLARED = {"", "application/octet-stream"}

# How to turn a picture upright for each EXIF orientation (1, upright already, is absent).
_ORIENTATIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# What Pillow raises on a file it cannot decode (truncated, malformed, garbage).
_UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, struct.error)


def prepare_image(upload: ImageUpload, rules: EffectiveImageRules) -> PreparedImage:
    """The upload checked against `rules` and re-encoded, or one of the image refusals of
    `domain.images` (all InvalidArgument, each its own code)."""
    content = upload.content
    if len(content) > rules.max_bytes:
        raise ImageTooLarge(len(content), rules.max_bytes)
    content_type = _check_type(upload, rules)
    try:
        with Image.open(io.BytesIO(content), formats=[_PILLOW_FORMATS[content_type]]) as image:
            _check_dimensions(*image.size, rules)
            image.load()
            upright = _upright(image)
    except Image.DecompressionBombError:
        # Pillow's own bound (twice its MAX_IMAGE_PIXELS), checked as it opens, is far above
        # ours: such a header never reaches our checks.
        raise ImageDecompressionBomb(rules.max_pixels) from None
    except _UNREADABLE:
        raise ImageCorrupt() from None
    pixels = _in_srgb(upright)
    stored = _encode(pixels, content_type)
    return PreparedImage(
        content=stored,
        content_type=content_type,
        width=pixels.width,
        height=pixels.height,
        size=len(stored),
        sha256=hashlib.sha256(stored).hexdigest(),
        thumbnail=_thumbnail(pixels),
        thumbnail_content_type=JPEG,
    )


def _check_type(upload: ImageUpload, rules: EffectiveImageRules) -> str:
    """The upload's real type, from its bytes, if allowed and what its name and declared type
    say."""
    content_type = sniff_content_type(upload.content)
    if content_type is None:
        raise ImageCorrupt()
    if content_type == HEIC:
        raise ImageHeicUnsupported()
    if content_type not in rules.content_types:
        raise ImageTypeNotAllowed(content_type, rules.content_types)
    if any(claim not in (None, content_type) for claim in _claims(upload)):
        raise ImageTypeMismatch(content_type)
    return content_type


def sniff_content_type(content: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if content.startswith(signature):
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content[4:8] == b"ftyp":
        box_end = int.from_bytes(content[:4], "big")
        brands = {content[8:12]} | {
            content[at : at + 4] for at in range(16, min(box_end, len(content)) - 3, 4)
        }
        if content[8:12] in _AVIF_BRANDS:
            return "image/avif"
        if brands & _HEIF_BRANDS:
            return HEIC
    return None


def _claims(upload: ImageUpload) -> tuple[str | None, str | None]:
    """The types the file's name and its declared type claim (None: no claim)."""
    extension = PurePath(upload.file_name).suffix.lower()
    declared = upload.declared_content_type.split(";")[0].strip().lower()
    return (
        _EXTENSIONS.get(extension),
        None if declared in _UNDECLARED else _ALIASES.get(declared, declared),
    )


def _check_dimensions(width: int, height: int, rules: EffectiveImageRules) -> None:
    """From the header alone: nothing is decoded yet."""
    if max(width, height) > rules.max_dimension_px:
        raise ImageTooBig(width, height, rules.max_dimension_px)
    if min(width, height) < rules.min_dimension_px:
        raise ImageTooSmall(width, height, rules.min_dimension_px)
    if width * height > rules.max_pixels:
        raise ImageDecompressionBomb(rules.max_pixels)


def _upright(image: Image.Image) -> Image.Image:
    """Turned as its EXIF orientation says, as a browser would show it. Unlike
    `ImageOps.exif_transpose` this does not write the EXIF back (it fails on a damaged one,
    and none of it is kept)."""
    transpose = _ORIENTATIONS.get(image.getexif().get(ExifTags.Base.Orientation, 1))
    return image if transpose is None else image.transpose(transpose)


def _in_srgb(image: Image.Image) -> Image.Image:
    """The pixels in sRGB, the colour space browsers assume without a profile: a phone's wide
    gamut photo keeps its colours once its profile is dropped."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError):
        return image  # a broken profile: the values are shown as they are, as browsers do
    assert converted is not None  # None only when converting in place
    return converted


def _encode(image: Image.Image, content_type: str) -> bytes:
    out = io.BytesIO()
    if content_type == JPEG:
        _without_metadata(_rgb(image)).save(out, "JPEG", quality=JPEG_QUALITY)
    else:
        _without_metadata(image).save(out, "PNG")
    return out.getvalue()


def _without_metadata(image: Image.Image) -> Image.Image:
    """Pillow writes some of what it read back out (a JPEG comment, a PNG's colour profile);
    only a palette's transparent colour is kept, since it is part of the picture."""
    transparency = image.info.get("transparency")
    image.info.clear()
    if transparency is not None:
        image.info["transparency"] = transparency
    return image


def _thumbnail(image: Image.Image) -> bytes:
    scale = min(1.0, THUMBNAIL_SIDE_PX / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    small = _on_white(image).resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
    out = io.BytesIO()
    _without_metadata(small).save(out, "JPEG", quality=THUMBNAIL_QUALITY)
    return out.getvalue()


def _on_white(image: Image.Image) -> Image.Image:
    """In RGB, transparent parts shown on white (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, "white")
        return Image.alpha_composite(background, rgba).convert("RGB")
    return _rgb(image)


def _rgb(image: Image.Image) -> Image.Image:
    """Without a copy when it is RGB already: a phone's photo is 36 MB of pixels."""
    return image if image.mode == "RGB" else image.convert("RGB")
