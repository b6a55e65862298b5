"""A QR code as a small inline SVG (one path of dark modules), drawn with reportlab's QR encoder
(already a dependency for the certificates, compliance/certificate_pdf.py)."""

from reportlab.graphics.barcode import qrencoder

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


def qr_svg(text: str, *, size: int = 176, label: str = "") -> str:
    """``text`` as an SVG QR code ``size`` pixels square (error correction M)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    count = code.getModuleCount()
    side = count + 2 * QUIET_ZONE
    path = "".join(
        f"M{col + QUIET_ZONE} {row + QUIET_ZONE}h1v1h-1z"
        for row in range(count)
        for col in range(count)
        if code.isDark(row, col)
    )
    title = f"<title>{_escape(label)}</title>" if label else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {side} {side}" '
        f'role="img" shape-rendering="crispEdges">{title}<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
