-- Run by bench.lua as a new process: setup up to the first read, with only the disk cache warm.
package.cpath = "build/lua52/?.so;" .. package.cpath
local t0 = os.clock()
local fm = require("factorio_mocks")
fm.setup{ stage = "data", dataset = arg[1] }
assert(data.raw.recipe["iron-gear-wheel"])
io.write(os.clock() - t0)
