"""Dates and sizes in each language's own format: Django format modules (settings.FORMAT_MODULE_PATH).

One format per language everywhere — pages, PDFs and notices — through Django's named formats:
`{{ value|date:"DATE_FORMAT" }}` (or SHORT_DATE_FORMAT, DATETIME_FORMAT, SHORT_DATETIME_FORMAT,
MONTH_DAY_FORMAT) in templates, `django.utils.formats.date_format(value, "DATE_FORMAT")` in Python
(under `translation.override(language)` for a notice). Never a format string of one's own.

| language | DATE_FORMAT | SHORT_DATETIME_FORMAT |
| --- | --- | --- |
| uz | 2026-yil 2-dekabr | 02.12.2026 14:30 |
| uz-cyrl | 2026-йил 2-декабрь | 02.12.2026 14:30 |
| ru | 2 декабря 2026 г. | 02.12.2026 14:30 |
| en | 2 December 2026 | 02.12.2026 14:30 |

Month and weekday names come from the catalogs. Django's own write Uzbek months capitalised ("Dekabr")
and have no Uzbek Cyrillic (it falls back to the Latin ones: "Dekabr", "Shan"), and Django's Uzbek file
size has no space ("193bayt"), so Darcha's catalogs translate these messages again; they are listed here
so that `makemessages` keeps them.
"""

from django.utils.translation import gettext_noop, ngettext_lazy, pgettext_lazy

# django.utils.dates: MONTHS (format character F) and MONTHS_ALT (E).
MONTHS = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)
MONTHS_ALT = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)
# django.utils.dates: WEEKDAYS_ABBR (D), which Django has no Uzbek Cyrillic for.
WEEKDAYS_ABBR = (
    gettext_noop("Mon"),
    gettext_noop("Tue"),
    gettext_noop("Wed"),
    gettext_noop("Thu"),
    gettext_noop("Fri"),
    gettext_noop("Sat"),
    gettext_noop("Sun"),
)
# django.template.defaultfilters.filesizeformat
FILE_SIZES = (
    ngettext_lazy("%(size)d byte", "%(size)d bytes", "size"),
    gettext_noop("%s KB"),
    gettext_noop("%s MB"),
    gettext_noop("%s GB"),
)
