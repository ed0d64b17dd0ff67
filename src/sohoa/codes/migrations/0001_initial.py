import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("archive", "0006_grant_workflow"),
        ("registry", "0002_partymember"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DocumentMention",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("person", "Person (Party member)"), ("organization", "Party organization")],
                        default="person",
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                ("name", models.CharField(max_length=255, verbose_name="name as written")),
                ("birth_date", models.DateField(blank=True, null=True, verbose_name="date of birth")),
                ("code", models.CharField(blank=True, db_index=True, max_length=32, verbose_name="code")),
                (
                    "code_source",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("typed", "Typed"),
                            ("suggestion", "Accepted suggestion"),
                            ("auto", "Applied automatically"),
                        ],
                        max_length=16,
                        verbose_name="how the code was set",
                    ),
                ),
                ("code_set_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "code_set_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentions",
                        to="archive.document",
                        verbose_name="document",
                    ),
                ),
                (
                    "unit_hint",
                    models.ForeignKey(
                        blank=True,
                        help_text="The party organization the record places the person in, when it says so",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="registry.unit",
                        verbose_name="organization named with it",
                    ),
                ),
            ],
            options={
                "verbose_name": "mention in a document",
                "verbose_name_plural": "mentions in documents",
                "ordering": ["pk"],
                "abstract": False,
                "indexes": [models.Index(fields=["document", "code"], name="codes_docmention_doc_code")],
            },
        ),
    ]
