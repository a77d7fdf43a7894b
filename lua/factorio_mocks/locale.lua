-- The locale side of a session: fm.setup loads the dataset's languages (default {"en"}), and
-- fm.locale.translate loads another of the dataset's languages the first time it is asked for.

return function(fm)
  local translate = fm.locale.translate

  local function exists(path)
    local f = io.open(path, "rb")
    if f then f:close() end
    return f ~= nil
  end

  --- Loads `lang` from the current session's dataset; true when the dataset has it.
  function fm.locale.load_dataset_language(lang)
    local session = fm.current()
    local ds = session and session.dataset.native
    if not ds then return false end
    local text = ds:builtin_locale(lang)
    if text then
      fm.locale.load_text(text, lang, "<built-in dataset>/locale/" .. lang .. ".cfg")
      return true
    end
    local dir = ds:dir()
    local path = dir and (dir .. "/locale/" .. lang .. ".cfg")
    if path and exists(path) then
      fm.locale.load(path, lang)
      return true
    end
    return false
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
