"""Files kept from an intake form sent back with errors (PendingUpload), for the form's next try."""

import django.db.models.deletion
from django.db import migrations, models

import darcha.cases.models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_idempotentrequest_to_core"),
        ("catalog", "0004_domain_limits"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingUpload",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("draft", models.CharField(max_length=64, verbose_name="draft")),
                ("holder", models.CharField(max_length=80, verbose_name="holder")),
                ("field", models.CharField(max_length=64, verbose_name="form field")),
                (
                    "file",
                    models.FileField(max_length=255, upload_to=darcha.cases.models._pending_path, verbose_name="file"),
                ),
                ("original_name", models.CharField(max_length=255, verbose_name="file name")),
                ("content_type", models.CharField(max_length=64, verbose_name="type")),
                ("size", models.PositiveIntegerField(verbose_name="size, bytes")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("created_at", models.DateTimeField(db_index=True, verbose_name="kept at")),
                (
                    "required",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalog.requireddocument",
                        verbose_name="checklist item",
                    ),
                ),
            ],
            options={
                "verbose_name": "kept upload",
                "verbose_name_plural": "kept uploads",
                "ordering": ["created_at", "id"],
                "indexes": [models.Index(fields=["draft", "holder"], name="pendingupload_draft_holder")],
            },
        ),
    ]
