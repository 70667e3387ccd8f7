// What both memory-mapping kernels (memmap.wgsl, memmap-skyline.wgsl) share, mirroring
// envs/memmap/env.ts: overlap, alignUp and pickTrace. Both states name the fields pick_trace uses
// (EPISODE, TRACE_INDEX) alike.

fn overlap(s0: i32, e0: i32, s1: i32, e1: i32) -> bool {
  return s0 < e1 && s1 < e0;
}

fn align_up(v: i32, a: i32) -> i32 {
  return v + (a - v % a) % a;
}

fn pick_trace(e: u32) {
  var idx = 0u;
  if (PICK_STREAM) {
    idx = u32(next_int(e, 0, i32(NUM_TRACES) - 1));
  } else {
    idx = e % NUM_TRACES;
    if (env[EPISODE + e] > 0) { idx = (u32(env[TRACE_INDEX + e]) + NUM_ENVS % NUM_TRACES) % NUM_TRACES; }
  }
  env[TRACE_INDEX + e] = i32(idx);
  env[EPISODE + e] += 1;
}
