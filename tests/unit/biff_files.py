"""Legacy .xls files built byte by byte for the tests: a BIFF8 workbook stream in a compound document.

Only what python-calamine needs to read one: BOF, CODEPAGE, BOUNDSHEET and EOF in the globals, then per
sheet BOF, DIMENSIONS, LABEL and NUMBER cells and EOF; the compound document with 512-byte sectors, the
stream in regular sectors or, when ``mini``, in the mini stream.
"""

import struct

FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def _record(kind, data=b""):
    return struct.pack("<HH", kind, len(data)) + data


def _bof(substream):
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0, 0x06))


def biff8(sheets):
    """``sheets``: (name, hidden, (first row, end row, first column, end column) or None, [(row, column, value)])."""
    bodies = []
    for _, _, dimensions, cells in sheets:
        body = _bof(0x0010)
        if dimensions:
            body += _record(0x0200, struct.pack("<IIHHH", *dimensions, 0))
        for row, column, value in cells:
            if isinstance(value, str):
                body += _record(0x0204, struct.pack("<HHHHB", row, column, 15, len(value), 1) + value.encode("utf-16-le"))
            else:
                body += _record(0x0203, struct.pack("<HHHd", row, column, 15, value))
        bodies.append(body + _record(0x000A))

    def globals_(offsets):
        data = _bof(0x0005) + _record(0x0042, struct.pack("<H", 1200))
        for (name, hidden, _, _), offset in zip(sheets, offsets):
            data += _record(0x0085, struct.pack("<IBBBB", offset, 1 if hidden else 0, 0, len(name), 1)
                            + name.encode("utf-16-le"))
        return data + _record(0x000A)

    offset = len(globals_([0] * len(sheets)))
    offsets = []
    for body in bodies:
        offsets.append(offset)
        offset += len(body)
    return globals_(offsets) + b"".join(bodies)


def _entry(name, kind, child, start, size):
    raw = (name + "\x00").encode("utf-16-le") if name else b""
    return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), kind, 1) + struct.pack("<III", FREE, FREE, child)
            + bytes(36) + struct.pack("<IQ", start, size))


def compound(stream, mini=False):
    """A compound document holding ``stream`` as "Workbook"."""
    if not mini and len(stream) < 4096:
        stream = stream.ljust(4096, b"\x00")  # a regular stream is at least the mini stream cutoff
    assert not mini or len(stream) < 4096
    sectors = []  # regular sectors after the FAT: directory, [mini FAT, mini stream…] or the stream
    if mini:
        count = -(-len(stream) // 64)
        mini_fat = [i + 1 for i in range(count - 1)] + [END]
        container = stream.ljust(count * 64, b"\x00")
        chunks = [container[i: i + 512] for i in range(0, len(container), 512)]
    else:
        chunks = [stream[i: i + 512] for i in range(0, len(stream), 512)]
    fat_sectors = 1
    assert 1 + 1 + (1 if mini else 0) + len(chunks) <= 128
    fat = [FATSECT, END]  # the FAT sector, the directory
    first = 2
    if mini:
        fat.append(END)  # the mini FAT, one sector
        first = 3
    fat += [first + i + 1 for i in range(len(chunks) - 1)] + [END]
    fat += [FREE] * (128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIIII", 0, fat_sectors, 1, 0, 4096, 2 if mini else END, 1 if mini else 0, END, 0)
    header += struct.pack("<109I", 0, *([FREE] * 108))
    if mini:
        directory = _entry("Root Entry", 5, 1, first, len(chunks) * 512) + _entry("Workbook", 2, FREE, 0, len(stream))
    else:
        directory = _entry("Root Entry", 5, 1, END, 0) + _entry("Workbook", 2, FREE, first, len(stream))
    directory += _entry("", 0, FREE, 0, 0) * 2
    sectors = [struct.pack("<128I", *fat), directory]
    if mini:
        sectors.append(struct.pack("<128I", *(mini_fat + [FREE] * (128 - len(mini_fat)))))
    sectors += [chunk.ljust(512, b"\x00") for chunk in chunks]
    return header + b"".join(sectors)


def xls(path, sheets, mini=False):
    path.write_bytes(compound(biff8(sheets), mini=mini))
    return path
