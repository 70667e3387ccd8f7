// The memory-mapping environment step, one invocation per environment copy.
//
// This is envs/memmap/env.ts in WGSL, function for function and name for name:
//   reset_copy          env.ts resetCopy (pick_trace, overlap, align_up: memmap-common.wgsl)
//   gather_overlaps     env.ts gatherOverlaps (sift_down, swap_overlaps: siftDown, swapOverlaps)
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
//#include memmap-common.wgsl

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

fn reset_copy(e: u32) {
  pick_trace(e);
  env[CURSOR + e] = 0;
  env[PEAK + e] = 0;
  env[SPILLED + e] = 0;
  env[NUM_OFFSETS + e] = 0;
  benefit[SPILLED_LO + e] = 0u;
  benefit[SPILLED_HI + e] = 0u;
  for (var i = e * MAX_BUFFERS; i < (e + 1u) * MAX_BUFFERS; i++) { buffers[OFFSET + i] = -1; }
}

// The placed buffers alive with the buffer to place (env.ts Overlaps, the CPU's scratch): address
// intervals [lo, hi) and the time each shares with it, sorted by lo.
var<private> ov_lo: array<i32, MAX_BUFFERS>;
var<private> ov_hi: array<i32, MAX_BUFFERS>;
var<private> ov_shared: array<i32, MAX_BUFFERS>;
var<private> ov_count: u32;

fn swap_overlaps(a: u32, b: u32) {
  var t = ov_lo[a];
  ov_lo[a] = ov_lo[b];
  ov_lo[b] = t;
  t = ov_hi[a];
  ov_hi[a] = ov_hi[b];
  ov_hi[b] = t;
  t = ov_shared[a];
  ov_shared[a] = ov_shared[b];
  ov_shared[b] = t;
}

fn sift_down(root0: u32, end: u32) {
  var root = root0;
  loop {
    var c = 2u * root + 1u;
    if (c >= end) { return; }
    if (c + 1u < end && ov_lo[c + 1u] > ov_lo[c]) { c++; }
    if (ov_lo[root] >= ov_lo[c]) { return; }
    swap_overlaps(root, c);
    root = c;
  }
}

// Heap sort, O(m log m): llvmpipe caps the loop iterations of an invocation (65535 per vector of
// copies), which an O(m^2) double loop exceeds on traces of hundreds of buffers.
fn gather_overlaps(e: u32) {
  let base = u32(env[TRACE_INDEX + e]) * MAX_BUFFERS;
  let k = u32(env[CURSOR + e]);
  let start = trace_i32[T_BUF_START + base + k];
  let end = trace_i32[T_BUF_END + base + k];
  var m = 0u;
  for (var i = 0u; i < k; i++) {
    let o = buffers[OFFSET + e * MAX_BUFFERS + i];
    let bs = trace_i32[T_BUF_START + base + i];
    let be = trace_i32[T_BUF_END + base + i];
    if (o >= 0 && overlap(start, end, bs, be)) {
      ov_lo[m] = o;
      ov_hi[m] = o + trace_i32[T_BUF_SIZE + base + i];
      ov_shared[m] = min(end, be) - max(start, bs);
      m++;
    }
  }
  ov_count = m;
  for (var r = m / 2u; r > 0u; r--) { sift_down(r - 1u, m); }
  for (var last = m; last > 1u; last--) {
    swap_overlaps(0u, last - 1u);
    sift_down(0u, last - 1u);
  }
}

fn find_candidates(e: u32) -> u32 {
  let tr = u32(env[TRACE_INDEX + e]);
  let at = tr * MAX_BUFFERS + u32(env[CURSOR + e]);
  let size = trace_i32[T_BUF_SIZE + at];
  let align = trace_i32[T_BUF_ALIGN + at];
  let cap = trace_i32[T_CAPACITY + tr];
  gather_overlaps(e);
  let m = ov_count;
  let row = e * MAX_OFFSETS;
  var count = 0u;
  var g0 = 0;
  for (var i = 0u; i <= m && count < MAX_OFFSETS; i++) {
    let open = i == m;
    var lo = 0;
    if (!open) { lo = ov_lo[i]; }
    if (open || lo > g0) {
      let x = align_up(g0, align);
      if ((open || x + size <= lo) && !(CAPACITY_MODE && x + size > cap)) {
        buffers[CAND_OFFSET + row + count] = x;
        buffers[CAND_ABOVE + row + count] = select(lo, -1, open);
        count++;
      }
    }
    if (!open) { g0 = max(g0, ov_hi[i]); }
  }
  for (var i = count; i < MAX_OFFSETS; i++) {
    buffers[CAND_OFFSET + row + i] = -1;
    buffers[CAND_ABOVE + row + i] = -1;
  }
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
  let at = tr * MAX_BUFFERS + u32(env[CURSOR + e]);
  let size = trace_i32[T_BUF_SIZE + at];
  let cap = trace_i32[T_CAPACITY + tr];
  let lifetime = trace_i32[T_BUF_END + at] - trace_i32[T_BUF_START + at];
  let peak = env[PEAK + e];
  let m = ov_count;
  var live_placed = 0;
  for (var i = 0u; i < m; i++) { live_placed += ov_hi[i] - ov_lo[i]; }
  for (var c = 0u; c < MAX_OFFSETS; c++) {
    mask[e * MAX_CANDIDATES + c] = select(0u, 1u, c < count);
  }
  for (var c = 0u; c < count; c++) {
    let x = buffers[CAND_OFFSET + e * MAX_OFFSETS + c];
    let top = x + size;
    var below = select(0, lifetime, x == 0);
    var touch_above = 0;
    for (var i = 0u; i < m; i++) {
      if (ov_lo[i] == top) { touch_above += ov_shared[i]; }
      if (x > 0 && ov_hi[i] == x) { below += ov_shared[i]; }
    }
    write_candidate_features(
      (e * MAX_CANDIDATES + c) * NUM_CANDIDATE_FEATURES, x, size, peak,
      buffers[CAND_ABOVE + e * MAX_OFFSETS + c], below, touch_above, lifetime, cap, false,
    );
  }
  for (var i = (e * MAX_CANDIDATES + count) * NUM_CANDIDATE_FEATURES; i < (e * MAX_CANDIDATES + MAX_OFFSETS) * NUM_CANDIDATE_FEATURES; i++) {
    cand[i] = 0.0;
  }
  let spill_at = (e * MAX_CANDIDATES + MAX_OFFSETS) * NUM_CANDIDATE_FEATURES;
  mask[e * MAX_CANDIDATES + MAX_OFFSETS] = select(0u, 1u, CAPACITY_MODE);
  if (CAPACITY_MODE) {
    write_candidate_features(spill_at, 0, size, peak, -1, 0, 0, lifetime, cap, true);
  } else {
    for (var f = 0u; f < NUM_CANDIDATE_FEATURES; f++) { cand[spill_at + f] = 0.0; }
  }
  write_global_features(
    e * NUM_GLOBAL_FEATURES, env[CURSOR + e], trace_i32[T_NUM_BUFFERS + tr], trace_f32[T_AREA_FROM + at],
    peak, trace_i32[T_LOWER_BOUND + tr], cap, size, lifetime, trace_i32[T_HORIZON + tr], live_placed,
    i32(count), i32(MAX_OFFSETS), env[SPILLED + e], CAPACITY_MODE,
  );
}
