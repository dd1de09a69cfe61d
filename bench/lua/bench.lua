-- CPU-bound Lua workload for bench/run's auto-instrumentation case: three classic
-- benchmark kernels (recursive fib, binary-trees, n-body) sized by one scale argument.
--   lua bench.lua [SCALE]      SCALE 1 takes a fraction of a second uninstrumented
local scale = tonumber(arg and arg[1]) or 1

local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

local function bottom_up(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return { bottom_up(depth), bottom_up(depth) }
end

local function check(tree)
  if tree[1] then return 1 + check(tree[1]) + check(tree[2]) end
  return 1
end

local function binary_trees(max_depth)
  local total = 0
  for depth = 4, max_depth, 2 do
    local iterations = 1 << (max_depth - depth + 4)
    for _ = 1, iterations do total = total + check(bottom_up(depth)) end
  end
  return total
end

local function nbody(steps)
  local pi, days = math.pi, 365.24
  local sm = 4 * pi * pi
  local b = {
    { 0, 0, 0, 0, 0, 0, sm },
    { 4.84, -1.16, -0.10, 0.00166 * days, 0.00770 * days, -0.0000690 * days, 0.000954 * sm },
    { 8.34, 4.12, -0.40, -0.00276 * days, 0.00500 * days, 0.0000230 * days, 0.000286 * sm },
    { 12.89, -15.11, -0.22, 0.00296 * days, 0.00237 * days, -0.0000296 * days, 0.0000437 * sm },
    { 15.38, -25.92, 0.18, 0.00268 * days, 0.00163 * days, -0.0000951 * days, 0.0000515 * sm },
  }
  local function advance(dt)
    for i = 1, #b do
      local bi = b[i]
      for j = i + 1, #b do
        local bj = b[j]
        local dx, dy, dz = bi[1] - bj[1], bi[2] - bj[2], bi[3] - bj[3]
        local d2 = dx * dx + dy * dy + dz * dz
        local mag = dt / (d2 * math.sqrt(d2))
        bi[4], bi[5], bi[6] = bi[4] - dx * bj[7] * mag, bi[5] - dy * bj[7] * mag, bi[6] - dz * bj[7] * mag
        bj[4], bj[5], bj[6] = bj[4] + dx * bi[7] * mag, bj[5] + dy * bi[7] * mag, bj[6] + dz * bi[7] * mag
      end
    end
    for i = 1, #b do
      local bi = b[i]
      bi[1], bi[2], bi[3] = bi[1] + dt * bi[4], bi[2] + dt * bi[5], bi[3] + dt * bi[6]
    end
  end
  for _ = 1, steps do advance(0.01) end
  return b[1][1]
end

local t0 = os.clock()
local f = fib(20 + scale)
local t = binary_trees(8 + scale)
local x = nbody(20000 * scale)
print(string.format("fib=%d trees=%d x=%.6f cpu_s=%.3f", f, t, x, os.clock() - t0))
