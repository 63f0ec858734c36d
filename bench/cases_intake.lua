-- Intake through the API for bench/bench_cases.py: POST /api/v1/applications/ with a new applicant
-- (a valid PINFL of their own) and a new Idempotency-Key on every request. The body template and the
-- authentication headers come from the Lua file named by CASES_BENCH_DATA; CASES_INTAKE_RUN (10-99)
-- makes every run's applicants differ from the other runs'.
local data = dofile(os.getenv("CASES_BENCH_DATA"))
dofile(os.getenv("CASES_BENCH_REPORT"))  -- defines done(): the BENCH_RESULT line

local run = tonumber(os.getenv("CASES_INTAKE_RUN"))
local weights = { 7, 3, 1 }
local counter = 0

local next_thread = 0
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end

-- Century digit 5, birth date (thread + 1).(month from the counter).(20 + run), serial from the counter,
-- then the check digit (weights 7, 3, 1): distinct for each run, thread and request.
local function pinfl()
  local first13 = string.format("5%02d%02d%02d%06d", tid + 1, 1 + math.floor(counter / 1000000) % 12, run,
    counter % 1000000)
  local sum = 0
  for i = 1, 13 do
    sum = sum + tonumber(string.sub(first13, i, i)) * weights[(i - 1) % 3 + 1]
  end
  return first13 .. (sum % 10)
end

function request()
  counter = counter + 1
  local id = string.format("%d-%d-%d", run, tid, counter)
  local headers = { ["Idempotency-Key"] = "bench-" .. id }
  for name, value in pairs(data.headers) do
    headers[name] = value
  end
  return wrk.format("POST", "/api/v1/applications/", headers, string.format(data.body, id, pinfl(), id))
end
