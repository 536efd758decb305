"""Forms of the staff UI: sign-in, the filters of list pages, and the field every amount is typed into."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from recoup.core.money import MoneyError, parse_amount
from recoup.workspace.queue import NO_FILTERS, InvalidFilter, QueueFilters


class MoneyAmountField(forms.CharField):
    """An amount of money as an officer types it: "1250.50" or "1,250.50", positive, at most 999,999,999,999.99.

    Cleans to a Decimal; the view makes it Money in the account's currency (which refuses more decimal
    places than the currency has). Every refusal is a sentence, never a server error.
    """

    def __init__(self, *, min_value: Decimal | None = Decimal("0.01"), **kwargs: Any) -> None:
        self.min_value = min_value
        attrs = {"inputmode": "decimal", "autocomplete": "off", "maxlength": "40"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)  # no max_length: its validator would run on the Decimal; parse_amount bounds it

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            amount = parse_amount(text)
        except MoneyError as exc:
            reason = str(exc).removeprefix("amount: ")
            raise forms.ValidationError(f"Enter an amount such as 1250.50 ({reason}).", code="invalid") from None
        if self.min_value is not None and amount < self.min_value:
            raise forms.ValidationError(f"Enter an amount of at least {self.min_value}.", code="min_value")
        return amount


class SignInForm(AuthenticationForm):
    """Django's sign-in form with plain-spoken errors and the autocomplete hints password managers use."""

    error_messages = {
        "invalid_login": (
            "That username and password do not match an active account. "
            "Check both (they are case-sensitive) and try again."
        ),
        "inactive": "This account is switched off. Ask an administrator to reactivate it.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


SEARCH_LIMIT = 100  # characters of an accounts search; a longer one is refused, never dropped


class AccountFilterForm(forms.Form):
    """Search and filters of the accounts list. Every field is optional; a bad creditor or status is
    ignored, but a search that is too long is refused (see `search_error`), not silently dropped."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH_LIMIT,
        error_messages={"max_length": f"Search is limited to {SEARCH_LIMIT} characters; shorten it and try again."},
        help_text="Account reference or debtor name",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Reference or debtor name",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )
    creditor = forms.TypedChoiceField(label="Creditor", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="Status", required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        creditor_choices: list[tuple[int, str]],
        status_choices: list[tuple[str, str]],
    ) -> None:
        super().__init__(data)
        creditor_field = self.fields["creditor"]
        status_field = self.fields["status"]
        assert isinstance(creditor_field, forms.TypedChoiceField)
        assert isinstance(status_field, forms.ChoiceField)
        creditor_field.choices = [("", "All creditors"), *creditor_choices]
        status_field.choices = [("", "All statuses"), *status_choices]

    @property
    def search_error(self) -> str:
        """Why the search text was refused (too long), or empty."""
        return " ".join(str(error) for error in self.errors.get("q", [])) if self.is_bound else ""

    def filters(self) -> dict[str, Any]:
        """The valid filters as keyword arguments for `search_accounts`; invalid ones are dropped."""
        self.is_valid()
        cleaned: dict[str, Any] = getattr(self, "cleaned_data", {})
        status = cleaned.get("status") or ""
        return {
            "text": cleaned.get("q") or "",
            "creditor_id": cleaned.get("creditor"),
            "statuses": [status] if status else [],
        }


class AgingForm(forms.Form):
    """The aging report's choices: a creditor (or all) and the date to age to (default today)."""

    creditor = forms.TypedChoiceField(label="Creditor", required=False, coerce=int, empty_value=None)
    as_of = forms.DateField(
        label="As of",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )

    def __init__(self, data: Any = None, *, creditor_choices: list[tuple[int, str]], today: date) -> None:
        super().__init__(data)
        self.today = today
        creditor_field = self.fields["creditor"]
        assert isinstance(creditor_field, forms.TypedChoiceField)
        creditor_field.choices = [("", "All creditors"), *creditor_choices]

    def clean_as_of(self) -> date | None:
        value: date | None = self.cleaned_data.get("as_of")
        if value is not None and value > self.today:
            raise forms.ValidationError("The aging date cannot be in the future.")
        return value


class QueueFilterForm(forms.Form):
    """My queue's filters. The rules (and the error messages naming the field) are QueueFilters'."""

    creditor = forms.ChoiceField(label="Creditor", required=False)
    bucket = forms.ChoiceField(label="Days past due", required=False)
    status = forms.ChoiceField(label="Status", required=False)
    country = forms.CharField(
        label="Country",
        required=False,
        max_length=2,
        help_text="Two letters, such as US.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 3}),
    )
    region = forms.CharField(
        label="State or region",
        required=False,
        max_length=10,
        help_text="Such as TX or NSW.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 4}),
    )
    min_balance = forms.CharField(
        label="Owes at least",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 8}),
    )
    max_balance = forms.CharField(
        label="Owes at most",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 8}),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        creditor_choices: list[tuple[int, str]],
        bucket_labels: list[str],
        status_choices: list[tuple[str, str]],
    ) -> None:
        super().__init__(data)
        choices: dict[str, list[tuple[Any, str]]] = {
            "creditor": [("", "All creditors"), *creditor_choices],
            "bucket": [("", "Any"), *((label, f"{label} days") for label in bucket_labels)],
            "status": [("", "Open (any)"), *status_choices],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options

    queue_filters: QueueFilters = NO_FILTERS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            self.queue_filters = QueueFilters.from_query(cleaned)
        except InvalidFilter as exc:
            name, _, reason = str(exc).partition(": ")
            self.add_error(name if name in self.fields else None, reason)
        return cleaned

    def filters(self) -> QueueFilters:
        """The valid filters (no restriction when the form has errors; they are shown on the form)."""
        if self.is_bound and self.is_valid():
            return self.queue_filters
        return NO_FILTERS
