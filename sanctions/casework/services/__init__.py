"""Writes of casework, one module per process:

- `cases`: the case state machine (draft → under review → decided → notified → closed,
  or withdrawn), evidence, notes; four-eyes on the decision;
- `filings`: objections, appeals and credit repair, with their attachments;
- `listings`: how long a judicial listing lasts — the two-year review of ground-1 listings
  and the one extension of grounds 2–6;
- `retention`: erasing a record's personal data when its retention ends;
- `reminders`: officials told of deadlines falling due;
- `holidays`: importing the holiday calendar working-day deadlines count on.

Every function that changes legal state is one transaction that also writes its AuditEvent;
e-mail leaves only after commit."""
