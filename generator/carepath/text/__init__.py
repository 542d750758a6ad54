"""Reading and writing text: escaping, Markdown prose passes, the glossary, anchors, node: links."""
