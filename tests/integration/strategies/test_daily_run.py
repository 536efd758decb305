"""The daily run over a demo portfolio: segments and paths as the core decides them, actions through the
gate's screen, idempotent per date, resumable after a failure, and a dry run that keeps nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from recoup.accounts.models import Account, AccountDebtor
from recoup.arrangements.models import Arrangement
from recoup.communications.models import Message
from recoup.communications.starter import create_starter_templates
from recoup.compliance.models import Contact, Hold
from recoup.core.contact_rules import HELD_KINDS
from recoup.core.strategy import AccountFacts, parse_strategy, path_for, segment_for
from recoup.demo.generator import generate_portfolio
from recoup.parties.models import ContactPoint, Creditor, Debtor
from recoup.strategies import services
from recoup.strategies.fanout import run_range_task
from recoup.strategies.models import AccountFact, Action, Assignment, Run, RunChunk
from recoup.strategies.services import (
    RANGED_STAGES,
    STAGES,
    UnableToRun,
    UnableToSaveStrategy,
    context_for,
    dry_run,
    id_ranges,
    publish,
    run_daily,
    run_whole_stage,
    save_draft,
    start_run,
)
from recoup.strategies.stages import execute
from recoup.strategies.starter import STARTER, create_starter_strategy

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def portfolio(settings: pytest.FixtureRequest) -> None:
    settings.COLLECTOR_NAME = "Summit Recovery Partners"  # type: ignore[attr-defined]
    settings.COLLECTOR_ADDRESS = "PO Box 4410|Denver CO 80201"  # type: ignore[attr-defined]
    generate_portfolio(accounts=300, seed=5, as_of=TODAY, now=NOW)
    create_starter_templates(now=NOW)
    create_starter_strategy(now=NOW)


def _facts_of(account: Account, as_of: date) -> AccountFacts:
    role = AccountDebtor.objects.filter(account=account, role="primary").select_related("debtor").first()
    debtor = role.debtor if role else None
    active = Arrangement.objects.filter(account=account, state="active").order_by("kind").first()
    held = Hold.objects.filter(starts_at__lte=NOW, lifted_at__isnull=True, kind__in=HELD_KINDS)
    held = held.filter(account=account) | held.filter(debtor=debtor)
    held = held.filter(ends_at__isnull=True) | held.filter(ends_at__gt=NOW)
    last = Contact.objects.filter(account=account, direction="outbound", at__lte=NOW).order_by("-at", "-id").first()
    dpd = max((as_of - account.oldest_unpaid_due_date).days, 0) if account.oldest_unpaid_due_date else 0
    minor = account.principal_minor + account.interest_minor + account.fees_minor + account.costs_minor
    return AccountFacts(
        account_id=account.pk,
        dpd=dpd,
        balance=Decimal(minor) / 100,
        product=account.product_type,
        creditor=account.creditor.code,
        country=debtor.country if debtor else "",
        region=debtor.region if debtor else "",
        status=account.status,
        arrangement=active.kind if active else "none",
        held=held.exists(),
        last_outcome=last.outcome if last else "none",
    )


class TestSegmentsAndPaths:
    def test_the_sql_places_every_account_where_the_core_rules_would(self, portfolio: None) -> None:
        """A strategy that uses every kind of condition: the SQL's segment and path for each account are
        the ones `segment_for` and `path_for` give for the same facts read through the ORM."""
        creditor = Creditor.objects.order_by("code").first()
        assert creditor is not None
        held = Account.objects.filter(status="active").order_by("id")[5]
        Hold.objects.create(
            account=held, kind="dispute", starts_at=NOW - timedelta(days=1), reason="disputed", created_at=NOW
        )
        definition = {
            "seed": 99,
            "segments": [
                {"name": "held", "when": {"held": True}, "paths": {"quiet": 100}},
                {"name": "arranged", "when": {"arrangements": ["plan", "promise"]}, "paths": {"quiet": 100}},
                {"name": "texas", "when": {"countries": ["US"], "regions": ["TX", "CA"]}, "paths": {"a": 30, "b": 70}},
                {"name": "one-creditor", "when": {"creditors": [creditor.code], "dpd_min": 31}, "paths": {"a": 100}},
                {"name": "big", "when": {"balance_min": "1500", "statuses": ["active"]}, "paths": {"a": 50, "b": 50}},
                {"name": "talked", "when": {"last_outcomes": ["connected_conversation"]}, "paths": {"b": 100}},
                {"name": "cards-early", "when": {"products": ["credit_card"], "bucket": "1-30"}, "paths": {"a": 100}},
                {"name": "rest", "paths": {"a": 20, "b": 80}},
            ],
            "paths": {
                "quiet": {"steps": []},
                "a": {"steps": [{"day": 0, "action": "call", "priority": 3}]},
                "b": {"steps": [{"day": 0, "action": "wait"}]},
            },
        }
        publish(version=save_draft(definition=definition, note="", now=NOW, actor=None), now=NOW, actor=None)
        run_daily(as_of=TODAY, now=NOW, stop_after="segment", chunk=64)
        strategy = parse_strategy(definition)
        facts = {f.account_id: f for f in AccountFact.objects.all()}
        owed = F("principal_minor") + F("interest_minor") + F("fees_minor") + F("costs_minor")
        workable = (
            Account.objects.filter(status__in=["active", "in_arrangement", "on_hold", "disputed", "legal"])
            .annotate(owed=owed)
            .filter(owed__gt=0)
        )
        assert set(facts) == set(workable.values_list("id", flat=True))
        seen = set()
        for account in workable.select_related("creditor"):
            expected = segment_for(strategy, _facts_of(account, TODAY))
            row = facts[account.pk]
            assert (row.segment, row.path) == (expected.name, path_for(expected, account.pk, strategy.seed)), account
            seen.add(row.segment)
        assert {"held", "arranged", "big", "rest"} <= seen
        assert facts[held.pk].segment == "held"
        # One open assignment per account, in the segment and path the facts give.
        assert Assignment.objects.filter(ended_on__isnull=True).count() == len(facts)

    def test_the_split_between_paths_follows_the_percentages(self) -> None:
        strategy = parse_strategy(
            {
                "segments": [{"name": "all", "paths": {"champion": 70, "challenger": 30}}],
                "paths": {"champion": {}, "challenger": {}},
            }
        )
        chosen = [path_for(strategy.segments[0], account_id, strategy.seed) for account_id in range(1, 20_001)]
        assert 0.68 < chosen.count("champion") / len(chosen) < 0.72
        # Stable: the same account always gets the same path.
        assert chosen[:50] == [path_for(strategy.segments[0], i, strategy.seed) for i in range(1, 51)]


class TestTheDailyRun:
    def test_a_run_makes_actions_carries_them_out_and_reports(self, portfolio: None) -> None:
        run = run_daily(as_of=TODAY, now=NOW)
        assert run.state == Run.State.FINISHED
        assert [s["name"] for s in run.stages] == list(services.STAGES)
        actions = Action.objects.filter(run=run)
        assert actions.count() == run.report["actions_total"] > 0
        assert not actions.filter(state=Action.State.PLANNED).exists()
        # Letters and emails went into the outbox, queued or deferred by the gate, one message per action.
        made = actions.filter(kind__in=["email", "sms", "letter"], message_id__isnull=False)
        assert made.exists()
        assert Message.objects.filter(pk__in=made.values("message_id")).count() == made.count()
        assert set(actions.filter(kind="call").values_list("state", flat=True)) <= {"queued", "blocked"}
        assert run.report["accounts_total"] == AccountFact.objects.count()

    def test_running_the_same_date_twice_does_nothing_new(self, portfolio: None) -> None:
        first = run_daily(as_of=TODAY, now=NOW)
        counts = (Action.objects.count(), Message.objects.count(), Assignment.objects.count())
        again = run_daily(as_of=TODAY, now=NOW + timedelta(hours=1))
        assert again.pk == first.pk
        assert (Action.objects.count(), Message.objects.count(), Assignment.objects.count()) == counts

    def test_a_run_that_failed_half_way_carries_on_and_does_each_action_once(
        self, portfolio: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        real = execute._carry_out
        calls = {"n": 0}

        def failing(context, action, account):  # type: ignore[no-untyped-def]
            calls["n"] += 1
            if calls["n"] == 40:
                raise RuntimeError("worker lost")
            return real(context, action, account)

        monkeypatch.setattr(execute, "_carry_out", failing)
        with pytest.raises(RuntimeError):
            run_daily(as_of=TODAY, now=NOW, chunk=50)
        failed = Run.objects.get(run_date=TODAY)
        assert failed.state == Run.State.FAILED
        assert "execute" in failed.error
        done_before = Action.objects.exclude(state="planned").count()
        assert done_before >= 39
        monkeypatch.setattr(execute, "_carry_out", real)
        run = run_daily(as_of=TODAY, now=NOW, chunk=50)
        assert run.state == Run.State.FINISHED
        assert not Action.objects.filter(state="planned").exists()
        with_messages = Action.objects.filter(message_id__isnull=False)
        assert with_messages.count() == Message.objects.count()

    def test_the_next_day_continues_the_paths(self, portfolio: None) -> None:
        run_daily(as_of=TODAY, now=NOW)
        day0 = set(Action.objects.values_list("assignment_id", "step_key"))
        later = TODAY + timedelta(days=1)
        run_daily(as_of=later, now=NOW + timedelta(days=1))
        day1 = Action.objects.filter(run__run_date=later)
        assert day1.exists()
        # Day 1 of the paths entered yesterday, or day 0 of a path entered today (the account changed segment).
        for key, started in day1.values_list("step_key", "assignment__started_on"):
            assert (started, key.split(":")[0]) in {(TODAY, "1"), (later, "0")}, (key, started)
        assert not set(day1.values_list("assignment_id", "step_key")) & day0

    def test_steps_missed_while_no_run_happened_are_skipped_except_the_latest(self, portfolio: None) -> None:
        run_daily(as_of=TODAY, now=NOW)
        later = TODAY + timedelta(days=6)  # days 1 and 5 of early-text-first were missed
        run_daily(as_of=later, now=NOW + timedelta(days=6))
        texts = Assignment.objects.filter(path="early-text-first", started_on=TODAY, ended_on__isnull=True).first()
        assert texts is not None
        states = dict(Action.objects.filter(assignment=texts, run__run_date=later).values_list("step_key", "state"))
        assert states["1:sms"] == "skipped"
        assert states["5:email"] != "skipped"

    def test_runs_go_forward_in_date_order(self, portfolio: None) -> None:
        run_daily(as_of=TODAY, now=NOW)
        with pytest.raises(UnableToRun, match="already happened"):
            run_daily(as_of=TODAY - timedelta(days=1), now=NOW)


class TestTheGateScreen:
    def test_a_cease_communication_hold_blocks_the_contact_with_its_rule(self, portfolio: None) -> None:
        run_daily(as_of=TODAY, now=NOW, stop_after="actions")
        action = Action.objects.filter(kind__in=["letter", "call"], state="planned").order_by("id").first()
        assert action is not None
        Hold.objects.create(
            account_id=action.account_id,
            kind="cease_communication",
            starts_at=NOW - timedelta(hours=1),
            reason="letter asking us to stop",
            created_at=NOW,
        )
        run_daily(as_of=TODAY, now=NOW)
        action.refresh_from_db()
        assert (action.state, action.rule) == ("blocked", "US-04")
        assert "stop contacting" in action.reason

    def test_holds_on_the_debtor_and_per_channel_block_what_they_cover_and_the_first_rule_names_it(
        self, portfolio: None
    ) -> None:
        call_everyone = {
            "segments": [{"name": "all", "paths": {"call": 100}}],
            "paths": {"call": {"steps": [{"day": 0, "action": "call", "priority": 3}]}},
        }
        publish(version=save_draft(definition=call_everyone, note="", now=NOW, actor=None), now=NOW, actor=None)
        run_daily(as_of=TODAY, now=NOW, stop_after="actions")
        callable_debtors = ContactPoint.objects.filter(kind="phone", do_not_contact=False).values("debtor_id")
        accounts = list(
            AccountDebtor.objects.filter(
                role="primary", debtor_id__in=callable_debtors, account_id__in=Action.objects.values("account_id")
            )
            .exclude(account_id__in=Hold.objects.exclude(account=None).values("account_id"))
            .exclude(debtor_id__in=Hold.objects.exclude(debtor=None).values("debtor_id"))
            .order_by("account_id")
            .values_list("account_id", "debtor_id")[:5]
        )
        assert len(accounts) == 5
        (email_only, _), (no_calls, _), (_, held_debtor), (two_holds, _), (lifted, _) = accounts
        earlier = NOW - timedelta(days=2)

        def hold(**fields: object) -> None:
            Hold.objects.create(starts_at=earlier, reason="test", created_at=earlier, **fields)

        hold(account_id=email_only, kind="do_not_contact", channel="email")
        hold(account_id=no_calls, kind="do_not_contact", channel="call")
        hold(debtor_id=held_debtor, kind="bankruptcy")
        hold(account_id=two_holds, kind="dispute")
        hold(account_id=two_holds, kind="cease_communication")
        hold(account_id=lifted, kind="cease_communication", lifted_at=NOW - timedelta(days=1))
        run_daily(as_of=TODAY, now=NOW)

        def outcome(account_id: int) -> tuple[str, str]:
            action = Action.objects.get(account_id=account_id)
            return action.state, action.rule

        assert outcome(email_only) == ("queued", "")
        assert outcome(no_calls) == ("blocked", "US-07")
        assert outcome(accounts[2][0]) == ("blocked", "HOLD-BANKRUPTCY")
        # Both block; the gate's order puts a cease-communication request before a dispute.
        assert outcome(two_holds) == ("blocked", "US-04")
        assert outcome(lifted) == ("queued", "")

    def test_a_dispute_blocks_under_the_rule_of_the_debtors_country(self, portfolio: None) -> None:
        call_everyone = {
            "segments": [{"name": "all", "paths": {"call": 100}}],
            "paths": {"call": {"steps": [{"day": 0, "action": "call", "priority": 3}]}},
        }
        publish(version=save_draft(definition=call_everyone, note="", now=NOW, actor=None), now=NOW, actor=None)
        run_daily(as_of=TODAY, now=NOW, stop_after="actions")
        planned = Action.objects.values("account_id")
        callable_debtors = ContactPoint.objects.filter(kind="phone", do_not_contact=False).values("debtor_id")
        unheld = (
            AccountDebtor.objects.filter(role="primary", account_id__in=planned, debtor_id__in=callable_debtors)
            .exclude(account_id__in=Hold.objects.exclude(account=None).values("account_id"))
            .exclude(debtor_id__in=Hold.objects.exclude(debtor=None).values("debtor_id"))
        )
        chosen = {}
        for country in ("US", "GB", "AU"):
            chosen[country] = unheld.filter(debtor__country=country).order_by("account_id")[0].account_id
            Hold.objects.create(
                account_id=chosen[country],
                kind="dispute",
                starts_at=NOW - timedelta(days=2),
                reason="test",
                created_at=NOW,
            )
        run_daily(as_of=TODAY, now=NOW)
        rules = {country: Action.objects.get(account_id=pk).rule for country, pk in chosen.items()}
        assert rules == {"US": "US-15", "GB": "UK-05", "AU": "AU-04"}

    def test_a_letter_to_an_address_without_a_town_or_postcode_is_blocked_as_the_gate_would(
        self, portfolio: None
    ) -> None:
        """The screen's letter rule is the gate's (core.contact_rules): a first line alone is no address."""
        write_to_everyone = {
            "segments": [{"name": "all", "paths": {"letter": 100}}],
            "paths": {"letter": {"steps": [{"day": 0, "action": "letter", "template": "final-notice"}]}},
        }
        publish(version=save_draft(definition=write_to_everyone, note="", now=NOW, actor=None), now=NOW, actor=None)
        run_daily(as_of=TODAY, now=NOW, stop_after="actions")
        unheld = (
            AccountDebtor.objects.filter(role="primary", account_id__in=Action.objects.values("account_id"))
            .exclude(account_id__in=Hold.objects.exclude(account=None).values("account_id"))
            .exclude(debtor_id__in=Hold.objects.exclude(debtor=None).values("debtor_id"))
            .order_by("account_id")
        )
        (no_town, no_town_debtor), (spaces, spaces_debtor), (whole, _) = unheld.values_list("account_id", "debtor_id")[
            :3
        ]
        Debtor.objects.filter(pk=no_town_debtor).update(city="", postal_code="")
        Debtor.objects.filter(pk=spaces_debtor).update(postal_code="   ")
        run_daily(as_of=TODAY, now=NOW)
        outcome = {pk: Action.objects.get(account_id=pk) for pk in (no_town, spaces, whole)}
        assert (outcome[no_town].state, outcome[no_town].rule) == ("blocked", "NO-ENDPOINT")
        assert outcome[no_town].reason == "letter: no full postal address is on record"
        assert (outcome[spaces].state, outcome[spaces].rule) == ("blocked", "NO-ENDPOINT")
        assert outcome[whole].rule != "NO-ENDPOINT"

    def test_a_fee_the_creditor_does_not_allow_is_blocked(self, portfolio: None) -> None:
        Creditor.objects.update(fees_policy=None)
        definition = {
            "segments": [{"name": "all", "paths": {"fee": 100}}],
            "paths": {"fee": {"steps": [{"day": 0, "action": "fee", "amount": "15.00"}]}},
        }
        publish(version=save_draft(definition=definition, note="", now=NOW, actor=None), now=NOW, actor=None)
        run_daily(as_of=TODAY, now=NOW)
        states = set(Action.objects.values_list("state", "rule"))
        assert states == {("blocked", "FEE-POLICY")}


class TestDryRun:
    def test_a_dry_run_reports_and_keeps_nothing(self, portfolio: None) -> None:
        report = dry_run(as_of=TODAY, now=NOW)
        assert report["actions_total"] > 0
        assert report["accounts_total"] > 0
        assert not Run.objects.exists()
        assert not Action.objects.exists()
        assert not Assignment.objects.exists()
        assert not Message.objects.exists()


class TestDefinitions:
    def test_a_strategy_naming_a_missing_template_or_creditor_is_refused(self, portfolio: None) -> None:
        bad = {
            "segments": [{"name": "all", "when": {}, "paths": {"p": 100}}],
            "paths": {"p": {"steps": [{"day": 1, "action": "sms", "template": "no-such-thing"}]}},
        }
        with pytest.raises(UnableToSaveStrategy, match=r"paths.p.steps\[1\].template: no sms template"):
            save_draft(definition=bad, note="", now=NOW, actor=None)

    def test_the_starter_strategy_exports_and_imports_unchanged(self, portfolio: None) -> None:
        active = services.active_version()
        assert active is not None
        text = services.export_yaml(active)
        draft = services.import_yaml(text=text, note="round trip", now=NOW, actor=None)
        assert draft.definition == active.definition
        assert parse_strategy(STARTER) == parse_strategy(draft.definition)

    def test_a_yaml_error_names_its_line(self, portfolio: None) -> None:
        with pytest.raises(UnableToSaveStrategy, match="line 3, column 1: expected"):
            services.import_yaml(text="segments:\n  - name: [unclosed\n", note="", now=NOW, actor=None)


class TestTheOfficersQueue:
    def test_calls_the_run_queued_come_before_the_other_accounts_highest_priority_first(self, portfolio: None) -> None:
        from factories import UserFactory
        from recoup.users.roles import Role
        from recoup.workspace.queue import queue_for

        officer = UserFactory(role=Role.OFFICER)
        Account.objects.update(assigned_officer=officer)
        run_daily(as_of=TODAY, now=NOW)
        assert Action.objects.filter(kind="call", state="queued").exists()
        entries = queue_for(officer, now=NOW + timedelta(hours=8), limit=200)
        strategy = [e for e in entries if e.reason.startswith("Strategy call")]
        assert strategy, [e.reason for e in entries[:5]]
        tier3 = [e for e in entries if e.tier == 3]
        assert tier3[: len(strategy)] == strategy
        priorities = [int(e.reason.split("priority ")[1].split(" ")[0]) for e in strategy]
        assert priorities == sorted(priorities, reverse=True)


class TestEventsAndDrafts:
    def test_a_broken_promise_triggers_the_paths_event_step_on_the_day_it_breaks(self, portfolio: None) -> None:
        from recoup.arrangements.services import create_promise
        from recoup.core.money import Money

        definition = {
            "segments": [{"name": "all", "paths": {"p": 100}}],
            "paths": {
                "p": {
                    "steps": [
                        {"day": 0, "action": "wait"},
                        {"event": "arrangement_broken", "action": "call", "priority": 9},
                    ]
                }
            },
        }
        publish(version=save_draft(definition=definition, note="", now=NOW, actor=None), now=NOW, actor=None)
        run_daily(as_of=TODAY, now=NOW)
        account = Account.objects.filter(status="active").exclude(arrangements__state="active").order_by("id")[3]
        made = NOW + timedelta(days=1)
        create_promise(
            account=account,
            amounts=[(TODAY + timedelta(days=2), Money.from_minor(2_000, account.currency))],
            now=made,
            actor=None,
        )
        later = TODAY + timedelta(days=12)  # the promise is missed, past any grace period
        run_daily(as_of=later, now=NOW + timedelta(days=12))
        promise = Arrangement.objects.get(account=account, kind="promise")
        assert set(promise.dues.values_list("status", flat=True)) == {"broken"}
        action = Action.objects.get(account_id=account.pk, run__run_date=later, kind="call")
        assert action.step_key == f"arrangement_broken:call:{later.isoformat()}"
        assert (action.priority, action.state) == (9, "queued")

    def test_a_draft_can_be_tried_before_it_is_published(self, portfolio: None) -> None:
        draft = save_draft(
            definition={
                "segments": [{"name": "all", "paths": {"p": 100}}],
                "paths": {"p": {"steps": [{"day": 0, "action": "legal_review"}]}},
            },
            note="",
            now=NOW,
            actor=None,
        )
        report = dry_run(as_of=TODAY, now=NOW, version=draft)
        assert {row["kind"] for row in report["actions"]} == {"legal_review"}
        assert services.active_version() is not None
        assert services.active_version().number == 1  # type: ignore[union-attr]
        assert not Run.objects.exists()


# ---- on Celery workers ---------------------------------------------------------------------------
# What a worker does with one range: it decides with the creditors and currencies the coordinator sent,
# gives the same actions as the run in one process, and does not read every account again for each range
# (at 1M accounts that read took 0.24 s, in each of the 200 range tasks of a run).


def _worker_actions() -> list[tuple[object, ...]]:
    return list(
        Action.objects.order_by("account_id", "step_key").values_list(
            "account_id", "step_key", "kind", "state", "rule", "assignment__segment", "assignment__path"
        )
    )


def _reads_every_account(sql: str) -> bool:
    flat = " ".join(sql.replace('"', "").split()).lower()
    return "from accounts_account" in flat and "distinct" in flat and "where" not in flat


class TestRangesOnWorkers:
    CHUNK = 60  # several ranges over the 300-account portfolio

    def test_ranges_done_as_a_worker_does_them_give_the_actions_of_one_process(self, portfolio: None) -> None:
        with transaction.atomic():
            run_daily(as_of=TODAY, now=NOW, chunk=self.CHUNK)
            expected = _worker_actions()
            transaction.set_rollback(True)
        assert expected
        assert not Run.objects.exists()

        run, _ = start_run(as_of=TODAY, now=NOW)
        context = context_for(run, NOW)
        ranges = id_ranges(self.CHUNK)
        assert len(ranges) > 1
        worker_queries: list[str] = []
        for stage in STAGES:
            if stage not in RANGED_STAGES:
                run_whole_stage(context, stage)  # the coordinator's own stages (monitor, report)
                continue
            for low, high in ranges:
                with CaptureQueriesContext(connection) as captured:
                    assert run_range_task(
                        run_id=run.pk,
                        stage=stage,
                        low=low,
                        high=high,
                        now=NOW.isoformat(),
                        creditor_ids=context.creditor_ids,
                        currencies=list(context.currencies),
                    )
                worker_queries += [query["sql"] for query in captured.captured_queries]
            assert RunChunk.objects.filter(run=run, stage=stage, done_at__isnull=False).count() == len(ranges)
            # Sent twice (a worker died before acknowledging it): the second time does nothing.
            low, high = ranges[0]
            before = _worker_actions()
            assert not run_range_task(
                run_id=run.pk, stage=stage, low=low, high=high, now=NOW.isoformat(), creditor_ids={}, currencies=[]
            )
            assert _worker_actions() == before
        assert worker_queries
        assert not [sql for sql in worker_queries if _reads_every_account(sql)]
        assert _worker_actions() == expected

    def test_a_task_without_the_coordinators_context_looks_it_up(self, portfolio: None) -> None:
        """A range task queued by a coordinator of an earlier version (no creditors or currencies in it) still
        works: the worker looks them up itself."""
        run, _ = start_run(as_of=TODAY, now=NOW)
        low, high = id_ranges(self.CHUNK)[0]
        with CaptureQueriesContext(connection) as captured:
            assert run_range_task(run_id=run.pk, stage="reage", low=low, high=high, now=NOW.isoformat())
        assert [query["sql"] for query in captured.captured_queries if _reads_every_account(query["sql"])]
        assert RunChunk.objects.get(run=run, stage="reage", low=low).done_at == NOW
