"""A statement as a printed leaflet: the QR code that leads back to it online."""

from functools import lru_cache

import segno
from markupsafe import Markup

# Error correction M survives a crease or a smudge on a photocopied leaflet; the quiet zone
# (border) stays at the 4 modules the standard asks for, or phones fail to read it.
QR_ERROR = "m"
QR_SVG = {"scale": 1, "border": 4, "omitsize": True, "svgclass": "qr-code",
          "lineclass": None, "dark": "#000", "light": "#fff"}


# A page's address never changes: each code is made once per process (a few KB each).
# Making one took 25 ms, most of an uncached statement page.
@lru_cache(maxsize=512)
def qr_code_svg(url: str) -> Markup:
    """An inline SVG QR code of `url`, made by segno (no script, no image request)."""
    return Markup(segno.make(url, error=QR_ERROR).svg_inline(**QR_SVG))
