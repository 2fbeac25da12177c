"""Tables as files: a small report class with a date range, rendered as a printable HTML page, CSV or XLSX.

As in django-oscar's reports, a report knows its columns and rows and nothing of formats; a renderer knows
one format and nothing of reports. `report_export` renders a report in the asked format and writes the audit
log entry an export of personal data needs (who, when, what).

The package: `report` (Column, Report: what a table is), `renderers` (CSV, XLSX, printable HTML, and
`report_export`, which renders one and writes the audit log), `tables` (the project's reports).
"""
