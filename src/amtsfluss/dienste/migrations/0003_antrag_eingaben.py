from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dienste", "0002_antrag"),
    ]

    operations = [
        migrations.AddField(
            model_name="antrag",
            name="eingaben",
            field=models.JSONField(default=dict),
        ),
    ]
