import datetime

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The shared cache (login throttling) lives in the database unless REDIS_URL is set.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def seed_brv(apps, schema_editor):
    BaseCalculationAmount = apps.get_model("core", "BaseCalculationAmount")
    for valid_from, amount, decree in [
        (datetime.date(2024, 10, 1), 375_000, "PF-150, 2024"),
        (datetime.date(2025, 8, 1), 412_000, "PF-116, 2025"),
    ]:
        BaseCalculationAmount.objects.get_or_create(valid_from=valid_from, defaults={"amount": amount, "decree": decree})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
        migrations.RunPython(seed_brv, migrations.RunPython.noop),
    ]
