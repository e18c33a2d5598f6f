"""HTTP handlers, one module per Harbor handler file (src/server/v2.0/handler/<name>.go)."""
