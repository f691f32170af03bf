"""The output directory: ownership, safe writes, the manifest and freshness."""
