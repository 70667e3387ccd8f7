// The skyline memory-mapping environment step, one invocation per environment copy.
//
// This is envs/memmap-skyline/env.ts in WGSL, function for function and name for name:
//   reset_copy          env.ts resetCopy (pick_trace, overlap, align_up: memmap-common.wgsl)
//   landing             env.ts landing
//   find_candidates     env.ts findCandidates
//   step_copy           env.ts stepCopy
//   is_done             env.ts isDone
//   episode_metric      env.ts episodeMetric
//   end_episode         env.ts endEpisode
//   write_observation   env.ts writeObservation (with features.ts)
// The host (envs/memmap-skyline/gpu.ts) prepends the generated header: sizes and modes as
// constants, every storage binding, one offset constant per state field and per field of the
// read-only trace table (envs/memmap/table.ts).
//
// llvmpipe caps the loop iterations of an invocation (65535, over all its loops) and silently
// leaves a loop past it: the host refuses a K whose worst step could reach that
// (gpu.ts stepLoopIterations, about 3 K N for N buffer slots).
//
//#include batch.wgsl
//#include memmap-common.wgsl

fn write_candidate_features(
  at: u32, offset: i32, size: i32, start: i32, lifetime: i32, peak: i32, lowest: i32, rest: i32,
  pending_overlap: f32, slot: u32, capacity: i32, horizon: i32,
) {
  let c = f32(capacity);
  let top = offset + size;
  cand[at + CF_OFFSET] = f32(offset) / c;
  cand[at + CF_TOP] = f32(top) / c;
  cand[at + CF_PEAK_INCREASE] = f32(max(0, top - peak)) / c;
  cand[at + CF_ABOVE_LOWEST] = f32(offset - lowest) / c;
  cand[at + CF_SIZE] = f32(size) / c;
  cand[at + CF_LIFETIME] = f32(lifetime) / f32(horizon);
  cand[at + CF_START] = f32(start) / f32(horizon);
  cand[at + CF_REST] = f32(rest) / f32(lifetime);
  cand[at + CF_PENDING_OVERLAP] = pending_overlap / f32(lifetime) / c;
  cand[at + CF_RANK] = f32(slot) / f32(MAX_CANDIDATES);
}

fn write_global_features(
  at: u32, placed: i32, num_buffers: i32, area_left: f32, peak: i32, lower_bound: i32, lowest: i32,
  capacity: i32, candidates: u32,
) {
  let c = f32(capacity);
  glob[at + GF_PROGRESS] = f32(placed) / f32(num_buffers);
  glob[at + GF_AREA_LEFT] = area_left;
  glob[at + GF_PEAK] = f32(peak) / c;
  glob[at + GF_LOWER_BOUND] = f32(lower_bound) / c;
  glob[at + GF_LOWEST] = f32(lowest) / c;
  glob[at + GF_CHOICE] = f32(candidates) / f32(MAX_CANDIDATES);
}

fn reset_copy(e: u32) {
  pick_trace(e);
  env[PLACED + e] = 0;
  env[PEAK + e] = 0;
  env[NUM_CANDIDATES + e] = 0;
  for (var i = e * MAX_BUFFERS; i < (e + 1u) * MAX_BUFFERS; i++) {
    buffers[OFFSET + i] = -1;
    buffers[FLOOR + i] = 0;
  }
}

fn landing(e: u32, k: u32) -> i32 {
  let tr = u32(env[TRACE_INDEX + e]);
  return align_up(buffers[FLOOR + e * MAX_BUFFERS + k], trace_i32[T_BUF_ALIGN + tr * MAX_BUFFERS + k]);
}

fn find_candidates(e: u32) -> u32 {
  let K = MAX_CANDIDATES;
  let row = e * K;
  let n = u32(trace_i32[T_NUM_BUFFERS + u32(env[TRACE_INDEX + e])]);
  var count = 0u;
  for (var k = 0u; k < n; k++) {
    if (buffers[OFFSET + e * MAX_BUFFERS + k] >= 0) { continue; }
    let x = landing(e, k);
    var j = count;
    while (j > 0u && landing(e, u32(buffers[CAND_BUFFER + row + j - 1u])) > x) { j--; }
    if (j >= K) { continue; }
    let last = select(K - 1u, count, count < K);
    for (var i = last; i > j; i--) { buffers[CAND_BUFFER + row + i] = buffers[CAND_BUFFER + row + i - 1u]; }
    buffers[CAND_BUFFER + row + j] = i32(k);
    if (count < K) { count++; }
  }
  for (var i = count; i < K; i++) { buffers[CAND_BUFFER + row + i] = -1; }
  env[NUM_CANDIDATES + e] = i32(count);
  return count;
}

fn step_copy(e: u32, a: u32) -> f32 {
  let tr = u32(env[TRACE_INDEX + e]);
  let base = tr * MAX_BUFFERS;
  let k = u32(buffers[CAND_BUFFER + e * MAX_CANDIDATES + a]);
  let x = landing(e, k);
  let top = x + trace_i32[T_BUF_SIZE + base + k];
  let start = trace_i32[T_BUF_START + base + k];
  let end = trace_i32[T_BUF_END + base + k];
  buffers[OFFSET + e * MAX_BUFFERS + k] = x;
  env[PLACED + e] += 1;
  let n = u32(trace_i32[T_NUM_BUFFERS + tr]);
  for (var i = 0u; i < n; i++) {
    let at = e * MAX_BUFFERS + i;
    if (buffers[OFFSET + at] >= 0) { continue; }
    if (!overlap(start, end, trace_i32[T_BUF_START + base + i], trace_i32[T_BUF_END + base + i])) { continue; }
    buffers[FLOOR + at] = max(buffers[FLOOR + at], top);
  }
  let lb = trace_i32[T_LOWER_BOUND + tr];
  let before = max(env[PEAK + e], lb);
  env[PEAK + e] = max(env[PEAK + e], top);
  return f32(before - max(env[PEAK + e], lb));
}

fn is_done(e: u32) -> bool {
  return env[PLACED + e] == trace_i32[T_NUM_BUFFERS + u32(env[TRACE_INDEX + e])];
}

fn episode_metric(e: u32) -> vec2u {
  return vec2u(u32(env[PEAK + e]), 0u);
}

fn end_episode(e: u32) {
  for (var i = e * MAX_BUFFERS; i < (e + 1u) * MAX_BUFFERS; i++) {
    buffers[FINAL_OFFSET + i] = buffers[OFFSET + i];
  }
  env[FINAL_TRACE_INDEX + e] = env[TRACE_INDEX + e];
}

fn write_observation(e: u32, chosen: i32) {
  let K = MAX_CANDIDATES;
  let count = find_candidates(e);
  let tr = u32(env[TRACE_INDEX + e]);
  let base = tr * MAX_BUFFERS;
  let n = u32(trace_i32[T_NUM_BUFFERS + tr]);
  let cap = trace_i32[T_CAPACITY + tr];
  let horizon = trace_i32[T_HORIZON + tr];
  let peak = env[PEAK + e];
  var lowest = 0;
  if (count > 0u) { lowest = landing(e, u32(buffers[CAND_BUFFER + e * K])); }
  for (var c = 0u; c < K; c++) { mask[e * K + c] = select(0u, 1u, c < count); }
  for (var c = 0u; c < count; c++) {
    let k = u32(buffers[CAND_BUFFER + e * K + c]);
    let x = landing(e, k);
    let start = trace_i32[T_BUF_START + base + k];
    let end = trace_i32[T_BUF_END + base + k];
    var rest = select(0, end - start, x == 0);
    var pending = 0.0;
    for (var i = 0u; i < n; i++) {
      let bs = trace_i32[T_BUF_START + base + i];
      let be = trace_i32[T_BUF_END + base + i];
      if (i == k || !overlap(start, end, bs, be)) { continue; }
      let together = min(end, be) - max(start, bs);
      let o = buffers[OFFSET + e * MAX_BUFFERS + i];
      let size = trace_i32[T_BUF_SIZE + base + i];
      if (o < 0) {
        pending += f32(size) * f32(together);
      } else if (x > 0 && o + size == x) {
        rest += together;
      }
    }
    write_candidate_features(
      (e * K + c) * NUM_CANDIDATE_FEATURES, x, trace_i32[T_BUF_SIZE + base + k], start, end - start,
      peak, lowest, min(rest, end - start), pending, c, cap, horizon,
    );
  }
  for (var i = (e * K + count) * NUM_CANDIDATE_FEATURES; i < (e * K + K) * NUM_CANDIDATE_FEATURES; i++) {
    cand[i] = 0.0;
  }
  var left = 0.0;
  var total = 0.0;
  for (var i = 0u; i < n; i++) {
    let area = f32(trace_i32[T_BUF_SIZE + base + i]) * f32(trace_i32[T_BUF_END + base + i] - trace_i32[T_BUF_START + base + i]);
    total += area;
    if (buffers[OFFSET + e * MAX_BUFFERS + i] < 0) { left += area; }
  }
  var area_left = 0.0;
  if (total > 0.0) { area_left = left / total; }
  write_global_features(
    e * NUM_GLOBAL_FEATURES, env[PLACED + e], i32(n), area_left, peak, trace_i32[T_LOWER_BOUND + tr],
    lowest, cap, count,
  );
}
