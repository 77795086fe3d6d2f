# The roster's saved column mapping becomes one per kind of file (a roster, a membership
# history): renamed, not recreated, so the mappings saved so far stay (as the roster's).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('membership', '0010_bulk_rows_association_unchecked'),
        ('tenancy', '0001_initial'),
    ]

    operations = [
        migrations.RenameModel(old_name='RosterMapping', new_name='ImportMapping'),
        migrations.AddField(
            model_name='importmapping',
            name='kind',
            field=models.CharField(choices=[('people', 'Roster'), ('memberships', 'Membership history')], default='people', max_length=20),
        ),
        migrations.AlterField(
            model_name='importmapping',
            name='association',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.association'),
        ),
        migrations.AddConstraint(
            model_name='importmapping',
            constraint=models.UniqueConstraint(fields=('association', 'kind'), name='importmapping_one_per_kind'),
        ),
    ]
