-- wrk script for scripts/bench-club.sh: every request carries `Authorization: Bearer TOKEN`,
-- cycling through the tokens in the file named by $FETTLE_TOKENS (one per line), each wrk
-- thread starting at a different place so that the clients act for different users.
local tokens = {}
for line in io.lines(os.getenv("FETTLE_TOKENS")) do
    if #line > 0 then tokens[#tokens + 1] = line end
end

local next_thread = 0
function setup(thread)
    thread:set("offset", next_thread * 7919)
    next_thread = next_thread + 1
end

local i = 0
function init(args)
    i = offset or 0
end

function request()
    i = i + 1
    local token = tokens[(i % #tokens) + 1]
    return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. token })
end
