"""The one error a diagram raises. Every diagram module raises it; nothing here draws."""

from __future__ import annotations

__all__ = ["DiagramError"]


class DiagramError(Exception):
    """A diagram could not be made: a link in it leads to no node page, or Graphviz failed."""
