"""Uzbek (Cyrillic): "2026-йил 2-декабрь", "02.12.2026 14:30" (Django has no format module of its own)."""

from django.conf.locale.uz.formats import *  # noqa: F403 (input formats, separators)

DATE_FORMAT = "Y-йил j-F"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y-йил j-F, H:i"
YEAR_MONTH_FORMAT = "Y-йил F"
MONTH_DAY_FORMAT = "j-F"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
