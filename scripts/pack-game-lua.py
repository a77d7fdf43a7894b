#!/usr/bin/env python3
"""Packs the game's own Lua for a built-in dataset: fixtures/builtin/<version>/game-lua.tar.gz.

    scripts/pack-game-lua.py <version> [factorio-data-<version>.tar.gz]

The tarball defaults to ../shared/data/factorio-data/factorio-data-<version>.tar.gz.

Takes every .lua file (and info.json) of the game's mods (core, base, the expansions and 2.1's
recycler) from the game's public copy of its Lua (wube/factorio-data), and adds a placeholder for
each module the game generates at build time and the public copy lacks (sprite-size tables under
graphics/, ambient music lists, menu simulations): fixtures/builtin/<version>/placeholders.txt
lists them, one `__mod__/path` per line, as `scripts/find-placeholders.lua` found them by running
the data stage. A placeholder is what the built-in data.raw was made with, the one fm.run_stage
answers with (mod_loader.placeholder): a 1x1 single-frame sprite table, or under sound/ambient/ an
ambient-sound named after the module. The archive is deterministic (sorted, no times, no owners),
so re-running the script changes nothing.
"""
import gzip
import io
import os
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(ROOT, "..", "shared", "data", "factorio-data")
MODS = ("core", "base", "elevated-rails", "quality", "recycler", "space-age")
PLACEHOLDER = (
    b"-- Placeholder made by factorio-mocks (scripts/pack-game-lua.py): the game generates this\n"
    b"-- module at build time and its public copy lacks it.\n"
    b"return {width = 1, height = 1, shift = {0, 0}, line_length = 1, frames = 1}\n"
)
AMBIENT = (
    "-- Placeholder made by factorio-mocks: the game generates this module at build time.\n"
    'return {{type = "ambient-sound", name = "{name}", track_type = "main-track", sound = {{filename = "x.ogg"}}}}\n'
)


def placeholder(mod, rel):
    if rel.startswith("sound/ambient/"):
        return AMBIENT.format(name=f"__{mod}__/{rel}").encode()
    return PLACEHOLDER


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: scripts/pack-game-lua.py <version> [factorio-data-<version>.tar.gz]")
    version = sys.argv[1]
    source = sys.argv[2] if len(sys.argv) > 2 else os.path.join(SHARED, f"factorio-data-{version}.tar.gz")
    if not os.path.exists(source):
        sys.exit(f"error: {source} not found; pass the game's factorio-data-{version}.tar.gz as the second argument")
    OUT = os.path.join(ROOT, "fixtures", "builtin", version, "game-lua.tar.gz")
    PLACEHOLDERS = os.path.join(ROOT, "fixtures", "builtin", version, "placeholders.txt")
    files = {}
    with tarfile.open(source, "r:gz") as tar:
        for member in tar.getmembers():
            parts = member.name.split("/", 1)
            if len(parts) < 2 or not member.isfile() or not (member.name.endswith(".lua") or member.name.endswith("/info.json")):
                continue
            rel = parts[1]
            if rel.split("/", 1)[0] in MODS:
                files[rel] = tar.extractfile(member).read()
    placeholders = []
    if os.path.exists(PLACEHOLDERS):
        for line in open(PLACEHOLDERS, encoding="utf-8"):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            mod, rel = line[2:].split("__/", 1)
            path = mod + "/" + rel + ".lua"
            if path not in files:
                files[path] = placeholder(mod, rel)
                placeholders.append(path)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        with tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            for path in sorted(files):
                info = tarfile.TarInfo(path)
                info.size = len(files[path])
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(files[path]))
    with open(OUT, "wb") as f:
        f.write(buf.getvalue())
    print(f"{OUT}: {len(files)} files ({len(placeholders)} placeholders), {len(buf.getvalue())} bytes")


if __name__ == "__main__":
    main()
