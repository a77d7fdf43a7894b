-- The locale side of a session: fm.setup loads the dataset's languages (default {"en"}), and
-- fm.locale.translate loads another of the dataset's languages the first time it is asked for.

return function(fm)
  local translate = fm.locale.translate
  local raw = {
    load = fm.locale.load, load_text = fm.locale.load_text, clear = fm.locale.clear,
    load_builtin = fm.locale.load_builtin, languages = fm.locale.languages,
  }
  -- Until the dictionary or the session next changes: the languages translate found loaded or
  -- tried to load, and per language the text of each LocalisedString that is a key alone
  -- ({"item-name.iron-plate"}), which depends on nothing else.
  local tried, memo = {}, {}
  local rawlen = rawlen or function(t) return #t end

  local exists = require("factorio_mocks.files").exists
  local errors = require("factorio_mocks.errors")

  --- Loads `lang` from the current session's dataset; true when the dataset has it.
  function fm.locale.load_dataset_language(lang)
    local session = fm.current()
    local ds = session and session.dataset.native
    if not ds then return false end
    tried, memo = {}, {}
    -- A built-in dataset's languages are parsed once per process (src/binding/locale.rs).
    if ds:layout() == "builtin" and raw.load_builtin(ds:factorio_version(), lang) then return true end
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
  -- so data.raw is never copied. data.raw types per family: the control stage's one table
  -- (control/prototypes.lua), read the first time such a token is shown.
  local function types_of(family)
    return require("factorio_mocks.control.prototypes").family_types(family)
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
  local changed, session_languages, session_native = true, nil, nil
  for _, name in ipairs({ "load", "load_text", "load_builtin", "clear", "bind" }) do
    local f = fm.locale[name]
    fm.locale[name] = function(...)
      changed, tried, memo = true, {}, {}
      return f(...)
    end
  end
  local set_prototype_names = fm.locale.set_prototype_names
  function fm.locale.set_prototype_names(...)
    memo = {}
    return set_prototype_names(...)
  end

  local function same_list(a, b)
    if a == nil or b == nil or #a ~= #b then return false end
    for i = 1, #a do
      if a[i] ~= b[i] then return false end
    end
    return true
  end

  --- The dictionary as a session starts: the dataset's `languages` (setup), or the same again
  --- (reset, `languages` nil) when a test changed it. A setup of the same dataset and languages
  --- as the last keeps an unchanged dictionary.
  function fm.locale.start_session(languages)
    if languages then
      local session = fm.current()
      local native = session and session.dataset.native
      if not (native and native == session_native and same_list(languages, session_languages)) then changed = true end
      session_languages, session_native = { (table.unpack or unpack)(languages) }, native
    end
    tried, memo = {}, {}
    if not changed then return end
    raw.clear()
    for _, lang in ipairs(session_languages or { "en" }) do fm.locale.load_dataset_language(lang) end
    changed = false
  end

  local function translate_slow(ls, lang)
    if not tried[lang] then
      local loaded = false
      for _, have in ipairs(raw.languages()) do
        if have == lang then loaded = true end
      end
      if not loaded then fm.locale.load_dataset_language(lang) end
      tried[lang] = true
    end
    return translate(ls, lang)
  end

  -- Called often (every assert.localised_equals, every print a mod makes): a text already made
  -- costs two table reads, and the errors it raises name the caller's line, as the wrapper every
  -- other fm function gets (errors.wrap_table, which leaves this one alone) would.
  function fm.locale.translate(ls, lang)
    lang = lang or "en"
    local key = type(ls) == "table" and rawget(ls, 1)
    local texts = type(key) == "string" and type(lang) == "string" and rawlen(ls) == 1 and memo[lang]
    if texts then
      local text = texts[key]
      if text ~= nil then return text end
    end
    local ok, text = pcall(tried[lang] and translate or translate_slow, ls, lang)
    if not ok then error(errors.message(text), 2) end
    if type(key) == "string" and type(lang) == "string" and rawlen(ls) == 1 then
      texts = memo[lang]
      if not texts then texts = {}; memo[lang] = texts end
      texts[key] = text
    end
    return text
  end
  errors.plain[fm.locale.translate] = true
end
