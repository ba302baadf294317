-- wrk script: a flood of valid sign-ups, each with its own address, user
-- name and client address (X-Forwarded-For: start serve with
-- --trusted-proxy 127.0.0.1/32), as docs/profiling.md describes:
--   wrk -t2 -c64 -d20s -s docs/signup-flood.lua http://127.0.0.1:8080
-- Raise the sign-up limits first (signup.max_unverified,
-- signup.per_ip_per_hour, signup.per_address_per_hour,
-- signup.per_domain_per_hour) or most posts get 429.

local thread_id = 0
function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

local n = 0
function request()
  n = n + 1
  local id = string.format("%d-%d-%d", tid or 0, n, math.random(1, 1000000000))
  local body = "company_name=Flood+" .. id .. "+Ltd&tax_id=&street=1+Main+St&city=Springfield" ..
    "&state=&postal_code=62701&country=US&first_name=Ada&last_name=Lovelace&job_title=Buyer" ..
    "&email=u" .. id .. "%40flood" .. (n % 500) .. ".example&phone=%2B1+217+555+0100&language=en" ..
    "&username=u" .. id .. "&password=correct+horse+battery+staple" ..
    "&password_confirm=correct+horse+battery+staple"
  local ip = string.format("10.%d.%d.%d", (tid or 0) * 16 + n % 16, math.random(0, 255), math.random(1, 254))
  return wrk.format("POST", "/signup", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = ip,
  }, body)
end
