"""SQL output: dialects, the literal encoder, DDL and load scripts."""
