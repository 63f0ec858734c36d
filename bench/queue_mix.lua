-- Mixed queue load for bench/bench_queue.py: kiosk tickets, operators calling, starting and finishing
-- (each operator one citizen at a time, as at a real counter), and citizens watching their position.
-- The data (center, operators' sessions, ticket codes) comes from the Lua file named by QUEUE_BENCH_DATA.
--
-- An operator's next action is read from the panel the console answers with: the current-ticket card's
-- class says whether its ticket is called or being served (`console-current--called` / `--serving`),
-- and its start address names the ticket. (Every form is in the panel, disabled or not, so the presence
-- of an address says nothing.) After the run done() prints, beside wrk's figures, how many calls,
-- starts and finishes were answered, how many calls found nobody waiting and how many actions were
-- refused (any status but 200): bench_queue.py fails the row on a refusal.
local data = dofile(os.getenv("QUEUE_BENCH_DATA"))
dofile(os.getenv("QUEUE_BENCH_REPORT"))  -- defines done(): the BENCH_RESULT line
local report = done

local threads = {}
local next_thread = 0
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

-- Per thread (globals, so that done() can read them with thread:get).
calls, starts, finishes, nobody, refused = 0, 0, 0, 0, 0
first_refusal = ""

local counters = {}
local form = "application/x-www-form-urlencoded"

function init(args)
  for i, op in ipairs(data.operators) do
    if (i - 1) % data.threads == tid then
      -- where the operator stands (bench_queue.py reads each panel before the run)
      local state = op.state or "idle"
      counters[op.counter] = { op = op, state = state, ticket = state ~= "idle" and op.ticket or nil, busy = false }
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
      c.action = "call"
      if c.state == "called" then
        path = base .. "tickets/" .. c.ticket .. "/start/"
        c.action = "start"
      elseif c.state == "serving" then
        path = base .. "tickets/" .. c.ticket .. "/finish/"
        c.action = "finish"
      end
      return wrk.format("POST", path, {
        ["Cookie"] = c.op.cookie, ["X-CSRFToken"] = c.op.csrf, ["HX-Request"] = "true", ["Content-Type"] = form,
      }, "")
    end
  end
  return nil
end

local function position_request()
  return wrk.format("GET", "/queue/ticket/" .. data.codes[math.random(#data.codes)] .. "/status/")
end

function request()
  local r = math.random()
  if r < data.share_operator then
    -- With each of this thread's operators waiting for an answer, a citizen looks at their position
    -- instead (not a kiosk ticket: the kiosk's share stays what MIX says).
    return operator_request() or position_request()
  end
  if r < data.share_operator + data.share_issue then
    return wrk.format("POST", "/queue/" .. data.center .. "/kiosk/issue/", {
      ["Cookie"] = data.kiosk_cookie, ["X-CSRFToken"] = data.kiosk_csrf, ["Content-Type"] = form,
    }, "service=" .. data.service .. "&priority=&phone=")
  end
  return position_request()
end

-- The console answers with its panel; its panel address names the counter.
function response(status, headers, body)
  local number = body and tonumber(string.match(body, "/console/(%d+)/panel/"))
  local c = number and counters[number]
  if not c then return end
  c.busy = false
  local state = string.match(body, "console%-current%-%-(%a+)")
  local ticket = string.match(body, "/console/%d+/tickets/(%d+)/start/")
  if (state == "called" or state == "serving") and ticket then
    c.state, c.ticket = state, ticket
  else
    c.state, c.ticket = "idle", nil
  end
  if status ~= 200 then
    refused = refused + 1
    if first_refusal == "" then
      first_refusal = c.action .. " " .. status .. ": " .. (string.match(body, 'role="alert">.-<span>(.-)</span>') or "?")
    end
  elseif c.action == "call" then
    if c.state == "called" then calls = calls + 1 else nobody = nobody + 1 end
  elseif c.action == "start" and c.state == "serving" then
    starts = starts + 1
  elseif c.action == "finish" and c.state == "idle" then
    finishes = finishes + 1
  end
end

done = function(summary, latency, requests)
  report(summary, latency, requests)
  local total = { calls = 0, starts = 0, finishes = 0, nobody = 0, refused = 0 }
  local first = ""
  for _, thread in ipairs(threads) do
    for name in pairs(total) do
      total[name] = total[name] + (thread:get(name) or 0)
    end
    if first == "" then first = thread:get("first_refusal") or "" end
  end
  io.write(string.format(
    'BENCH_QUEUE {"calls": %d, "starts": %d, "finishes": %d, "nobody": %d, "refused": %d, "first_refusal": "%s"}\n',
    total.calls, total.starts, total.finishes, total.nobody, total.refused,
    (first:gsub('[%c"\\]', " "))))
end
