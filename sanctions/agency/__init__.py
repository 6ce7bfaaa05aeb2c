"""Partner agencies on the API: clients and their keys, record submission (idempotent on
authority + decision number), events after a decision, bulk imports and the restriction
check. Every machine action is traced to the client's service user like a clerk's."""
