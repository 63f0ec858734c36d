"""Publication images: checked by Pillow (a file that does not open as a JPEG, PNG or WebP image is
refused, whatever its name), turned upright by its EXIF orientation, stripped of its metadata (a phone
photo's GPS position is not published), resized to PUBLICATIONS_IMAGE_MAX_PX on its long side and stored
re-encoded (JPEG; PNG when it has transparency). The original is not kept."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# Refused before decoding: a small file may declare a huge picture (a decompression bomb).
MAX_PIXELS = 60_000_000
JPEG_QUALITY = 85


@dataclass(frozen=True)
class ResizedImage:
    file: ContentFile
    width: int
    height: int


def max_side() -> int:
    return int(getattr(settings, "PUBLICATIONS_IMAGE_MAX_PX", 1600))


def _name(upload) -> str:
    return os.path.basename(str(getattr(upload, "name", "") or "image"))[-120:]


def _not_an_image(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is not an image: upload a JPEG, PNG or WebP picture.") % {"name": name}, code="not_image"
    )


def prepare_image(upload) -> ResizedImage:
    """The upload checked and resized, ready to store; ValidationError (translated) when it is not an image."""
    name = _name(upload)
    limit = settings.CASES_UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; a file may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()  # the structure, without decoding the picture
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _not_an_image(name) from None
    if kind not in ACCEPTED_FORMATS:
        raise _not_an_image(name)
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _("“%(name)s” is %(width)d×%(height)d pixels; that is too large a picture.")
            % {"name": name, "width": width, "height": height},
            code="image_too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as source:
            picture = ImageOps.exif_transpose(source)
            picture.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("“%(name)s” is a damaged image.") % {"name": name}, code="image_damaged") from None
    return _encode(picture, name)


def _has_alpha(picture: Image.Image) -> bool:
    if picture.mode in ("RGBA", "LA"):
        return picture.getextrema()[-1][0] < 255
    return picture.mode == "P" and "transparency" in picture.info


def _encode(picture: Image.Image, name: str) -> ResizedImage:
    side = max_side()
    if max(picture.size) > side:
        picture = picture.copy()
        picture.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    stem = os.path.splitext(name)[0] or "image"
    if _has_alpha(picture):
        picture = picture.convert("RGBA")
        picture.save(out, "PNG", optimize=True)
        extension = "png"
    else:
        picture = picture.convert("RGB")
        picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        extension = "jpg"
    width, height = picture.size
    return ResizedImage(ContentFile(out.getvalue(), name=f"{stem}.{extension}"), width, height)
