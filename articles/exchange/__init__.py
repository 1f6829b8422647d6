"""Import and export of the Pressroom exchange format (docs: pressroom-jsonl.md)."""
