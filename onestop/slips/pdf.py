"""Slips as PDF: WeasyPrint with the slip stylesheet and DejaVu fonts embedded."""
from pathlib import Path

from flask import current_app


def _stylesheet_path() -> Path:
    return Path(current_app.static_folder) / "slips.css"


def html_to_pdf(html: str) -> bytes:
    """Render with the slip stylesheet; nothing is fetched from outside (the QR code is inline)."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",), fail_on_errors=True)
    css = CSS(string=_stylesheet_path().read_text(encoding="utf-8"), url_fetcher=fetcher)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[css])
