"""Uploaded images: each rule refused with its own code, and what is stored read back with
Pillow (no EXIF, GPS, camera serial or PNG text; upright; a JPEG thumbnail). Every image is
made here by Pillow."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from kinlink_contracts.facility_settings import ImageRules
from kinlink_kit.errors import InvalidArgument
from kinlink_kit.testing import refused
from kinlink_messaging.domain.image_preparation import prepare_image
from kinlink_messaging.domain.images import EffectiveImageRules
from kinlink_messaging.domain.images import ImageUpload
from kinlink_messaging.domain.images import PlatformImageLimits
from kinlink_messaging.domain.images import check_image_count
from kinlink_messaging.domain.images import effective_image_rules
from PIL import ExifTags
from PIL import Image
from PIL import ImageCms
from PIL import PngImagePlugin

from tests.photos import phone_exif

RULES = effective_image_rules(ImageRules())
IMAGE_CODES = {
    "image_type_not_allowed",
    "image_type_mismatch",
    "image_corrupt",
    "image_too_large",
    "image_too_small",
    "image_too_big",
    "image_decompression_bomb",
    "image_heic_unsupported",
}
RED, BLUE = (220, 20, 20), (20, 20, 220)


def picture(size: tuple[int, int] = (200, 150), mode: str = "RGB") -> Image.Image:
    """Red on the left half, blue on the right: which way up it is can be seen."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return image.convert(mode)


def encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, image_format, **options)
    return out.getvalue()


def jpeg(size: tuple[int, int] = (200, 150), **options: object) -> bytes:
    return encoded(picture(size), "JPEG", **options)


def png(size: tuple[int, int] = (200, 150), mode: str = "RGB", **options: object) -> bytes:
    return encoded(picture(size, mode), "PNG", **options)


def upload(content: bytes, name: str = "photo.jpg", declared: str = "image/jpeg") -> ImageUpload:
    return ImageUpload(file_name=name, declared_content_type=declared, content=content)


def png_upload(content: bytes) -> ImageUpload:
    return upload(content, "photo.png", "image/png")


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims other dimensions (its pixels do not match them)."""
    content = bytearray(png((64, 64)))
    header = struct.pack(">4sII", b"IHDR", width, height) + content[24:29]
    content[12:29] = header
    content[29:33] = struct.pack(">I", zlib.crc32(header))
    return bytes(content)


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims other dimensions."""
    content = bytearray(jpeg((64, 64)))
    frame = content.index(b"\xff\xc0")
    content[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(content)


def read_back(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def facility(**rules: object) -> EffectiveImageRules:
    return effective_image_rules(ImageRules.model_validate(rules))


def close_to(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=False))


# What is stored


def test_a_photo_s_gps_position_camera_serial_xmp_and_comment_are_not_stored() -> None:
    exif = phone_exif()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">HOME-ADDRESS</x:xmpmeta>'
    original = jpeg(exif=exif, xmp=xmp, comment=b"taken at 12 Elm Street")
    sent = read_back(original).getexif()
    assert sent.get_ifd(ExifTags.IFD.GPSInfo) and sent.get_ifd(ExifTags.IFD.Exif)

    prepared = prepare_image(upload(original), RULES)

    for stored in (prepared.content, prepared.thumbnail):
        image = read_back(stored)
        assert image.format == "JPEG"
        assert not image.getexif()
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert not {"exif", "xmp", "comment", "icc_profile"} & image.info.keys()
        for secret in (b"Exif", b"SERIAL-4417", b"HOME-ADDRESS", b"Elm Street", b"Kinlink"):
            assert secret not in stored


def test_a_photo_taken_sideways_is_stored_upright() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # to be shown turned a quarter clockwise
    prepared = prepare_image(upload(jpeg((200, 150), exif=exif)), RULES)

    image = read_back(prepared.content).convert("RGB")
    assert (prepared.width, prepared.height) == image.size == (150, 200)
    # The left half (red) is now on top.
    assert close_to(image.getpixel((75, 20)), RED)
    assert close_to(image.getpixel((75, 180)), BLUE)
    thumbnail = read_back(prepared.thumbnail).convert("RGB")
    assert close_to(thumbnail.getpixel((thumbnail.width // 2, 5)), RED)


def test_a_photo_with_damaged_exif_is_still_stored_upright_without_it() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] = (40.0, 26.0, 46.0)
    content = jpeg((200, 150), exif=exif)
    # The latitude's entry (tag 2, three RATIONALs) now says three BYTEs.
    entry = struct.pack(">HHI", ExifTags.GPS.GPSLatitude, 5, 3)
    assert content.count(entry) == 1
    damaged = content.replace(entry, struct.pack(">HHI", ExifTags.GPS.GPSLatitude, 1, 3))

    prepared = prepare_image(upload(damaged), RULES)

    image = read_back(prepared.content)
    assert image.size == (150, 200)
    assert not image.getexif()


def test_a_png_s_text_chunks_and_profile_are_not_stored() -> None:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "12 Elm Street")
    text.add_text("Author", "Jo Doe", zip=True)
    text.add_itxt("Description", "our house", lang="en")
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = png(pnginfo=text, icc_profile=srgb)
    assert read_back(original).text

    prepared = prepare_image(png_upload(original), RULES)

    image = read_back(prepared.content)
    assert (image.format, image.mode, prepared.content_type) == ("PNG", "RGB", "image/png")
    assert not image.text
    assert "icc_profile" not in image.info
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"iCCP", b"eXIf"):
        assert chunk not in prepared.content


def test_a_png_keeps_its_transparency_and_its_thumbnail_is_a_jpeg_on_white() -> None:
    image = Image.new("RGBA", (400, 100), (0, 0, 0, 0))
    image.paste((20, 20, 220, 255), (200, 0, 400, 100))
    prepared = prepare_image(png_upload(encoded(image, "PNG")), RULES)

    stored = read_back(prepared.content)
    assert stored.mode == "RGBA"
    assert stored.getpixel((10, 10)) == (0, 0, 0, 0)
    thumbnail = read_back(prepared.thumbnail)
    assert (thumbnail.format, thumbnail.size) == ("JPEG", (320, 80))
    assert prepared.thumbnail_content_type == "image/jpeg"
    assert close_to(thumbnail.getpixel((10, 40)), (255, 255, 255))


def test_a_palette_png_keeps_its_transparent_colour() -> None:
    original = png((100, 100), mode="P", transparency=0)
    stored = read_back(prepare_image(png_upload(original), RULES).content)
    assert (stored.mode, stored.info["transparency"]) == ("P", 0)


def test_what_is_stored_is_described_exactly() -> None:
    prepared = prepare_image(upload(jpeg((1000, 500))), RULES)

    assert prepared.content_type == "image/jpeg"
    assert (prepared.width, prepared.height) == (1000, 500)
    assert prepared.size == len(prepared.content)
    assert prepared.sha256 == hashlib.sha256(prepared.content).hexdigest()
    assert read_back(prepared.thumbnail).size == (320, 160)


def test_a_cmyk_jpeg_is_stored_as_rgb() -> None:
    original = encoded(picture(mode="CMYK"), "JPEG")
    stored = read_back(prepare_image(upload(original), RULES).content)
    assert (stored.format, stored.mode) == ("JPEG", "RGB")
    assert close_to(stored.getpixel((10, 10)), RED)


def xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(struct.pack(">i", round(v * 65536)) for v in (x, y, z))


def profile_swapping_red_and_green() -> bytes:
    """An RGB colour profile (ICC v2) whose red is sRGB's green and whose green is sRGB's red,
    with linear tone curves: a picture tagged with it shows green where its values say red."""
    linear = b"curv\0\0\0\0" + struct.pack(">I", 0)
    white = xyz(0.9642, 1.0, 0.8249)  # D50, the profile connection space's white
    tags = [
        (b"rXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"gXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"wtpt", white),
        (b"rTRC", linear + b"\0\0"),
        (b"gTRC", linear + b"\0\0"),
        (b"bTRC", linear + b"\0\0"),
    ]
    start = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        table += signature + struct.pack(">II", start + len(data), len(body))
        data += body
    header = (
        struct.pack(">I4sI", start + len(data), b"", 0x02100000)
        + b"mntrRGB XYZ "
        + bytes(12)
        + b"acsp"
        + bytes(28)
        + white[8:]
        + bytes(48)
    )
    return header + struct.pack(">I", len(tags)) + table + data


def test_a_picture_s_colour_profile_is_applied_before_it_is_dropped() -> None:
    red_values = Image.new("RGB", (100, 100), (255, 0, 0))
    original = encoded(red_values, "JPEG", icc_profile=profile_swapping_red_and_green())

    stored = read_back(prepare_image(upload(original), RULES).content)

    assert "icc_profile" not in stored.info
    assert close_to(stored.getpixel((50, 50)), (0, 255, 0))


def test_a_broken_colour_profile_is_dropped_and_the_picture_kept() -> None:
    original = jpeg(icc_profile=b"not a colour profile")
    stored = read_back(prepare_image(upload(original), RULES).content)
    assert "icc_profile" not in stored.info
    assert close_to(stored.getpixel((10, 10)), RED)


# What the file is


@pytest.mark.parametrize(
    ("name", "declared"),
    [("photo.jpg", "image/png"), ("photo.png", "image/jpeg"), ("photo.jpg", "image/jpeg")],
)
def test_a_png_named_or_declared_a_jpeg_is_refused(name: str, declared: str) -> None:
    with refused(InvalidArgument, "image_type_mismatch"):
        prepare_image(upload(png(), name, declared), RULES)


def test_a_jpeg_named_a_png_is_refused() -> None:
    with refused(InvalidArgument, "image_type_mismatch"):
        prepare_image(upload(jpeg(), "photo.png", ""), RULES)


@pytest.mark.parametrize(
    ("name", "declared"),
    [
        ("photo.JPEG", "image/jpeg"),
        ("photo", "application/octet-stream"),
        ("photo.jfif", "image/jpg"),
        ("IMG_0001.jpg", "image/jpeg; charset=binary"),
        ("", ""),
    ],
)
def test_a_jpeg_passes_under_any_name_and_type_that_agree(name: str, declared: str) -> None:
    assert prepare_image(upload(jpeg(), name, declared), RULES).content_type == "image/jpeg"


def test_a_format_the_platform_does_not_take_is_refused() -> None:
    gif = encoded(picture(), "GIF")
    with refused(InvalidArgument, "image_type_not_allowed"):
        prepare_image(upload(gif, "photo.gif", "image/gif"), RULES)


def test_a_facility_may_take_jpeg_only() -> None:
    rules = facility(content_types=["image/jpeg", "image/gif"])
    assert rules.content_types == {"image/jpeg"}
    with refused(InvalidArgument, "image_type_not_allowed"):
        prepare_image(png_upload(png()), rules)


def heif(major: bytes, *compatible: bytes) -> bytes:
    """The first box of an ISO media file, as an iPhone's HEIC photo begins."""
    brands = major + b"\0\0\0\0" + b"".join(compatible)
    return struct.pack(">I", 8 + len(brands)) + b"ftyp" + brands + b"\0" * 64


@pytest.mark.parametrize(
    "content", [heif(b"heic", b"mif1", b"heic"), heif(b"mif1", b"heic"), heif(b"heix")]
)
@pytest.mark.parametrize("name", ["IMG_0001.HEIC", "IMG_0001.jpg"])
def test_a_heic_photo_is_refused_with_its_own_code(content: bytes, name: str) -> None:
    with refused(InvalidArgument, "image_heic_unsupported"):
        prepare_image(upload(content, name, "image/heic"), RULES)


def test_an_avif_image_is_a_format_not_taken() -> None:
    with refused(InvalidArgument, "image_type_not_allowed"):
        prepare_image(upload(heif(b"avif", b"mif1"), "photo.avif", "image/avif"), RULES)


def test_a_truncated_jpeg_is_refused_as_corrupt() -> None:
    content = jpeg((400, 300))
    with refused(InvalidArgument, "image_corrupt"):
        prepare_image(upload(content[: len(content) // 2]), RULES)


def test_a_truncated_png_is_refused_as_corrupt() -> None:
    content = png((400, 300))
    with refused(InvalidArgument, "image_corrupt"):
        prepare_image(png_upload(content[: len(content) - 30]), RULES)


@pytest.mark.parametrize(
    "content",
    [
        random.Random(12).randbytes(5000),
        b"\xff\xd8\xff" + random.Random(13).randbytes(5000),
        b"%PDF-1.7\n" + bytes(100),
        b"",
    ],
)
def test_garbage_is_refused_as_corrupt(content: bytes) -> None:
    with refused(InvalidArgument, "image_corrupt"):
        prepare_image(upload(content), RULES)


# Sizes and dimensions, each at its limit


def test_an_image_of_exactly_the_facility_s_bytes_passes_and_one_byte_more_is_refused() -> None:
    content = jpeg()
    assert prepare_image(upload(content), facility(max_bytes=len(content)))
    with refused(InvalidArgument, "image_too_large"):
        prepare_image(upload(content), facility(max_bytes=len(content) - 1))


def test_the_platform_s_bytes_ceiling_holds_whatever_the_facility_allows() -> None:
    rules = facility(max_bytes=50_000_000)
    assert rules.max_bytes == 10_000_000
    padded = jpeg() + bytes(10_000_000 - len(jpeg()))  # a JPEG's reader stops at its end
    assert prepare_image(upload(padded), rules)
    with refused(InvalidArgument, "image_too_large"):
        prepare_image(upload(padded + b"\0"), rules)


@pytest.mark.parametrize("size", [(64, 64), (64, 1000), (10_000, 64)])
def test_sides_at_the_limits_pass(size: tuple[int, int]) -> None:
    prepared = prepare_image(png_upload(png(size)), RULES)
    assert (prepared.width, prepared.height) == size


@pytest.mark.parametrize("size", [(63, 64), (1000, 63)])
def test_a_side_shorter_than_the_facility_s_minimum_is_refused(size: tuple[int, int]) -> None:
    with refused(InvalidArgument, "image_too_small"):
        prepare_image(png_upload(png(size)), RULES)


def test_a_side_longer_than_the_platform_s_maximum_is_refused() -> None:
    with refused(InvalidArgument, "image_too_big"):
        prepare_image(png_upload(png((10_001, 64))), RULES)


def test_a_facility_may_allow_only_smaller_images() -> None:
    rules = facility(min_dimension_px=100, max_dimension_px=300)
    assert prepare_image(upload(jpeg((300, 100))), rules).width == 300
    with refused(InvalidArgument, "image_too_big"):
        prepare_image(upload(jpeg((301, 100))), rules)
    with refused(InvalidArgument, "image_too_small"):
        prepare_image(upload(jpeg((300, 99))), rules)


@pytest.mark.parametrize(
    "content", [png_claiming(10_001, 64), jpeg_claiming(64, 10_001)], ids=["png", "jpeg"]
)
def test_a_small_file_claiming_a_side_too_long_is_refused_before_decoding(content: bytes) -> None:
    assert len(content) < 2000
    with refused(InvalidArgument, "image_too_big"):
        prepare_image(upload(content, "photo", ""), RULES)


@pytest.mark.parametrize(
    "content",
    [
        png_claiming(9_000, 9_000),  # sides allowed, 81 megapixels: over the platform's 50
        jpeg_claiming(9_000, 9_000),
        png_claiming(30_000, 30_000),  # so many that Pillow refuses it as it opens
    ],
    ids=["png", "jpeg", "png-900-megapixels"],
)
def test_a_small_file_claiming_too_many_pixels_is_a_decompression_bomb(content: bytes) -> None:
    with refused(InvalidArgument, "image_decompression_bomb"):
        prepare_image(upload(content, "photo", ""), RULES)


def test_an_image_of_exactly_the_platform_s_pixels_passes_and_one_row_more_is_refused() -> None:
    rules = effective_image_rules(ImageRules(), PlatformImageLimits(max_pixels=100 * 100))
    assert rules.max_pixels == 10_000
    assert prepare_image(upload(jpeg((100, 100))), rules).height == 100
    with refused(InvalidArgument, "image_decompression_bomb"):
        prepare_image(upload(jpeg((100, 101))), rules)


def test_the_pixel_budget_is_never_more_than_the_longest_sides_allow() -> None:
    assert facility(max_dimension_px=4000).max_pixels == 16_000_000
    assert RULES.max_pixels == 50_000_000


def test_the_platform_cannot_allow_a_format_it_cannot_prepare() -> None:
    with pytest.raises(ValueError, match="prepared"):
        PlatformImageLimits(content_types=frozenset({"image/jpeg", "image/gif"}))


# How many


def test_up_to_the_platform_s_five_images_per_message() -> None:
    rules = facility(max_per_message=20)
    assert rules.max_per_message == 5
    check_image_count(5, rules)
    with refused(InvalidArgument, "too_many_images"):
        check_image_count(6, rules)


def test_a_facility_may_take_fewer_images_or_none() -> None:
    check_image_count(1, RULES)
    with refused(InvalidArgument, "too_many_images"):
        check_image_count(2, RULES)
    check_image_count(0, facility(max_per_message=0))
    with refused(InvalidArgument, "too_many_images"):
        check_image_count(1, facility(max_per_message=0))


def test_refusals_tell_the_family_the_limit() -> None:
    rules = facility(max_bytes=5_000_000, max_dimension_px=2000, max_per_message=3)
    cases = [
        (upload(jpeg() + bytes(5_000_001 - len(jpeg()))), "at most 5 MB"),
        (upload(jpeg((2001, 100))), "at most 2,000 pixels"),
        (upload(jpeg((100, 63))), "at least 64 pixels"),
        (upload(png(), "photo.jpg", ""), "end in .png"),
        (upload(jpeg(), "photo.png", ""), "end in .jpg"),
        (upload(encoded(picture(), "GIF"), "a.gif", ""), "send a JPEG or PNG picture"),
    ]
    for image, limit in cases:
        with pytest.raises(InvalidArgument) as refusal:
            prepare_image(image, rules)
        assert limit in refusal.value.message
    with pytest.raises(InvalidArgument, match="at most 3 images here; this one has 4"):
        check_image_count(4, rules)


# Whatever arrives


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_are_prepared_or_refused_with_an_image_code(content: bytes) -> None:
    _prepared_or_refused(upload(content, "photo", ""))


_SMALL_JPEG, _SMALL_PNG = jpeg((80, 70)), png((80, 70))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([_SMALL_JPEG, _SMALL_PNG]),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(0, 10_000),
)
def test_damaged_images_are_prepared_or_refused_with_an_image_code(
    original: bytes, changes: list[tuple[int, int]], cut: int
) -> None:
    damaged = bytearray(original)
    for position, value in changes:
        damaged[position % len(damaged)] = value
    _prepared_or_refused(upload(bytes(damaged[: max(cut, 8)]), "photo", ""))


def _prepared_or_refused(image: ImageUpload) -> None:
    rules = replace(RULES, min_dimension_px=1)
    try:
        prepared = prepare_image(image, rules)
    except InvalidArgument as refusal:
        assert refusal.code in IMAGE_CODES
    else:
        assert read_back(prepared.content).size == (prepared.width, prepared.height)
