from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from recoup.web import (
    account_action_views,
    account_views,
    arrangement_views,
    call_views,
    compliance_views,
    export_views,
    import_views,
    payment_views,
    queue_views,
    team_views,
    timeline_views,
    views,
)
from recoup.web.forms import SignInForm

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="web/password_change.html",
            success_url=reverse_lazy("password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html"),
        name="password_change_done",
    ),
    path("", views.home, name="home"),
    path("queue/", queue_views.my_queue, name="queue"),
    path("queue/next/", queue_views.next_account, name="next-account"),
    path("queue/views/", queue_views.save_queue_view, name="queue-view-save"),
    path("queue/views/<int:view_id>/delete/", queue_views.delete_queue_view, name="queue-view-delete"),
    path("team/", team_views.team_page, name="team"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/<int:account_id>/", account_views.account_detail, name="account"),
    path("accounts/<int:account_id>/holds/", account_views.place_account_hold, name="account-hold"),
    path("accounts/<int:account_id>/calls/", call_views.log_account_call, name="account-call"),
    path("accounts/<int:account_id>/payments/", account_action_views.record_account_payment, name="account-payment"),
    path(
        "accounts/<int:account_id>/contact-points/",
        account_action_views.add_account_contact_point,
        name="account-contact-point",
    ),
    path(
        "accounts/<int:account_id>/contact-points/<int:point_id>/stop/",
        account_action_views.stop_account_contact_point,
        name="account-contact-point-stop",
    ),
    path("accounts/<int:account_id>/assign/", account_action_views.assign_account, name="account-assign"),
    path("accounts/<int:account_id>/timeline/", timeline_views.account_timeline, name="account-timeline"),
    path("accounts/<int:account_id>/notes/", timeline_views.add_note, name="account-note"),
    path("accounts/<int:account_id>/wishes/", account_views.record_account_wish, name="account-wish"),
    path(
        "accounts/<int:account_id>/wishes/<int:wish_id>/withdraw/",
        account_views.withdraw_account_wish,
        name="account-wish-withdraw",
    ),
    path(
        "accounts/<int:account_id>/holds/<int:hold_id>/lift/", account_views.lift_account_hold, name="account-hold-lift"
    ),
    path("accounts/<int:account_id>/notices/", compliance_views.add_notice, name="account-notice"),
    path(
        "accounts/<int:account_id>/notices/<int:notice_id>/undeliverable/",
        compliance_views.notice_undeliverable,
        name="account-notice-undeliverable",
    ),
    path("accounts/<int:account_id>/hardship/", compliance_views.add_hardship, name="account-hardship"),
    path(
        "accounts/<int:account_id>/hardship/<int:notice_id>/",
        compliance_views.hardship_step,
        name="account-hardship-step",
    ),
    path("accounts/<int:account_id>/call-consent/", compliance_views.add_call_consent, name="account-call-consent"),
    path("accounts/<int:account_id>/forbearance/", compliance_views.add_forbearance, name="account-forbearance"),
    path("accounts/<int:account_id>/plans/", arrangement_views.arrangements_page, name="account-arrangements"),
    path(
        "accounts/<int:account_id>/affordability/",
        arrangement_views.affordability_page,
        name="account-affordability",
    ),
    path("accounts/<int:account_id>/plans/new/", arrangement_views.add_plan, name="account-plan"),
    path("accounts/<int:account_id>/promises/new/", arrangement_views.add_promise, name="account-promise"),
    path("accounts/<int:account_id>/settlements/new/", arrangement_views.add_settlement, name="account-settlement"),
    path(
        "accounts/<int:account_id>/plans/<int:arrangement_id>/approve/",
        arrangement_views.approve_arrangement,
        name="account-arrangement-approve",
    ),
    path(
        "accounts/<int:account_id>/plans/<int:arrangement_id>/letter.pdf",
        arrangement_views.arrangement_letter,
        name="account-arrangement-letter",
    ),
    path(
        "accounts/<int:account_id>/plans/<int:arrangement_id>/cancel/",
        arrangement_views.cancel_arrangement,
        name="account-arrangement-cancel",
    ),
    path("creditors/", views.creditor_list, name="creditors"),
    path("audit/", views.audit_log, name="audit-log"),
    path("reports/aging/", views.aging, name="aging"),
    path("imports/", import_views.imports, name="imports"),
    path("imports/progress/<str:token>/", import_views.import_progress, name="import-progress"),
    path("imports/mappings/", import_views.mappings, name="import-mappings"),
    path("imports/mappings/new/<str:kind>/", import_views.mapping_edit, name="import-mapping-new"),
    path("imports/mappings/<str:kind>/<int:mapping_id>/", import_views.mapping_edit, name="import-mapping"),
    path("imports/<int:job_id>/rejects/", import_views.import_rejects, name="import-rejects"),
    path("exports/", export_views.export_page, name="exports"),
    path("exports/download/", export_views.export_download, name="export-download"),
    path("payments/unmatched/", payment_views.unmatched_payments, name="unmatched-payments"),
    path("payments/unmatched/<int:line_id>/", payment_views.unmatched_payment, name="unmatched-payment"),
]
