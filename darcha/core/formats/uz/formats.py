"""Uzbek (Latin): "2026-yil 2-dekabr" (year first, the month in lower case), "02.12.2026 14:30"."""

from django.conf.locale.uz.formats import *  # noqa: F403 (input formats, separators)

DATE_FORMAT = r"Y-\y\i\l j-F"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"Y-\y\i\l j-F, H:i"
YEAR_MONTH_FORMAT = r"Y-\y\i\l F"
MONTH_DAY_FORMAT = "j-F"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
