-- The locale side of a session: fm.setup loads the dataset's languages (default {"en"}), and
-- fm.locale.translate loads another of the dataset's languages the first time it is asked for.

return function(fm)
  local translate = fm.locale.translate
  local raw = { load = fm.locale.load, load_text = fm.locale.load_text, clear = fm.locale.clear }

  local exists = require("factorio_mocks.files").exists

  --- Loads `lang` from the current session's dataset; true when the dataset has it.
  function fm.locale.load_dataset_language(lang)
    local session = fm.current()
    local ds = session and session.dataset.native
    if not ds then return false end
    local text = ds:builtin_locale(lang)
    if text then
      raw.load_text(text, lang, "<built-in dataset>/locale/" .. lang .. ".cfg")
      return true
    end
    local dir = ds:dir()
    local path = dir and (dir .. "/locale/" .. lang .. ".cfg")
    if path and exists(path) then
      raw.load(path, lang)
      return true
    end
    return false
  end

  -- __ITEM__x__ and friends show the prototype's own localised_name when the session's dataset
  -- gives it one; the Rust engine asks through this function only for the tokens it renders,
  -- so data.raw is never copied. data.raw types per family; item and entity come from the API
  -- description, read the first time such a token is shown.
  local family_types = { fluid = { "fluid" }, tile = { "tile" }, space_location = { "planet", "space-location" } }
  local function types_of(family)
    local types = family_types[family]
    if not types and (family == "item" or family == "entity") then
      types = {}
      local list = require("factorio_mocks.control.classes").api.prototype_types[family]
      for t in list:gmatch("[^,]+") do types[#types + 1] = t end
      family_types[family] = types
    end
    return types or {}
  end

  -- Per dataset source (weak, so a torn-down session's data goes): the types it has, and each
  -- type's prototypes, built the first time a token needs them.
  local built = setmetatable({}, { __mode = "k" })

  fm.locale.set_prototype_names(function(family, name)
    local session = fm.current()
    local source = session and session.dataset and session.dataset.source
    if not source then return nil end
    local cache = built[source]
    if not cache then
      cache = { present = {}, types = {} }
      for _, t in ipairs(source.types() or {}) do cache.present[t] = true end
      built[source] = cache
    end
    for _, t in ipairs(types_of(family)) do
      if cache.present[t] then
        local prototypes = cache.types[t]
        if prototypes == nil then
          prototypes = source.build(t) or false
          cache.types[t] = prototypes
        end
        local proto = prototypes and prototypes[name]
        if proto then return proto.localised_name end
      end
    end
    return nil
  end)

  -- What a test loads or binds marks the dictionary changed, so a reset rebuilds it from the
  -- session's languages; an untouched dictionary costs nothing to reset.
  local changed, session_languages = true, nil
  for _, name in ipairs({ "load", "load_text", "clear", "bind" }) do
    local f = fm.locale[name]
    fm.locale[name] = function(...)
      changed = true
      return f(...)
    end
  end

  --- The dictionary as a session starts: the dataset's `languages` (setup), or the same again
  --- (reset, `languages` nil) when a test changed it.
  function fm.locale.start_session(languages)
    if languages then session_languages, changed = languages, true end
    if not changed then return end
    raw.clear()
    for _, lang in ipairs(session_languages or { "en" }) do fm.locale.load_dataset_language(lang) end
    changed = false
  end

  function fm.locale.translate(ls, lang)
    lang = lang or "en"
    local loaded = false
    for _, have in ipairs(fm.locale.languages()) do
      if have == lang then loaded = true end
    end
    if not loaded then fm.locale.load_dataset_language(lang) end
    return translate(ls, lang)
  end
end
