from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class NoEchoTextInput(forms.TextInput):
    """A full ID number is never sent back in a page, even to re-fill a refused form."""

    def format_value(self, value):
        return None


def resident_id_field(autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=_("Resident ID number"), max_length=18,
        widget=NoEchoTextInput(attrs={"autocomplete": autocomplete, "spellcheck": "false"}),
    )  # fmt: skip


class ActivationForm(forms.Form):
    resident_id = resident_id_field("off")
    name = forms.CharField(label=_("Name, as printed on the letter"), max_length=100)
    code = forms.CharField(
        label=_("Activation code"), max_length=20,
        help_text=_("12 letters and digits from the letter; dashes and spaces do not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )  # fmt: skip
    password1 = forms.CharField(
        label=_("New password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip
    password2 = forms.CharField(
        label=_("New password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class LoginForm(forms.Form):
    resident_id = resident_id_field("username")
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )  # fmt: skip


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (https://docs.djangoproject.com/en/5.2/topics/http/file-uploads/#uploading-multiple-files)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class FilingForm(forms.Form):
    grounds = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, grounds_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grounds"].label = grounds_label
        self.fields["attachments"].help_text = _(
            "Optional. PDF, PNG or JPEG, at most %(n)d files of %(mb)d MB each."
        ) % {
            "n": settings.SCS_FILING_MAX_ATTACHMENTS,
            "mb": settings.SCS_EVIDENCE_MAX_BYTES // (1024 * 1024),
        }


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label=_("Why is the outcome wrong?"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )  # fmt: skip


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"), max_length=64,
        help_text=_("28 letters and digits printed beside the QR code on the report; dashes, "
                    "spaces and case do not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}),
    )  # fmt: skip
