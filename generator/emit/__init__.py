"""Output stages: templates, models, module split, formatting, SDK and docs files."""
