"""How a public API changed: the diff and the docs changelog."""
