"""Scoring (DESIGN.md §6): versioned rule sets with four-eyes activation, the set-based
recompute in PostgreSQL in idempotent chunks, explanations and the what-if preview.

What counts for the score is `sanctions.db.predicates`; the records mark their subject's score
dirty (`sanctions.registry.services.records.mark_dirty`), the runs here read that set."""
