"""Writes not yet moved into their bounded context (being split: docs/architecture.md)."""
