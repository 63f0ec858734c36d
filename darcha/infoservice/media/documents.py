"""The documents of an accreditation application (Cabinet resolution 243): the letter on the outlet's
letterhead, the passport and the diploma (PDF, JPEG or PNG, checked by content by core.uploads), and the
photo, which must be a JPEG or PNG image Pillow opens, large enough for the card; it is stored re-encoded
as JPEG (at most PHOTO_MAX_PX on its long side, without the camera's metadata)."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from darcha.core.uploads import check_upload

from .choices import DocumentKind

PHOTO_MIN_PX = (240, 300)  # width, height: a 3×4 photo of at least this size
PHOTO_MAX_PX = 1200
IMAGE_TYPES = ("image/jpeg", "image/png")


def check_document(upload, kind: str) -> ContentFile | object:
    """The file to store for a document, or ValidationError with a translated message."""
    if kind == DocumentKind.PHOTO:
        return check_photo(upload)
    return check_upload(upload).file


def check_photo(upload) -> ContentFile:
    checked = check_upload(upload, allowed=IMAGE_TYPES)
    name = checked.name
    not_image = ValidationError(
        _("“%(name)s” is not a photo: upload a JPEG or PNG image.") % {"name": name}, code="photo_not_image"
    )
    try:
        with Image.open(checked.file) as probe:
            probe.verify()
        checked.file.seek(0)
        with Image.open(checked.file) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            width, height = image.size
            if width < PHOTO_MIN_PX[0] or height < PHOTO_MIN_PX[1]:
                raise ValidationError(
                    _("The photo is %(width)d×%(height)d pixels; it must be at least %(min_w)d×%(min_h)d.")
                    % {"width": width, "height": height, "min_w": PHOTO_MIN_PX[0], "min_h": PHOTO_MIN_PX[1]},
                    code="photo_small",
                )
            image = image.convert("RGB")
            image.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=88)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_image from None
    return ContentFile(out.getvalue(), name="photo.jpg")


def content_type(stored) -> str:
    """The content type of a stored document, by its first bytes."""
    from darcha.core.uploads import sniff

    with stored.open("rb") as handle:
        return sniff(handle.read(16)) or "application/octet-stream"
