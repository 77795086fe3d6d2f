"""The renewal window lives on each plan now (membership 0007 copies a custom one over)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("tenancy", "0001_initial")]

    operations = [migrations.RemoveField(model_name="association", name="renewal_window_days")]
