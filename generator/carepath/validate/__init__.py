"""Graph rules and clinical safety rules; every problem collected, none raised."""
