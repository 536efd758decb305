"""The execute stage: the planned actions carried out. Calls, waits and legal reviews set-based; each
message, fee and status change through its app's service, in its own transaction with the record of
what became of it."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP
from typing import Any

from django.db import transaction

from recoup.accounts.models import Account
from recoup.accounts.services import (
    UnableToChangeStatus,
    UnableToPostTransaction,
    change_account_status,
    fee_problem,
    post_charge,
)
from recoup.audit.events import Event
from recoup.audit.services import author_of, event_row, record_events
from recoup.communications.models import Message
from recoup.communications.services import UnableToSend, queue_message
from recoup.core.account_status import AccountStatus
from recoup.core.ledger import Component
from recoup.core.money import Money
from recoup.core.strategy import MESSAGE_ACTIONS, ActionKind
from recoup.strategies.context import RunContext
from recoup.strategies.models import Action, Assignment
from recoup.strategies.stages.actions import step_key

EXECUTE_BATCH = 500


RULE_ID = re.compile(r"\b([A-Z]{2,}(?:-[A-Z0-9]+)+)\b")


def _rule_of(text: str) -> str:
    """The first rule ID in a refusal ("US-01: ..." or "letter blocked: US-23 ..."); else the field it names."""
    match = RULE_ID.search(text)
    if match:
        return match.group(1)[:30]
    head = text.split(":", 1)[0].split()
    return head[0][:30] if head else "REFUSED"


def _carry_out(context: RunContext, action: Action, account: Account) -> None:
    """Do one planned action, in the caller's transaction, and record what became of it."""
    kind = ActionKind(action.kind)
    now = context.now
    action.decided_at = now
    if kind in MESSAGE_ACTIONS:
        try:
            message = queue_message(
                account=account, template_code=action.template, channel=kind.value, now=now, actor=None
            )
        except UnableToSend as error:
            action.state, action.rule, action.reason = Action.State.BLOCKED, _rule_of(str(error)), str(error)[:2000]
            return
        action.message_id = message.pk
        if message.status == Message.Status.DEFERRED:
            why = message.events.order_by("-id").values_list("detail", flat=True).first() or ""
            action.state = Action.State.DEFERRED
            action.rule = _rule_of(why) if why else ""
            action.reason = f"waits until {message.not_before.isoformat()}: {why}"[:2000]
        else:
            action.state = Action.State.DONE
        return
    step = _step_of(context, action)
    if kind is ActionKind.FEE:
        amount = Money.rounded(step.amount, account.currency, rounding=ROUND_HALF_UP) if step and step.amount else None
        if amount is None:
            action.state, action.rule, action.reason = Action.State.BLOCKED, "FEE-POLICY", "the step has no amount"
            return
        problem = fee_problem(account, amount)
        if problem:
            action.state, action.rule, action.reason = Action.State.BLOCKED, "FEE-POLICY", problem
            return
        try:
            post_charge(
                account=account,
                component=Component.FEES,
                amount=amount,
                due_date=context.as_of,
                now=now,
                actor=None,
                kind="fee",
                memo=f"strategy step {action.step_key}",
            )
        except UnableToPostTransaction as error:
            action.state, action.rule, action.reason = Action.State.BLOCKED, "FEE-POLICY", str(error)
            return
        action.amount_minor = amount.minor
        action.state = Action.State.DONE
        return
    if kind is ActionKind.STATUS:
        try:
            change_account_status(
                account=account,
                to_status=AccountStatus(action.status_to),
                reason=f"strategy step {action.step_key} of path {step_path_name(action)}",
                now=now,
                actor=None,
            )
        except UnableToChangeStatus as error:
            action.state, action.rule, action.reason = Action.State.BLOCKED, "STATUS", str(error)
            return
        action.state = Action.State.DONE
        return
    # Calls, waits and legal reviews were done set-based before this loop (_execute_set_based).
    action.state, action.rule, action.reason = Action.State.BLOCKED, "UNKNOWN", f"no way to do {kind}"


def step_path_name(action: Action) -> str:
    return Assignment.objects.filter(pk=action.assignment_id).values_list("path", flat=True).first() or ""


def _step_of(context: RunContext, action: Action) -> Any:
    path_name = step_path_name(action)
    path = context.strategy.paths.get(path_name)
    if path is None:
        return None
    return next((s for s in path.steps if step_key(s, context.as_of) == action.step_key), None)


def _execute_set_based(context: RunContext, low: int, high: int) -> dict[str, int]:
    """The actions that need no per-account service, in one transaction: calls join the officers' queue,
    waits are done, legal reviews are flagged with one audit event each on the account's timeline."""
    counts: dict[str, int] = {}
    planned = Action.objects.filter(
        run=context.run, state=Action.State.PLANNED, account_id__gte=low, account_id__lte=high
    )
    by = author_of(None)
    with transaction.atomic():
        reviews = list(
            planned.filter(kind=ActionKind.LEGAL_REVIEW).order_by("pk").values_list("pk", "account_id", "step_key")
        )
        for start in range(0, len(reviews), 2_000):
            part = reviews[start : start + 2_000]
            record_events(
                event_row(
                    Event.LEGAL_REVIEW_FLAGGED,
                    subject_id=account_id,
                    account_id=account_id,
                    occurred_at=context.now,
                    by=by,
                    after={"step": step_key, "run_date": context.as_of.isoformat(), "action": pk},
                )
                for pk, account_id, step_key in part
            )
            Action.objects.filter(pk__in=[pk for pk, _a, _s in part]).update(
                state=Action.State.QUEUED, decided_at=context.now
            )
        if reviews:
            counts[Action.State.QUEUED] = len(reviews)
        for kind, state in ((ActionKind.CALL, Action.State.QUEUED), (ActionKind.WAIT, Action.State.DONE)):
            changed = planned.filter(kind=kind).update(state=state, decided_at=context.now)
            if changed:
                counts[state] = counts.get(state, 0) + changed
    return counts


def _execute(context: RunContext, low: int, high: int) -> dict[str, int]:
    """Carry out the planned actions of accounts low..high, each in its own transaction with the record
    of what became of it, so a crash leaves each action either done and recorded or still planned."""
    counts = _execute_set_based(context, low, high)
    # The range's planned actions are listed once, through the index on the account, rather than paged
    # with ORDER BY id LIMIT: PostgreSQL plans that by walking the whole table in id order, which costs a
    # scan of every action per range even when (as on most days) nothing is left to do here.
    planned = sorted(
        Action.objects.filter(
            run=context.run, state=Action.State.PLANNED, account_id__gte=low, account_id__lte=high
        ).values_list("pk", flat=True)
    )
    for start in range(0, len(planned), EXECUTE_BATCH):
        batch = list(Action.objects.filter(pk__in=planned[start : start + EXECUTE_BATCH]).order_by("pk"))
        accounts = Account.objects.select_related("creditor").in_bulk([a.account_id for a in batch])
        for action in batch:
            with transaction.atomic():
                locked = Action.objects.select_for_update().get(pk=action.pk)
                if locked.state != Action.State.PLANNED:
                    continue
                _carry_out(context, locked, accounts[locked.account_id])
                locked.save()
            counts[locked.state] = counts.get(locked.state, 0) + 1
    return counts
