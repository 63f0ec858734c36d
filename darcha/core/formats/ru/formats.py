"""Russian: "2 декабря 2026 г.", "02.12.2026 14:30"."""

from django.conf.locale.ru.formats import *  # noqa: F403 (input formats, separators)

DATE_FORMAT = "j E Y г."
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y г., H:i"
YEAR_MONTH_FORMAT = "F Y г."
MONTH_DAY_FORMAT = "j E"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
