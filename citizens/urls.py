from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from citizens import views

app_name = "citizens"

_form = "citizens/account_form.html"
_message = "citizens/account_message.html"

urlpatterns = [
    path("account/activate/", views.activate, name="activate"),
    path("account/login/", views.login_view, name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(next_page="home"), name="logout"),
    path(
        "account/password/",
        views.citizen_required(
            views.PasswordChangeView.as_view(
                template_name=_form, success_url=reverse_lazy("citizens:password_change_done")
            )
        ),
        name="password_change",
    ),
    path(
        "account/password/done/",
        views.citizen_required(auth_views.PasswordChangeDoneView.as_view(template_name=_message)),
        name="password_change_done",
    ),
    path(
        "account/reset/",
        views.password_reset(
            auth_views.PasswordResetView.as_view(
                template_name=_form,
                form_class=views.PortalPasswordResetForm,
                email_template_name="citizens/password_reset_email.txt",
                subject_template_name="citizens/password_reset_subject.txt",
                success_url=reverse_lazy("citizens:password_reset_done"),
                extra_context={"submit_label": _("Send me the link")},
            )
        ),
        name="password_reset",
    ),
    path(
        "account/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name=_message),
        name="password_reset_done",
    ),
    path(
        "account/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(
            template_name=_form, success_url=reverse_lazy("citizens:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "account/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name=_message),
        name="password_reset_complete",
    ),
    path("my/", views.my_record, name="my_record"),
    path("my/enterprises/<int:subject_id>/", views.my_enterprise, name="my_enterprise"),
    path("my/records/<int:pk>/", views.record_detail, name="record"),
    path("my/records/<int:pk>/object/", views.record_object, name="object"),
    path("my/records/<int:pk>/repair/", views.record_repair, name="repair"),
    path("my/objections/<int:pk>/appeal/", views.objection_appeal, name="appeal"),
    path("my/notices/", views.notices, name="notices"),
    path("my/notices/<int:pk>/", views.notice_detail, name="notice"),
    path("my/access-log/", views.access_log, name="access_log"),
    path("my/report/", views.report, name="report"),
    path("my/reports/", views.credit_reports, name="credit_reports"),
    path("my/reports/new/", views.credit_report_new, name="credit_report_new"),
    path("my/reports/<int:pk>/revoke/", views.credit_report_revoke, name="credit_report_revoke"),
    path("my/attachments/<int:pk>/", views.attachment, name="attachment"),
    # public: anyone holding a credit report checks it (docs/citizens.md)
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_link, name="verify_link"),
]
