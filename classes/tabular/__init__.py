"""The toolkit every tabular file of the project is read with: the roster, Sferum member lists, activity reports.

- `classes.tabular.reading.table_read` (with `classes.tabular.limits`) turns a CSV or XLSX file into a `Table`;
- `columns`: a file's headers matched to known columns (English, Russian, aliases, a mapping), missing columns;
- `cells`: `RowReader`, the cells of a row by column key and the errors found in them;
- `errors`: `RowError`, one broken rule with its row and column, and the errors of a whole file;
- `names`: people's names from name columns or a full name;
- `dates`: dates, date-times and weeks written in a cell.
"""
