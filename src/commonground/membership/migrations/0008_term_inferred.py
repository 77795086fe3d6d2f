from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('membership', '0007_plan_windows'),
    ]

    operations = [
        migrations.AddField(
            model_name='term',
            name='inferred',
            field=models.BooleanField(default=False),
        ),
    ]
