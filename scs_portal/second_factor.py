"""The admin's second step after the password: a code from the official's authenticator app
(or a backup code), or, for an official without a device, enrolment. Thin views: the rules
are in sanctions.kernel.second_factor; PortalAdminSite routes here and refuses every staff
page until the session is verified.

Both pages work without JavaScript; the QR code is inline SVG drawn on the server."""

from __future__ import annotations

import time

import django_otp
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanctions.kernel import second_factor as service
from sanctions.kernel.errors import ApplicationError

# when the session's password was typed (epoch seconds): enrolment needs a fresh one
PASSWORD_AT_SESSION_KEY = "scs_password_at"  # noqa: S105 - a session key name


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
    )

    def __init__(self, *args, help_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Django links the help and any error to the input (aria-describedby)
        self.fields["otp_token"].help_text = help_text


def is_verified(user) -> bool:
    """The session passed the second factor (OTPMiddleware sets is_verified; a user object
    fresh from the login form has not got it yet, and is not verified)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def needs_second_factor(user) -> bool:
    """A logged-in, active staff account whose session has not passed the second factor."""
    return user.is_authenticated and user.is_active and user.is_staff and not is_verified(user)


def next_url(request: HttpRequest, default: str | None = None) -> str:
    """The page asked for before the login (same site only), else the dashboard."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse("admin:index")


def step_url(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({REDIRECT_FIELD_NAME: target})}"


def mark_password_step(request: HttpRequest) -> None:
    request.session[PASSWORD_AT_SESSION_KEY] = int(time.time())


def _password_is_fresh(request: HttpRequest) -> bool:
    typed = request.session.get(PASSWORD_AT_SESSION_KEY)
    return isinstance(typed, int) and (
        0 <= time.time() - typed <= settings.SCS_OTP_ENROL_WINDOW_SECONDS
    )


def _passed(request: HttpRequest, device) -> None:
    django_otp.login(request, device)
    request.session.cycle_key()  # a new session id for the more privileged session


def _context(site, request: HttpRequest, title: str, **extra) -> dict:
    return {
        **site.each_context(request),
        "title": title,
        "subtitle": None,
        "next": next_url(request),
        "username": request.user.get_username(),
        **extra,
    }


def verify_view(site, request: HttpRequest) -> HttpResponse:
    """Second step of the staff login: one code from the app, or a backup code."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return HttpResponseRedirect(step_url("admin:login", next_url(request)))
    if is_verified(user):
        return HttpResponseRedirect(next_url(request))
    if not service.has_second_factor(user):
        return HttpResponseRedirect(step_url("admin:otp_enrol", next_url(request)))
    form = CodeForm(
        request.POST or None,
        help_text=_("Six digits from the app, or one of your backup codes (each works once)."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            device = service.otp_verify(user=user, token=form.cleaned_data["otp_token"])
        except ApplicationError as error:
            form.add_error("otp_token", error)
        else:
            _passed(request, device)
            return HttpResponseRedirect(next_url(request))
    return render(
        request,
        "admin/otp/verify.html",
        _context(site, request, _("Second step: verification code"), form=form),
    )


def enrol_view(site, request: HttpRequest) -> HttpResponse:
    """An official without a device sets one up: the key as an otpauth:// URI, a QR code and
    base32 text; their first code confirms it; the backup codes are shown once."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return HttpResponseRedirect(step_url("admin:login", next_url(request)))
    if service.has_second_factor(user):  # enrolled: the code step (or the page, if verified)
        return HttpResponseRedirect(step_url("admin:otp_verify", next_url(request)))
    if not _password_is_fresh(request):
        # setting up a second factor needs the password typed just before (a session
        # cookie alone is not enough): log in again
        target = next_url(request)
        logout(request)
        messages.info(request, _("To set up your second factor, log in with your password again."))
        return HttpResponseRedirect(step_url("admin:login", target))
    device = service.otp_enrolment_start(user=user)
    form = CodeForm(request.POST or None, help_text=_("Six digits, as the app shows them now."))
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = service.otp_enrol_confirm(
                actor=user, user=user, token=form.cleaned_data["otp_token"]
            )
        except ApplicationError as error:
            form.add_error("otp_token", error)
        else:
            _passed(request, device)
            return render(
                request,
                "admin/otp/backup_codes.html",
                _context(site, request, _("Your backup codes"), codes=codes),
            )
    return render(
        request,
        "admin/otp/enrol.html",
        _context(
            site,
            request,
            _("Set up your second factor"),
            form=form,
            otpauth_uri=device.config_url,
            secret=service.secret_base32(device),
            qr_svg=qr_svg(device.config_url),
            issuer=getattr(settings, "OTP_TOTP_ISSUER", ""),
        ),
    )


def qr_svg(data: str) -> str:
    """The QR code of `data` as inline SVG markup (no image file, no data: URL, no script)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    markup = image.to_string(encoding="unicode")
    # generated by qrcode from `data` alone: one <svg> with <path>s and numeric attributes
    if not markup.startswith("<svg "):
        raise ValueError("qrcode did not return an SVG document")
    return format_html(
        '<div class="otp-qr"><svg role="img" aria-label="{}" {}</div>',
        _("QR code of the key for your authenticator app"),
        mark_safe(markup.removeprefix("<svg ")),  # noqa: S308 - qrcode's own SVG output
    )


@admin.action(description=gettext_lazy("Reset second factor (lost phone)"))
def reset_second_factor(modeladmin, request: HttpRequest, queryset) -> None:
    """Admin action on officials or user accounts: `otp_reset` each (the service decides who
    may; one refusal does not stop the others). The official enrols again at next login."""
    done, refused = [], []
    for obj in queryset:
        user = getattr(obj, "user", obj)
        try:
            service.otp_reset(actor=request.user, user=user)
        except ApplicationError as error:
            refused.append(" ".join(error.messages))
        else:
            done.append(user.get_username())
    if done:
        modeladmin.message_user(
            request,
            _("Second factor reset for %(users)s: they set up a new one at their next login.")
            % {"users": ", ".join(done)},
            messages.SUCCESS,
        )
    for message in refused:
        modeladmin.message_user(request, message, messages.ERROR)
