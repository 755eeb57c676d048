""".xlsb workbooks built record by record for the tests: workbook.bin with its sheets, each sheet's row
headers and cells (BrtCellSt for text, BrtCellReal for numbers, BrtCellBlank for ``None``), and ``extra``
records (type, data) written before the sheet data."""

import struct, zipfile
def varint(n):
    out = b""
    while True:
        b = n & 0x7F; n >>= 7
        if n: out += bytes([b | 0x80])
        else: return out + bytes([b])
def rec(kind, data=b""):
    return varint(kind) + varint(len(data)) + data
def wide(s): return struct.pack("<I", len(s)) + s.encode("utf-16-le")
def xlsb(path, sheets, extra=()):
    """sheets: [(name, hidden, (first row, last row, first column, last column) or None, [(row, column, value)])]"""
    wb = rec(0x83) + rec(0x8F)
    rels = ""
    for n, (name, hidden, _, _) in enumerate(sheets, 1):
        wb += rec(0x9C, struct.pack("<II", 1 if hidden else 0, n) + wide(f"rId{n}") + wide(name))
        rels += f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.bin"/>'
    wb += rec(0x90) + rec(0x84)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>')
        z.writestr("xl/_rels/workbook.bin.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + rels + '</Relationships>')
        z.writestr("xl/workbook.bin", wb)
        for n, (name, hidden, dim, cells) in enumerate(sheets, 1):
            body = rec(0x81)
            if dim: body += rec(0x94, struct.pack("<IIII", *dim))
            body += b"".join(rec(kind, data) for kind, data in extra) + rec(0x91)
            row = None
            for r, c, v in cells:
                if r != row:
                    body += rec(0x00, struct.pack("<IIHBBBI", r, 0, 0, 0, 0, 0, 0)); row = r
                if v is None:
                    body += rec(0x01, struct.pack("<II", c, 0))
                elif isinstance(v, str):
                    body += rec(0x06, struct.pack("<II", c, 0) + wide(v))
                else:
                    body += rec(0x05, struct.pack("<IId", c, 0, v))
            body += rec(0x92) + rec(0x82)
            z.writestr(f"xl/worksheets/sheet{n}.bin", body)
    return path
