"""Checks on a built site: the readability gate and the link checker."""
