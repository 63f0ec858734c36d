"""An organization's short name in each language ("Kadastr", "Кадастр", "Cadastre"), like its name: the
one name kept so far becomes the Uzbek (Latin) one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_audit_chain_required"),
    ]

    operations = [
        migrations.RenameField(model_name="organization", old_name="short_name", new_name="short_name_uz"),
        migrations.AlterField(
            model_name="organization",
            name="short_name_uz",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="Uzbek (Latin)"),
        ),
        migrations.AddField(
            model_name="organization",
            name="short_name_uz_cyrl",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="Uzbek (Cyrillic)"),
        ),
        migrations.AddField(
            model_name="organization",
            name="short_name_ru",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="Russian"),
        ),
        migrations.AddField(
            model_name="organization",
            name="short_name_en",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="English"),
        ),
    ]
