"""The store's HTTP API (FastAPI): public search, shopper routes, staff routes under /admin."""
