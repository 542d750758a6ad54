"""The typed schema of pathway files, the knowledge-base graph and the vocabularies. No I/O."""
