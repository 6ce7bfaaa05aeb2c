"""Publication: how a record reaches the public list and what the public sees — the sweep
that publishes a record once its notice period has passed (and expires it when its windows
close), the public list's search over the search tables (`sanctions.db`), the allow-list of
entry fields, the page cache, the filters, the public pages, the public API and open data.

What a public entry is: `sanctions.registry.selectors.public_entries` (one definition, with
its SQL counterpart in `sanctions.db.predicates`)."""
