#!/usr/bin/env python3
"""Writes lua/factorio_mocks/control/prototype_defaults_<version>.lua from the game's API descriptions.

    scripts/gen-prototype-defaults.py [../shared/data/api/prototype-api-2.0.77.json]

The runtime API description sits beside it (runtime-api-<version>.json). The output holds:
- prototypes[Name] = {parent, d = {property = default}}: each prototype's properties of a plain
  type (boolean, string, number) whose default the description gives as a literal, or as
  "Value of `other`" ({same_as = "other"}); descriptive defaults ("calculated by …") are left out,
  and an override without one is {} so the parent's default does not show through;
- types[typename] = Name: which prototype a data.raw type is;
- runtime[LuaClass] = "attr,…": the runtime attributes that read the data.raw property of the same
  name and kind of value, so a missing property reads as its default (hidden_in_factoriopedia);
- refs[LuaClass] = "attr=family,…": the runtime attributes whose value is a prototype (or an array
  "family[]", a dictionary by name "family{}") that the data.raw property of the same name names
  with an ID type of that family (next_upgrade: EntityID → LuaEntityPrototype, rails: EntityID[]);
- boxes[LuaClass] = "attr,…": the BoundingBox attributes that read the data.raw box of the same
  name (box defaults are {box = {{x, y}, {x, y}}} in prototypes[Name].d);
- fluid_boxes = "property,…": the entity properties that hold one FluidBox;
- filters[Concept] = "kind,…": the kinds of each prototype filter of LuaPrototypes.get_*_filtered.
A new game version is one run of this script.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT = os.path.join(ROOT, "..", "shared", "data", "api", "prototype-api-2.0.77.json")

NUMBERS = {"double", "float", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}

# Same name and kind of value, different meaning: these runtime attributes stay hand-written or
# not mocked. `order`: an entity's order falls back to its item's in the game; `subgroup`: the
# runtime gives a LuaGroup (and recipes default to their product's).
NOT_SAME = {"order", "subgroup", "group", "localised_name", "localised_description", "name", "type"}
# Per class: the runtime value is computed (radius from the collision box), or the property means
# something else on some types (belts' `speed`, inserters' `rotation_speed`, rolling stock's
# `max_speed`, cargo landing pads' `radar_range`).
NOT_SAME_IN = {"LuaEntityPrototype": {"radius", "speed", "rotation_speed", "max_speed", "radar_range"}}

# Runtime families whose data.raw types descend from one prototype (the rest: family with '-').
FAMILY_ROOTS = {"entity": "EntityPrototype", "item": "ItemPrototype", "equipment": "EquipmentPrototype",
                "achievement": "AchievementPrototype"}
# Planets are space locations: prototypes.space_location holds both.
FAMILY_EXTRA = {"space_location": ["planet"]}


def lua_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


LUA_KEYWORDS = {"and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
                "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"}


def lua_key(k):
    return k if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", k) and k not in LUA_KEYWORDS else "[" + lua_string(k) + "]"


def lua_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return lua_string(v)


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    with open(src, encoding="utf-8") as f:
        papi = json.load(f)
    runtime_src = os.path.join(os.path.dirname(src), os.path.basename(src).replace("prototype-api", "runtime-api"))
    with open(runtime_src, encoding="utf-8") as f:
        rapi = json.load(f)
    version = papi["application_version"]
    out_path = os.path.join(ROOT, "lua", "factorio_mocks", "control",
                            "prototype_defaults_" + version.replace(".", "_") + ".lua")
    types = {t["name"]: t for t in papi["types"]}
    protos = {p["name"]: p for p in papi["prototypes"]}

    def plain(t, depth=0):
        """"boolean", "string", "number" for a type that is one of them (through aliases), else None."""
        if isinstance(t, dict):
            return plain(t["value"], depth) if t.get("complex_type") == "type" else None
        if t == "bool" or t == "boolean":
            return "boolean"
        if t == "string":
            return "string"
        if t == "BoundingBox":
            return "box"
        if t in NUMBERS:
            return "number"
        alias = types.get(t)
        if alias and depth < 8 and isinstance(alias.get("type"), (str, dict)) and alias["type"] != "builtin":
            return plain(alias["type"], depth + 1)
        return None

    def default_of(prop, kind):
        d = prop.get("default")
        if isinstance(d, dict) and d.get("complex_type") == "literal":
            v = d["value"]
            if kind == "boolean" and isinstance(v, bool) or kind == "string" and isinstance(v, str) or \
               kind == "number" and isinstance(v, (int, float)) and not isinstance(v, bool):
                return v
            return None
        if isinstance(d, str):
            m = re.match(r"^(?:[Tt]he )?[Vv]alue of `?(\w+)`?\.?$", d)
            if m:
                return {"same_as": m.group(1)}
            # Boxes: "`{{-0.2, -0.2}, {0.2, 0.2}}`", "Empty = `{{0, 0}, {0, 0}}`".
            n = r"(-?[0-9.]+)"
            m = re.match(r"^(?:Empty = )?`\{\{" + n + r", " + n + r"\}, \{" + n + r", " + n + r"\}\}`$", d)
            if m and kind == "box":
                return {"box": [[float(m.group(1)), float(m.group(2))], [float(m.group(3)), float(m.group(4))]]}
        return None

    def chain(name):
        while name:
            yield protos[name]
            name = protos[name].get("parent")

    def property_type(name, prop_name):
        """The type of `prop_name` on prototype `name` (the nearest declaration), or None."""
        for p in chain(name):
            for prop in p["properties"]:
                if prop["name"] == prop_name:
                    return prop["type"]
        return None

    def property_kind(name, prop_name):
        """The plain kind ("box" for a BoundingBox) of `prop_name` on prototype `name` (the nearest declaration), or None."""
        for p in chain(name):
            for prop in p["properties"]:
                if prop["name"] == prop_name:
                    return plain(prop["type"])
        return None

    lines = [
        "-- GENERATED by scripts/gen-prototype-defaults.py; do not edit.",
        "-- Source: " + os.path.basename(src) + " and " + os.path.basename(runtime_src) + " (application_version " + version + ").",
        "-- prototypes[Name] = {parent, d = {property = default | {same_as = property} | {} (none known)}};",
        "-- types[typename] = Name; filters[Concept] = \"kind,…\";",
        "-- runtime[LuaClass] = \"attribute,…\" that read the data.raw property of the same name;",
        "-- refs[LuaClass] = \"attribute=family,…\" whose data.raw property names prototypes of family",
        "-- (family[]: an array of them, family{}: a dictionary by name); fluid_boxes: entity properties",
        "-- that hold one FluidBox; boxes[LuaClass] = \"attribute,…\" that read the data.raw box of that",
        "-- name (a box default is {box = {{x, y}, {x, y}}}).",
        "return {",
        "  version = " + lua_string(version) + ",",
        "  prototypes = {",
    ]
    for p in sorted(papi["prototypes"], key=lambda p: p["name"]):
        entries = []
        for prop in sorted(p["properties"], key=lambda x: x["name"]):
            kind = plain(prop["type"])
            if not kind:
                continue
            d = default_of(prop, kind)
            if d is None:
                # An override without a usable default hides the parent's ({}: no default known).
                if prop.get("override"):
                    entries.append(lua_key(prop["name"]) + " = {}")
                continue
            if isinstance(d, dict) and "box" in d:
                value = "{ box = { " + ", ".join("{ " + ", ".join(repr(x) for x in corner) + " }" for corner in d["box"]) + " } }"
            elif isinstance(d, dict):
                value = "{ same_as = " + lua_string(d["same_as"]) + " }"
            else:
                value = lua_value(d)
            entries.append(lua_key(prop["name"]) + " = " + value)
        parent = ("parent = " + lua_string(p["parent"]) + ", ") if p.get("parent") else ""
        lines.append("    " + p["name"] + " = { " + parent + "d = { " + ", ".join(entries) + " } },")
    lines.append("  },")
    lines.append("  types = {")
    for p in sorted((p for p in papi["prototypes"] if p.get("typename")), key=lambda p: p["typename"]):
        lines.append("    " + lua_key(p["typename"]) + " = " + lua_string(p["name"]) + ",")
    lines.append("  },")

    # Runtime classes and the data.raw types behind them (through LuaPrototypes' families).
    classes = {c["name"]: c for c in rapi["classes"]}
    lua_protos = classes["LuaPrototypes"]
    class_types = {}
    for a in lua_protos["attributes"]:
        t = a.get("read_type")
        if not (isinstance(t, dict) and t.get("complex_type") == "LuaCustomTable" and isinstance(t.get("value"), str)):
            continue
        cls, family = t["value"], a["name"]
        if cls not in classes:
            continue
        if family in FAMILY_ROOTS:
            root = FAMILY_ROOTS[family]
            names = [p["name"] for p in papi["prototypes"] if p.get("typename") and not p.get("abstract")
                     and any(q["name"] == root for q in chain(p["name"]))]
        else:
            names = [p["name"] for p in papi["prototypes"] if p.get("typename") in [family.replace("_", "-")] + FAMILY_EXTRA.get(family, [])]
        class_types.setdefault(cls, set()).update(names)
    # LuaPrototypeBase's own attributes (hidden, parameter …) come from PrototypeBase.
    class_types["LuaPrototypeBase"] = {"PrototypeBase"}

    runtime_kind = {"boolean": "boolean", "string": "string"}
    runtime_kind.update({n: "number" for n in NUMBERS})
    # The prototype filters of LuaPrototypes.get_*_filtered and their kinds.
    concepts = {c["name"]: c for c in rapi["concepts"]}
    lines.append("  filters = {")
    for m in sorted(lua_protos["methods"], key=lambda m: m["name"]):
        if not re.match(r"^get_\w+_filtered$", m["name"]):
            continue
        concept = m["parameters"][0]["type"]["value"]
        kinds = next(p for p in concepts[concept]["type"]["parameters"] if p["name"] == "filter")["type"]["options"]
        lines.append("    " + concept + " = " + lua_string(",".join(k["value"] for k in kinds)) + ",")
    lines.append("  },")
    lines.append("  runtime = {")
    for cls in sorted(class_types):
        names = []
        for a in classes[cls]["attributes"]:
            rt = a.get("read_type")
            if a["name"] in NOT_SAME or a["name"] in NOT_SAME_IN.get(cls, ()) or not isinstance(rt, str) or rt not in runtime_kind:
                continue
            kinds = {property_kind(p, a["name"]) for p in class_types[cls]} - {None}
            if kinds == {runtime_kind[rt]}:
                names.append(a["name"])
        if names:
            lines.append("    " + cls + " = " + lua_string(",".join(sorted(names))) + ",")
    lines.append("  },")

    # Prototype references: runtime class → family (LuaPrototypes' custom tables, one family each),
    # and a prototype ID type → family by its name (EntityID → entity, AmmoCategoryID → ammo_category).
    class_family = {}
    for a in lua_protos["attributes"]:
        t = a.get("read_type")
        if isinstance(t, dict) and t.get("complex_type") == "LuaCustomTable" and isinstance(t.get("value"), str):
            class_family.setdefault(t["value"], []).append(a["name"])

    def id_family(t):
        """The family a prototype ID type names (EntityID → entity), or None."""
        if isinstance(t, str) and t.endswith("ID") and t in types:
            return re.sub(r"(?<!^)(?=[A-Z])", "_", t[:-2]).lower()
        return None

    def id_shape(t):
        """(family, "one"|"list") for an ID, an array of IDs or a union of both; else None."""
        f = id_family(t)
        if f:
            return f, "one"
        if isinstance(t, dict) and t.get("complex_type") == "array":
            f = id_family(t["value"])
            return (f, "list") if f else None
        if isinstance(t, dict) and t.get("complex_type") == "union":
            shapes = {id_shape(o) for o in t["options"]}
            fams = {s[0] for s in shapes if s}
            return (fams.pop(), "list") if None not in shapes and len(fams) == 1 else None
        return None

    # Entity properties holding one fluid box (fluid_capacity sums their volumes).
    boxes = sorted({prop["name"] for p in papi["prototypes"] if any(q["name"] == "EntityPrototype" for q in chain(p["name"]))
                    for prop in p["properties"] if prop["type"] == "FluidBox"})
    # Runtime BoundingBox attributes that read the data.raw box of the same name.
    lines.append("  boxes = {")
    for cls in sorted(class_types):
        names = [a["name"] for a in classes[cls]["attributes"] if a.get("read_type") == "BoundingBox"
                 and {property_kind(p, a["name"]) for p in class_types[cls]} - {None} == {"box"}]
        if names:
            lines.append("    " + cls + " = " + lua_string(",".join(sorted(names))) + ",")
    lines.append("  },")
    lines.append("  fluid_boxes = " + lua_string(",".join(boxes)) + ",")
    lines.append("  refs = {")
    for cls in sorted(class_types):
        names = []
        for a in classes[cls]["attributes"]:
            rt = a.get("read_type")
            if a["name"] in NOT_SAME:
                continue
            if isinstance(rt, str):
                target, suffix = rt, ""
            elif isinstance(rt, dict) and rt.get("complex_type") == "array" and isinstance(rt.get("value"), str):
                target, suffix = rt["value"], "[]"
            elif isinstance(rt, dict) and rt.get("complex_type") == "dictionary" and rt.get("key") == "string" \
                    and isinstance(rt.get("value"), str):
                target, suffix = rt["value"], "{}"
            else:
                continue
            families = class_family.get(target, [])
            if len(families) != 1:
                continue
            shapes = {id_shape(t) for t in (property_type(p, a["name"]) for p in class_types[cls]) if t is not None}
            # A single name cannot fill an array, nor a list a single prototype.
            if shapes and None not in shapes and {s[0] for s in shapes} == {families[0]} and \
                    (suffix or shapes == {(families[0], "one")}):
                names.append(a["name"] + "=" + families[0] + suffix)
        if names:
            lines.append("    " + cls + " = " + lua_string(",".join(sorted(names))) + ",")
    lines.append("  },")
    lines.append("}")
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote " + os.path.relpath(out_path, ROOT) + " (" + str(os.path.getsize(out_path)) + " bytes)")


if __name__ == "__main__":
    main()
