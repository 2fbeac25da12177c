"""The chats app's endpoints under /api/v1/: the sync log of the request's schools (never tokens or messages),
starting a school's sync and confirming a held run (see classes.api for the shared pieces)."""
