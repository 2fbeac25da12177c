"""The official roster file (roster-format.md): reading, validation and the import."""
