"""API clients: each with its own service user (unusable password, not staff, an official
of the client's authority in the clerk role) and a key shown once and stored as a hash."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.roles import CLERK, SUPERVISOR, Actor, require_operator_or_official
from sanctions.models import (
    ApiClient,
    ApiScope,
    Authority,
    Official,
)

KEY_PREFIX_LENGTH = 8


def api_key_hash(key: str) -> str:
    """SHA-256 of the whole key. Keys are 256-bit random tokens, so a plain (unsalted,
    fast) hash is enough: there is nothing to guess that a slow hash would protect."""
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(KEY_PREFIX_LENGTH // 2)
    return prefix, f"scs_{prefix}_{secrets.token_urlsafe(32)}"


def _key_prefix(key: str) -> str | None:
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "scs" or len(parts[1]) != KEY_PREFIX_LENGTH:
        return None
    return parts[1]


def require_key_manager(actor: Actor, authority: Authority) -> None:
    """The operator, or a supervisor of the client's authority (require_operator_or_official,
    with a message that says what is being managed)."""
    try:
        require_operator_or_official(actor, authority=authority, roles=(SUPERVISOR,))
    except ApplicationError:
        raise ApplicationError(
            _("Only the operator or a supervisor of %(authority)s may manage its API keys.")
            % {"authority": authority.name},
            code="forbidden",
        ) from None


@transaction.atomic
def api_client_create(
    *, actor: Actor, name: str, authority: Authority, scopes: list[str], key: str | None = None
) -> tuple[ApiClient, str]:
    """Create a client and its service user; returns the client and the key, which is
    never stored and cannot be shown again. `key` is for the demo data only."""
    require_key_manager(actor, authority)
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError({"name": _("The client needs a name.")})
    scopes = sorted(set(scopes or []))
    if not scopes or not set(scopes) <= set(ApiScope.values):
        raise ApplicationError({"scopes": _("Choose at least one valid scope.")})
    prefix: str | None
    if key is None:
        prefix, key = _new_key()
    else:
        prefix = _key_prefix(key)
        if prefix is None:
            raise ApplicationError({"key": _("Malformed key.")})
    if ApiClient.objects.filter(key_prefix=prefix).exists():
        raise ApplicationError({"key": _("A client with this key already exists.")})
    user = get_user_model().objects.create(
        username=f"api-{prefix}", first_name=name[:150], is_staff=False, is_active=True
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    # case_create requires the clerk role; the user cannot log in (no password, not staff)
    user.groups.add(Group.objects.get(name=CLERK))
    Official.objects.create(user=user, authority=authority, title=_("API client"))
    client = ApiClient.objects.create(
        name=name,
        authority=authority,
        user=user,
        key_prefix=prefix,
        key_hash=api_key_hash(key),
        scopes=scopes,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_log(
        actor=actor,
        action="api_client.create",
        obj=client,
        new={"name": name, "authority": authority.code, "scopes": scopes, "prefix": prefix},
    )
    return client, key


@transaction.atomic
def api_client_revoke(*, actor: Actor, client: ApiClient) -> ApiClient:
    """Revoke a key at once: the client and its service user stop working."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    require_key_manager(actor, client.authority)
    if not client.is_active:
        raise ApplicationError(_("This key is already revoked."), code="state")
    client.is_active = False
    client.revoked_at = timezone.now()
    client.revoked_by = actor if actor is not None and actor.is_authenticated else None
    client.save(update_fields=["is_active", "revoked_at", "revoked_by"])
    client.user.is_active = False
    client.user.save(update_fields=["is_active"])
    audit_log(
        actor=actor,
        action="api_client.revoke",
        obj=client,
        old={"is_active": True},
        new={"is_active": False},
    )
    return client


def api_client_authenticate(key: str) -> ApiClient | None:
    """The active client holding `key`, or None."""
    prefix = _key_prefix((key or "").strip())
    if prefix is None:
        return None
    client = (
        ApiClient.objects.select_related("authority", "user")
        .filter(key_prefix=prefix, is_active=True)
        .first()
    )
    if client is None or not hmac.compare_digest(client.key_hash, api_key_hash(key.strip())):
        return None
    now = timezone.now()
    # at most one write a minute per client, not one per request
    if client.last_used_at is None or now - client.last_used_at > datetime.timedelta(minutes=1):
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client
