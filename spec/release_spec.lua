-- A release agrees with itself (issue 15): fm.VERSION is Cargo.toml's version, a release
-- rockspec of that version builds its Git tag, the licence is the same everywhere, and the
-- changelog has the version.
local fm = require("factorio_mocks")
local files = require("spec.support.files")

local function cargo_field(name)
  local package = files.read("Cargo.toml"):match("%[package%](.-)\n%[")
  return package:match("\n" .. name .. "%s*=%s*\"([^\"]*)\"")
end

-- A rockspec is Lua assigning globals: run it in a table of its own.
local function rockspec(path)
  local text = files.read(path)
  local env = {}
  local chunk
  if setfenv then
    chunk = assert(loadstring(text, "@" .. path))
    setfenv(chunk, env)
  else
    chunk = assert(load(text, "@" .. path, "t", env))
  end
  chunk()
  return env
end

describe("a release", function()
  local version = cargo_field("version")
  local release_path = ("rockspec/factorio-mocks-%s-1.rockspec"):format(version)

  it("reports Cargo.toml's version as fm.VERSION", function()
    assert.are.equal("0.2.0", version)
    assert.are.equal(version, fm.VERSION)
  end)

  it("has a release rockspec of that version building its Git tag", function()
    local spec = rockspec(release_path)
    assert.are.equal(version .. "-1", spec.version)
    assert.are.equal("v" .. version, spec.source.tag)
    assert.truthy(spec.source.url:find("^git%+https://"), spec.source.url)
    -- Everything but the version and the source is the development rockspec's.
    local scm = rockspec("rockspec/factorio-mocks-scm-1.rockspec")
    assert.are.same(scm.build, spec.build)
    assert.are.same(scm.dependencies, spec.dependencies)
    assert.are.same(scm.description, spec.description)
    assert.are.same(scm.test, spec.test)
  end)

  it("says LGPL-3.0-or-later in Cargo.toml and both rockspecs, and ships the licence texts", function()
    assert.are.equal("LGPL-3.0-or-later", cargo_field("license"))
    for _, path in ipairs({ release_path, "rockspec/factorio-mocks-scm-1.rockspec" }) do
      assert.are.equal("LGPL-3.0-or-later", rockspec(path).description.license, path)
    end
    assert.truthy(files.read("LICENSE"):find("GNU LESSER GENERAL PUBLIC LICENSE", 1, true))
    assert.truthy(files.read("COPYING.GPL-3"):find("GNU GENERAL PUBLIC LICENSE", 1, true))
  end)

  it("runs its specs with luarocks test (busted)", function()
    assert.are.equal("busted", rockspec(release_path).test.type)
  end)

  it("lists the version in the changelog", function()
    local changelog = files.read("CHANGELOG.md")
    assert.truthy(changelog:find("\n## [" .. version .. "]", 1, true), "no ## [" .. version .. "] heading")
    assert.truthy(changelog:find("\n[" .. version .. "]: ", 1, true), "no link for " .. version)
  end)
end)
