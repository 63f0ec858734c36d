-- Mixed queue load for bench/bench_queue.py: kiosk tickets, operators calling, starting and finishing
-- (each operator one citizen at a time, as at a real counter), and citizens watching their position.
-- The data (center, operators' sessions, ticket codes) comes from the Lua file named by QUEUE_BENCH_DATA.
local data = dofile(os.getenv("QUEUE_BENCH_DATA"))
dofile(os.getenv("QUEUE_BENCH_REPORT"))  -- defines done(): the BENCH_RESULT line

local next_thread = 0
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end

local counters = {}
local form = "application/x-www-form-urlencoded"

function init(args)
  for i, op in ipairs(data.operators) do
    if (i - 1) % data.threads == tid then
      counters[op.counter] = { op = op, state = "idle", ticket = nil, busy = false }
    end
  end
  math.randomseed(os.time() * 1000 + tid)
end

local function operator_request()
  for number, c in pairs(counters) do
    if not c.busy then
      c.busy = true
      local base = "/queue/" .. data.center .. "/console/" .. number .. "/"
      local path = base .. "call/"
      if c.state == "called" then
        path = base .. "tickets/" .. c.ticket .. "/start/"
      elseif c.state == "serving" then
        path = base .. "tickets/" .. c.ticket .. "/finish/"
      end
      return wrk.format("POST", path, {
        ["Cookie"] = c.op.cookie, ["X-CSRFToken"] = c.op.csrf, ["HX-Request"] = "true", ["Content-Type"] = form,
      }, "")
    end
  end
  return nil
end

function request()
  local r = math.random()
  if r < data.share_operator then
    local req = operator_request()
    if req then return req end
  end
  if r < data.share_operator + data.share_issue then
    return wrk.format("POST", "/queue/" .. data.center .. "/kiosk/issue/", {
      ["Cookie"] = data.kiosk_cookie, ["X-CSRFToken"] = data.kiosk_csrf, ["Content-Type"] = form,
    }, "service=" .. data.service .. "&priority=&phone=")
  end
  return wrk.format("GET", "/queue/ticket/" .. data.codes[math.random(#data.codes)] .. "/status/")
end

-- The console answers with its panel: its forms name the counter and the ticket it now holds.
function response(status, headers, body)
  local number = body and tonumber(string.match(body, "/console/(%d+)/"))
  local c = number and counters[number]
  if not c then return end
  c.busy = false
  local finish = string.match(body, "/console/%d+/tickets/(%d+)/finish/")
  local start = string.match(body, "/console/%d+/tickets/(%d+)/start/")
  if finish then
    c.state, c.ticket = "serving", finish
  elseif start then
    c.state, c.ticket = "called", start
  else
    c.state, c.ticket = "idle", nil
  end
end
