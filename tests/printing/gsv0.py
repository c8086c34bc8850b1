"""A small decoder of ESC/POS GS v 0 raster images, for tests (PRINTING_PACKAGING.md §2).

``GS v 0 m xL xH yL yH d1…dk``: m is the density, x the width in bytes, y the height in rows, then
x·y bytes, 8 pixels per byte, most significant bit first, 1 = ink.
"""

from __future__ import annotations

from PIL import Image

GS_V0 = b"\x1dv0"
_INVERT = bytes(255 - i for i in range(256))


def _blocks(data: bytes) -> list[tuple[int, int, int, int]]:
    """(start, end, width in bytes, height) of every GS v 0 command, payload included."""
    blocks = []
    at = data.find(GS_V0)
    while at != -1:
        if len(data) < at + 8:
            raise ValueError(f"truncated GS v 0 header at byte {at}")
        width_bytes = int.from_bytes(data[at + 4 : at + 6], "little")
        height = int.from_bytes(data[at + 6 : at + 8], "little")
        end = at + 8 + width_bytes * height
        if end > len(data):
            raise ValueError(f"GS v 0 at byte {at} needs {width_bytes * height} bytes, {len(data) - at - 8} left")
        blocks.append((at, end, width_bytes, height))
        at = data.find(GS_V0, end)
    return blocks


def raster_images(data: bytes) -> list[Image.Image]:
    """The GS v 0 images in the byte stream, in order, as mode-"1" images (0 = black)."""
    return [
        Image.frombytes("1", (width_bytes * 8, height), data[start + 8 : end].translate(_INVERT))
        for start, end, width_bytes, height in _blocks(data)
    ]


def without_rasters(data: bytes) -> bytes:
    """The byte stream with every GS v 0 command (header and pixels) removed, so that searching the rest
    for other commands cannot hit image data by chance."""
    kept, previous = [], 0
    for start, end, _, _ in _blocks(data):
        kept.append(data[previous:start])
        previous = end
    kept.append(data[previous:])
    return b"".join(kept)


def segments(data: bytes) -> list[bytes | Image.Image]:
    """The byte stream as it comes: the bytes between images, and each GS v 0 image decoded."""
    out: list[bytes | Image.Image] = []
    previous = 0
    images = iter(raster_images(data))
    for start, end, _, _ in _blocks(data):
        out.append(data[previous:start])
        out.append(next(images))
        previous = end
    out.append(data[previous:])
    return out
