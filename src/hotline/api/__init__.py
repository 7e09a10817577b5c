"""HTTP API (FastAPI): REST under /api/v1, WebSocket events, auth at the edge."""
