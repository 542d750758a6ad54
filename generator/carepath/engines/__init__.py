"""Site engines Carepath runs inside; each is a thin dispatcher to the core."""
