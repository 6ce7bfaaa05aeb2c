"""Writes of the registry, one module per thing recorded:

- `catalog`: record types, measures, authorities and other catalog rows (audited saves);
- `subjects`: the Subject behind a new citizen or enterprise;
- `records`: a record's creation, its decision notice, its status, the events that remove
  a listing, and the dirty set of scores to recompute;
- `notices`: the letters sent to a subject;
- `officials`: officials and the accounts and roles of staff."""
