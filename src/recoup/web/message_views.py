"""Email from the account page, the outbox, one message with its history, and the templates with a
live preview on a real account."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recoup.accounts.models import Account
from recoup.communications.models import Channel, Message, Template
from recoup.communications.services import (
    BULK_LIMIT,
    VALIDATION_NOTICE,
    UnableToSend,
    bulk_send,
    preview,
    queue_message,
    queue_validation_notice,
    save_template,
)
from recoup.parties.models import Creditor
from recoup.platform.embedded import EmbeddedClock
from recoup.users.models import User
from recoup.web.actions import account_for, debtor_zone, run_action
from recoup.workspace.queue import BUCKETS, InvalidFilter, QueueFilters
from recoup.workspace.visibility import may_see, visible_accounts

BULK_STATUSES = (Account.Status.ACTIVE, Account.Status.IN_ARRANGEMENT)


class SendForm(forms.Form):
    template = forms.ChoiceField(label="Template")


class TemplateForm(forms.Form):
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices, initial=Channel.EMAIL)
    language = forms.CharField(
        label="Language",
        max_length=10,
        initial="en",
        required=False,
        help_text="Used for debtors who prefer it (es, fr...); en otherwise.",
    )
    code = forms.SlugField(
        label="Code", max_length=60, help_text="Such as first-reminder; the same code again saves a new version."
    )
    creditor = forms.TypedChoiceField(label="For", coerce=int, empty_value=None, required=False)
    purpose = forms.ChoiceField(
        label="Purpose",
        required=False,
        choices=Template.Purpose.choices,
        initial=Template.Purpose.COLLECTION,
        help_text="A statement or notice the law requires may go during a breathing space, and may not ask "
        "for payment.",
    )
    subject = forms.CharField(label="Subject", max_length=200, required=False)
    body = forms.CharField(label="Body", widget=forms.Textarea(attrs={"rows": 12}))
    account = forms.CharField(
        label="Preview on account", max_length=64, required=False, help_text="An account reference."
    )


@login_required
@permission_required("communications.add_message", raise_exception=True)
@require_POST
def send_message(request: HttpRequest, account_id: int) -> HttpResponse:
    """Put an email or a text from a template in the outbox for the account's debtor (the gate decides
    when). The choice is "channel:code", such as "email:payment-reminder"."""
    account, user = account_for(request, account_id)
    channel, _, code = request.POST.get("template", "").partition(":")

    def action() -> str:
        if channel == "document" and code == VALIDATION_NOTICE:
            notice = queue_validation_notice(account=account, now=timezone.now(), actor=user)
            return f"Validation notice to {notice.to_address} will go in the next print batch."
        message = queue_message(account=account, template_code=code, channel=channel, now=timezone.now(), actor=user)
        what = {"email": "Email", "sms": "Text", "letter": "Letter"}[message.channel]
        if message.status == Message.Status.DEFERRED:
            zone = debtor_zone(message.debtor)
            local = message.not_before.astimezone(zone)
            return (
                f"{what} to {message.to_address} deferred to {local:%a %d %b %H:%M} their time ({local:%Z}): "
                "it may not be sent now."
            )
        return f"{what} to {message.to_address} is in the outbox."

    return run_action(request, account, action, refused=(UnableToSend,), back_to="account")


@login_required
@permission_required("communications.view_message", raise_exception=True)
def outbox(request: HttpRequest) -> HttpResponse:
    """Every message the user may see, newest first, by status."""
    user = request.user
    assert isinstance(user, User)
    status = request.GET.get("status", "")
    shown = Message.objects.select_related("account", "template").order_by("-created_at", "-id")
    visible = visible_accounts(user)
    if visible is not None:
        shown = shown.filter(account__in=Account.objects.filter(visible))
    if status in Message.Status.values:
        shown = shown.filter(status=status)
    page = Paginator(shown, 50).get_page(request.GET.get("page", "1"))
    return render(
        request,
        "web/outbox.html",
        {
            "page": page,
            "statuses": Message.Status.choices,
            "status": status,
            "query_string": f"status={status}" if status else "",
            "delivery": delivery_statement(),
        },
    )


def delivery_statement() -> str:
    """What sends the outbox, as it is in this installation (shown on the Outbox page)."""
    if EmbeddedClock.running():
        where = (
            f"email is written to files in {settings.EMAIL_FILE_PATH}, as no mail server is set"
            if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend")
            else f"email goes to {settings.EMAIL_HOST}"
        )
        return f"This server sends what is due every minute ({where}); letters go in the daily print batch."
    if settings.CELERY_BROKER_URL:
        return (
            "The Celery worker and beat send what is due every minute while they run; "
            "letters go in the daily print batch."
        )
    return (
        "Nothing in this process sends messages: they wait here until `recoup serve` or a Celery worker runs "
        "(docs/communications.md); letters go in the daily print batch."
    )


@login_required
@permission_required("communications.view_message", raise_exception=True)
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    message = Message.objects.select_related("account", "template", "decision").filter(pk=message_id).first()
    if message is None or not may_see(user, message.account):
        raise Http404("No such message")
    return render(request, "web/message.html", {"message": message, "events": message.events.all()})


@login_required
@permission_required("communications.view_template", raise_exception=True)
def templates(request: HttpRequest) -> HttpResponse:
    """The email templates (latest version of each), and a form to write a new version with a preview."""
    user = request.user
    assert isinstance(user, User)
    may_edit = user.has_perm("communications.add_template")
    form = TemplateForm(request.POST or None, initial=_initial(request))
    creditor_field = form.fields["creditor"]
    assert isinstance(creditor_field, forms.TypedChoiceField)
    creditor_field.choices = [("", "Every creditor"), *Creditor.objects.order_by("name").values_list("id", "name")]
    shown = None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("Only collection managers and administrators write templates.")
        if form.is_valid():
            data = form.cleaned_data
            creditor = Creditor.objects.filter(pk=data["creditor"]).first() if data["creditor"] else None
            if "save" in request.POST:
                try:
                    saved = save_template(
                        code=data["code"],
                        channel=data["channel"],
                        language=data["language"].strip().lower() or "en",
                        subject=data["subject"],
                        body=data["body"],
                        creditor=creditor,
                        purpose=data["purpose"] or Template.Purpose.COLLECTION,
                        now=timezone.now(),
                        actor=user,
                    )
                except UnableToSend as exc:
                    messages.error(request, f"Not saved: {exc}")
                else:
                    messages.success(request, f"Saved {saved.code} version {saved.version}.")
                    return redirect("templates")
            account = Account.objects.filter(reference=data["account"].strip()).first() if data["account"] else None
            if data["account"] and (account is None or not may_see(user, account)):
                form.add_error("account", "No account with that reference.")
            elif account is not None:
                try:
                    shown = preview(
                        subject=data["subject"],
                        body=data["body"],
                        channel=data["channel"],
                        account=account,
                        now=timezone.now(),
                    )
                except UnableToSend as exc:
                    form.add_error("account", str(exc))
    latest: dict[tuple[str, str, str, int | None], Template] = {}
    for template in Template.objects.select_related("creditor").order_by(
        "channel", "code", "language", "creditor_id", "version"
    ):
        latest[(template.channel, template.code, template.language, template.creditor_id)] = template
    return render(
        request,
        "web/templates.html",
        {"form": form, "templates": list(latest.values()), "preview": shown, "may_edit": may_edit},
    )


def _initial(request: HttpRequest) -> dict[str, object]:
    """Editing a template starts from its latest version."""
    template = (
        Template.objects.filter(pk=request.GET.get("from", "") or 0).first()
        if request.GET.get("from", "").isdigit()
        else None
    )
    if template is None:
        return {}
    return {
        "code": template.code,
        "channel": template.channel,
        "language": template.language,
        "creditor": template.creditor_id,
        "purpose": template.purpose,
        "subject": template.subject,
        "body": template.body,
    }


class BulkForm(forms.Form):
    template = forms.ChoiceField(label="Template")
    creditor = forms.TypedChoiceField(label="Creditor", coerce=int)
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Open (any)"), ("active", "Active"), ("in_arrangement", "In arrangement")],
        required=False,
    )
    bucket = forms.ChoiceField(label="Days past due", required=False)
    min_balance = forms.CharField(label="Owes at least", required=False, max_length=20)


@login_required
@permission_required("communications.add_template", raise_exception=True)
def bulk(request: HttpRequest) -> HttpResponse:
    """Send one template to a chosen set of open accounts: preview first (how many now, later, not
    at all and why), then send."""
    user = request.user
    assert isinstance(user, User)
    form = BulkForm(request.POST or None)
    choices: dict[str, list[tuple[Any, str]]] = {
        "template": sorted(
            {
                (f"{channel}:{code}", f"{code} ({Channel(channel).label.lower()})")
                for channel, code in Template.objects.values_list("channel", "code")
            }
        ),
        "creditor": list(Creditor.objects.order_by("name").values_list("id", "name")),
        "bucket": [("", "Any"), *((label, f"{label} days") for label in BUCKETS)],
    }
    for name, options in choices.items():
        field = form.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = options
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        channel, _, code = data["template"].partition(":")
        try:
            filters = QueueFilters.from_query(
                {
                    "creditor": str(data["creditor"]),
                    "status": data["status"],
                    "bucket": data["bucket"],
                    "min_balance": data["min_balance"],
                }
            )
            # Bulk messages go to accounts being collected normally, not on hold, disputed or with legal
            # (those are open too, see core.contact_rules.OPEN_STATUSES, but are not messaged in bulk).
            chosen = filters.apply(Account.objects.filter(status__in=BULK_STATUSES), today=timezone.localdate())
            accounts = list(chosen.select_related("creditor", "assigned_officer").order_by("id")[: BULK_LIMIT + 1])
            write = "send" in request.POST
            result = bulk_send(
                accounts=accounts, template_code=code, channel=channel, now=timezone.now(), actor=user, write=write
            )
        except (InvalidFilter, UnableToSend) as exc:
            messages.error(request, str(exc))
        else:
            if write:
                messages.success(
                    request,
                    f"Sent to the outbox: {result.send_now} now, {result.deferred} at their next allowed time; "
                    f"{result.refused} not sent.",
                )
                return redirect("outbox")
    return render(request, "web/bulk.html", {"form": form, "result": result, "limit": BULK_LIMIT})
