"""QR codes for printed handouts: inline SVG made offline with segno, byte-identical on every build.

Settings are fixed here (not left to segno's defaults) so a segno upgrade that changes a default
shows up as a failing test rather than as different images on two machines.
"""

from __future__ import annotations

import html

import segno

ERROR_LEVEL = "m"
"""Medium error correction: survives a smudged or folded printout and keeps the code small."""
BORDER = 4
"""The quiet zone, in modules, that the QR standard asks for."""
SVG_CLASS = "cp-qr"


def qr_code(text: str) -> segno.QRCode:
    """The QR code for `text`: never a Micro QR (phones read those poorly), boosting no error level."""
    return segno.make_qr(text, error=ERROR_LEVEL, boost_error=False)


def qr_svg(text: str, label: str) -> str:
    """Inline SVG (one line, no XML prolog) encoding `text`, one unit per module, sized by CSS.

    `label` becomes the image's accessible name.
    """
    svg = qr_code(text).svg_inline(scale=1, border=BORDER, omitsize=True, svgclass=SVG_CLASS, lineclass=None, dark="#000")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(label, quote=True)}" ', 1)
