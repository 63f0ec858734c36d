"""The official calendar's days named again (core.services.official_days): Russian names for every day
off the `holidays` package names (the decree days, the days moved, the estimated feasts), dates as
dd.mm.yyyy, and the Saturdays worked named by the day off they are worked for. Days an administrator
entered are left as they are."""

from django.db import migrations


def rename(apps, schema_editor):
    from darcha.core.services import official_days

    Holiday = apps.get_model("core", "Holiday")
    official = Holiday.objects.filter(source="official")
    years = sorted({day.year for day in official.values_list("date", flat=True)})
    if not years:
        return
    rows = official_days(years)
    for holiday in official:
        names = rows.get(holiday.date)
        if names and names["kind"] == holiday.kind:
            holiday.name_uz, holiday.name_ru, holiday.name_en = names["name_uz"], names["name_ru"], names["name_en"]
            holiday.save(update_fields=["name_uz", "name_ru", "name_en"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_organization_short_names"),
    ]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
