"""Decision-flow diagrams: journey, stage slice and overview, as inline SVG and plain HTML."""
