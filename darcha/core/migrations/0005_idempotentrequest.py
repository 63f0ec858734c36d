"""The Idempotency-Key table moves from cases to core (the queue's API uses it too), rows kept; an anonymous
caller's keys are its client address's."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_api_token"),
        ("cases", "0001_initial"),  # its table is taken over here; cases 0002 forgets the model
    ]

    operations = [
        # The model as cases left it, on cases' table ...
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotentRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=128)),
                        ("endpoint", models.CharField(max_length=128)),
                        ("fingerprint", models.CharField(max_length=64)),
                        ("status_code", models.PositiveSmallIntegerField()),
                        ("body", models.JSONField(default=dict)),
                        ("created_at", models.DateTimeField()),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "idempotent API request",
                        "verbose_name_plural": "idempotent API requests",
                        "db_table": "cases_idempotentrequest",
                        "constraints": [
                            models.UniqueConstraint(fields=("user", "key"), name="idempotency_key_unique"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        # ... then core's own table, and keys of anonymous callers.
        migrations.AlterModelTable(name="IdempotentRequest", table=None),
        migrations.RemoveConstraint(model_name="idempotentrequest", name="idempotency_key_unique"),
        migrations.AlterField(
            model_name="idempotentrequest",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="idempotentrequest",
            name="client",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddConstraint(
            model_name="idempotentrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("user__isnull", False)), fields=("user", "key"), name="idempotency_key_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="idempotentrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("user__isnull", True)),
                fields=("client", "key"),
                name="idempotency_client_key_unique",
            ),
        ),
    ]
