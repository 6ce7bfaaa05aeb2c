"""Writes: every change of state goes through a function here (core records and catalogs,
and casework/due process)."""

from sanctions.kernel.audit import json_value  # noqa: F401
from sanctions.kernel.roles import Actor  # noqa: F401
from sanctions.services.casework import *  # noqa: F403
from sanctions.services.core import *  # noqa: F403
from sanctions.services.scoring import *  # noqa: F403
