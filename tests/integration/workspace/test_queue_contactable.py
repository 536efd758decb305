"""The queue passes over accounts the gate would refuse on every channel before asking the gate about
the rest. That prefilter is SQL made of `core.contact_rules` fragments; on random portfolios it must
pick exactly the accounts, and the channels, that the same rules give in Python."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import AccountFactory, CreditorFactory, DebtorFactory
from recoup.compliance.models import Hold
from recoup.core.contact_rules import HELD_KINDS, POINT_NEEDS
from recoup.parties.models import ContactPoint
from recoup.workspace.queue import OFFICER_CHANNELS, _contactable

pytestmark = pytest.mark.django_db
AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
OFFSET = st.sampled_from([timedelta(days=-2), timedelta(seconds=-1), timedelta(0), timedelta(seconds=1)])
POINT = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["phone", "email"]),
        "phone_type": st.sampled_from(["mobile", "home", "work"]),
        "do_not_contact": st.booleans(),
    }
)
HOLD = st.fixed_dictionaries(
    {
        "on": st.sampled_from(["account", "debtor"]),
        "kind": st.sampled_from(Hold.Kind.values),
        "starts": OFFSET,
        "ends": st.none() | OFFSET,
        "lifted": st.none() | OFFSET,
    }
)
ACCOUNT = st.fixed_dictionaries({"points": st.lists(POINT, max_size=3), "holds": st.lists(HOLD, max_size=2)})


@PROPERTY
@given(shapes=st.lists(ACCOUNT, min_size=1, max_size=6))
def test_the_prefilter_picks_what_the_rules_pick(shapes: list[dict[str, Any]]) -> None:
    from django.db import transaction

    with transaction.atomic():
        creditor = CreditorFactory()
        expected: dict[int, set[Any]] = {}
        ids = []
        for shape in shapes:
            debtor = DebtorFactory()
            account = AccountFactory(creditor=creditor, debtor=debtor)
            ids.append(account.pk)
            for number, point in enumerate(shape["points"]):
                ContactPoint.objects.create(
                    debtor=debtor,
                    kind=point["kind"],
                    phone_type=point["phone_type"] if point["kind"] == "phone" else "",
                    value=f"p{debtor.pk}-{number}",
                    do_not_contact=point["do_not_contact"],
                    source=ContactPoint.Source.PLACEMENT,
                    obtained_date=AT.date(),
                )
            holds = [
                Hold.objects.create(
                    account=account if hold["on"] == "account" else None,
                    debtor=debtor if hold["on"] == "debtor" else None,
                    kind=hold["kind"],
                    channel="sms" if hold["kind"] == Hold.Kind.DO_NOT_CONTACT else "",
                    starts_at=AT + hold["starts"],
                    ends_at=None if hold["ends"] is None else AT + hold["ends"],
                    lifted_at=None if hold["lifted"] is None else AT + hold["lifted"],
                    reason="test",
                    created_at=AT - timedelta(days=3),
                )
                for hold in shape["holds"]
            ]
            if any(hold.kind in HELD_KINDS and hold.in_force(AT) for hold in holds):
                continue
            channels = {
                channel
                for channel in OFFICER_CHANNELS
                if any(
                    POINT_NEEDS[channel].served_by(
                        kind=p.kind, phone_type=p.phone_type, do_not_contact=p.do_not_contact
                    )
                    for p in debtor.contact_points.all()
                )
            }
            if channels:
                expected[account.pk] = channels
        assert _contactable(ids, now=AT) == expected
        transaction.set_rollback(True)


def test_no_accounts_ask_nothing() -> None:
    assert _contactable([], now=AT) == {}
