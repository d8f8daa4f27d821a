"""The HTTP API of API.md: FastAPI routes over the job store, workers and event streams."""
