"""Writes of the agency API, one module per thing an agency does:

- `clients`: API clients, their keys and service users;
- `submissions`: one decision submitted (as a record, or a draft case);
- `imports`: bulk imports, processed in chunks by a task, resumable;
- `restrictions`: the restriction check (it writes the access-log row the person sees)."""
