"""The chats app's endpoints under /api/v1/ (see classes.api for the shared pieces)."""
