"""Outputs beside the pages: handouts, code pages, redirects, JSON exports, JSON-LD, search data, QR codes."""
