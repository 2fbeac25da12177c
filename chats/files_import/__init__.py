"""File imports of the `files` backend: Sferum member lists and weekly activity reports (sferum-api.md).

Both are CSV (utf-8 with or without BOM, or cp1251; `,` or `;`) or the first sheet of an XLSX, read with the
tabular toolkit (`classes.tabular`); headers match case-insensitively in English or Russian, and any other header
needs a column mapping ({header in the file: column}). Every bad row is reported with its row number (the header
is row 1); a file with any bad row writes nothing.

- A member list (read by `member_list.member_list_read`, synced by `chats.member_lists.member_list_import`) is a
  full snapshot of the chats it lists, one row per chat member; it is synced through the `files` backend
  (`sferum_api.files.FilesBackend`) by the logged sync service, so members missing from a newer file leave their
  chats (with the safety hold on mass removals).
- A weekly activity report (read by `activity_report.activity_rows_read`, stored by
  `activity_import.activity_report_import`) gives, for a school whose only source is such a report, each staff
  member's messages of a week; the counts are stored as `ReportedActivity`, one row per person and week, and a
  later report for the same week replaces them.
"""
