-- Hostile datasets and careless cache folders (issue 13): what the rock promises in README's
-- "Security" section, tried as an attacker would.
local fm = require("factorio_mocks")
local files = require("spec.support.files")

local PREFIX = "___GENERATED__FACTORIO__DATA___."

-- The interpreter running this spec, for the specs that need a process of their own.
local LUA = jit and "luajit" or ("lua" .. _VERSION:match("%d+%.%d+"))

local function sh(cmd)
  local ok = os.execute(cmd)
  assert(ok == true or ok == 0, cmd)
end

-- Runs `code` in a new `LUA` process with this spec's module path; returns whether it exited
-- with status 0, its exit code (or signal), and what it printed (stdout and stderr).
local function run_lua(code, env)
  local script = files.temp_path() .. ".lua"
  local f = assert(io.open(script, "wb"))
  f:write(("package.cpath = %q\npackage.path = %q\n"):format(package.cpath, package.path), code)
  f:close()
  local out = files.temp_path()
  local prefix = ""
  for k, v in pairs(env or {}) do prefix = prefix .. ("%s=%q "):format(k, v) end
  local cmd = ("%s%s %q > %q 2>&1; echo \"exit $?\" >> %q"):format(prefix, LUA, script, out, out)
  os.execute(cmd)
  local text = files.read(out)
  os.remove(script)
  os.remove(out)
  local status = tonumber(text:match("exit (%d+)%s*$"))
  return status == 0, status, text
end

describe("a dataset's Lua", function()
  after_each(function() fm.teardown() end)

  local secret_dir = files.write_tree({ ["secret.lua"] = "return { stolen = { name = 'stolen', secret = 'hunter2' } }" })

  it("cannot require a file by its absolute path", function()
    local ds = files.write_tree({
      ["prototype/data-raw/init.lua"] = ("return { item = require(%q) }"):format(PREFIX .. secret_dir .. "/secret"),
    })
    fm.setup{ stage = "data", dataset = ds }
    local ok, err = pcall(function() return data.raw.item.stolen end)
    assert.is_false(ok)
    assert.matches("leaves the dataset folder", tostring(err), 1, true)
    assert.is_nil(tostring(err):find("hunter2", 1, true))
  end)

  it("cannot read a file outside through a link in the dataset", function()
    local ds = files.write_tree({
      ["prototype/data-raw/init.lua"] = ("return { item = require(%q) }"):format(PREFIX .. "prototype.data-raw.item"),
    })
    sh(("ln -s %q %q"):format(secret_dir .. "/secret.lua", ds .. "/prototype/data-raw/item.lua"))
    fm.setup{ stage = "data", dataset = ds }
    local ok, err = pcall(function() return data.raw.item.stolen end)
    assert.is_false(ok)
    assert.matches("leaves the dataset folder", tostring(err), 1, true)
  end)

  it("may require its own files from inside another of its files", function()
    local ds = files.write_tree({
      ["prototype/data-raw/init.lua"] = ("return { item = require(%q) }"):format(PREFIX .. "prototype.data-raw.item"),
      ["prototype/data-raw/item.lua"] = ("return { gear = require(%q) }"):format(PREFIX .. "prototype.parts.gear"),
      ["prototype/parts/gear.lua"] = "return { type = 'item', name = 'gear' }",
    })
    fm.setup{ stage = "data", dataset = ds }
    assert.are.equal("gear", data.raw.item.gear.name)
    local bad = files.write_tree({
      ["prototype/data-raw/init.lua"] = ("return { item = require(%q) }"):format(PREFIX .. "prototype.data-raw.item"),
      ["prototype/data-raw/item.lua"] = "return { x = require('os') }",
    })
    fm.setup{ stage = "data", dataset = bad }
    local ok, err = pcall(function() return data.raw.item.x end)
    assert.is_false(ok)
    assert.matches('require("os"): a dataset file may only require', tostring(err), 1, true)
  end)

  it("still reads its own files through links inside the dataset", function()
    local ds = files.write_tree({
      ["prototype/data-raw/init.lua"] = ("return { item = require(%q) }"):format(PREFIX .. "prototype.data-raw.item"),
      ["prototype/real/items.lua"] = "return { gear = { type = 'item', name = 'gear' } }",
    })
    sh(("ln -s ../real/items.lua %q"):format(ds .. "/prototype/data-raw/item.lua"))
    fm.setup{ stage = "data", dataset = ds }
    assert.are.equal("gear", data.raw.item.gear.name)
  end)
end)

describe("a dataset file that never ends", function()
  local dataset_lua = require("factorio_mocks.dataset")
  local default_budget = dataset_lua.budget
  after_each(function()
    dataset_lua.budget = default_budget
    fm.teardown()
  end)

  local function setup_error(ds)
    local ok, err = pcall(fm.setup, { stage = "data", dataset = ds })
    assert.is_false(ok)
    return tostring(err)
  end

  it("stops init.lua with an error naming the file and what to do", function()
    local ds = files.write_tree({ ["prototype/data-raw/init.lua"] = "local n = 0 while true do n = n + 1 end" })
    local err = setup_error(ds)
    assert.matches(ds .. "/prototype/data-raw/init.lua: still running after " .. default_budget .. " Lua instructions", err, 1, true)
    assert.matches("regenerate or re-fetch the dataset", err, 1, true)
  end)

  it("stops metadata.lua and a prototype type's file too", function()
    dataset_lua.budget = 1000000
    local ds = files.write_tree({
      ["metadata.lua"] = "while true do end",
      ["prototype/data-raw/init.lua"] = "return {}",
    })
    assert.matches(ds .. "/metadata.lua: still running after", setup_error(ds), 1, true)
    local ds2 = files.write_tree({
      ["prototype/data-raw/init.lua"] = ("return { item = require(%q) }"):format(PREFIX .. "prototype.data-raw.item"),
      ["prototype/data-raw/item.lua"] = "local function f() return f() end return f()",
    })
    fm.setup{ stage = "data", dataset = ds2 }
    local ok, err = pcall(function() return data.raw.item.x end)
    assert.is_false(ok)
    assert.matches(ds2 .. "/prototype/data-raw/item.lua: still running after", tostring(err), 1, true)
  end)

  it("cannot reach the string methods (one instruction, any amount of memory)", function()
    local ds = files.write_tree({ ["prototype/data-raw/init.lua"] = "return { item = { x = ('x'):rep(2^40) } }" })
    assert.matches("init.lua", setup_error(ds), 1, true)
    assert.are.equal("xx", ("x"):rep(2), "the methods are back afterwards")
  end)

  it("puts back the hook that was there before (a coverage tool's)", function()
    local calls = 0
    local function hook() calls = calls + 1 end
    debug.sethook(hook, "", 1000)
    local ds = files.write_tree({ ["prototype/data-raw/init.lua"] = "return { item = { x = { type = 'item', name = 'x' } } }" })
    fm.setup{ stage = "data", dataset = ds }
    local now, mask, count = debug.gethook()
    debug.sethook()
    assert.are.equal(hook, now)
    assert.are.same({ "", 1000 }, { mask, count })
    assert.are.equal("x", data.raw.item.x.name)
  end)
end)

describe("the parsed-tree cache", function()
  -- A JSON dataset of several types, so reading data.raw builds each from the cached tree.
  local function json_dataset()
    local types = {}
    for _, t in ipairs({ "item", "recipe", "fluid", "technology", "tile" }) do
      local protos = {}
      for i = 1, 200 do protos[#protos + 1] = ('"%s-%d": {"type": "%s", "name": "%s-%d", "order": "%s"}'):format(t, i, t, t, i, ("x"):rep(40)) end
      types[#types + 1] = ('"%s": {%s}'):format(t, table.concat(protos, ","))
    end
    return files.write_tree({ ["prototype/data-raw.json"] = "{" .. table.concat(types, ",") .. "}" })
  end

  local READ_ALL = [[
    local n = 0
    for _, prototypes in pairs(data.raw) do for _ in pairs(prototypes) do n = n + 1 end end
    print("read " .. n .. " prototypes")
  ]]

  it("is read, not mapped: another process truncating the file cannot crash a reader", function()
    local cache, ds = files.temp_dir("cache"), json_dataset()
    local env = { FACTORIO_MOCKS_CACHE_DIR = cache }
    local setup = ("local fm = require('factorio_mocks')\nfm.setup{ stage = 'data', dataset = %q }\n"):format(ds)
    local ok, status, out = run_lua(setup .. READ_ALL, env)
    assert(ok, out)
    -- The second process opens the cached tree, then every tree file is cut to nothing (as a
    -- concurrent `truncate` or an in-place rewrite would), then it reads every type.
    local truncate = ([[
      local list = io.popen("find " .. %q .. " -type f")
      local cut = 0
      for path in list:lines() do
        if not path:match("[^/]*$"):find(".", 1, true) then io.open(path, "wb"):close(); cut = cut + 1 end
      end
      list:close()
      print("cut " .. cut .. " tree files")
    ]]):format(cache .. "/trees")
    ok, status, out = run_lua(setup .. truncate .. READ_ALL, env)
    assert(ok, ("exit status %s (a crash is 128 + the signal: 135 is SIGBUS)\n%s"):format(tostring(status), out))
    assert.matches("cut [1-9]%d* tree files", out)
    assert.matches("read 1000 prototypes", out, 1, true)
    -- The next process finds the damaged entry and parses the JSON again.
    ok, status, out = run_lua(setup .. READ_ALL, env)
    assert(ok, out)
    assert.matches("read 1000 prototypes", out, 1, true)
  end)
end)

describe("fm.cache.prune and fm.cache.clear", function()
  it("refuse a folder the cache did not make, name it and delete nothing", function()
    local photos = files.write_tree({ ["holiday.jpg"] = "jpeg", ["api/2024/a.jpg"] = "jpeg", ["downloads/ab/x"] = "mine" })
    for _, f in ipairs({ fm.cache.prune, fm.cache.clear }) do
      local ok, err = pcall(f, photos)
      assert.is_false(ok)
      assert.matches(photos .. " is not a factorio-mocks cache folder", tostring(err), 1, true)
      assert.matches("nothing was deleted", tostring(err), 1, true)
    end
    for _, rel in ipairs({ "holiday.jpg", "api/2024/a.jpg", "downloads/ab/x" }) do
      assert.are.equal(rel == "downloads/ab/x" and "mine" or "jpeg", files.read(photos .. "/" .. rel))
    end
  end)

  it("keep and list what the cache did not make inside a cache", function()
    local cache = files.temp_dir("cache")
    local _, status, out = run_lua(("local fm = require('factorio_mocks')\nfm.setup{ stage = 'data', dataset = %q }\nprint(#data.raw.item)")
      :format(files.write_tree({ ["prototype/data-raw.json"] = '{"item": {"a": {"type": "item", "name": "a"}}}' })), { FACTORIO_MOCKS_CACHE_DIR = cache })
    assert(status == 0, out)
    files.write_tree({ ["notes.txt"] = "mine", ["trees/zz/keep"] = "mine" }, cache)
    local cleared = fm.cache.clear(cache)
    assert.are.equal(1, cleared.removed)
    table.sort(cleared.kept)
    assert.are.same({ cache .. "/notes.txt", cache .. "/trees/zz" }, cleared.kept)
    assert.are.equal("mine", files.read(cache .. "/trees/zz/keep"))
  end)
end)

describe("the parsed trees in the cache", function()
  it("are cache entries: marked, expiring, pruned and cleared like the others", function()
    local cache = files.temp_dir("cache")
    local ds = files.write_tree({ ["prototype/data-raw.json"] = '{"item": {"a": {"type": "item", "name": "a"}}}' })
    local code = ("local fm = require('factorio_mocks')\nfm.setup{ stage = 'data', dataset = %q }\nassert(data.raw.item.a)"):format(ds)
    local ok, _, out = run_lua(code, { FACTORIO_MOCKS_CACHE_DIR = cache })
    assert(ok, out)
    assert.matches("factorio-mocks", files.read(cache .. "/CACHEDIR.TAG"), 1, true)
    local list = io.popen(("find %q -name '*.meta'"):format(cache .. "/trees"))
    local metas = {}
    for path in list:lines() do metas[#metas + 1] = path end
    list:close()
    assert.are.equal(1, #metas)
    assert.matches("^expires %d+", files.read(metas[1]))
    assert.are.same({ expired = 0, orphans = 0, kept = {} }, fm.cache.prune(cache))
    local f = assert(io.open(metas[1], "wb"))
    f:write("expires 1\n")
    f:close()
    assert.are.same({ expired = 1, orphans = 0, kept = {} }, fm.cache.prune(cache))
    -- Parsed again and stored again by the next process; clear removes it.
    ok, _, out = run_lua(code, { FACTORIO_MOCKS_CACHE_DIR = cache })
    assert(ok, out)
    assert.are.equal(1, fm.cache.clear(cache).removed)
    assert.is_nil(io.open(cache .. "/trees", "rb") and io.open(metas[1], "rb"))
  end)
end)
