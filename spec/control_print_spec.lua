-- Prints reach players' consoles as in the game: game.print every connected player, force.print
-- and surface.print the connected players there, each in their own locale. fm.output() is the log
-- of every print call; fm.output(player) is what that player's console shows.
local fm = require("factorio_mocks")

describe("the control stage's prints", function()
  local alice, bob
  before_each(function()
    fm.setup{ stage = "control" }
    fm.load_control("fixtures/control-mod")   -- for its en and de locale
    fm.init()
    alice = fm.create_player{ name = "alice" }
    bob = fm.create_player{ name = "bob", locale = "de" }
  end)
  after_each(function() fm.teardown() end)

  -- The fixture greets each new player from on_player_created (player.print); what follows
  -- reads the consoles after that line.
  local function after_greeting(p)
    local lines = fm.output(p)
    table.remove(lines, 1)
    return lines
  end

  it("keeps a line in the locale the player had when it was printed", function()
    -- on_player_created runs while the game still reports "en", so bob's greeting is English.
    assert.are.same({ "Welcome, alice!" }, fm.output(alice))
    assert.are.same({ "Welcome, bob!" }, fm.output(bob))
  end)

  it("game.print reaches every connected player in their locale", function()
    game.print{ "control-mod.welcome", "all" }
    assert.are.same({ "Welcome, all!" }, after_greeting(alice))
    assert.are.same({ "Willkommen, all!" }, after_greeting(bob))
    assert.are.same({ "Welcome, all!" }, fm.output("game"))   -- the log keeps English
  end)

  it("skips players who are not connected", function()
    fm.leave(bob)
    game.print("while bob is away")
    bob.print("to bob alone")
    assert.are.same({ "while bob is away" }, after_greeting(alice))
    assert.are.same({}, after_greeting(bob))
    assert.are.same({ "while bob is away" }, fm.output("game"))
    assert.are.equal("to bob alone", fm.output("player")[3])   -- the log has every call
  end)

  it("force.print and surface.print reach the players of that force or on that surface", function()
    local other = game.create_force("other")
    bob.force = other
    local moon = game.create_surface("moon")
    alice.teleport({ 0, 0 }, moon)
    other.print("force other")
    moon.print("on the moon")
    game.surfaces.nauvis.print("on nauvis")
    assert.are.same({ "on the moon" }, after_greeting(alice))
    assert.are.same({ "force other", "on nauvis" }, after_greeting(bob))
    assert.are.same({ "force other" }, fm.output("force"))
    assert.are.same({ "on the moon", "on nauvis" }, fm.output("surface"))
  end)

  it("skips a line the console showed in the last 60 ticks, unless print_settings.skip says never", function()
    game.print("saved")
    game.print("saved")
    fm.tick(61)
    game.print("saved")
    game.print("saved", { skip = defines.print_skip.never })
    assert.are.same({ "saved", "saved", "saved" }, after_greeting(alice))
    assert.are.equal(4, #fm.output("game"))   -- every call is in the log
  end)

  it("refuses other objects than players", function()
    assert.has_error(function() fm.output(game.forces.player) end,
      "fm.output: expected a channel name or a LuaPlayer, got LuaForce")
  end)
end)
