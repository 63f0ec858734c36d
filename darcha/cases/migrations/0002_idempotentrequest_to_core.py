"""The Idempotency-Key table is core's now (core 0005 took it over with its rows): forget the model here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("core", "0005_idempotentrequest"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotentRequest")],
            database_operations=[],
        ),
    ]
