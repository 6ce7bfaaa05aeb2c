"""Citizen self-service: activation, login, "my record" and everything hanging off it.
Every object is looked up through `citizens.selectors`, scoped to the logged-in citizen,
so anything else is a 404 — never a 403 that would confirm it exists."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from citizens import lockout, selectors, services
from citizens import report as reports
from citizens.forms import ActivationForm, AppealForm, FilingForm, LoginForm, VerifyForm
from sanctions.casework.eligibility import repair_eligible_from
from sanctions.casework.selectors import may_appeal, may_object, may_repair
from sanctions.casework.services.filings import appeal_file, objection_file, repair_apply
from sanctions.kernel import ratelimit
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.ratelimit import rate_limited
from sanctions.kernel.uploads import download
from sanctions.kernel.workdays import objection_due_on, repair_due_on

_POST_ONLY = lambda request: request.method == "POST"  # noqa: E731


def citizen_required(view):
    """A logged-in citizen's page. An official's account has no citizen pages (its password
    and its record of work live in the admin, behind the second factor): 404, so a session
    that only passed the password step of the admin login cannot change the password here."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _form_errors(form, exc: ApplicationError) -> None:
    """Put a service's refusal on the form: field errors where it names a field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("activate", limit_setting="SCS_ACCOUNT_RATE_PER_MINUTE", applies=_POST_ONLY)
def activate(request: HttpRequest) -> HttpResponse:
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.account_activate(
                resident_id=data["resident_id"], name=data["name"], code=data["code"],
                password=data["password1"],
            )  # fmt: skip
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Your account is ready. Log in with your ID number."))
            return redirect("citizens:login")
    status = 400 if form.errors else 200
    return render(request, "citizens/activate.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("login", limit_setting="SCS_ACCOUNT_RATE_PER_MINUTE", applies=_POST_ONLY)
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        username = services.login_username_for(form.cleaned_data["resident_id"])
        request.scs_login_username = username  # the lockout's escalation reads it
        wait = lockout.account_wait_seconds(request, username)
        if wait:  # many failures on this account from anywhere: slowed, never locked
            form.add_error(None, ngettext(
                "Too many failed log-ins for this ID number. Please try again in %(n)d second.",
                "Too many failed log-ins for this ID number. Please try again in %(n)d seconds.",
                wait,
            ) % {"n": wait})  # fmt: skip
            context = {"form": form, "next": next_url}
            response = render(request, "citizens/login.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return render(request, "citizens/locked_out.html", status=429)
        if user is not None and not user.is_staff:
            login(request, user)
            lockout.account_succeeded(username)
            response = redirect(next_url or "citizens:my_record")
            lockout.remember_device(response, username, secure=request.is_secure())
            return response
        if user is None:
            lockout.account_failed(username)
        form.add_error(None, _("The ID number or the password is wrong."))
    status = 400 if form.errors else 200
    return render(request, "citizens/login.html", {"form": form, "next": next_url}, status=status)


def _subject_page(request: HttpRequest, subject) -> HttpResponse:
    return render(
        request,
        "citizens/my_record.html",
        {
            **selectors.overview(subject, page=request.GET.get("page")),
            "subjects": selectors.subjects_of(request.user),
        },
    )


@require_safe
@citizen_required
def my_record(request: HttpRequest) -> HttpResponse:
    subjects = list(selectors.subjects_of(request.user))
    own = next((s for s in subjects if s.kind == "person"), None)
    if own is None:
        return render(request, "citizens/no_record.html", status=404)
    return _subject_page(request, own)


@require_safe
@citizen_required
def my_enterprise(request: HttpRequest, subject_id: int) -> HttpResponse:
    subject = get_object_or_404(
        selectors.subjects_of(request.user).filter(kind="enterprise"), pk=subject_id
    )
    return _subject_page(request, subject)


def _record(request: HttpRequest, pk: int):
    return get_object_or_404(
        selectors.citizen_records(request.user).select_related(
            "record_type", "authority", "subject"
        ),
        pk=pk,
    )


@require_safe
@citizen_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    today = timezone.localdate()
    return render(
        request,
        "citizens/record.html",
        {
            **selectors.record_view(record, today=today, **selectors.record_points(record, today)),
            "objections": [
                (o, may_appeal(objection=o, today=today))
                for o in record.objections.prefetch_related("attachments").select_related(
                    "appeal__authority"
                )
            ],
            "repairs": record.repairs.prefetch_related("attachments"),
            "notices": record.notices.all(),
            "today": today,
        },
    )


def _filing(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    record = _record(request, pk)
    today = timezone.localdate()
    if kind == "objection":
        label = _("What is wrong with this record, and why?")
        service = objection_file
        eligible = may_object(record=record)
        context = {
            "decided_by": objection_due_on(today),
            "decision_days": settings.SCS_OBJECTION_DECISION_DAYS,
        }
    else:
        label = _("What have you done to correct it?")
        service = repair_apply
        eligible = may_repair(record=record, today=today)
        context = {
            "eligible_from": repair_eligible_from(record),
            "decided_by": repair_due_on(today),
            "decision_workdays": settings.SCS_REPAIR_DECISION_WORKDAYS,
        }
    form = FilingForm(request.POST or None, request.FILES or None, grounds_label=label)
    if request.method == "POST" and form.is_valid():
        try:
            service(
                actor=request.user, record=record, grounds=form.cleaned_data["grounds"],
                attachments=form.cleaned_data["attachments"],
            )  # fmt: skip
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your objection was filed.") if kind == "objection"
                else _("Your repair application was filed."),
            )  # fmt: skip
            return redirect("citizens:record", pk=record.pk)
    return render(
        request,
        f"citizens/{kind}.html",
        {"record": record, "form": form, "eligible": eligible, "today": today, **context},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
def record_object(request: HttpRequest, pk: int) -> HttpResponse:
    return _filing(request, pk, kind="objection")


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
def record_repair(request: HttpRequest, pk: int) -> HttpResponse:
    return _filing(request, pk, kind="repair")


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
def objection_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """Appeal an objection outcome to the higher authority (`appeal_file` checks the rules)."""
    objection = get_object_or_404(selectors.citizen_objections(request.user), pk=pk)
    today = timezone.localdate()
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal_file(actor=request.user, objection=objection,
                        grounds=form.cleaned_data["grounds"])  # fmt: skip
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Your appeal was filed."))
            return redirect("citizens:record", pk=objection.record_id)
    return render(
        request,
        "citizens/appeal.html",
        {
            "objection": objection,
            "record": objection.record,
            "form": form,
            "eligible": may_appeal(objection=objection, today=today),
            "decided_by": objection_due_on(today),
        },
        status=400 if form.errors else 200,
    )


@require_safe
@citizen_required
def notices(request: HttpRequest) -> HttpResponse:
    return render(
        request, "citizens/notices.html", {"notices": selectors.citizen_notices(request.user)}
    )


@require_safe
@citizen_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(selectors.citizen_notices(request.user), pk=pk)
    # letters are written in the portal's language (registry.services.notices.letter_language)
    return render(
        request,
        "citizens/notice.html",
        {"notice": notice, "letter_language": settings.LANGUAGE_CODE},
    )


@require_safe
@citizen_required
def access_log(request: HttpRequest) -> HttpResponse:
    subjects = list(selectors.subjects_of(request.user))
    own = next((s for s in subjects if s.kind == "person"), None)
    if own is None:
        raise Http404
    # the enterprises the citizen represents: the checks of their credit reports
    enterprises = [
        (subject, rows)
        for subject in subjects
        if subject.kind == "enterprise" and (rows := selectors.report_verification_rows(subject))
    ]
    return render(
        request,
        "citizens/access_log.html",
        {"entries": selectors.access_rows(own), "enterprise_checks": enterprises},
    )


@require_safe
@citizen_required
def report(request: HttpRequest) -> HttpResponse:
    subjects = list(selectors.subjects_of(request.user))
    if not subjects:
        raise Http404
    today = timezone.localdate()
    # a summary: counts of everything, the records in effect and the newest letters listed
    sections = [selectors.report_section(subject, today=today) for subject in subjects]
    own = next((s for s in subjects if s.kind == "person"), None)
    notices, notices_total = selectors.report_notices(request.user)
    return render(
        request,
        "citizens/report.html",
        {
            "sections": sections,
            "notices": notices,
            "notices_total": notices_total,
            "access_log": selectors.access_rows(own) if own else [],
            "generated_at": timezone.now(),
        },
    )


# --- verifiable credit reports (citizens.report) ----------------------------------------------

CREDIT_REPORTS_PER_PAGE = 50


def _verify_page(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("citizens:verify"))


@require_safe
@citizen_required
def credit_reports(request: HttpRequest) -> HttpResponse:
    """The reports issued about the citizen and their enterprises, and the download form."""
    subjects = sorted(selectors.subjects_of(request.user), key=lambda s: s.kind != "person")
    if not subjects:
        raise Http404
    page = Paginator(selectors.credit_reports_of(request.user), CREDIT_REPORTS_PER_PAGE)
    return render(
        request,
        "citizens/credit_reports.html",
        {
            "subjects": subjects,
            "reports": page.get_page(request.GET.get("page")),
            "now": timezone.now(),
            "verify_page": _verify_page(request),
            "valid_days": settings.SCS_REPORT_VERIFY_DAYS,
        },
    )


@require_POST
@citizen_required
def credit_report_new(request: HttpRequest) -> HttpResponse:
    """Issue a report about one of the citizen's subjects, in the chosen language (default:
    the page's), and send its PDF. Not re-downloadable: the code is only in this PDF."""
    subject_id = request.POST.get("subject", "")
    if not subject_id.isdigit():
        raise Http404
    subject = get_object_or_404(selectors.subjects_of(request.user), pk=subject_id)
    language = request.POST.get("language") or get_language()
    if language not in reports.LANGUAGES:
        language = settings.LANGUAGE_CODE
    allowed, backend_ok = ratelimit.hit(
        "credit-report", f"user-{request.user.pk}", settings.SCS_REPORT_ISSUE_PER_HOUR,
        window=3600,
    )  # fmt: skip
    if not allowed:
        context = {"backend_ok": backend_ok, "limit": settings.SCS_REPORT_ISSUE_PER_HOUR,
                   "report_downloads": True}  # fmt: skip
        response = render(request, "public/429.html", context, status=429 if backend_ok else 503)
        response["Retry-After"] = "3600" if backend_ok else "60"
        return response
    issued, pdf = reports.credit_report_issue(
        actor=request.user, subject=subject, language=language,
        verify_page=_verify_page(request),
        verify_url=lambda code: request.build_absolute_uri(
            reverse("citizens:verify_link", kwargs={"code": code})
        ),
    )  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    day = timezone.localtime(issued.issued_at).date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="credit-report-{issued.pk}-{day}.pdf"'
    response["Cache-Control"] = "no-store"  # it carries the code
    return response


@require_POST
@citizen_required
def credit_report_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    revoked = get_object_or_404(selectors.credit_reports_of(request.user), pk=pk)
    reports.credit_report_revoke(actor=request.user, report=revoked)
    messages.success(
        request,
        _("Report no. %(number)s is revoked: checking its code now says so and shows nothing.")
        % {"number": revoked.pk},
    )
    return redirect("citizens:credit_reports")


# The code is kept out of URLs that stay around: the form POSTs it; the QR code's link
# (GET /verify/<code>/) puts only the code's keyed hash in the session and redirects to
# /verify/, which shows the outcome once. Outcomes are never cached (no-store). The link's
# redirect carries `Referrer-Policy: no-referrer`, so the request it leads to sends no Referer
# with the code in it; /verify/ itself keeps the site's same-origin policy (its URL holds no
# code, and under no-referrer Chromium POSTs the form with `Origin: null`, which Django's
# CSRF check refuses).
_VERIFY_SESSION_KEY = "scs_credit_report_check"


def _verify_refusal(request: HttpRequest) -> HttpResponse | None:
    return ratelimit.refusal_if_over(
        request, "verify", limit_setting="SCS_VERIFY_RATE_PER_MINUTE",
        template_context={"verify_attempts": True},
    )  # fmt: skip


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Public: is a credit report genuine, valid, unchanged since — and what it showed.
    Each lookup (POST here, or the QR link) is counted per address (429 over the limit)."""
    result, form = None, VerifyForm(request.POST or None)
    if request.method == "POST":
        refusal = _verify_refusal(request)
        if refusal is not None:
            return _private(refusal)
        if form.is_valid():
            result = reports.credit_report_verify(
                hashed=reports.code_hash(form.cleaned_data["code"])
            )
            form = VerifyForm()
    elif _VERIFY_SESSION_KEY in request.session:
        result = reports.credit_report_verify(hashed=request.session.pop(_VERIFY_SESSION_KEY))
    status = 400 if form.errors else 200
    return _private(
        render(request, "citizens/verify.html", {"form": form, "result": result}, status=status)
    )


@require_safe
def verify_link(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code's link: counted like a lookup, the code's hash kept for /verify/."""
    refusal = _verify_refusal(request)
    if refusal is not None:
        return _private(refusal)
    request.session[_VERIFY_SESSION_KEY] = reports.code_hash(code)
    response = _private(redirect("citizens:verify"))
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
@citizen_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    return download(get_object_or_404(selectors.citizen_attachments(request.user), pk=pk))


# --- password change and reset: Django's views, limited to portal accounts and audited ---------


class PortalPasswordResetForm(PasswordResetForm):
    def get_users(self, email):
        # Django's form matches every active account with the address; here only citizens'
        accounts = services.portal_accounts()
        email_field = accounts.model.get_email_field_name()
        for user in accounts.filter(**{f"{email_field}__iexact": email}):
            if user.has_usable_password() and _reset_mail_allowed(user):
                yield user


def _reset_mail_allowed(user) -> bool:
    """At most SCS_PASSWORD_RESET_PER_ACCOUNT_PER_HOUR reset letters per account and hour,
    from any number of addresses (the project's limiter, counted in Redis; fails closed).
    Over it nothing is sent and the page answers as always, so it tells nothing."""
    allowed, _backend_ok = ratelimit.hit(
        "password-reset-account", f"user-{user.pk}",
        settings.SCS_PASSWORD_RESET_PER_ACCOUNT_PER_HOUR, window=3600,
    )  # fmt: skip
    return allowed


# per IP: the friendly 429 page, like the activation and login forms
password_reset = rate_limited(
    "password-reset", limit_setting="SCS_PASSWORD_RESET_RATE_PER_MINUTE", applies=_POST_ONLY
)


class _AuditedPasswordSet:
    how = ""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.account_password_audit(user=form.user, how=self.how)
        return response


class PasswordChangeView(_AuditedPasswordSet, auth_views.PasswordChangeView):
    how = "change"


class PasswordResetConfirmView(_AuditedPasswordSet, auth_views.PasswordResetConfirmView):
    how = "reset"
