"""factory_boy factories for the whole suite."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from sohoa.archive.models import Direction, Document, Fonds, Grant, Record, RegisterEntry, StorageLocation
from sohoa.core.models import Level, Role, User
from sohoa.digitization.models import DigitalCopy
from sohoa.registry.models import Unit, UnitKind
from sohoa.registry.services import unit_save

PASSWORD = "correct-horse-battery"


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Đơn vị số {n}")
    short_name = factory.Sequence(lambda n: f"DV{n}")
    kind = UnitKind.OFFICE
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        # Through the service, so tree paths are right.
        return unit_save(actor=None, unit=model_class(*args, **kwargs))


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.CLERK
    clearance = Level.NONE
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def units(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.units.set(extracted)


class FondsFactory(DjangoModelFactory):
    class Meta:
        model = Fonds

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"Phông số {n}")
    unit = factory.SubFactory(UnitFactory)
    creator_unit = factory.SelfAttribute("unit")


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = StorageLocation

    unit = factory.SubFactory(UnitFactory)
    storage = "Kho 1"
    shelf = factory.Sequence(lambda n: f"Giá {n}")
    box = "Hộp 1"


class RecordFactory(DjangoModelFactory):
    class Meta:
        model = Record

    code = factory.Sequence(lambda n: f"H12.2024.{n:03d}")
    number = factory.Sequence(lambda n: f"{n:02d}-HS")
    title = factory.Sequence(lambda n: f"Hồ sơ số {n}")
    year = 2024
    unit = factory.SubFactory(UnitFactory)
    creator_unit = factory.SelfAttribute("unit")
    confidentiality = Level.NONE


class DocumentFactory(DjangoModelFactory):
    class Meta:
        model = Document

    notation = factory.Sequence(lambda n: f"{n + 1}-CV/TU")
    doc_type = "CV"
    issued_date = dt.date(2024, 5, 2)
    issuer = "Tỉnh ủy Cà Mau"
    subject = factory.Sequence(lambda n: f"V/v công việc số {n}")
    unit = factory.SubFactory(UnitFactory)
    creator_unit = factory.SelfAttribute("unit")
    confidentiality = Level.NONE


class DigitalCopyFactory(DjangoModelFactory):
    """A digital copy row as the pipeline's last step makes it (dummy paths and checksums: no files)."""

    class Meta:
        model = DigitalCopy

    document = factory.SubFactory(DocumentFactory)
    original_name = "scan.pdf"
    original_path = factory.LazyAttribute(lambda o: f"originals/{o.document.pk}")
    original_sha256 = "0" * 64
    original_size = 1
    original_mime = "application/pdf"
    archival_path = factory.LazyAttribute(lambda o: f"archival/{o.document.pk}.pdf")
    archival_sha256 = "0" * 64
    archival_size = 1
    page_count = 1


class RegisterEntryFactory(DjangoModelFactory):
    class Meta:
        model = RegisterEntry

    unit = factory.SubFactory(UnitFactory)
    direction = Direction.INCOMING
    year = 2025
    entry_number = factory.Sequence(lambda n: n + 1)
    notation = factory.Sequence(lambda n: f"{n + 1}/UBND-VP")
    doc_date = dt.date(2025, 3, 3)
    subject = factory.Sequence(lambda n: f"V/v nội dung đến số {n}")
    confidentiality = Level.NONE


class GrantFactory(DjangoModelFactory):
    """A need-to-know grant valid for a week; pass `document=` or `record=`."""

    class Meta:
        model = Grant

    user = factory.SubFactory(UserFactory)
    document = None
    record = None
    reason = "Cần biết để giải quyết đơn thư"
    valid_until = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    # Approved by default (the state in which a grant opens anything); pass status= for the others.
    status = "approved"
    approved_at = factory.LazyFunction(timezone.now)
