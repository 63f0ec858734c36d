-- Citizen tracking lookups for bench/bench_cases.py: each request asks for a random application of the
-- sample (number and access code, one pair per line of the file CASES_TRACK_PAIRS), on the API
-- (CASES_TRACK_MODE=api) or the HTML page (page), from one of CASES_TRACK_CLIENTS client addresses
-- passed on in X-Forwarded-For, as the reverse proxy does: per-client rate limits stay as configured.
dofile(os.getenv("CASES_BENCH_REPORT"))  -- defines done(): the BENCH_RESULT line

local mode = os.getenv("CASES_TRACK_MODE")
local clients = tonumber(os.getenv("CASES_TRACK_CLIENTS"))
local numbers, codes = {}, {}

local next_thread = 0
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  for line in io.lines(os.getenv("CASES_TRACK_PAIRS")) do
    local number, code = string.match(line, "^(%S+) (%d+)$")
    if number then
      numbers[#numbers + 1] = number
      codes[#codes + 1] = code
    end
  end
  math.randomseed(os.time() * 1000 + tid)
end

function request()
  local i = math.random(#numbers)
  local path
  if mode == "api" then
    path = "/api/v1/track/" .. numbers[i] .. "/?code=" .. codes[i]
  else
    path = "/track/" .. numbers[i] .. "/?code=" .. codes[i]
  end
  local c = math.random(clients) - 1
  local address = string.format("10.%d.%d.%d", math.floor(c / 65536) % 256, math.floor(c / 256) % 256, c % 256)
  return wrk.format("GET", path, { ["X-Forwarded-For"] = address })
end
