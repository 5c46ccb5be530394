# Rewrites the « short » cell records of an .xlsb (BrtShort*, no column) as full cell records
# (BrtCell*, with the column), as Excel writes them.
import zipfile, sys, struct
src, dst = sys.argv[1], sys.argv[2]
SHORT = {0x0C: 0x01, 0x0D: 0x02, 0x0E: 0x03, 0x0F: 0x04, 0x10: 0x05, 0x11: 0x06, 0x12: 0x07}
def varint(b, i, maxb):
    v = 0; s = 0
    for k in range(maxb):
        c = b[i]; i += 1; v |= (c & 0x7f) << s; s += 7
        if not c & 0x80: break
    return v, i
def enc(v, maxb):
    out = bytearray()
    while True:
        c = v & 0x7f; v >>= 7
        if v and len(out) + 1 < maxb: out.append(c | 0x80)
        else: out.append(c); break
    return bytes(out)
def convert(b):
    out = bytearray(); i = 0; col = -1; n = 0
    while i < len(b):
        t, i = varint(b, i, 2); l, i = varint(b, i, 4); data = b[i:i+l]; i += l
        if t == 0x00: col = -1  # BrtRowHdr
        if 0x01 <= t <= 0x07: col = struct.unpack('<I', data[:4])[0]
        if t in SHORT:
            col += 1; n += 1
            t = SHORT[t]; data = struct.pack('<I', col) + data
        out += enc(t, 2) + enc(len(data), 4) + data
    return bytes(out), n
zin = zipfile.ZipFile(src); zout = zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED)
for it in zin.infolist():
    data = zin.read(it.filename)
    if it.filename.startswith('xl/worksheets/') and it.filename.endswith('.bin'):
        data, n = convert(data); print(it.filename, n, 'short cells rewritten')
    zout.writestr(it, data)
zout.close()
