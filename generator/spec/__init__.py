"""Reading a spec: load and bundle, validate, normalise."""
