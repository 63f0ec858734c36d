"""`{{ text.body|publication_html }}`: a publication's body, cleaned again by the allow-list on the way
out (it was cleaned when saved; a body written into the database by other means is made safe too)."""

from django import template
from django.utils.safestring import mark_safe

from ..sanitize import clean_html

register = template.Library()


@register.filter
def publication_html(value: str) -> str:
    return mark_safe(clean_html(value or ""))  # noqa: S308 - nh3's allow-list output
