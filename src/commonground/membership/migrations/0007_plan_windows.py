"""The renewal window moves from the association onto each plan; lifetime plans (term 0).

An empty window or grace means "the default for the term". An association that had set
its own window (not the old default of 30 days) keeps it on each of its plans, and runs
before tenancy drops the association's column.
"""

from django.db import migrations, models


def copy_association_window(apps, schema_editor):
    Association = apps.get_model("tenancy", "Association")
    Plan = apps.get_model("membership", "Plan")
    for association_id, window in Association.objects.exclude(
            renewal_window_days=30).values_list("id", "renewal_window_days"):
        Plan.objects.filter(association_id=association_id).update(renewal_window_days=window)


class Migration(migrations.Migration):

    dependencies = [
        ("membership", "0006_roster_mapping"),
        ("tenancy", "0001_initial"),
    ]
    run_before = [("tenancy", "0002_renewal_window_per_plan")]

    operations = [
        migrations.RemoveConstraint(model_name="plan", name="plan_term_positive"),
        migrations.AddField(
            model_name="plan",
            name="renewal_window_days",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, help_text="Days before the term ends when renewal is due"),
        ),
        migrations.AlterField(
            model_name="plan",
            name="grace_days",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True,
                help_text="Days after the term ends before the membership lapses"),
        ),
        migrations.AddConstraint(
            model_name="plan",
            constraint=models.CheckConstraint(condition=models.Q(("term_months__lte", 120)),
                                              name="plan_term_at_most_ten_years"),
        ),
        migrations.RunPython(copy_association_window, migrations.RunPython.noop),
    ]
