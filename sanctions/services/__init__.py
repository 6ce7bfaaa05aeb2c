"""Writes: every change of state goes through a function here (core records and catalogs,
and casework/due process)."""

from sanctions.services.casework import *  # noqa: F403
from sanctions.services.core import *  # noqa: F403
from sanctions.services.core import Actor, _json_value  # noqa: F401
from sanctions.services.scoring import *  # noqa: F403
