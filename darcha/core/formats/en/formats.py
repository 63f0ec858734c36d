"""English: "2 December 2026", "02.12.2026 14:30" (day first, as the other languages of the country)."""

from django.conf.locale.en.formats import *  # noqa: F403 (input formats, separators)

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
