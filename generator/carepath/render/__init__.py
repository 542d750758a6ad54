"""Pages from the knowledge base through the Jinja templates. No file is written here."""
