-- fm.fetch and fm.cache: the Lua face of the dataset fetcher (issue 3).
-- The registry and Git-host paths are covered by tests/fetch_registry.rs against real peers;
-- these specs cover what needs no network, plus an optional live pull when FM_TEST_OCI_REF
-- names a reachable dataset (e.g. oci://127.0.0.1:5000/datasets/vanilla:2.0.77).

local fm = require("factorio_mocks")

local function tmpdir()
  local name = os.tmpname()
  os.remove(name)
  assert(os.execute("mkdir -p '" .. name .. "'"))
  return name
end

describe("fm.fetch", function()
  it("returns a local dataset folder as it is, with its provenance", function()
    local dir = tmpdir()
    local path, info = fm.fetch(dir)
    assert.are.equal(dir, path)
    assert.are.equal("local", info.source)
  end)

  it("fails offline with a message naming the reference and the fix", function()
    local cache = tmpdir()
    local ok, err = pcall(fm.fetch, "oci://127.0.0.1:9/datasets/vanilla:stable", { offline = true, cache_dir = cache })
    assert.is_false(ok)
    err = tostring(err)
    assert.truthy(err:find("oci://127.0.0.1:9/datasets/vanilla:stable", 1, true), err)
    assert.truthy(err:find("FACTORIO_MOCKS_OFFLINE", 1, true), err)
  end)

  it("refuses plain http to a host that is not loopback", function()
    local ok, err = pcall(fm.fetch, "http://example.com/dataset", { cache_dir = tmpdir() })
    assert.is_false(ok)
    assert.truthy(tostring(err):find("https://", 1, true))
  end)

  it("names a modpack that no source serves", function()
    local ok, err = pcall(fm.fetch, "no-such-modpack", { offline = true, cache_dir = tmpdir(), sources = { "oci://127.0.0.1:9/d" } })
    assert.is_false(ok)
    assert.truthy(tostring(err):find("no-such-modpack", 1, true))
  end)

  local live = os.getenv("FM_TEST_OCI_REF")
  local it_live = live and it or pending
  it_live("pulls a dataset from a registry and serves it again from the cache", function()
    local cache = tmpdir()
    local path, info = fm.fetch(live, { cache_dir = cache })
    assert.truthy(info.digest:match("^sha256:%x+$"))
    local again = fm.fetch(live, { cache_dir = cache, offline = true })
    assert.are.equal(path, again)
  end)
end)

describe("fm.cache", function()
  it("has a folder", function()
    assert.are.equal("string", type(fm.cache.dir()))
  end)

  it("prunes and clears a cache folder", function()
    local cache = tmpdir()
    local stats = fm.cache.prune(cache)
    assert.are.same({ expired = 0, orphans = 0 }, stats)
    fm.cache.clear(cache)
  end)
end)
