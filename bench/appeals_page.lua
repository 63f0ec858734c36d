-- A staff page for bench/bench_appeals.py: every request carries the officer's session cookie
-- (APPEALS_COOKIE; none for a public page), and the report of report.lua (APPEALS_BENCH_REPORT).
dofile(os.getenv("APPEALS_BENCH_REPORT"))  -- defines done(): the BENCH_RESULT line

local cookie = os.getenv("APPEALS_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
