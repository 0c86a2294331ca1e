"""Thumbnails of raster images, with Pillow's decompression-bomb limit on.

Pillow warns past ``Image.MAX_IMAGE_PIXELS`` and raises ``DecompressionBombError`` past
twice it; we raise at the limit itself (``max_pixels``, from config) by checking the
header's size before anything is decoded, so a 50 kB PNG declaring 40,000 x 40,000 pixels
is refused without allocating them.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image

from frontdesk.adapters.files.errors import FileRefused

THUMBNAIL_PX = 240


def thumbnail(data: bytes, max_pixels: int) -> bytes:
    """A PNG of at most ``THUMBNAIL_PX`` square; a 415 for an image too large or broken."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise FileRefused(
                        413, "image_too_large",
                        f"expected an image of at most {max_pixels} pixels, got "
                        f"{width} x {height} = {width * height} (a decompression bomb?)")
                image.seek(0)
                image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
                out = io.BytesIO()
                image.convert("RGBA").save(out, "PNG")
                return out.getvalue()
    except FileRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FileRefused(413, "image_too_large",
                          f"expected an image of at most {max_pixels} pixels, got {exc}") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise FileRefused(415, "broken_image",
                          f"expected a readable image, got one Pillow cannot decode: {exc}"
                          ) from None
