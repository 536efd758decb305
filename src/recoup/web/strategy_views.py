"""The Strategy page (segments, paths, versions, schedule), the editor (YAML, checked on save), the dry
run of tomorrow, starting the daily run, and the run reports."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recoup.core.money import format_minor
from recoup.core.strategy import ACTION_LABELS, ActionKind, Conditions, Strategy
from recoup.platform.jobs import start_in_background
from recoup.strategies.models import Run, StrategyVersion
from recoup.strategies.selectors import experiments
from recoup.strategies.services import (
    RUN_TASK,
    STAGES,
    UnableToRun,
    UnableToSaveStrategy,
    active_version,
    discard_draft,
    draft_version,
    dry_run,
    export_yaml,
    import_yaml,
    publish,
    schedule,
    set_schedule,
    stage_label,
    strategy_of,
)
from recoup.users.models import User


class EditForm(forms.Form):
    definition = forms.CharField(
        label="Strategy (YAML)",
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "code"}),
        help_text="Segments in priority order (the last has no conditions), then the paths and their steps.",
    )
    note = forms.CharField(label="What changed, and why", max_length=500, required=False)


class ScheduleForm(forms.Form):
    enabled = forms.BooleanField(label="Run every day by itself", required=False)
    time_of_day = forms.TimeField(label="At", initial=time(2, 0), widget=forms.TimeInput(attrs={"type": "time"}))
    time_zone = forms.CharField(label="Time zone", max_length=64, initial="America/New_York")


def describe_conditions(when: Conditions) -> list[str]:
    """A segment's conditions as short phrases a manager reads ("31-90 days past due")."""
    parts: list[str] = []
    if when.dpd_min is not None or when.dpd_max is not None:
        low, high = when.dpd_min, when.dpd_max
        if low is not None and high is not None:
            parts.append(f"{low}-{high} days past due")
        elif low is not None:
            parts.append(f"{low}+ days past due")
        else:
            parts.append(f"up to {high} days past due")
    if when.balance_min is not None:
        parts.append(f"owes {when.balance_min:,} or more")
    if when.balance_max is not None:
        parts.append(f"owes up to {when.balance_max:,}")
    for values, label in (
        (when.products, "product"),
        (when.creditors, "creditor"),
        (when.countries, "country"),
        (when.regions, "state"),
        (when.statuses, "status"),
        (when.arrangements, "arrangement"),
        (when.last_outcomes, "last call"),
    ):
        if values:
            parts.append(f"{label}: {', '.join(v.replace('_', ' ') for v in values)}")
    if when.held is not None:
        parts.append("on hold" if when.held else "not on hold")
    return parts or ["every other account"]


def strategy_view(strategy: Strategy) -> dict[str, Any]:
    return {
        "seed": strategy.seed,
        "segments": [
            {
                "number": number,
                "name": segment.name,
                "label": segment.label,
                "conditions": describe_conditions(segment.when),
                "paths": [(name, percent, strategy.paths[name].label) for name, percent in segment.paths],
                "test": len(segment.paths) > 1,
            }
            for number, segment in enumerate(strategy.segments, start=1)
        ],
        "paths": [
            {"name": name, "label": path.label, "steps": [step.describe() for step in path.steps]}
            for name, path in strategy.paths.items()
        ],
        "actions": [(kind.value, label) for kind, label in ACTION_LABELS.items() if kind is not ActionKind.WAIT],
    }


def report_view(report: dict[str, Any]) -> dict[str, Any]:
    """The run report arranged for the page: segments with their paths, actions by type, blocks by rule."""
    segments: dict[str, dict[str, Any]] = {}
    for row in report.get("segments", []):
        segment = segments.setdefault(row["segment"], {"name": row["segment"], "accounts": 0, "rows": []})
        segment["accounts"] += row["accounts"]
        segment["rows"].append(
            {
                "path": row["path"],
                "currency": row["currency"],
                "accounts": row["accounts"],
                "balance": format_minor(row["balance_minor"], row["currency"]),
                "entered": report.get("entered", {}).get(f"{row['segment']}/{row['path']}/{row['currency']}", 0),
            }
        )
    kinds: dict[str, dict[str, int]] = {}
    for row in report.get("actions", []):
        kinds.setdefault(row["kind"], {})[row["state"]] = row["count"]
    states = ["done", "queued", "deferred", "planned", "blocked", "skipped"]
    actions = [
        {
            "kind": ACTION_LABELS.get(ActionKind(kind), kind) if kind in ActionKind._value2member_map_ else kind,
            "counts": [by_state.get(state, 0) for state in states],
            "total": sum(by_state.values()),
        }
        for kind, by_state in sorted(kinds.items())
    ]
    return {
        "segments": list(segments.values()),
        "actions": actions,
        "states": states,
        "blocked": report.get("blocked", []),
        "accounts_total": report.get("accounts_total", 0),
        "actions_total": report.get("actions_total", 0),
    }


def _stages(stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"label": stage_label(s["name"]), "seconds": s["seconds"], "counts": s.get("counts", {})} for s in stages]


@login_required
@permission_required("strategies.view_strategyversion", raise_exception=True)
def strategy_page(request: HttpRequest) -> HttpResponse:
    """The strategy in use, the draft if there is one, the versions, the schedule and the latest runs."""
    user = request.user
    assert isinstance(user, User)
    active = active_version()
    draft = draft_version()
    plan = schedule()
    form = ScheduleForm(
        initial={"enabled": plan.enabled, "time_of_day": plan.time_of_day, "time_zone": plan.time_zone}
        if plan
        else None
    )
    return render(
        request,
        "web/strategy.html",
        {
            "active": active,
            "draft": draft,
            "shown": strategy_view(strategy_of(active)) if active else None,
            "versions": StrategyVersion.objects.order_by("-number")[:20],
            "runs": Run.objects.select_related("version").order_by("-run_date")[:14],
            "schedule": plan,
            "schedule_form": form,
            "may_edit": user.has_perm("strategies.change_strategyversion"),
            "may_run": user.has_perm("strategies.add_run"),
            "today": timezone.localdate(),
            "tomorrow": timezone.localdate() + timedelta(days=1),
        },
    )


@login_required
@permission_required("strategies.change_strategyversion", raise_exception=True)
def strategy_edit(request: HttpRequest) -> HttpResponse:
    """Edit the draft as YAML: every problem is listed by where it is, and nothing is saved until all are fixed."""
    user = request.user
    assert isinstance(user, User)
    draft = draft_version()
    base = draft or active_version()
    initial = {"definition": export_yaml(base) if base else "", "note": draft.note if draft else ""}
    form = EditForm(request.POST or None, initial=initial)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = import_yaml(
                text=form.cleaned_data["definition"], note=form.cleaned_data["note"], now=timezone.now(), actor=user
            )
        except UnableToSaveStrategy as exc:
            problems = [p.strip() for p in str(exc).split(";") if p.strip()]
        else:
            if "publish" in request.POST:
                try:
                    publish(version=saved, now=timezone.now(), actor=user)
                except UnableToSaveStrategy as exc:
                    messages.error(request, f"Saved as a draft, not published: {exc}")
                    return redirect("strategy-edit")
                messages.success(request, f"Version {saved.number} is now in use from the next run.")
                return redirect("strategy")
            messages.success(request, f"Draft version {saved.number} saved. Check it with a dry run, then publish.")
            return redirect("strategy")
    return render(
        request,
        "web/strategy_edit.html",
        {"form": form, "problems": problems, "draft": draft, "base": base},
    )


@require_POST
@login_required
@permission_required("strategies.change_strategyversion", raise_exception=True)
def strategy_publish(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    draft = draft_version()
    if draft is None:
        messages.error(request, "There is no draft to publish.")
        return redirect("strategy")
    try:
        publish(version=draft, now=timezone.now(), actor=user)
    except UnableToSaveStrategy as exc:
        messages.error(request, f"Not published: {exc}")
    else:
        messages.success(request, f"Version {draft.number} is now in use from the next run.")
    return redirect("strategy")


@require_POST
@login_required
@permission_required("strategies.change_strategyversion", raise_exception=True)
def strategy_discard(request: HttpRequest) -> HttpResponse:
    discard_draft(now=timezone.now(), actor=request.user)
    messages.success(request, "Draft discarded.")
    return redirect("strategy")


@login_required
@permission_required("strategies.view_strategyversion", raise_exception=True)
def strategy_export(request: HttpRequest, number: int) -> HttpResponse:
    version = StrategyVersion.objects.filter(number=number).first()
    if version is None:
        raise Http404("No such version")
    response = HttpResponse(export_yaml(version), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="strategy-v{version.number}.yaml"'
    return response


@require_POST
@login_required
@permission_required("strategies.add_run", raise_exception=True)
def strategy_dry_run(request: HttpRequest) -> HttpResponse:
    """What tomorrow's run would do with the strategy in use (or today's, if asked), keeping nothing."""
    as_of = timezone.localdate() + timedelta(days=0 if request.POST.get("day") == "today" else 1)
    version = draft_version() if request.POST.get("draft") else None
    if request.POST.get("draft") and version is None:
        messages.error(request, "There is no draft to try.")
        return redirect("strategy")
    try:
        report = dry_run(as_of=as_of, now=timezone.now(), version=version)
    except UnableToRun as exc:
        messages.error(request, str(exc))
        return redirect("strategy")
    return render(
        request,
        "web/run_report.html",
        {
            "dry": True,
            "draft": version,
            "as_of": as_of,
            "report": report_view(report),
            "stages": _stages(report.get("stages", [])),
            "already_ran": report.get("already_ran", False),
        },
    )


@require_POST
@login_required
@permission_required("strategies.add_run", raise_exception=True)
def strategy_run(request: HttpRequest) -> HttpResponse:
    """Start today's run in the background (on a worker when a broker is set); the report page follows it."""
    user = request.user
    assert isinstance(user, User)
    as_of = timezone.localdate()
    existing = Run.objects.filter(run_date=as_of).first()
    if existing is not None and existing.state == Run.State.FINISHED:
        messages.info(request, f"The run for {as_of:%d %b %Y} has already happened; running it again does nothing.")
        return redirect("run-report", run_date=as_of.isoformat())
    if active_version() is None:
        messages.error(request, "No strategy is in use: publish one first.")
        return redirect("strategy")
    start_in_background(
        RUN_TASK, as_of=as_of.isoformat(), now=timezone.now().isoformat(), actor_id=user.pk, trigger="manager"
    )
    messages.success(request, f"The run for {as_of:%d %b %Y} has started.")
    return redirect("run-report", run_date=as_of.isoformat())


@require_POST
@login_required
@permission_required("strategies.add_run", raise_exception=True)
def strategy_schedule(request: HttpRequest) -> HttpResponse:
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(
                request,
                f"{form.fields[field].label if field in form.fields else field}: {' '.join(str(e) for e in errors)}",
            )
        return redirect("strategy")
    data = form.cleaned_data
    try:
        set_schedule(
            enabled=data["enabled"],
            time_of_day=data["time_of_day"],
            time_zone=data["time_zone"].strip(),
            now=timezone.now(),
            actor=request.user,
        )
    except UnableToRun as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Schedule saved.")
    return redirect("strategy")


@login_required
@permission_required("strategies.view_run", raise_exception=True)
def run_report(request: HttpRequest, run_date: str) -> HttpResponse:
    """One day's run: its stages as they finish (the page refreshes itself while it runs), then the report."""
    try:
        day = date.fromisoformat(run_date)
    except ValueError:
        raise Http404("No such run") from None
    run = Run.objects.select_related("version", "started_by").filter(run_date=day).first()
    template = "web/includes/run_progress.html" if request.headers.get("HX-Request") else "web/run_report.html"
    done = {s["name"] for s in run.stages} if run else set()
    return render(
        request,
        template,
        {
            "dry": False,
            "run": run,
            "as_of": day,
            "report": report_view(run.report) if run and run.report else None,
            "stages": _stages(run.stages) if run else [],
            "waiting": [stage_label(s) for s in STAGES if s not in done],
        },
    )


@login_required
@permission_required("strategies.view_run", raise_exception=True)
def strategy_experiments(request: HttpRequest) -> HttpResponse:
    """Champion/challenger: each split segment's paths compared, with confidence intervals."""
    active = active_version()
    since_text = request.GET.get("since", "").strip()
    since = None
    if since_text:
        try:
            since = date.fromisoformat(since_text)
        except ValueError:
            messages.error(request, f"since: '{since_text}' is not a date (YYYY-MM-DD); showing every account.")
    found = experiments(strategy_of(active), since=since) if active else []
    shown = [
        {
            "segment": e.segment,
            "label": e.label,
            "shares": e.shares,
            "results": {currency: [_comparison_row(row) for row in rows] for currency, rows in e.results.items()},
        }
        for e in found
    ]
    return render(request, "web/strategy_experiments.html", {"active": active, "experiments": shown, "since": since})


def _percent(value: Any, places: int = 1) -> str:
    return "none" if value is None else f"{value * 100:.{places}f}%"


def _comparison_row(row: Any) -> dict[str, Any]:
    """One path's comparison as the page prints it: rates as percentages with their intervals."""
    recovery = row.recovery_interval
    kept = row.promise_kept_interval
    versus = row.recovery_vs_champion
    return {
        "path": row.path,
        "accounts": row.accounts,
        "balance": f"{row.balance:,}",
        "collected": f"{row.collected:,}",
        "recovery": _percent(row.recovery_rate, 2),
        "recovery_ci": f"{_percent(recovery.low, 2)} to {_percent(recovery.high, 2)}" if recovery else "",
        "kept": f"{row.promises_kept} of {row.promises}" if row.promises else "none made",
        "kept_ci": f"{_percent(kept.low, 0)} to {_percent(kept.high, 0)}" if kept else "",
        "cost": "nothing collected" if row.cost_per_unit_collected is None else f"{row.cost_per_unit_collected:.4f}",
        "verdict": versus.verdict if versus else "champion",
    }
