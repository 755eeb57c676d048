"""Official tables and printouts: each defined once (``spec``), rendered by one xlsx and one pdf writer.

Import ``spec`` freely; ``xlsx_writer``, ``pdf_writer`` and ``fonts`` pull in openpyxl or reportlab,
so callers import them only when a file is actually written.
"""
