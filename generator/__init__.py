"""OpenAPI-driven SDK generator: spec → IR → models, clients and docs."""
