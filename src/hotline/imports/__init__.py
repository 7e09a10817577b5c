"""One import and export pipeline for every kind of record: spreadsheets in (CSV in any
encoding, XLSX streamed), mapped by header name, cleaned per field type, deduplicated by
identity keys with a rule, checked in a dry run, committed in one transaction; exports out
as CSV and XLSX. Kinds of record plug in as targets (`target.py`); customers are the first.
See docs/imports.md."""
