from django.contrib.admin import AdminSite, TabularInline
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(AdminSite):
    """The officials' workspace: the admin index is their dashboard."""

    site_header = _("SCS Portal — officials' workspace")
    site_title = _("SCS Portal")
    index_title = _("Dashboard")
    index_template = "admin/portal_index.html"

    def index(self, request, extra_context=None):
        from sanctions.selectors import dashboard

        extra_context = {**(extra_context or {}), "dashboard": dashboard(request.user)}
        return super().index(request, extra_context)


class PortalAdminConfig(AdminConfig):
    default_site = "scs_portal.admin_site.PortalAdminSite"


class LabelledTabularInline(TabularInline):
    """A tabular inline whose inputs carry their field's name (aria-label): the table's
    column headers are not labels, so screen readers would announce bare inputs."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and not field.widget.is_hidden:
            field.widget.attrs.setdefault("aria-label", str(field.label))
        return field
