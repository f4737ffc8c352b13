"""Small genuine evidence files for the tests (a PDF from reportlab, images from Pillow)."""

from __future__ import annotations

import io


def pdf_bytes(text: str = "Bản quét") -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    from chibo4tot_desktop.pdf.fonts import FONT_NAMES, register_fonts

    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.setFont(FONT_NAMES["regular"], 14)
    canvas.drawString(72, 720, text)
    canvas.save()
    return buffer.getvalue()


def _image(kind: str, size=(120, 80)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


def jpeg_bytes(size=(120, 80)) -> bytes:
    return _image("JPEG", size)


def png_bytes(size=(120, 80)) -> bytes:
    return _image("PNG", size)
