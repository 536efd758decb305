"""Each contact rule in `core.contact_rules` is a predicate with its SQL beside it: the gate and the
messages use the predicate, the daily run, the queue and the bank matching use the SQL. On random
records, on whichever database the suite runs on (CI runs both), the two must pick the same rows."""

# ruff: noqa: S608 - the SQL is the rules' own, made of constants; values are parameters

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import AccountFactory, CreditorFactory, DebtorFactory
from recoup.accounts.models import Account
from recoup.compliance.models import Hold
from recoup.core.contact_rules import (
    HELD_KINDS,
    HOLD_RULES,
    POINT_NEEDS,
    HoldKind,
    has_postal_address,
    held_sql,
    hold_blocks,
    hold_in_force,
    hold_in_force_sql,
    is_open,
    open_status_sql,
    reachable_sql,
)
from recoup.parties.models import ContactPoint
from recoup.strategies.services import hold_screen_rows

pytestmark = pytest.mark.django_db
AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

ADDRESS_PART = st.sampled_from(["", " ", "  ", "12 Main Street", " x ", "\t"])
POINT = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["phone", "email"]),
        "phone_type": st.sampled_from(["mobile", "home", "work"]),  # a phone always has a type
        "do_not_contact": st.booleans(),
    }
)
DEBTOR = st.fixed_dictionaries(
    {
        "address_line1": ADDRESS_PART,
        "city": ADDRESS_PART,
        "postal_code": ADDRESS_PART,
        "points": st.lists(POINT, max_size=4),
    }
)
OFFSET = st.sampled_from(
    [timedelta(days=-2), timedelta(seconds=-1), timedelta(0), timedelta(seconds=1), timedelta(days=2)]
)
HOLD = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(Hold.Kind.values),
        "channel": st.sampled_from(["call", "sms", "email", "letter"]),
        "starts": OFFSET,
        "ends": st.none() | OFFSET,
        "lifted": st.none() | OFFSET,
    }
)


def rows(sql: str, params: list[Any] | None = None) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return {row[0] for row in cursor.fetchall()}


@PROPERTY
@given(debtors=st.lists(DEBTOR, min_size=1, max_size=6))
def test_the_run_and_the_gate_agree_on_who_can_be_reached_on_each_channel(debtors: list[dict[str, Any]]) -> None:
    with transaction.atomic():
        made = []
        for shape in debtors:
            debtor = DebtorFactory(
                address_line1=shape["address_line1"], city=shape["city"], postal_code=shape["postal_code"]
            )
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
            made.append(debtor)
        ids = [debtor.pk for debtor in made]
        marks = ", ".join(["%s"] * len(ids))
        for channel in ["call", "sms", "email", "letter"]:
            by_sql = rows(
                f"SELECT d.id FROM parties_debtor d WHERE d.id IN ({marks}) AND {reachable_sql(channel, 'd.id')}", ids
            )
            need = POINT_NEEDS.get(channel)
            by_python = {
                debtor.pk
                for debtor in made
                if (
                    has_postal_address(
                        address_line1=debtor.address_line1, city=debtor.city, postal_code=debtor.postal_code
                    )
                    if need is None
                    else any(
                        need.served_by(kind=p.kind, phone_type=p.phone_type, do_not_contact=p.do_not_contact)
                        for p in debtor.contact_points.all()
                    )
                )
            }
            assert by_sql == by_python, channel
        transaction.set_rollback(True)


@PROPERTY
@given(holds=st.lists(HOLD, min_size=1, max_size=8))
def test_the_run_and_the_gate_agree_on_which_holds_are_in_force_and_which_hold_an_account(
    holds: list[dict[str, Any]],
) -> None:
    with transaction.atomic():
        debtor = DebtorFactory()
        made = [
            Hold.objects.create(
                debtor=debtor,
                kind=shape["kind"],
                channel=shape["channel"] if shape["kind"] == Hold.Kind.DO_NOT_CONTACT else "",
                starts_at=AT + shape["starts"],
                ends_at=None if shape["ends"] is None else AT + shape["ends"],
                lifted_at=None if shape["lifted"] is None else AT + shape["lifted"],
                reason="test",
                created_at=AT - timedelta(days=3),
            )
            for shape in holds
        ]
        mine = "h.debtor_id = %s"
        in_force = rows(
            f"SELECT h.id FROM compliance_hold h WHERE {mine} AND {hold_in_force_sql('h')}", [debtor.pk, AT, AT]
        )
        assert in_force == {
            hold.pk
            for hold in made
            if hold_in_force(starts_at=hold.starts_at, ends_at=hold.ends_at, lifted_at=hold.lifted_at, at=AT)
        }
        assert in_force == {hold.pk for hold in made if hold.in_force(AT)}
        held = rows(f"SELECT h.id FROM compliance_hold h WHERE {mine} AND {held_sql('h')}", [debtor.pk])
        assert held == {hold.pk for hold in made if hold.kind in HELD_KINDS}
        transaction.set_rollback(True)


@PROPERTY
@given(statuses=st.lists(st.sampled_from(Account.Status.values), min_size=1, max_size=8))
def test_the_run_and_the_lists_agree_on_which_accounts_are_open(statuses: list[str]) -> None:
    with transaction.atomic():
        creditor = CreditorFactory()
        made = [AccountFactory(creditor=creditor, status=status) for status in statuses]
        found = rows(
            f"SELECT a.id FROM accounts_account a WHERE a.creditor_id = %s AND {open_status_sql('a.status')}",
            [creditor.pk],
        )
        assert found == {account.pk for account in made if is_open(account.status)}
        transaction.set_rollback(True)


def test_every_kind_of_hold_has_its_rule_and_no_rule_names_a_kind_that_does_not_exist() -> None:
    assert {rule.kind for rule in HOLD_RULES} == set(Hold.Kind.values)
    assert {value for name, value in vars(HoldKind).items() if name.isupper()} == set(Hold.Kind.values)


@pytest.mark.parametrize("kind", Hold.Kind.values)
def test_the_runs_hold_screen_blocks_exactly_what_the_gate_says_each_hold_blocks(kind: str) -> None:
    """The screen joins holds to (kind, action, channel) rows; a hold blocks an action on the screen
    exactly when `hold_blocks` says it does, for every channel a do-not-contact hold can name."""
    screen = hold_screen_rows()
    for hold_channel in ["", "call", "sms", "email", "letter"]:
        for action in ["call", "sms", "email", "letter"]:
            on_screen = any(row[0] == kind and row[1] == action and row[2] in ("", hold_channel) for row in screen)
            if kind == Hold.Kind.DO_NOT_CONTACT and not hold_channel:
                continue  # a do-not-contact hold always names its channel (a database constraint)
            assert on_screen == hold_blocks(kind, hold_channel, action), (kind, hold_channel, action)
