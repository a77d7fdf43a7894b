-- fm.fetch and fm.cache: the Lua face of the dataset fetcher (issue 3).
-- The registry and Git-host paths are covered by tests/fetch_registry.rs against real peers and
-- tests/fetch_failures.rs against a misbehaving fake server; these specs cover the Lua face,
-- a pull from a loopback Git host (python3's http.server), and a pull from the loopback
-- registry scripts/test.sh starts (FM_TEST_OCI_REF; pending without it).

local fm = require("factorio_mocks")

local tmpdir = require("spec.support.files").temp_dir

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

  it("checks opts.timeout", function()
    local ok, err = pcall(fm.fetch, "oci://127.0.0.1:9/d/x:1", { timeout = -1, cache_dir = tmpdir() })
    assert.is_false(ok)
    assert.truthy(tostring(err):find("opts.timeout", 1, true), tostring(err))
  end)

  -- A Git host on loopback (python3's http.server) serving a dataset made here: the real
  -- network path, under every Lua the module is built for.
  local function shell(cmd)
    local p = assert(io.popen(cmd))
    local out = p:read("*a")
    p:close()
    return out
  end
  local has_python = shell("command -v python3 || true") ~= ""
  local it_python = has_python and it or pending
  it_python("pulls a dataset from a Git host on loopback, verifies it and serves it offline after", function()
    local site = tmpdir()
    assert(os.execute("mkdir -p '" .. site .. "/ds/locale'"))
    local cfg = "[item-name]\niron-plate=Iron plate\n"
    local f = assert(io.open(site .. "/ds/locale/en.cfg", "wb")); f:write(cfg); f:close()
    local sum = shell("sha256sum '" .. site .. "/ds/locale/en.cfg'"):match("^(%x+)")
    f = assert(io.open(site .. "/ds/metadata.json", "wb"))
    f:write('{"hash_algorithm":"sha256","checksums":{"locale/en.cfg":"' .. sum .. '"}}')
    f:close()
    local log = site .. "/server.log"
    local pid = shell("cd '" .. site .. "' && (python3 -u -m http.server 0 --bind 127.0.0.1 > '" .. log .. "' 2>&1 & echo $!)"):match("%d+")
    local port
    for _ = 1, 100 do
      local l = io.open(log, "rb")
      port = l and l:read("*a"):match("port (%d+)")
      if l then l:close() end
      if port then break end
      os.execute("sleep 0.1")
    end
    local ok, err = pcall(function()
      assert(port, "http.server did not start")
      local cache = tmpdir()
      local base = "http://127.0.0.1:" .. port .. "/ds"
      local path, info = fm.fetch(base, { cache_dir = cache, timeout = 10 })
      assert.are.equal(base, info.source)
      assert.truthy(info.digest:match("^sha256:%x+$"))
      local got = assert(io.open(path .. "/locale/en.cfg", "rb")); local text = got:read("*a"); got:close()
      assert.are.equal(cfg, text)
      assert.are.equal(path, (fm.fetch(base, { cache_dir = cache, offline = true })))
      -- A file that differs from the metadata's checksum is refused, naming the file.
      local bad = assert(io.open(site .. "/ds/locale/en.cfg", "wb")); bad:write(cfg .. "x=y\n"); bad:close()
      local fetched, refused = pcall(fm.fetch, base, { cache_dir = tmpdir(), timeout = 10 })
      assert.is_false(fetched)
      assert.matches("locale/en.cfg", refused, 1, true)
    end)
    os.execute("kill " .. pid .. " 2>/dev/null")
    assert(ok, err)
  end)

  -- scripts/test.sh sets FM_TEST_OCI_REF to fixtures/datasets/mini-json in a loopback
  -- docker-registry, pushed by the independent oras client.
  local live = os.getenv("FM_TEST_OCI_REF")
  local it_live = live and it or function(name) pending(name .. " (needs FM_TEST_OCI_REF; scripts/test.sh sets it)") end
  it_live("pulls a dataset from a registry, loads it and serves it again offline", function()
    local cache = tmpdir()
    local path, info = fm.fetch(live, { cache_dir = cache, progress = false })
    assert.truthy(info.digest:match("^sha256:%x+$"), info.digest)
    assert.are.equal(live:sub(1, #info.source), info.source)
    local f = assert(io.open(path .. "/prototype/data-raw.json", "rb"))
    f:close()
    local again, info2 = fm.fetch(live, { cache_dir = cache, offline = true })
    assert.are.equal(path, again)
    assert.are.equal(info.digest, info2.digest)
    -- The fetched folder is a dataset fm.setup loads (the mini one has the gear recipe).
    finally(function() fm.teardown() end)
    fm.setup{ stage = "data", dataset = again }
    assert.is_table(data.raw)
    if live:find("/datasets/mini:", 1, true) then
      assert.are.equal("iron-plate", data.raw.recipe["iron-gear-wheel"].ingredients[1].name)
    end
  end)
end)

describe("fm.cache", function()
  it("has a folder", function()
    assert.are.equal("string", type(fm.cache.dir()))
  end)

  it("prunes and clears a cache folder", function()
    local cache = tmpdir()
    local stats = fm.cache.prune(cache)
    assert.are.same({ expired = 0, orphans = 0, kept = {} }, stats)
    fm.cache.clear(cache)
  end)
end)
