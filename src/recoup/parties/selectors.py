"""Reading creditors and debtors."""

from __future__ import annotations

from recoup.parties.models import Creditor


def creditor_choices() -> list[tuple[int, str]]:
    """Every creditor as (id, name), by name then id, for filter drop-downs."""
    return [(pk, name) for pk, name in Creditor.objects.order_by("name", "id").values_list("id", "name")]


def creditor_by_id(pk: int) -> Creditor | None:
    """The creditor with that id, or None."""
    return Creditor.objects.filter(pk=pk).first()
