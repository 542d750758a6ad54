"""Decision-flow diagrams for one pathway: the patient journey, a stage's slice and the clinician overview,
each with its text alternative. Pure: HTML strings out, no files written, no MkDocs; every link in a diagram
is checked to lead to a node page before the diagram is returned.

This package is what the page renderer is given as `RenderOptions.diagrams`: the four functions it calls,
re-exported in this one place. Embedding: put a returned string in a Markdown page on a line of its own with a
blank line before and after; it is one block element with no blank line inside, so Python-Markdown passes it
through untouched. Its look comes from `assets/diagram.css`. The overview is laid out by Graphviz, one run per
pathway, so diagram time grows linearly with the number of pathways.
"""

from __future__ import annotations

from carepath.diagram.journey import journey_html, stage_slice_html
from carepath.diagram.overview import overview_html, overview_too_big

__all__ = ["journey_html", "overview_html", "overview_too_big", "stage_slice_html"]
