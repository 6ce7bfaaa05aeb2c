"""The module Django's admin autodiscovery imports. Each bounded context registers its own
models in its `admin` module (docs/architecture.md); this hub only imports them."""

from sanctions.agency import admin as agency_admin  # noqa: F401 - API clients, imports
from sanctions.casework import admin as casework_admin  # noqa: F401 - cases, filings, records
from sanctions.kernel import admin as kernel_admin  # noqa: F401 - audit trail, access log
from sanctions.registry import admin as registry_admin  # noqa: F401 - catalog, officials
from sanctions.scoring import admin as scoring_admin  # noqa: F401 - rule sets, runs, scores
