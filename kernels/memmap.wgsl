// The memory-mapping environment step, one invocation per environment copy.
//
// This is envs/memmap/env.ts in WGSL, function for function and name for name:
//   reset_copy          env.ts resetCopy
//   find_candidates     env.ts findCandidates
//   step_copy           env.ts stepCopy
//   is_done             env.ts isDone
//   episode_metric      env.ts episodeMetric
//   end_episode         env.ts endEpisode
//   write_observation   env.ts writeObservation (with features.ts)
// The host (envs/memmap/gpu.ts) prepends the generated header: sizes and modes as constants, every
// storage binding, one offset constant per state field and per field of the read-only trace table
// (trace_i32, trace_u32, trace_f32: envs/memmap/table.ts, the traces in decision order).
//
//#include batch.wgsl

// Addresses and times are i32 and exact (the reader keeps every sum of two below 2^31); features
// are computed in f32, within the parity tolerance of the CPU's f64.

fn write_candidate_features(
  at: u32, offset: i32, size: i32, peak: i32, above: i32, contact_below: i32, contact_above: i32,
  lifetime: i32, capacity: i32, spill: bool,
) {
  if (spill) {
    for (var f = 0u; f < NUM_CANDIDATE_FEATURES; f++) { cand[at + f] = 0.0; }
    cand[at + CF_SPILL] = 1.0;
    return;
  }
  let top = offset + size;
  let open = above < 0;
  let c = f32(capacity);
  cand[at + CF_OFFSET] = f32(offset) / c;
  cand[at + CF_TOP] = f32(top) / c;
  cand[at + CF_PEAK_INCREASE] = f32(max(0, top - peak)) / c;
  if (open) {
    cand[at + CF_GAP_ABOVE] = min(OPEN_GAP, f32(max(0, capacity - top)) / c);
    cand[at + CF_FILL] = 0.0;
  } else {
    cand[at + CF_GAP_ABOVE] = f32(above - top) / c;
    cand[at + CF_FILL] = f32(size) / f32(above - offset);
  }
  cand[at + CF_OPEN_ABOVE] = select(0.0, 1.0, open);
  cand[at + CF_CONTACT_BELOW] = f32(contact_below) / f32(lifetime);
  cand[at + CF_CONTACT_ABOVE] = f32(contact_above) / f32(lifetime);
  cand[at + CF_SPILL] = 0.0;
}

fn write_global_features(
  at: u32, decided: i32, num_buffers: i32, area_left: f32, peak: i32, lower_bound: i32,
  capacity: i32, size: i32, lifetime: i32, horizon: i32, live_placed: i32, offsets: i32,
  max_offsets: i32, spilled: i32, capacity_mode: bool,
) {
  let c = f32(capacity);
  glob[at + GF_PROGRESS] = f32(decided) / f32(num_buffers);
  glob[at + GF_AREA_LEFT] = area_left;
  glob[at + GF_PEAK] = f32(peak) / c;
  glob[at + GF_LOWER_BOUND] = f32(lower_bound) / c;
  glob[at + GF_SIZE] = f32(size) / c;
  glob[at + GF_LIFETIME] = f32(lifetime) / f32(horizon);
  glob[at + GF_LIVE_PLACED] = f32(live_placed) / c;
  glob[at + GF_CHOICE] = f32(offsets) / f32(max_offsets);
  glob[at + GF_SPILLED] = f32(spilled) / f32(num_buffers);
  glob[at + GF_CAPACITY_MODE] = select(0.0, 1.0, capacity_mode);
}

fn overlap(s0: i32, e0: i32, s1: i32, e1: i32) -> bool {
  return s0 < e1 && s1 < e0;
}

fn align_up(v: i32, a: i32) -> i32 {
  return v + (a - v % a) % a;
}

fn reset_copy(e: u32) {
  var idx = 0u;
  if (PICK_STREAM) {
    idx = u32(next_int(e, 0, i32(NUM_TRACES) - 1));
  } else {
    idx = e % NUM_TRACES;
    if (env[EPISODE + e] > 0) { idx = (u32(env[TRACE_INDEX + e]) + NUM_ENVS % NUM_TRACES) % NUM_TRACES; }
  }
  env[TRACE_INDEX + e] = i32(idx);
  env[EPISODE + e] += 1;
  env[CURSOR + e] = 0;
  env[PEAK + e] = 0;
  env[SPILLED + e] = 0;
  env[NUM_OFFSETS + e] = 0;
  benefit[SPILLED_LO + e] = 0u;
  benefit[SPILLED_HI + e] = 0u;
  for (var i = e * MAX_BUFFERS; i < (e + 1u) * MAX_BUFFERS; i++) { buffers[OFFSET + i] = -1; }
}

fn find_candidates(e: u32) -> u32 {
  let tr = u32(env[TRACE_INDEX + e]);
  let base = tr * MAX_BUFFERS;
  let k = env[CURSOR + e];
  let start = trace_i32[T_BUF_START + base + u32(k)];
  let end = trace_i32[T_BUF_END + base + u32(k)];
  let size = trace_i32[T_BUF_SIZE + base + u32(k)];
  let align = trace_i32[T_BUF_ALIGN + base + u32(k)];
  let cap = trace_i32[T_CAPACITY + tr];
  let row = CAND_OFFSET + e * MAX_OFFSETS;
  let K = MAX_OFFSETS;
  var count = 0u;
  for (var j = -1; j < k; j++) {
    var x = 0;
    if (j >= 0) {
      let o = buffers[OFFSET + e * MAX_BUFFERS + u32(j)];
      if (o < 0 || !overlap(start, end, trace_i32[T_BUF_START + base + u32(j)], trace_i32[T_BUF_END + base + u32(j)])) { continue; }
      x = align_up(o + trace_i32[T_BUF_SIZE + base + u32(j)], align);
    }
    if (CAPACITY_MODE && x + size > cap) { continue; }
    if (count == K && x >= buffers[row + K - 1u]) { continue; }
    var pos = count;
    while (pos > 0u && buffers[row + pos - 1u] > x) { pos--; }
    if (pos > 0u && buffers[row + pos - 1u] == x) { continue; }
    var fits = true;
    for (var i = 0; i < k && fits; i++) {
      let o = buffers[OFFSET + e * MAX_BUFFERS + u32(i)];
      if (o < 0 || !overlap(start, end, trace_i32[T_BUF_START + base + u32(i)], trace_i32[T_BUF_END + base + u32(i)])) { continue; }
      if (x < o + trace_i32[T_BUF_SIZE + base + u32(i)] && o < x + size) { fits = false; }
    }
    if (!fits) { continue; }
    var i = select(K - 1u, count, count < K);
    while (i > pos) {
      buffers[row + i] = buffers[row + i - 1u];
      i--;
    }
    buffers[row + pos] = x;
    if (count < K) { count++; }
  }
  for (var i = count; i < K; i++) { buffers[row + i] = -1; }
  env[NUM_OFFSETS + e] = i32(count);
  return count;
}

fn step_copy(e: u32, a: u32) -> f32 {
  let tr = u32(env[TRACE_INDEX + e]);
  let k = u32(env[CURSOR + e]);
  let at = tr * MAX_BUFFERS + k;
  env[CURSOR + e] = i32(k + 1u);
  if (a == MAX_OFFSETS) {
    buffers[OFFSET + e * MAX_BUFFERS + k] = -2;
    env[SPILLED + e] += 1;
    let old = benefit[SPILLED_LO + e];
    let lo = old + trace_u32[T_BENEFIT_LO + at];
    let carry = select(0u, 1u, lo < old);
    benefit[SPILLED_HI + e] = benefit[SPILLED_HI + e] + trace_u32[T_BENEFIT_HI + at] + carry;
    benefit[SPILLED_LO + e] = lo;
    return trace_f32[T_SPILL_REWARD + at];
  }
  let x = buffers[CAND_OFFSET + e * MAX_OFFSETS + a];
  buffers[OFFSET + e * MAX_BUFFERS + k] = x;
  let lb = trace_i32[T_LOWER_BOUND + tr];
  let before = max(env[PEAK + e], lb);
  env[PEAK + e] = max(env[PEAK + e], x + trace_i32[T_BUF_SIZE + at]);
  if (CAPACITY_MODE) { return 0.0; }
  return f32(before - max(env[PEAK + e], lb));
}

fn is_done(e: u32) -> bool {
  return env[CURSOR + e] == trace_i32[T_NUM_BUFFERS + u32(env[TRACE_INDEX + e])];
}

fn episode_metric(e: u32) -> vec2u {
  if (CAPACITY_MODE) { return vec2u(benefit[SPILLED_LO + e], benefit[SPILLED_HI + e]); }
  return vec2u(u32(env[PEAK + e]), 0u);
}

fn end_episode(e: u32) {
  for (var i = e * MAX_BUFFERS; i < (e + 1u) * MAX_BUFFERS; i++) {
    buffers[FINAL_OFFSET + i] = buffers[OFFSET + i];
  }
  env[FINAL_TRACE_INDEX + e] = env[TRACE_INDEX + e];
}

fn write_observation(e: u32, chosen: i32) {
  let count = find_candidates(e);
  let tr = u32(env[TRACE_INDEX + e]);
  let base = tr * MAX_BUFFERS;
  let k = env[CURSOR + e];
  let start = trace_i32[T_BUF_START + base + u32(k)];
  let end = trace_i32[T_BUF_END + base + u32(k)];
  let size = trace_i32[T_BUF_SIZE + base + u32(k)];
  let cap = trace_i32[T_CAPACITY + tr];
  let lifetime = end - start;
  let peak = env[PEAK + e];
  var live_placed = 0;
  for (var i = 0; i < k; i++) {
    let o = buffers[OFFSET + e * MAX_BUFFERS + u32(i)];
    if (o >= 0 && overlap(start, end, trace_i32[T_BUF_START + base + u32(i)], trace_i32[T_BUF_END + base + u32(i)])) {
      live_placed += trace_i32[T_BUF_SIZE + base + u32(i)];
    }
  }
  for (var c = 0u; c < MAX_OFFSETS; c++) {
    let at = (e * MAX_CANDIDATES + c) * NUM_CANDIDATE_FEATURES;
    mask[e * MAX_CANDIDATES + c] = select(0u, 1u, c < count);
    if (c >= count) {
      for (var f = 0u; f < NUM_CANDIDATE_FEATURES; f++) { cand[at + f] = 0.0; }
      continue;
    }
    let x = buffers[CAND_OFFSET + e * MAX_OFFSETS + c];
    let top = x + size;
    var above = -1;
    var below = select(0, lifetime, x == 0);
    var touch_above = 0;
    for (var i = 0; i < k; i++) {
      let o = buffers[OFFSET + e * MAX_BUFFERS + u32(i)];
      let bs = trace_i32[T_BUF_START + base + u32(i)];
      let be = trace_i32[T_BUF_END + base + u32(i)];
      if (o < 0 || !overlap(start, end, bs, be)) { continue; }
      let together = min(end, be) - max(start, bs);
      if (o >= top && (above < 0 || o < above)) { above = o; }
      if (o == top) { touch_above += together; }
      if (x > 0 && o + trace_i32[T_BUF_SIZE + base + u32(i)] == x) { below += together; }
    }
    write_candidate_features(at, x, size, peak, above, below, touch_above, lifetime, cap, false);
  }
  let spill_at = (e * MAX_CANDIDATES + MAX_OFFSETS) * NUM_CANDIDATE_FEATURES;
  mask[e * MAX_CANDIDATES + MAX_OFFSETS] = select(0u, 1u, CAPACITY_MODE);
  if (CAPACITY_MODE) {
    write_candidate_features(spill_at, 0, size, peak, -1, 0, 0, lifetime, cap, true);
  } else {
    for (var f = 0u; f < NUM_CANDIDATE_FEATURES; f++) { cand[spill_at + f] = 0.0; }
  }
  write_global_features(
    e * NUM_GLOBAL_FEATURES, k, trace_i32[T_NUM_BUFFERS + tr], trace_f32[T_AREA_FROM + base + u32(k)],
    peak, trace_i32[T_LOWER_BOUND + tr], cap, size, lifetime, trace_i32[T_HORIZON + tr], live_placed,
    i32(count), i32(MAX_OFFSETS), env[SPILLED + e], CAPACITY_MODE,
  );
}
