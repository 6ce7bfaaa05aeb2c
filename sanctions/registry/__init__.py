"""The registry: who and what the portal records — subjects (persons and enterprises),
authorities and their officials, the catalog (record types and measures), and the records
themselves: their creation and validation, the decision notice, their status and the events
that end a listing. Everything else builds on it: casework decides records, scoring counts
them, publication shows them, agencies submit them."""
