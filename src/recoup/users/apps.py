from django.apps import AppConfig
from django.db.models.signals import post_migrate


class UsersConfig(AppConfig):
    name = "recoup.users"
    label = "users"
    verbose_name = "Users and teams"

    def ready(self) -> None:
        from recoup.users.roles import sync_role_groups_after_migrate

        # Every migrate brings the role groups and their permissions up to date, idempotently.
        post_migrate.connect(sync_role_groups_after_migrate, dispatch_uid="recoup.users.roles")
