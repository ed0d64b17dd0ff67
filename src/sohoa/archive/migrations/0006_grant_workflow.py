"""Need-to-know grants become requests approved by a unit leader; existing grants stay approved."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def existing_grants_are_approved(apps, schema_editor):  # type: ignore[no-untyped-def]
    Grant = apps.get_model("archive", "Grant")
    for grant in Grant.objects.all():
        target = grant.document or grant.record
        grant.approved_at = grant.created_at
        grant.unit_id = target.unit_id if target is not None else None
        grant.save(update_fields=["approved_at", "unit"])


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0005_register_import"),
        ("registry", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="grant", name="grant_has_target"),
        migrations.RenameField(model_name="grant", old_name="granted_by", new_name="approved_by"),
        migrations.AlterField(
            model_name="grant",
            name="approved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        # Grants made before this workflow were given by an administrator: they stay valid.
        migrations.AddField(
            model_name="grant",
            name="status",
            field=models.CharField(
                choices=[
                    ("requested", "Requested"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("revoked", "Revoked"),
                ],
                db_index=True,
                default="approved",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="grant",
            name="status",
            field=models.CharField(
                choices=[
                    ("requested", "Requested"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("revoked", "Revoked"),
                ],
                db_index=True,
                default="requested",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="grant",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.unit",
                verbose_name="custodian unit",
            ),
        ),
        migrations.AddField(
            model_name="grant",
            name="reference",
            field=models.CharField(blank=True, max_length=150, verbose_name="number and symbol or record code"),
        ),
        migrations.AddField(
            model_name="grant",
            name="requested_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="grant",
            name="approved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="approved at"),
        ),
        migrations.AddField(
            model_name="grant",
            name="closed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="grant",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="rejected or revoked at"),
        ),
        migrations.AddField(
            model_name="grant",
            name="close_note",
            field=models.CharField(blank=True, max_length=500, verbose_name="note"),
        ),
        migrations.AlterModelOptions(
            name="grant",
            options={
                "ordering": ["-created_at"],
                "verbose_name": "need-to-know grant",
                "verbose_name_plural": "need-to-know grants",
            },
        ),
        migrations.RunPython(existing_grants_are_approved, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="grant",
            constraint=models.CheckConstraint(
                condition=models.Q(document__isnull=False)
                | models.Q(record__isnull=False)
                | models.Q(status__in=["requested", "rejected"]),
                name="grant_has_target",
            ),
        ),
    ]
