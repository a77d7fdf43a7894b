-- fm.locale: read a mod's locale files and see a LocalisedString as the game shows it.

local fm = require("factorio_mocks")

local MOD = "fixtures/locale/my-mod"
local BROKEN = "fixtures/locale/broken"

describe("fm.locale", function()
  before_each(function()
    fm.locale.clear()
  end)

  describe("parse", function()
    it("returns {[section] = {[key] = value}}, with \"\" for lines before any header", function()
      local t = fm.locale.parse("title=Top\n[item-name]\niron-plate=Iron plate\n", "@en.cfg")
      assert.are.same({ [""] = { title = "Top" }, ["item-name"] = { ["iron-plate"] = "Iron plate" } }, t)
    end)

    it("splits at the first = and keeps every blank, as the game does", function()
      local t = fm.locale.parse("a=b=c\nkey = value \n", "@en.cfg")
      assert.are.equal("b=c", t[""].a)
      assert.are.equal(" value ", t[""]["key "])
      assert.is_nil(t[""].key)
    end)

    it("keeps \\n as two characters; translate turns it into a line break", function()
      local t = fm.locale.parse("[s]\ntwo=one\\ntwo", "@en.cfg")
      assert.are.equal("one\\ntwo", t.s.two)
    end)

    it("skips ; and # comments, a BOM and CRLF line ends", function()
      local t = fm.locale.parse("\239\187\191; comment\r\n# comment\r\n[s]\r\nk=v\r\n", "@en.cfg")
      assert.are.same({ s = { k = "v" } }, t)
    end)

    it("keeps the later of two equal keys and warns with file:line", function()
      local t, warnings = fm.locale.parse("[s]\nk=first\nk=second\n", "@en.cfg")
      assert.are.equal("second", t.s.k)
      assert.are.equal(
        'en.cfg:3: duplicate key "k" in section [s] (first defined at line 2); the later value wins, remove one',
        warnings[1])
    end)

    it("fails on a line the game cannot read, naming file and line", function()
      local ok, err = pcall(fm.locale.parse, "[s]\nk=v\nno value here\n", "@locale/en/my.cfg")
      assert.is_false(ok)
      assert.matches('^locale/en/my%.cfg:3: missing value in line "no value here"', tostring(err))
    end)

    it("turns warnings into errors in strict mode", function()
      local ok, err = pcall(fm.locale.parse, "[s]\nk =v\n", "@en.cfg", { strict = true })
      assert.is_false(ok)
      assert.matches('en%.cfg:2: key "k " ends with a blank', tostring(err))
    end)
  end)

  describe("load", function()
    it("reads a mod folder's locale/<lang>/*.cfg, every language", function()
      local languages = fm.locale.load(MOD)
      assert.are.same({ "en", "ru" }, languages)
      assert.are.same({ "en", "ru" }, fm.locale.languages())
      assert.are.equal("Speed", fm.locale.translate({ "mod-setting-name.my-mod-speed" }))
    end)

    it("reads one language when asked", function()
      assert.are.same({ "ru" }, fm.locale.load(MOD, "ru"))
    end)

    it("reads one .cfg file when the language is given", function()
      fm.locale.load(MOD .. "/locale/en/settings.cfg", "en")
      assert.are.equal("Speed", fm.locale.translate({ "mod-setting-name.my-mod-speed" }))
    end)

    it("asks for the language of a single .cfg file", function()
      local ok, err = pcall(fm.locale.load, MOD .. "/locale/en/settings.cfg")
      assert.is_false(ok)
      assert.matches("which language is this%?", tostring(err))
    end)

    it("reports every bad line of a broken file, and loads nothing from it", function()
      local ok, err = pcall(fm.locale.load, BROKEN)
      assert.is_false(ok)
      err = tostring(err)
      assert.matches("broken%.cfg:3: missing value", err)
      assert.matches("broken%.cfg:4: bad section header", err)
      assert.are.same({}, fm.locale.languages())
    end)

    it("forgets everything on clear()", function()
      fm.locale.load(MOD)
      fm.locale.clear()
      assert.are.equal('Unknown key: "item-name.iron-plate"', fm.locale.translate({ "item-name.iron-plate" }))
    end)
  end)

  describe("translate", function()
    before_each(function()
      fm.locale.load(MOD)
    end)

    it("looks a key up and fills in __1__, __2__", function()
      assert.are.equal("Iron plate", fm.locale.translate({ "item-name.iron-plate" }))
      assert.are.equal("Welcome to Nauvis!", fm.locale.translate({ "welcome", "Nauvis" }))
    end)

    it("shows strings, numbers, booleans as text", function()
      assert.are.equal("plain", fm.locale.translate("plain"))
      assert.are.equal("2.5", fm.locale.translate(2.5))
      assert.are.equal("7", fm.locale.translate(7))
      assert.are.equal("true", fm.locale.translate(true))
    end)

    it("translates nested LocalisedStrings in parameters", function()
      assert.are.equal("Welcome to Iron plate!",
        fm.locale.translate({ "welcome", { "item-name.iron-plate" } }))
    end)

    it("concatenates with the \"\" key", function()
      assert.are.equal("Iron plate: 5", fm.locale.translate({ "", { "item-name.iron-plate" }, ": ", 5 }))
    end)

    it("takes the first valid alternative with \"?\", the last when none is", function()
      assert.are.equal("Iron plate",
        fm.locale.translate({ "?", { "item-name.missing" }, { "item-name.iron-plate" }, "never" }))
      assert.are.equal('Unknown key: "b.b"', fm.locale.translate({ "?", { "a.a" }, { "b.b" } }))
    end)

    it("shows an unknown key as the game does", function()
      assert.are.equal('Unknown key: "item-name.nothing"', fm.locale.translate({ "item-name.nothing" }))
    end)

    it("turns \\n in a template into a line break", function()
      assert.are.equal("First line\nSecond line", fm.locale.translate({ "my-mod.two-lines" }))
    end)

    it("chooses plural forms, in the 2.0 and the older syntax", function()
      assert.are.equal("1 day", fm.locale.translate({ "my-mod.days", 1 }))
      assert.are.equal("3 days", fm.locale.translate({ "my-mod.days", 3 }))
      assert.are.equal("1 hour", fm.locale.translate({ "my-mod.hours", 1 }))
      assert.are.equal("2 hours", fm.locale.translate({ "my-mod.hours", 2 }))
    end)

    it("uses `ends in` rules in other languages", function()
      assert.are.equal("1 день", fm.locale.translate({ "my-mod.days", 1 }, "ru"))
      assert.are.equal("3 дня", fm.locale.translate({ "my-mod.days", 3 }, "ru"))
      assert.are.equal("5 дней", fm.locale.translate({ "my-mod.days", 5 }, "ru"))
      assert.are.equal("11 дней", fm.locale.translate({ "my-mod.days", 11 }, "ru"))
      assert.are.equal("21 день", fm.locale.translate({ "my-mod.days", 21 }, "ru"))
      assert.are.equal("22 часа", fm.locale.translate({ "my-mod.hours", 22 }, "ru"))
    end)

    it("falls back to English for a key the language lacks", function()
      assert.are.equal("This text has no translation yet", fm.locale.translate({ "my-mod.only-english" }, "ru"))
      assert.are.equal("Iron plate", fm.locale.translate({ "item-name.iron-plate" }, "de"))
    end)

    it("shows prototype names for __ITEM__ and friends, in the language asked", function()
      assert.are.equal("Crafted 3 × Widget in 2 s", fm.locale.translate({ "my-mod.crafted", "2 s", 3 }))
      assert.are.equal("Создано 3 × Виджет за 2 с", fm.locale.translate({ "my-mod.crafted", "2 с", 3 }, "ru"))
    end)

    it("shows key bindings for __CONTROL__ and __ALT_CONTROL__, and drops colour markers", function()
      assert.are.equal("Left-click to place, Pressing R turns it.", fm.locale.translate({ "my-mod.hint" }))
      assert.are.equal("Ore (42)", fm.locale.translate({ "my-mod.remark", "Ore", 42 }))
    end)

    it("lets a test bind a control, e.g. a mod's custom-input", function()
      fm.locale.bind("build", "CONTROL + B")
      assert.are.equal("Control + B to place, Pressing R turns it.", fm.locale.translate({ "my-mod.hint" }))
    end)

    it("refuses more than 20 parameters, with the game's words", function()
      local ls = { "" }
      for i = 1, 21 do ls[#ls + 1] = i end
      local ok, err = pcall(fm.locale.translate, ls)
      assert.is_false(ok)
      assert.matches("Too many parameters for localised string: 21 > 20 %(limit%)%.", tostring(err))
    end)

    it("refuses nesting deeper than 20 levels", function()
      local ls = "x"
      for _ = 1, 20 do ls = { "", ls } end
      assert.are.equal("x", fm.locale.translate(ls))
      local ok, err = pcall(fm.locale.translate, { "", ls })
      assert.is_false(ok)
      assert.matches("too deep", tostring(err))
    end)
  end)

  describe("prototype names", function()
    after_each(function()
      fm.teardown()
    end)

    it("shows a prototype's own localised_name for __ITEM__ and friends, as the game does", function()
      fm.setup{ stage = "data", dataset = "fixtures/locale/dataset" }
      assert.are.equal("Widget Mk 2 / Iron plate / Plain science / Unknown key: \"item-name.nothing\"",
        fm.locale.translate({ "my-mod.items" }))
      assert.are.equal("Steam / Stone path / Coal machine / Home", fm.locale.translate({ "my-mod.others" }))
    end)

    it("falls back to the item-name.x keys when no dataset is set up", function()
      fm.locale.load_text("[item-name]\nmy-widget=Widget\n[m]\nt=__ITEM__my-widget__", "en")
      assert.are.equal("Widget", fm.locale.translate({ "m.t" }))
    end)

    it("reports a localised_name that is not a LocalisedString", function()
      fm.setup{ stage = "data", dataset = "fixtures/locale/dataset" }
      local ok, err = pcall(fm.locale.translate, { "my-mod.broken" })
      assert.is_false(ok)
      assert.matches('the localised_name of item "broken%-name"', tostring(err))
      assert.matches("must be a string, got", tostring(err))
    end)
  end)

  describe("check", function()
    it("lists, per language, keys missing against English and keys English no longer has", function()
      local report = fm.locale.check(MOD)
      assert.are.same({}, report.en.missing)
      assert.are.same({ "entity-name.coal", "item-name.iron-plate", "mod-setting-name.my-mod-speed",
        "my-mod.hint", "my-mod.only-english", "my-mod.remark", "my-mod.two-lines" }, report.ru.missing)
      assert.are.same({}, report.ru.stale)
    end)

    it("flags parameters that differ from English and tokens the game cannot read", function()
      local report = fm.locale.check("fixtures/locale/check-mod")
      -- The misspelt built-in leaves a __1__ that English does not have: both are reported.
      assert.are.same({
        { key = "m.click", english = {}, found = { 1 } },
        { key = "m.count", english = { 1, 2 }, found = { 1 } },
      }, report.de.parameters)
      assert.are.same({ { key = "m.click", token = "__ALT_CONTRO_LEFT_CLICK__" } }, report.de.malformed)
      assert.are.same({ "m.gone" }, report.de.stale)
    end)
  end)
end)
