"""Amounts in Chinese pages as official documents write them: 209,700.00 (Django's zh_Hans
formats leave the digits ungrouped). Everything else falls back to Django's zh_Hans formats."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
