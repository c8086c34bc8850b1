"""The PySide6 counter application: the only package of counterapp that imports Qt (DESIGN.md §2)."""
