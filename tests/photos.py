"""Photos as phones take them, for the tests of what messaging stores."""

from __future__ import annotations

from PIL import ExifTags
from PIL import Image

CAMERA_SERIAL = "SERIAL-4417"


def phone_exif() -> Image.Exif:
    """A phone's EXIF: its make, its serial number and where the photo was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Kinlink Phone"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = CAMERA_SERIAL
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (40.0, 26.0, 46.0)}
    )
    return exif
