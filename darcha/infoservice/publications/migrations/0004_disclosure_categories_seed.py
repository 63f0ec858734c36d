"""The mandatory disclosure categories of Cabinet resolution 373 (annex 3), as data the admin edits."""

from django.db import migrations


def seed(apps, schema_editor):
    from darcha.infoservice.publications.disclosure_seed import load_categories

    load_categories(apps.get_model("publications", "DisclosureCategory"))


class Migration(migrations.Migration):
    dependencies = [("publications", "0003_disclosures_subscriptions")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
