"""Read replicas (docs/scaling.md, "Read replicas"): which database each query goes to.

Reads of the public pages and the public API (PUBLIC_READ_VIEWS) go to one streaming replica
of the primary (DATABASE_REPLICA_URLS → settings.SCS_READ_REPLICAS); every other read, every
write, and everything outside a web request (Celery tasks, management commands, the shell)
uses the primary. The decision is made per request by
`scs_portal.middleware.ReplicaRoutingMiddleware`, which keeps it in a context variable that
this router reads (a context variable, not a thread-local: each request, thread or task has
its own value, and none leaks into work that never set one).

Read-your-writes: a request that wrote reads the primary for the rest of the request, and the
browser that sent it is pinned to the primary for SCS_REPLICA_PIN_SECONDS (a signed cookie
set by the middleware); a pinned browser's public pages are read from the primary too.
https://docs.djangoproject.com/en/5.2/topics/db/multi-db/#automatic-database-routing
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterable, Iterator
from contextvars import ContextVar, Token
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# The public, read-only views (URL names, scs_portal/urls.py → sanctions/urls.py and
# sanctions/api_urls.py): the public search, the entry pages, the explanation pages, open data
# and the public API. Their reads may be served by a replica.
PUBLIC_READ_VIEWS = frozenset(
    {
        "home",
        "search",
        "entry_detail",
        "how_to_object",
        "open_data",
        "api_public_entries",
        "api_public_entries_lookup",
        "api_public_entry_detail",
    }
)

# The login state is read from the primary on every page: a session, account or second-factor
# device created a moment ago (a login, an activation) must not look missing on a lagging
# replica (the visitor would appear logged out).
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "otp_totp", "otp_static", "axes"})

# Saving the session (every request saves it: SESSION_SAVE_EVERY_REQUEST) is no write of the
# person's: it must not pin every logged-in browser to the primary.
NOT_A_WRITE_APPS = frozenset({"sessions"})


@dataclass
class RequestRouting:
    """Where the reads of one web request go (set up by ReplicaRoutingMiddleware)."""

    public: bool = False  # a public read-only view: its reads may go to a replica
    pinned: bool = False  # this browser wrote within SCS_REPLICA_PIN_SECONDS: primary only
    wrote: bool = False  # this request wrote: the rest of it reads the primary
    replica: str | None = None  # the one replica this request reads (chosen at its first read)


_routing: ContextVar[RequestRouting | None] = ContextVar("scs_request_routing", default=None)


def current() -> RequestRouting | None:
    """The routing of the request being served; None outside a request (tasks, commands)."""
    return _routing.get()


def begin(routing: RequestRouting) -> Token:
    return _routing.set(routing)


def end(token: Token) -> None:
    _routing.reset(token)


def replica_aliases() -> tuple[str, ...]:
    return tuple(settings.SCS_READ_REPLICAS)


def streamed_under(routing: RequestRouting, content: Iterable[bytes]) -> Iterator[bytes]:
    """A streaming response's content, produced under its request's routing: the open-data
    export runs its queries while the server sends the body, after the middleware returned."""
    token = _routing.set(routing)
    try:
        yield from content
    finally:
        # closed in another context (e.g. collected elsewhere): nothing of ours to restore
        with contextlib.suppress(ValueError):
            _routing.reset(token)


class PrimaryReplicaRouter:
    """DATABASE_ROUTERS entry: public reads to a replica, everything else to the primary."""

    def db_for_read(self, model, **hints):
        routing = _routing.get()
        if (
            routing is None
            or not routing.public
            or routing.pinned
            or routing.wrote
            or model._meta.app_label in PRIMARY_ONLY_APPS
            # inside a transaction on the primary, reads see that transaction
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        if routing.replica is None:
            replicas = replica_aliases()
            if not replicas:
                return DEFAULT_DB_ALIAS
            # one replica for the whole request (its pages read one consistent copy);
            # requests spread over the replicas at random
            routing.replica = random.choice(replicas)
        return routing.replica

    def db_for_write(self, model, **hints):
        routing = _routing.get()
        if routing is not None and model._meta.app_label not in NOT_A_WRITE_APPS:
            routing.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # the replicas hold the primary's rows: objects from any of them may be related
        aliases = {DEFAULT_DB_ALIAS, *replica_aliases()}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # replicas replay the primary's WAL, schema changes included
        return db == DEFAULT_DB_ALIAS
