"""Building the site's files from the pathway: the build cache and incremental rendering."""
