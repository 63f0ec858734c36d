"""Read QR codes as a phone would: from the printed page, not from the data given to the encoder.

    pdf_qr_codes(receipt_pdf(application))   → ["http://127.0.0.1:8101/track/26-0000001/?code=123456"]
    svg_qr_codes(ticket_page_html)           → the codes of the inline <svg> QR codes of an HTML page
    image_qr_codes(png_bytes)                → the codes in a screenshot

PDF pages are rasterised with PDFium (pypdfium2), at about 200 dpi as a phone's camera sees a printed page;
the codes are decoded with zxing-cpp.
"""

from __future__ import annotations

import io
import re

SCALE = 200 / 72  # PDF points to pixels at 200 dpi


def image_qr_codes(image) -> list[str]:
    """The text of every QR code in `image` (a PIL image, or PNG/JPEG bytes), top to bottom."""
    import zxingcpp
    from PIL import Image

    if isinstance(image, bytes | bytearray):
        image = Image.open(io.BytesIO(image))
    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    return [code.text for code in sorted(found, key=lambda code: (code.position.top_left.y, code.position.top_left.x))]


def pdf_qr_codes(content: bytes) -> list[str]:
    """The text of every QR code printed in a PDF, page by page."""
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    try:
        codes: list[str] = []
        for page in document:
            codes += image_qr_codes(page.render(scale=SCALE).to_pil())
        return codes
    finally:
        document.close()


def svg_qr_codes(html: str) -> list[str]:
    """The text of every inline <svg> QR code of an HTML page (a ticket), each printed on a page by WeasyPrint."""
    import weasyprint

    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)
    page = "".join(f'<div style="width:40mm;height:40mm;margin:10mm">{svg}</div>' for svg in svgs)
    return pdf_qr_codes(weasyprint.HTML(string=f"<html><body>{page}</body></html>").write_pdf())
