"""The six staff roles and what each may do, as Django groups with model permissions.

Permissions are named `app_label.codename`. A role lists the permissions it grants; `sync_role_groups`
makes the groups match exactly (adding and removing), and runs after every migrate. Later apps add
their models' permissions here as they arrive.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Role(StrEnum):
    OFFICER = "officer"
    TEAM_LEAD = "team_lead"
    MANAGER = "manager"
    LEGAL = "legal"
    ADMIN = "admin"
    AUDITOR = "auditor"


ROLE_LABELS: dict[Role, str] = {
    Role.OFFICER: "Collections officer",
    Role.TEAM_LEAD: "Team lead",
    Role.MANAGER: "Collection manager",
    Role.LEGAL: "Legal and escalation",
    Role.ADMIN: "Administrator",
    Role.AUDITOR: "Auditor (read-only)",
}

# Models whose rows every role may read.
_READABLE = [
    "parties.creditor",
    "parties.debtor",
    "parties.contactpoint",
    "accounts.account",
    "accounts.accountdebtor",
    "users.team",
]


def _view(models: list[str]) -> set[str]:
    return {f"{m.split('.')[0]}.view_{m.split('.')[1]}" for m in models}


def _crud(model: str, *actions: str) -> set[str]:
    app, name = model.split(".")
    return {f"{app}.{action}_{name}" for action in actions}


_OFFICER = (
    _view(_READABLE)
    | _crud("parties.debtor", "change")
    | _crud("parties.contactpoint", "add", "change")
    | _crud("compliance.hold", "add", "view")
    | _view(["compliance.contactdecision", "compliance.contact"])
    | {"compliance.add_contact"}  # log the calls they make (through the gate)
    | _crud("compliance.notice", "add", "change", "view")
    | _crud("compliance.hardshipnotice", "add", "view")
    | _crud("compliance.callconsent", "add", "view")
    | _crud("compliance.forbearance", "add", "view")
    | _crud("compliance.holdliftrequest", "add", "view")  # ask a team lead to lift a hold
    | _crud("arrangements.arrangement", "add", "view")
    | _view(["arrangements.due"])
    | _crud("accounts.payment", "add")  # a payment taken on the phone or a cheque they received
    | _crud("communications.message", "add", "view")  # email a debtor from a template; see the outbox
    | _view(["communications.template"])
)
_TEAM_LEAD = (
    _OFFICER
    | _crud("accounts.account", "change")
    | _view(["users.user"])
    | {"accounts.view_aging_report"}
    | _crud("compliance.hardshipnotice", "change")  # a team lead decides hardship notices
    | _crud("compliance.holdliftrequest", "change")  # and officers' requests to lift a hold
    | _crud("arrangements.arrangement", "change")
    | {"arrangements.approve_arrangement"}  # plans outside policy, settlements within their authority
)
_MANAGER = (
    _TEAM_LEAD
    | _crud("parties.creditor", "add", "change")
    | _crud("accounts.account", "add", "change")
    | _view(["audit.auditevent"])
    | {"accounts.import_data", "accounts.match_payments", "accounts.export_data"}
    | _view(["imports.importjob", "imports.columnmapping", "imports.bankline"])  # imports, mappings, bank lines
    | _crud("compliance.hold", "change")
    | {"compliance.compliance_override"}
    | _crud("communications.template", "add")  # write templates (each save is a new version)
    | _crud("strategies.strategyversion", "add", "change", "view")  # write, publish and export strategies
    | _crud("strategies.run", "add", "view")  # start the daily run, see its dry run and reports
)
_LEGAL = _OFFICER | _crud("accounts.account", "change")
_AUDITOR = _view(
    [
        *_READABLE,
        "users.user",
        "audit.auditevent",
        "compliance.hold",
        "compliance.contactdecision",
        "compliance.contact",
        "compliance.notice",
        "compliance.hardshipnotice",
        "compliance.callconsent",
        "compliance.forbearance",
        "compliance.holdliftrequest",
        "arrangements.arrangement",
        "arrangements.due",
        "communications.message",
        "communications.template",
        "strategies.strategyversion",
        "strategies.run",
        "imports.importjob",  # the imports page and an import's rejected rows, without the upload
        "imports.columnmapping",  # the saved mappings, without new or edit
        "imports.bankline",  # unmatched payments and what was decided, without matching or rejecting
    ]
) | {
    "accounts.view_aging_report",
    "accounts.export_data",
}

ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.OFFICER: _OFFICER,
    Role.TEAM_LEAD: _TEAM_LEAD,
    Role.MANAGER: _MANAGER,
    Role.LEGAL: _LEGAL,
    Role.AUDITOR: _AUDITOR,
    # Administrators manage users, teams, creditors and settings; every permission below is theirs.
    Role.ADMIN: _MANAGER
    | _crud("users.user", "add", "change", "view")
    | _crud("users.team", "add", "change", "delete", "view")
    | _crud("parties.creditor", "add", "change", "view")
    | _crud("auth.group", "view"),
}


def sync_role_groups() -> None:
    """Create the role groups and give each exactly its permissions."""
    from django.contrib.auth.models import Group, Permission

    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name: dict[str, Any] = {}
    for perm in Permission.objects.select_related("content_type").filter(
        codename__in={p.split(".")[1] for p in wanted}
    ):
        by_name[f"{perm.content_type.app_label}.{perm.codename}"] = perm
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set([by_name[p] for p in sorted(perms) if p in by_name])


def sync_role_groups_after_migrate(sender: Any, **kwargs: Any) -> None:
    """Sync once per migrate, after the last app's permissions have been created."""
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if with_models and getattr(sender, "label", None) == with_models[-1].label:
        sync_role_groups()
