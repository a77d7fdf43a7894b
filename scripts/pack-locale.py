#!/usr/bin/env python3
"""Packs the game's locale for the built-in datasets: one `<lang>.cfg` per language, each the
merge of every given mod's files for that language, stored gzipped (-9) in an uncompressed tar,
so the library unpacks only the language a test asks for.

    scripts/pack-locale.py OUT.tar SOURCE...

A SOURCE is a mod's locale folder as the game ships it (`<lang>/*.cfg`, e.g. `base/locale`) or a
folder of one file per language (`<lang>.cfg`, as ../shared/data/locale/core-2.0.55 holds).
Sources merge in the order given (the game's: core, then base). The lines a file has before its
first `[section]` header belong to no section; the merge keeps them section-less by putting them
first, before any file's sections. The archive is deterministic (sorted, no times, no owners).
"""
import gzip
import io
import os
import sys
import tarfile


def language_files(source):
    """{lang: [paths]} of one source folder."""
    out = {}
    for entry in sorted(os.listdir(source)):
        path = os.path.join(source, entry)
        if os.path.isdir(path):
            cfgs = [os.path.join(path, f) for f in sorted(os.listdir(path)) if f.endswith(".cfg")]
            if cfgs:
                out.setdefault(entry, []).extend(cfgs)
        elif entry.endswith(".cfg"):
            out.setdefault(entry[: -len(".cfg")], []).append(path)
    return out


def split(text):
    """(lines before the first section header, the rest) of one cfg text."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith("["):
            return lines[:i], lines[i:]
    return lines, []


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: scripts/pack-locale.py OUT.tar SOURCE...")
    out, sources = sys.argv[1], sys.argv[2:]
    merged = {}  # lang -> ([section-less lines], [sectioned lines])
    for source in sources:
        if not os.path.isdir(source):
            sys.exit(f"error: {source} is not a folder; pass a mod's locale folder or a folder of <lang>.cfg files")
        for lang, paths in language_files(source).items():
            head, body = merged.setdefault(lang, ([], []))
            for path in paths:
                with open(path, "rb") as f:
                    raw = f.read()
                if raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                try:
                    text = raw.decode("utf-8").replace("\r\n", "\n")
                except UnicodeDecodeError as e:
                    sys.exit(f"error: {path}: not UTF-8 at byte {e.start}; the game reads locale files as UTF-8")
                before, rest = split(text)
                head.extend(line for line in before if line.strip())
                if rest:
                    body.append(f"; {os.path.relpath(path, os.path.dirname(source.rstrip('/')))}")
                    body.extend(rest)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for lang in sorted(merged):
            head, body = merged[lang]
            text = "\n".join(head + body).rstrip("\n") + "\n"
            gz = io.BytesIO()
            with gzip.GzipFile(fileobj=gz, mode="wb", compresslevel=9, mtime=0, filename="") as f:
                f.write(text.encode("utf-8"))
            info = tarfile.TarInfo(f"{lang}.cfg.gz")
            info.size = len(gz.getvalue())
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(gz.getvalue()))
    with open(out, "wb") as f:
        f.write(buf.getvalue())
    print(f"{out}: {len(merged)} languages, {len(buf.getvalue())} bytes")


if __name__ == "__main__":
    main()
