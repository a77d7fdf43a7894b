---@meta factorio_mocks
---@diagnostic disable: undefined-doc-name
-- LuaLS annotations for factorio-mocks (`require("factorio_mocks")`): completion, hovers and
-- type checks in VS Code's Lua extension (sumneko.lua) and any editor running lua-language-server.
-- Add this file's folder to `Lua.workspace.library` (see the README's "Editors" section). It is
-- never run: the rock's module is Rust. spec/annotations_spec.lua checks it names every public
-- function of the real `fm` table.

---@alias fm.Stage "settings"|"data"|"control"|"prototype"|"runtime"

---@class (exact) fm.SetupOptions
---@field stage fm.Stage? "settings" | "data" | "control" (aliases "prototype", "runtime"); default "data"
---@field dataset string? nil: built-in (with the expansions when `mods` or load_mods need them); a dataset folder; a data-raw-dump.json; "oci://host/repo:tag"; an https base URL; a modpack name
---@field game_version string? the built-in dataset's and the API's game version: "2.0", "2.0.77", "2.1", "2.1.9"
---@field into table? where the globals go (default _G)
---@field mods table<string, string|boolean>? e.g. {["space-age"] = true}: the built-in dataset with the expansions (true: the dataset's version; false removes a mod)
---@field settings table<string, any>? startup settings: {["my-setting"] = 5} or {["my-setting"] = {value = 5}}
---@field locale string[]? languages of the dataset to load (default {"en"})
---@field factorio_data string? the game's data folder: core/lualib on the control stage's require path
---@field load_mods string[]? your mod and the mods it needs, e.g. {".", "spec/mods/flib"}
---@field mod_settings string? with load_mods: a mod-settings.dat whose startup values apply

---@class (exact) fm.RunStageOptions
---@field stage "settings"|"data"
---@field mods string[] mod folders or zips
---@field mod_settings string? a mod-settings.dat whose startup values apply
---@field factorio_data string? the game's data folder

---@class fm.ValidateError
---@field path string where in data.raw, from Lua (1-based): "recipe.my-gear.ingredients[1].name"
---@field message string the game's words

---@class fm.ValidateResult
---@field ok boolean
---@field version string the game version checked against
---@field errors fm.ValidateError[]
---@field warnings fm.ValidateError[]

---@class fm.CoverageMember
---@field name string
---@field kind "attribute"|"method"
---@field mode "r"|"rw"|"w"|nil an attribute's access
---@field mocked boolean whether objects of the row's class have behaviour for it
---@field from string? the parent class declaring an inherited member

---@class fm.CoverageRow
---@field class string
---@field version string
---@field url string the class's page of the game's API docs
---@field parent string?
---@field total integer
---@field done integer
---@field members fm.CoverageMember[]

---@class (exact) fm.BuildOptions
---@field name string the entity prototype
---@field position table|number[] MapPosition
---@field player LuaPlayer|integer|string? who builds (on_built_entity); or robot = true
---@field robot boolean? built by a robot (on_robot_built_entity)
---@field direction integer? defines.direction
---@field surface LuaSurface|integer|string?
---@field force LuaForce|string?
---@field recipe string?
---@field tags table?

---@class (exact) fm.CreatePlayerOptions
---@field name string?
---@field force LuaForce|string?
---@field surface LuaSurface|integer|string?
---@field connected boolean?
---@field admin boolean?
---@field locale string?
---@field display_resolution {width: integer, height: integer}?
---@field display_scale number?

---@class (exact) fm.ClickOptions
---@field button integer? defines.mouse_button_type (default left)
---@field alt boolean?
---@field control boolean?
---@field shift boolean?

---@class fm.Sound
---@field path string
---@field position table?
---@field volume number?

---@class (exact) fm.FetchOptions
---@field offline boolean? serve only what is cached
---@field ttl number? seconds before a tag is resolved again
---@field sources string[]? where modpack names are looked up
---@field allow_http boolean? plain HTTP beyond loopback
---@field verify boolean? re-hash every cached file
---@field timeout number? seconds the network may stay silent (default 30)
---@field cache_dir string?
---@field progress boolean?

---@class fm.Fetched
---@field dir string the local folder of the verified, cached dataset
---@field source string which source served it
---@field reference string the pinned reference
---@field digest string?
---@field subject {reference: string, digest: string, media_type: string?, artifact_type: string?}? for OCI: the modpack artifact that produced it
---@field warnings string[]

---@class fm.Dependency
---@field kind "required"|"incompatible"|"optional"|"hidden_optional"|"no_load_order"|"recommended"
---@field prefix string "", "!", "?", "(?)", "~", "+"
---@field name string
---@field op string? ">=", "=", …
---@field version string?
---@field text string the dependency as the game writes it

---@class fm.ModInfo
---@field name string
---@field version string
---@field title string
---@field author string
---@field factorio_version string
---@field description string?
---@field dependencies fm.Dependency[]
---@field path string
---@field zip boolean
---@field root string? a zip's top folder
---@field builtin boolean base, core and the expansions

---@class fm.ModSettingValue
---@field value any
---@field type "int64"|"uint64"|nil kept so write restores a 64-bit integer's type

---@class fm.ModSettingsFile
---@field version string the game version that wrote the file
---@field startup table<string, fm.ModSettingValue>
---@field ["runtime-global"] table<string, fm.ModSettingValue>
---@field ["runtime-per-user"] table<string, fm.ModSettingValue>

---A mod-list.json (fm.mod_list.load / fm.mod_list.new); `base` is always enabled.
---@class fm.ModList
local ModList = {}
---@param name string
---@param opts {enabled: boolean?, version: string?}?
function ModList:add(name, opts) end
---@param name string
function ModList:remove(name) end
---@param name string
function ModList:enable(name) end
---@param name string
function ModList:disable(name) end
---@param name string
---@return boolean
function ModList:is_enabled(name) end
---@param name string
---@return boolean
function ModList:exists(name) end
---@param name string
---@return string? version the pinned version
function ModList:version(name) end
---`for name, enabled, version in list:each() do`
---@return fun(): string?, boolean, string?
function ModList:each() end
---Writes the game's format (a temporary file, then a rename); `path` defaults to the loaded file.
---@param path string?
function ModList:save(path) end
---@return string
function ModList:to_json() end

---@class fm.LocaleProblems
---@field missing string[] keys English has and the language lacks
---@field stale string[] keys English no longer has
---@field parameters table[] keys whose __N__ differ from English's
---@field malformed table[] tokens the game cannot read

---@class fm.locale
local locale = {}

---Parses cfg text: `{[section] = {[key] = value}}` ("" for lines before any header), and the warnings.
---@param text string
---@param chunkname string? names the text in messages
---@param options {strict: boolean?}? strict: warnings are errors
---@return table<string, table<string, string>> sections
---@return string[] warnings
function locale.parse(text, chunkname, options) end

---Loads a mod folder's locale/<lang>/*.cfg, a locale folder, a dataset or one .cfg into the dictionary.
---@param path string
---@param lang string? the language of a single .cfg
---@param options {strict: boolean?}?
---@return table report
---@return string[] warnings
function locale.load(path, lang, options) end

---Loads cfg text of `lang` into the dictionary.
---@param text string
---@param lang string
---@param chunkname string?
function locale.load_text(text, lang, chunkname) end

---Renders a LocalisedString as the game shows it (English is the fallback language).
---@param ls LocalisedString
---@param lang string? default "en"
---@return string
function locale.translate(ls, lang) end

---The languages the dictionary holds.
---@return string[]
function locale.languages() end

---Empties the dictionary.
function locale.clear() end

---Binds a control (for __CONTROL__…__) to a key sequence in translations.
---@param control string
---@param sequence string?
function locale.bind(control, sequence) end

---Per language, what is wrong against English.
---@param mod_dir string
---@return table<string, fm.LocaleProblems>
function locale.check(mod_dir) end

---Loads a language of the current dataset (fm.setup's locale loads the others on first use).
---@param lang string
function locale.load_dataset_language(lang) end

---Merges the built-in dataset's `lang` of `game_version` into the dictionary; false when it has none.
---@param game_version string
---@param lang string
---@return boolean
function locale.load_builtin(game_version, lang) end

---Used by the stages: starts a session's dictionary with `languages` of the dataset.
---@param languages string[]?
function locale.start_session(languages) end

---Used by the stages: how __ENTITY__name__ and the like find a prototype's localised name.
---@param f (fun(kind: string, name: string): LocalisedString?)?
function locale.set_prototype_names(f) end

---@class fm.mods
local mods = {}

---The mods of a folder (zips and folders with an info.json) and what could not be read.
---@param dir string
---@return fm.ModInfo[] mods
---@return {broken: {path: string, error: string}[], shadowed: table[]} report
function mods.scan(dir) end

---One mod folder or zip.
---@param path string
---@return fm.ModInfo
function mods.load(path) end

---@param text string "? some-mod >= 1.2.0"
---@return fm.Dependency
function mods.parse_dependency(text) end

---The game's load order (dependency depth, then natural order of names).
---@param list fm.ModInfo[]
---@return fm.ModInfo[]
function mods.load_order(list) end

---Every dependency problem: missing, wrong version, incompatible, cycles.
---@param list fm.ModInfo[]
---@return {kind: string, message: string, mod: string?, dependency: string?, found: string?, other: string?}[]
function mods.check(list) end

---A file of a mod (folder or zip), or nil.
---@param mod fm.ModInfo|string
---@param relative string
---@return string?
function mods.read_file(mod, relative) end

---The files under a folder of a mod.
---@param mod fm.ModInfo|string
---@param relative string
---@return string[]
function mods.list_files(mod, relative) end

---Whether `name` is one of the game's own mods (core, base, the expansions).
---@param name string
---@return boolean
function mods.is_builtin(name) end

---@class fm.mod_settings
local mod_settings = {}

---Reads a mod-settings.dat of any version.
---@param path string
---@return fm.ModSettingsFile
function mod_settings.read(path) end

---Writes a mod-settings.dat the game reads.
---@param path string
---@param settings fm.ModSettingsFile
function mod_settings.write(path, settings) end

---@class fm.mod_list
local mod_list = {}

---@param path string a mod-list.json
---@return fm.ModList
function mod_list.load(path) end

---An empty list (only base).
---@return fm.ModList
function mod_list.new() end

---@class fm.cache
local cache = {}

---The cache folder (FACTORIO_MOCKS_CACHE_DIR, else ~/.cache/factorio-mocks).
---@return string
function cache.dir() end

---Removes every cached dataset and API answer.
---@return {removed: integer, kept: string[]}
function cache.clear() end

---Removes expired entries and files left by killed processes.
---@return {expired: integer, orphans: integer, kept: string[]}
function cache.prune() end

---@class fm.codec
local codec = {}

---zlib + base64, as blueprint strings (helpers.encode_string).
---@param text string
---@return string
function codec.encode_string(text) end

---@param text string
---@return string? nil when the text is not a valid encoded string
function codec.decode_string(text) end

---@param text string
---@return any
function codec.json_to_table(text) end

---@class factorio_mocks
---@field VERSION string the rock's version
---@field logs string[] what log() and localised_print() printed since setup/reset
---@field locale fm.locale
---@field mods fm.mods
---@field mod_settings fm.mod_settings
---@field mod_list fm.mod_list
---@field cache fm.cache
---@field codec fm.codec
local fm = {}

---Installs one stage's globals into `opts.into` (default _G) and returns that table.
---@param opts fm.SetupOptions?
---@return table env
function fm.setup(opts) end

---Back to the state right after setup (the locale dictionary too).
---@return table env
function fm.reset() end

---Removes what setup installed and restores what it replaced.
function fm.teardown() end

---The game version the current stage mocks ("2.1.9"), or nil when nothing is set up.
---@return string?
function fm.game_version() end

---The built-in datasets' game versions, newest first.
---@return string[]
function fm.builtin_versions() end

---The current session (stage, env, dataset), for the other shims; nil when nothing is set up.
---@return table?
function fm.current() end

---Runs mods' settings or data stage, in the game's order, into the current stage.
---@param opts fm.RunStageOptions
function fm.run_stage(opts) end

---The game's load-time checks of data.raw (default: the current data stage's).
---@param raw table?
---@param version string?
---@return fm.ValidateResult
function fm.validate(raw, version) end

---Fetches a dataset (OCI, https, modpack name) into the cache; returns its folder and where it came from.
---@param ref string
---@param opts fm.FetchOptions?
---@return string dir
---@return fm.Fetched fetched
function fm.fetch(ref, opts) end

-- The control stage's driver (fm.setup{stage = "control"} first).

---Runs a mod's control.lua (folder or zip); `require` follows the game's rules. Returns the mod's name.
---@param path string
---@return string
function fm.load_control(path) end

---Registers a mod folder or zip so require("__name__/…") finds it, without running its control.lua.
---@param path string
---@return string name
function fm.add_mod(path) end

---on_init of every loaded mod.
function fm.init() end

---Saves and loads: storage round-trips, control.lua runs again, on_load with game == nil.
function fm.load() end

---Runs the migrations the save has not had, then on_configuration_changed.
---@param changes table? ConfigurationChangedData, plus new_migrations = {[mod] = {files}}
function fm.configuration_changed(changes) end

---Runs `n` ticks (default 1): on_tick, then on_nth_tick, as in the game.
---@param n integer?
function fm.tick(n) end

---Raises an event (an id, a custom-input or custom-event name or prototype) with a checked payload.
---@param event integer|string|LuaCustomInputPrototype|LuaCustomEventPrototype
---@param payload table?
function fm.raise(event, payload) end

---@param opts fm.CreatePlayerOptions?
---@return LuaPlayer
function fm.create_player(opts) end

---@param player LuaPlayer|integer|string
function fm.join(player) end

---@param player LuaPlayer|integer|string
function fm.leave(player) end

---Changes a player's locale (on_player_locale_changed).
---@param player LuaPlayer|integer|string
---@param lang string
function fm.set_locale(player, lang) end

---The player builds an entity (on_built_entity), or a robot (on_robot_built_entity).
---@param opts fm.BuildOptions
---@return LuaEntity
function fm.build(opts) end

---The player mines an entity (the mining events); returns the mined items.
---@param entity LuaEntity
---@param player LuaPlayer|integer|string
---@return {name: string, count: integer}[]
function fm.mine(entity, player) end

---The mouse moves onto `entity` (on_selected_entity_changed).
---@param player LuaPlayer|integer|string
---@param entity LuaEntity?
function fm.select(player, entity) end

---Every sound played, or what `player` heard.
---@param player LuaPlayer|integer|string?
---@return fm.Sound[]
function fm.sounds(player) end

---`player`'s local flying texts, `text` translated into their locale.
---@param player LuaPlayer|integer|string
---@return {text: string, position: table}[]
function fm.flying_texts(player) end

---Runs a command ("/name parameters") with game.player set, as in the game.
---@param line string
---@param player LuaPlayer|integer|string?
function fm.run_command(line, player) end

---Runs a command through RCON (rcon.print is captured).
---@param line string
function fm.rcon(line) end

---What was printed, translated: every channel, one ("game", "player", "force", "surface", "rcon", "log"), or a player's console.
---@param source string|LuaPlayer?
---@return string[]
function fm.output(source) end

---Changes a runtime setting as a player would (on_runtime_mod_setting_changed).
---@param name string
---@param value any
---@param player LuaPlayer|integer|string? for a per-player setting
function fm.set_setting(name, value, player) end

---The files helpers.write_file wrote: path → content.
---@return table<string, string>
function fm.files() end

---storage of a mod loaded with fm.load_control.
---@param mod_name string
---@return table
function fm.storage(mod_name) end

---on_gui_click by the element's player: fm.click(element), fm.click(element, player) or fm.click(element, {button = …, shift = true}).
---@param element LuaGuiElement
---@param opts fm.ClickOptions|LuaPlayer?
function fm.click(element, opts) end

---Types text into a textfield (on_gui_text_changed).
---@param element LuaGuiElement
---@param text string
function fm.gui_text(element, text) end

---Checks or unchecks a checkbox or radiobutton (on_gui_checked_state_changed).
---@param element LuaGuiElement
---@param state boolean
function fm.gui_check(element, state) end

---What the control stage mocks for the game version set up: a row per class, every member mocked or not.
---@return fm.CoverageRow[]
function fm.coverage() end

return fm
