"""Retention: how much captured mail a sandbox keeps (`--max-emails`, `--max-age`), pruned in the
background in small slices, with everything that belongs to each email."""
