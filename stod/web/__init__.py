"""The web app: server-rendered Swedish pages per role and the HTTP API under /api/v1."""
