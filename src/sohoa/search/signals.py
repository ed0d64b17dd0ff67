"""Keep the index in step: any change to a document, its pages or its copy queues it after the commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save


def queue(doc_id: int | None) -> None:
    if not doc_id:
        return

    def run() -> None:
        from .tasks import index_documents

        index_documents([doc_id])

    # robust: a failing index must never undo or fail the user's save; search-check finds the gap.
    transaction.on_commit(run, robust=True)


def _related(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if created:  # nothing is filed under a new unit, record or fonds yet
        return
    model, pk = sender._meta.model_name, instance.pk

    def run() -> None:
        from .tasks import index_related

        index_related(model, pk)

    transaction.on_commit(run, robust=True)


def _document(sender: Any, instance: Any, **kwargs: Any) -> None:
    queue(instance.pk)


def _child(sender: Any, instance: Any, **kwargs: Any) -> None:
    queue(getattr(instance, "document_id", None))


def _policy(sender: Any, **kwargs: Any) -> None:
    """A grant, a unit (its place in the tree) or a user's units changed: the cached permission filters
    go now, and once more when the change is committed (a filter another request built from the data
    before the commit is dropped with the second)."""
    from .query import policy_changed

    policy_changed()
    transaction.on_commit(policy_changed, robust=True)


def connect() -> None:
    from sohoa.archive.models import Document, Fonds, Grant, Record
    from sohoa.core.models import User
    from sohoa.digitization.models import DigitalCopy, Intake, Page
    from sohoa.registry.models import Unit

    for signal in (post_save, post_delete):
        signal.connect(_document, sender=Document, dispatch_uid=f"search-doc-{signal}")
        for model in (Page, DigitalCopy, Intake):
            signal.connect(_child, sender=model, dispatch_uid=f"search-{model.__name__}-{signal}")
    for parent in (Unit, Record, Fonds):
        post_save.connect(_related, sender=parent, dispatch_uid=f"search-{parent.__name__}")
    for signal in (post_save, post_delete):
        for source in (Grant, Unit):
            signal.connect(_policy, sender=source, dispatch_uid=f"search-policy-{source.__name__}-{signal}")
    m2m_changed.connect(_policy, sender=User.units.through, dispatch_uid="search-policy-user-units")
    # A document joining or leaving a petition or a case file: its links change.
    from sohoa.cases.models import CaseDocument
    from sohoa.petitions.models import PetitionFile

    for signal in (post_save, post_delete):
        for link in (PetitionFile, CaseDocument):
            signal.connect(_child, sender=link, dispatch_uid=f"search-{link.__name__}-{signal}")


connect()
