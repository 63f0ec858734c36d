import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("queues", "0003_appointments"),
    ]

    operations = [
        migrations.AddField(
            model_name="queuesettings",
            name="close_grace_minutes",
            field=models.PositiveSmallIntegerField(
                default=30,
                help_text="After closing time the counters still call those who took a ticket while the center was "
                "open; this long after closing the day is closed and tickets still open become “not served”.",
                validators=[django.core.validators.MaxValueValidator(240)],
                verbose_name="serving after closing, minutes",
            ),
        ),
        migrations.AddField(
            model_name="queuesettings",
            name="board_sound",
            field=models.BooleanField(
                default=False,
                help_text="For a display board without anyone to tap it: calls are announced at once if the browser "
                "allows sound without a tap (kiosk mode, autoplay allowed). The board can also be opened with ?sound=1.",
                verbose_name="board plays sound from the start",
            ),
        ),
    ]
