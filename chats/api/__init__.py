"""The chats app's endpoints under /api/v1/: the sync log of the request's schools (never tokens or messages)."""
