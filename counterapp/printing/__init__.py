"""Receipts, forms and tickets: one data model, rendered to PDF (reportlab) and to ESC/POS raster
(python-escpos + Pillow). Qt-free; every text is NFC before layout."""
