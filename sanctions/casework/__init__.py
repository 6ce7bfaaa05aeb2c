"""Casework and due process (DESIGN.md §6): the officials' cases that produce records
(four-eyes), objections, appeals and credit repair filed by the subject, the reviews and
extensions of judicial listings, retention, deadline reminders and the holiday calendar
the deadlines count on — and who may file what, now (`eligibility`)."""
