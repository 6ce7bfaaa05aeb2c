from django.contrib.admin import AdminSite, ModelAdmin, TabularInline
from django.contrib.admin.apps import AdminConfig
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from scs_portal.admin_input import SafeInputAdminMixin, repair_axes_admin, with_safe_input


class PortalAdminSite(AdminSite):
    """The officials' workspace: the admin index is their dashboard."""

    site_header = _("SCS Portal — officials' workspace")
    site_title = _("SCS Portal")
    index_title = _("Dashboard")
    index_template = "admin/portal_index.html"

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every registered ModelAdmin gets SafeInputAdminMixin (scs_portal/admin_input.py):
        integer fields bounded by their columns, autocomplete pickers that survive a bad key."""
        admin_class = with_safe_input(admin_class or ModelAdmin)
        super().register(model_or_iterable, admin_class, **options)

    def index(self, request, extra_context=None):
        from sanctions.casework.selectors import dashboard

        extra_context = {**(extra_context or {}), "dashboard": dashboard(user=request.user)}
        return super().index(request, extra_context)

    # --- second factor (docs/security.md): the password opens no staff page by itself ------

    def has_permission(self, request):
        """Active staff whose session passed the second factor; logging out needs only the
        password (an official stuck at the code step can still leave)."""
        from scs_portal import second_factor  # (this module loads before the apps' models)

        if not super().has_permission(request):
            return False
        if request.path == reverse("admin:logout", current_app=self.name):
            return True
        return second_factor.is_verified(request.user)

    def login(self, request, extra_context=None):
        """The password step (Django's admin login, django-axes in front of it), then the
        code step, or enrolment for an official without a device."""
        from scs_portal import second_factor

        if request.method == "GET" and second_factor.needs_second_factor(request.user):
            target = second_factor.next_url(request)
            return HttpResponseRedirect(second_factor.step_url("admin:otp_verify", target))
        if request.method == "POST":  # per address: many names tried from one place
            from sanctions.kernel.ratelimit import refusal_if_over

            refused = refusal_if_over(
                request, "admin-login", limit_setting="SCS_ADMIN_LOGIN_RATE_PER_MINUTE",
                template_context={"login_attempts": True},
            )  # fmt: skip
            if refused is not None:
                return refused
        response = super().login(request, extra_context)
        if request.method == "POST" and response.status_code == 302:  # the password was right
            second_factor.mark_password_step(request)
            if second_factor.needs_second_factor(request.user):
                target = second_factor.next_url(request)
                return HttpResponseRedirect(second_factor.step_url("admin:otp_verify", target))
        return response

    def get_urls(self):
        from scs_portal import second_factor

        def step(view):
            return never_cache(csrf_protect(lambda request: view(self, request)))

        return [
            path("second-factor/", step(second_factor.verify_view), name="otp_verify"),
            path("second-factor/enrol/", step(second_factor.enrol_view), name="otp_enrol"),
            *super().get_urls(),
        ]


class PortalAdminConfig(AdminConfig):
    default_site = "scs_portal.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()  # autodiscover: every app's admin module, django-otp's included
        # Devices are made by enrolment and removed by "reset second factor" only: django-otp's
        # own device pages would show every official's TOTP key to whoever may view them.
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        for model in (TOTPDevice, StaticDevice):
            if self.module.site.is_registered(model):
                self.module.site.unregister(model)
        repair_axes_admin(self.module.site)  # its list action is a 500 otherwise


class LabelledTabularInline(SafeInputAdminMixin, TabularInline):
    """A tabular inline whose inputs carry their field's name (aria-label): the table's
    column headers are not labels, so screen readers would announce bare inputs."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and not field.widget.is_hidden:
            field.widget.attrs.setdefault("aria-label", str(field.label))
        return field
