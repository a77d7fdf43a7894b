-- What the data stage and the runtime of the generator agree on.

local M = {}

M.MOD_NAME = "factorio-mocks-generator"

-- The hidden mod-data prototype that carries the data stage's files to the runtime, and the
-- version of its payload's shape.
M.MOD_DATA = "factorio-mocks-generator-dataset"
M.DATA_TYPE = "factorio-mocks-generator.dataset"
M.PAYLOAD_FORMAT = 1

-- The folder under script-output the dataset is written into.
M.OUTPUT = "factorio-mocks-generator"

-- The require prefix of the dataset's own files (prototype/data-raw/init.lua's index).
M.PREFIX = "___GENERATED__FACTORIO__DATA___"

-- A file's text travels as pieces of at most this many bytes (a string of many MB in one
-- property tree node is avoided).
M.PIECE = 1024 * 1024

--- `text` as a list of pieces of at most M.PIECE bytes.
function M.split(text)
  local pieces = {}
  for i = 1, #text, M.PIECE do pieces[#pieces + 1] = text:sub(i, i + M.PIECE - 1) end
  if #pieces == 0 then pieces[1] = "" end
  return pieces
end

return M
