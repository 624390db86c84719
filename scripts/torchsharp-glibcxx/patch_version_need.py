"""Edits a copy of libLibTorchSharp.so (already given the shim as a NEEDED library by patchelf) so that it no longer
asks libstdc++ for the version GLIBCXX_3.4.32, which GCC 12's libstdc++ does not define:

1. the symbol std::ios_base_library_init() (_ZSt21ios_base_library_initv) gets version index 1 (global, unversioned)
   in .gnu.version, so the dynamic linker takes it from the shim, which defines it without a version;
2. the version-needed (vernaux) entry GLIBCXX_3.4.32 of libstdc++.so.6 in .gnu.version_r is pointed at the name and
   hash of GLIBCXX_3.4.30 (a version that exists), so the loader's version check passes.

Usage: patch_version_need.py FILE   (edits FILE in place; running it again changes nothing)."""
import struct
import sys

SYMBOL = b"_ZSt21ios_base_library_initv"
MISSING, PRESENT = b"GLIBCXX_3.4.32", b"GLIBCXX_3.4.30"


def main(path):
    data = bytearray(open(path, "rb").read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit(f"{path}: not a 64-bit little-endian ELF file")
    e_shoff, = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = []
    for i in range(e_shnum):
        name, typ, _flags, _addr, off, size, link, _info, _align, entsize = struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize)
        sections.append(dict(name=name, type=typ, off=off, size=size, link=link, entsize=entsize))
    shstr = sections[e_shstrndx]

    def cstr(off):
        return bytes(data[off:data.index(0, off)])

    by_name = {cstr(shstr["off"] + s["name"]): s for s in sections}
    dynsym, versym, verneed = by_name[b".dynsym"], by_name[b".gnu.version"], by_name[b".gnu.version_r"]
    dynstr = sections[dynsym["link"]]

    # 1. The symbol's version index → 1 (global).
    changed = False
    for i in range(dynsym["size"] // 24):
        st_name, = struct.unpack_from("<I", data, dynsym["off"] + i * 24)
        if cstr(dynstr["off"] + st_name) == SYMBOL:
            at = versym["off"] + 2 * i
            if struct.unpack_from("<H", data, at)[0] not in (0, 1):
                struct.pack_into("<H", data, at, 1)
                changed = True

    # 2. The vernaux entry GLIBCXX_3.4.32 → the name and hash of GLIBCXX_3.4.30.
    vr_str = sections[verneed["link"]]
    off = verneed["off"]
    while True:
        _ver, cnt, _file, aux, nxt = struct.unpack_from("<HHIII", data, off)
        entries, a = [], off + aux
        for _ in range(cnt):
            vna_hash, _flags, _other, vna_name, vna_next = struct.unpack_from("<IHHII", data, a)
            entries.append((a, vna_hash, vna_name, cstr(vr_str["off"] + vna_name)))
            a += vna_next
        names = {e[3]: e for e in entries}
        if MISSING in names:
            if PRESENT not in names:
                sys.exit(f"{path}: needs {MISSING.decode()} but not {PRESENT.decode()}; this fix does not apply")
            at = names[MISSING][0]
            _, present_hash, present_name, _ = names[PRESENT]
            struct.pack_into("<I", data, at, present_hash)
            struct.pack_into("<I", data, at + 8, present_name)
            changed = True
        if nxt == 0:
            break
        off += nxt

    if changed:
        with open(path, "wb") as f:
            f.write(data)
    print(f"{path}: {'patched' if changed else 'already patched'}")


if __name__ == "__main__":
    main(sys.argv[1])
