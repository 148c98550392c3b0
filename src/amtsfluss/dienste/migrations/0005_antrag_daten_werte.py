from django.db import migrations, models


class Migration(migrations.Migration):
    """``daten`` holds the entries as typed (the draft's shape), ``werte`` the typed values."""

    dependencies = [
        ("dienste", "0004_entwurf_datei"),
    ]

    operations = [
        migrations.RenameField(model_name="antrag", old_name="daten", new_name="werte"),
        migrations.RenameField(model_name="antrag", old_name="eingaben", new_name="daten"),
        migrations.AlterField(
            model_name="antrag",
            name="daten",
            field=models.JSONField(default=dict, verbose_name="Form data"),
        ),
        migrations.AlterField(
            model_name="antrag",
            name="werte",
            field=models.JSONField(default=dict),
        ),
    ]
