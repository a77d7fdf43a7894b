#!/usr/bin/env python3
"""Writes lua/factorio_mocks/validate/schema_<version>.lua from the game's prototype API description.

    scripts/gen-prototype-schema.py [../shared/data/api/prototype-api-2.0.77.json …]

With no argument it writes the schema of every prototype-api-2.*.json in ../shared/data/api/.
The output is what fm.validate needs and no more (no descriptions, no defaults):

- typenames[data.raw type] = prototype name;
- prototypes[Name] = {parent, abstract, p = {property = type}, r = {mandatory property, …},
  w = {mandatory in the description but left out by the game's own data (RELAXED): not checked},
  alt = {property = its other key}};
- types[Concept] = a type (below); a struct concept is {"s", parent = …, p = …, r = …};
- ids[XID] = {label, typename, …}: the data.raw types whose names an ID concept names
  (ItemID: every item type; EntityID: every entity type), label being the family's word in
  the game's messages ("item", "entity", "recipe-category");
- namespaces = {label, …}: the ID families spanning more than one data.raw type, whose names
  the game keeps in one namespace (items of every item type, entities of every entity type).

A type is a builtin or concept name (a string), or a table:
{"a", T} array, {"d", K, V} dictionary, {"u", T, …} union, {"e", v, …} union of literals,
{"l", v} literal, {"t", T, …} tuple, {"s", p = …, r = …, parent = …} struct.
The output is sorted, so a second run writes the same bytes.
"""
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
API_DIR = os.path.join(ROOT, "..", "shared", "data", "api")

LUA_KEYWORDS = {"and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
                "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"}


def lua_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def lua_key(k):
    return k if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", k) and k not in LUA_KEYWORDS else "[" + lua_string(k) + "]"


def lua_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return lua_string(v)
    if isinstance(v, list):
        return "{" + ", ".join(lua_value(x) for x in v) + "}"
    if isinstance(v, dict):
        return "{" + ", ".join(lua_key(k) + " = " + lua_value(v[k]) for k in sorted(v)) + "}"
    raise TypeError(v)


# Mandatory in the description, yet the game's own data leaves them out and the game loads it:
# they are not checked. (owner, property): why.
RELAXED = {
    ("FootstepTriggerEffectItem", "particle_name"): "an item with `actions` creates those particles instead",
    ("FootstepTriggerEffectItem", "initial_height"): "an item with `actions` creates those particles instead",
    ("FootstepTriggerEffectItem", "type"): "an item with `actions` creates those particles instead",
}

# Values the game's own data uses that a literal union of the description lacks:
# (owner, property): [value, …]. Added where the property's type is that union.
EXTRA_LITERALS = {
    # 2.1's core/prototypes/shortcuts.lua; the 2.1.9 description lists ten actions without it.
    ("ShortcutPrototype", "action"): ["toggle-tall-entity-visibility"],
}


class Encoder:
    def __init__(self, concepts):
        self.concepts = concepts

    def struct(self, owner):
        """The struct of a concept or prototype: its own properties, its parent by name."""
        out = {"p": {}}
        mandatory, relaxed, alt = [], [], {}
        for prop in owner.get("properties") or []:
            # "hardcoded to `true`": the game does not read it.
            if "hardcoded" in (prop.get("description") or "") and prop.get("override"):
                continue
            out["p"][prop["name"]] = self.type(prop["type"], owner)
            extra = EXTRA_LITERALS.get((owner["name"], prop["name"]), [])
            t = out["p"][prop["name"]]
            if extra and isinstance(t, list) and t[0] == "e":
                t.extend(v for v in extra if v not in t)
            if not prop["optional"]:
                if (owner["name"], prop["name"]) in RELAXED:
                    relaxed.append(prop["name"])
                else:
                    mandatory.append(prop["name"])
            # `alt_name`: the same property under another key (braking_force for braking_power).
            if prop.get("alt_name"):
                out["p"][prop["alt_name"]] = out["p"][prop["name"]]
                alt[prop["name"]] = prop["alt_name"]
        if mandatory:
            out["r"] = sorted(mandatory)
        relaxed += [prop for (name, prop) in RELAXED if name == owner["name"] and prop not in relaxed]
        if relaxed:
            out["w"] = sorted(relaxed)
        if alt:
            out["alt"] = alt
        if owner.get("parent"):
            out["parent"] = owner["parent"]
        return out

    def type(self, t, owner):
        if isinstance(t, str):
            return t
        kind = t["complex_type"]
        if kind == "type":
            return self.type(t["value"], owner)
        if kind == "array":
            return ["a", self.type(t["value"], owner)]
        if kind == "dictionary":
            return ["d", self.type(t["key"], owner), self.type(t["value"], owner)]
        if kind == "literal":
            return ["l", t["value"]]
        if kind == "tuple":
            return ["t"] + [self.type(v, owner) for v in t["values"]]
        if kind == "struct":
            # An inline struct stands for the properties of the concept that holds it.
            return dict(self.struct(owner), s=True)
        if kind == "union":
            options = [self.type(o, owner) for o in t["options"]]
            flat = []
            for o in options:  # unions of unions read as one union
                if isinstance(o, list) and o[0] in ("u", "e"):
                    flat.extend(["l", x] if o[0] == "e" else x for x in o[1:])
                else:
                    flat.append(o)
            if all(isinstance(o, list) and o[0] == "l" for o in flat):
                return ["e"] + [o[1] for o in flat]
            return ["u"] + flat
        raise ValueError("unknown complex_type " + kind)


def encode_lua(t, indent=""):
    """A type as Lua: lists are positional, a struct is {"s", p = {…}, r = {…}, parent = …}."""
    if isinstance(t, str):
        return lua_string(t)
    if isinstance(t, dict):
        parts = ['"s"']
        if t.get("parent"):
            parts.append("parent = " + lua_string(t["parent"]))
        parts.append("p = " + encode_props(t["p"]))
        for key in ("r", "w", "alt"):
            if t.get(key):
                parts.append(key + " = " + lua_value(t[key]))
        return "{" + ", ".join(parts) + "}"
    head = t[0]
    if head in ("l", "e"):
        return "{" + ", ".join([lua_string(head)] + [lua_value(v) for v in t[1:]]) + "}"
    return "{" + ", ".join([lua_string(head)] + [encode_lua(v) for v in t[1:]]) + "}"


def encode_props(props):
    return "{" + ", ".join(lua_key(k) + " = " + encode_lua(props[k]) for k in sorted(props)) + "}"


def kebab(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def generate(src):
    with open(src, encoding="utf-8") as f:
        api = json.load(f)
    version = api["application_version"]
    concepts = {t["name"]: t for t in api["types"]}
    protos = {p["name"]: p for p in api["prototypes"]}
    enc = Encoder(concepts)

    children = {}
    for p in api["prototypes"]:
        if p.get("parent"):
            children.setdefault(p["parent"], []).append(p["name"])

    def typenames_under(name):
        out = []
        stack = [name]
        while stack:
            n = stack.pop()
            if protos[n].get("typename"):
                out.append(protos[n]["typename"])
            stack.extend(children.get(n, []))
        return sorted(set(out))

    ids = {}
    unresolved = []
    for name in sorted(concepts):
        if not name.endswith("ID") or concepts[name]["type"] != "string":
            continue
        base = name[:-2]
        target = next((c for c in (base + "Prototype", base) if c in protos), None)
        if target is None:
            unresolved.append(name)
            continue
        label = protos[target].get("typename") or kebab(base)
        ids[name] = [label] + typenames_under(target)
    namespaces = sorted({v[0] for v in ids.values() if len(v) > 2})

    lines = [
        "-- GENERATED by scripts/gen-prototype-schema.py from prototype-api-%s.json; do not edit." % version,
        "-- What fm.validate checks data.raw against (the format is described in the script).",
        "return {",
        "  version = %s," % lua_string(version),
        "  typenames = {",
    ]
    for p in sorted(api["prototypes"], key=lambda p: p.get("typename") or ""):
        if p.get("typename"):
            lines.append("    [%s] = %s," % (lua_string(p["typename"]), lua_string(p["name"])))
    lines.append("  },")
    lines.append("  prototypes = {")
    for name in sorted(protos):
        p = protos[name]
        s = enc.struct(p)
        parts = []
        if s.get("parent"):
            parts.append("parent = " + lua_string(s["parent"]))
        if p.get("abstract"):
            parts.append("abstract = true")
        parts.append("p = " + encode_props(s["p"]))
        for key in ("r", "w", "alt"):
            if s.get(key):
                parts.append(key + " = " + lua_value(s[key]))
        lines.append("    %s = {%s}," % (lua_key(name), ", ".join(parts)))
    lines.append("  },")
    lines.append("  types = {")
    for name in sorted(concepts):
        c = concepts[name]
        t = c["type"]
        if t == "builtin":
            lines.append("    %s = %s," % (lua_key(name), lua_string("builtin:" + name)))
            continue
        if isinstance(t, dict) and t["complex_type"] == "struct":
            encoded = dict(enc.struct(c), s=True)
        else:
            encoded = enc.type(t, c)
        lines.append("    %s = %s," % (lua_key(name), encode_lua(encoded)))
    lines.append("  },")
    lines.append("  ids = {")
    for name in sorted(ids):
        lines.append("    %s = %s," % (lua_key(name), lua_value(ids[name])))
    lines.append("  },")
    lines.append("  namespaces = %s," % lua_value(namespaces))
    lines.append("}")
    out_path = os.path.join(ROOT, "lua", "factorio_mocks", "validate",
                            "schema_" + version.replace(".", "_") + ".lua")
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("%s: %d prototypes, %d concepts, %d ID types (not a prototype family: %s), %d bytes" % (
        os.path.relpath(out_path, ROOT), len(protos), len(concepts), len(ids), ", ".join(unresolved) or "none",
        os.path.getsize(out_path)))


def main():
    sources = sys.argv[1:] or sorted(glob.glob(os.path.join(API_DIR, "prototype-api-2.*.json")))
    for src in sources:
        generate(src)


if __name__ == "__main__":
    main()
