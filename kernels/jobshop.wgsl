// The job-shop environment step, one invocation per environment copy.
//
// This is envs/jobshop/env.ts in WGSL, function for function and name for name:
//   draw_instance       generator.ts drawInstance
//   load_instance       env.ts loadInstance
//   place_candidate     env.ts placeCandidate
//   reset_copy          env.ts resetCopy
//   step_copy           env.ts stepCopy
//   is_done             env.ts isDone
//   episode_metric      env.ts episodeMetric
//   end_episode         env.ts endEpisode
//   write_observation   env.ts writeObservation (with features.ts)
// The host (envs/jobshop/gpu.ts) prepends the generated header: the sizes and modes as constants,
// every storage binding, and one offset constant per state field (derived from the same layout
// as the CPU's typed arrays, so `job[JOB_READY + i]` here is `s.jobReady[i]` there).
// kernels/batch.wgsl (included below) is the loop around these functions: the `reset` and `step`
// entry points, auto-reset and episode statistics, as src/core/batch-env.ts on the CPU.
//
//#include batch.wgsl

// Integer state, masks and rewards are exact; features are computed in f32 (the CPU computes them
// in f64 and rounds to f32), which the parity tests allow to differ by 1e-5 relative. The feature
// functions mirror envs/jobshop/features.ts argument for argument; their offsets (CF_*, GF_*) and
// scales come from its names and constants in the generated header.

fn write_relative_features(off: u32, start: i32, earliest: i32, work_left: i32, bound: i32) {
  cand[off + CF_START_DELAY] = f32(start - earliest) / TIME_SCALE;
  cand[off + CF_SLACK] = f32(bound - start - work_left) / WORK_SCALE;
}

fn write_candidate_features(
  off: u32, duration: i32, start: i32, earliest: i32, job_ready: i32, machine_last_end: i32,
  work_left: i32, ops_left: i32, num_ops: i32, machine_work_left: i32, machine_busy: i32, bound: i32,
) {
  cand[off + CF_DURATION] = f32(duration) / TIME_SCALE;
  cand[off + CF_START_DELAY] = f32(start - earliest) / TIME_SCALE;
  cand[off + CF_WAIT] = f32(start - job_ready) / TIME_SCALE;
  cand[off + CF_INSERTED] = select(0.0, 1.0, start + duration <= machine_last_end && duration > 0);
  cand[off + CF_JOB_WORK_LEFT] = f32(work_left) / WORK_SCALE;
  cand[off + CF_JOB_OPS_LEFT] = f32(ops_left) / OPS_SCALE;
  cand[off + CF_JOB_PROGRESS] = f32(num_ops - ops_left) / f32(num_ops);
  cand[off + CF_MACHINE_WORK_LEFT] = f32(machine_work_left) / WORK_SCALE;
  cand[off + CF_MACHINE_IDLE] = f32(machine_last_end - machine_busy) / WORK_SCALE;
  cand[off + CF_SLACK] = f32(bound - start - work_left) / WORK_SCALE;
}

fn write_global_features(
  off: u32, ops_left: i32, ops_total: i32, legal: i32, num_jobs: i32, busy_total: i32,
  num_machines: i32, bound: i32, initial_bound: i32,
) {
  glob[off + GF_PROGRESS] = f32(ops_total - ops_left) / f32(ops_total);
  glob[off + GF_LEGAL_FRACTION] = f32(legal) / f32(num_jobs);
  glob[off + GF_UTILIZATION] = select(0.0, f32(busy_total) / (f32(num_machines) * f32(bound)), bound > 0);
  glob[off + GF_BOUND_GROWTH] = f32(bound - initial_bound) / WORK_SCALE;
}

// Random Taillard-style instance: per job, Fisher-Yates machine order, then durations.
fn draw_instance(e: u32) {
  let m = RANDOM_MACHINES;
  for (var j = 0u; j < RANDOM_JOBS; j++) {
    let row = (e * MAX_JOBS + j) * MAX_OPS;
    for (var o = 0u; o < m; o++) { op_instance[OP_MACHINE + row + o] = i32(o); }
    for (var o = m - 1u; o >= 1u; o--) {
      let k = u32(next_int(e, 0, i32(o)));
      let t = op_instance[OP_MACHINE + row + o];
      op_instance[OP_MACHINE + row + o] = op_instance[OP_MACHINE + row + k];
      op_instance[OP_MACHINE + row + k] = t;
    }
    for (var o = 0u; o < m; o++) { op_instance[OP_DURATION + row + o] = next_int(e, MIN_DURATION, MAX_DURATION); }
  }
}

fn load_instance(e: u32, idx: u32) {
  env[NUM_JOBS + e] = instances[INST_NUM_JOBS + idx];
  env[NUM_MACHINES + e] = instances[INST_NUM_MACHINES + idx];
  for (var j = 0u; j < MAX_JOBS; j++) {
    let jb = e * MAX_JOBS + j;
    let src = idx * MAX_JOBS + j;
    job[JOB_NUM_OPS + jb] = instances[INST_JOB_NUM_OPS + src];
    for (var o = 0u; o < MAX_OPS; o++) {
      op_instance[OP_MACHINE + jb * MAX_OPS + o] = instances[INST_OP_MACHINE + src * MAX_OPS + o];
      op_instance[OP_DURATION + jb * MAX_OPS + o] = instances[INST_OP_DURATION + src * MAX_OPS + o];
    }
  }
}

fn place_candidate(e: u32, j: u32) -> i32 {
  let jb = e * MAX_JOBS + j;
  let m = job[CAND_MACHINE + jb];
  if (m < 0) { return job[JOB_READY + jb]; }
  let p = op_instance[OP_DURATION + jb * MAX_OPS + u32(job[JOB_NEXT_OP + jb])];
  let ready = job[JOB_READY + jb];
  // A zero-length operation occupies no machine time: it runs as soon as its job is ready and is
  // never entered in the machine's interval list (slot -1).
  if (p == 0) {
    job[CAND_START + jb] = ready;
    job[CAND_SLOT + jb] = -1;
    return ready + job[JOB_WORK_LEFT + jb];
  }
  let mb = e * MAX_MACHINES + u32(m);
  let base = mb * SLOTS_PER_MACHINE;
  let count = u32(mach[MACH_COUNT + mb]);
  // Intervals do not overlap, so their ends are sorted: bisect to the first that ends after ready.
  var lo = 0u;
  var hi = count;
  while (lo < hi) {
    let mid = (lo + hi) >> 1u;
    if (mach[MACH_END + base + mid] <= ready) { lo = mid + 1u; } else { hi = mid; }
  }
  var start = ready;
  var slot = lo;
  while (slot < count) {
    if (start + p <= mach[MACH_START + base + slot]) { break; }
    start = max(start, mach[MACH_END + base + slot]);
    slot++;
  }
  job[CAND_START + jb] = start;
  job[CAND_SLOT + jb] = i32(slot);
  return start + job[JOB_WORK_LEFT + jb];
}

fn reset_copy(e: u32) {
  if (RANDOM_SOURCE) {
    env[NUM_JOBS + e] = i32(RANDOM_JOBS);
    env[NUM_MACHINES + e] = i32(RANDOM_MACHINES);
    for (var j = 0u; j < MAX_JOBS; j++) { job[JOB_NUM_OPS + e * MAX_JOBS + j] = i32(RANDOM_MACHINES); }
    draw_instance(e);
    env[INSTANCE_INDEX + e] = -1;
  } else {
    var idx = e % NUM_INSTANCES;
    if (env[EPISODE + e] > 0) { idx = (u32(env[INSTANCE_INDEX + e]) + NUM_ENVS % NUM_INSTANCES) % NUM_INSTANCES; }
    load_instance(e, idx);
    env[INSTANCE_INDEX + e] = i32(idx);
  }
  env[EPISODE + e] += 1;

  let job_base = e * MAX_JOBS;
  let mach_base = e * MAX_MACHINES;
  for (var i = job_base * MAX_OPS; i < (job_base + MAX_JOBS) * MAX_OPS; i++) { op_schedule[OP_START + i] = -1; }
  for (var m = mach_base; m < mach_base + MAX_MACHINES; m++) {
    mach[MACH_COUNT + m] = 0;
    mach[MACH_WORK_LEFT + m] = 0;
    mach[MACH_BUSY + m] = 0;
  }
  var ops_total = 0;
  var bound = 0;
  for (var j = 0u; j < MAX_JOBS; j++) {
    let jb = job_base + j;
    let row = jb * MAX_OPS;
    let n = job[JOB_NUM_OPS + jb];
    var work = 0;
    for (var o = 0u; o < u32(n); o++) {
      let d = op_instance[OP_DURATION + row + o];
      work += d;
      let mb = mach_base + u32(op_instance[OP_MACHINE + row + o]);
      mach[MACH_WORK_LEFT + mb] += d;
    }
    ops_total += n;
    job[JOB_NEXT_OP + jb] = 0;
    job[JOB_READY + jb] = 0;
    job[JOB_WORK_LEFT + jb] = work;
    job[CAND_MACHINE + jb] = select(-1, op_instance[OP_MACHINE + row], n > 0);
    job[CAND_START + jb] = 0;
    job[CAND_SLOT + jb] = 0;
    bound = max(bound, work);
  }
  env[OPS_LEFT + e] = ops_total;
  env[OPS_TOTAL + e] = ops_total;
  env[LOWER_BOUND + e] = bound;
  env[INITIAL_LOWER_BOUND + e] = bound;
  env[WORK_DONE + e] = 0;
}

// Schedules job a's next operation in copy e; returns the reward (an integer, exact in f32).
fn step_copy(e: u32, a: u32) -> f32 {
  let jb = e * MAX_JOBS + a;
  let o = u32(job[JOB_NEXT_OP + jb]);
  let op = jb * MAX_OPS + o;
  let p = op_instance[OP_DURATION + op];
  let m = job[CAND_MACHINE + jb];
  let start = job[CAND_START + jb];
  let end = start + p;

  // Insert the interval into the machine's sorted list (zero-length operations are not entered).
  let mb = e * MAX_MACHINES + u32(m);
  if (p > 0) {
    let base = mb * SLOTS_PER_MACHINE;
    let count = u32(mach[MACH_COUNT + mb]);
    let slot = u32(job[CAND_SLOT + jb]);
    for (var i = count; i > slot; i--) {
      mach[MACH_START + base + i] = mach[MACH_START + base + i - 1u];
      mach[MACH_END + base + i] = mach[MACH_END + base + i - 1u];
    }
    mach[MACH_START + base + slot] = start;
    mach[MACH_END + base + slot] = end;
    mach[MACH_COUNT + mb] = i32(count + 1u);
  }
  mach[MACH_WORK_LEFT + mb] -= p;
  mach[MACH_BUSY + mb] += p;

  op_schedule[OP_START + op] = start;
  job[JOB_NEXT_OP + jb] = i32(o + 1u);
  job[JOB_READY + jb] = end;
  job[JOB_WORK_LEFT + jb] -= p;
  job[CAND_MACHINE + jb] = select(-1, op_instance[OP_MACHINE + op + 1u], i32(o + 1u) < job[JOB_NUM_OPS + jb]);
  env[OPS_LEFT + e] -= 1;
  env[WORK_DONE + e] += p;

  // Only the chosen job and the jobs waiting for machine m can have a new start.
  let previous_bound = env[LOWER_BOUND + e];
  var bound = previous_bound;
  let job_base = e * MAX_JOBS;
  let num_jobs = u32(env[NUM_JOBS + e]);
  for (var k = 0u; k < num_jobs; k++) {
    if (k == a || job[CAND_MACHINE + job_base + k] == m) {
      bound = max(bound, place_candidate(e, k));
    }
  }
  env[LOWER_BOUND + e] = bound;

  if (is_done(e)) {
    let makespan = i32(episode_metric(e).x);
    return f32(select(0 - makespan, previous_bound - makespan, DENSE_REWARD));
  }
  return f32(select(0, previous_bound - bound, DENSE_REWARD));
}

fn is_done(e: u32) -> bool {
  return env[OPS_LEFT + e] == 0;
}

fn episode_metric(e: u32) -> vec2u {
  let job_base = e * MAX_JOBS;
  var makespan = 0;
  for (var k = 0u; k < u32(env[NUM_JOBS + e]); k++) { makespan = max(makespan, job[JOB_READY + job_base + k]); }
  return vec2u(u32(makespan), 0u);
}

fn end_episode(e: u32) {
  let job_base = e * MAX_JOBS;
  for (var i = job_base * MAX_OPS; i < (job_base + MAX_JOBS) * MAX_OPS; i++) {
    op_schedule[FINAL_START + i] = op_schedule[OP_START + i];
  }
  env[FINAL_INSTANCE_INDEX + e] = env[INSTANCE_INDEX + e];
}

fn write_observation(e: u32, chosen: i32) {
  let job_base = e * MAX_JOBS;
  let mach_base = e * MAX_MACHINES;
  let num_jobs = u32(env[NUM_JOBS + e]);
  var machine = -1;
  if (chosen >= 0) {
    let cj = job_base + u32(chosen);
    machine = op_instance[OP_MACHINE + cj * MAX_OPS + u32(job[JOB_NEXT_OP + cj] - 1)];
  }

  // Legal set. In the Giffler-Thompson modes, the pivot operation fixes M* and t*.
  var pivot_job = -1;
  var pivot_machine = -1;
  var pivot_time = 0;
  if (MODE != MODE_ACTIVE) {
    for (var j = 0u; j < num_jobs; j++) {
      let jb = job_base + j;
      if (job[CAND_MACHINE + jb] < 0) { continue; }
      var t = job[CAND_START + jb];
      if (MODE == MODE_CONFLICT) { t += op_instance[OP_DURATION + jb * MAX_OPS + u32(job[JOB_NEXT_OP + jb])]; }
      if (pivot_job < 0 || t < pivot_time) {
        pivot_time = t;
        pivot_job = i32(j);
        pivot_machine = job[CAND_MACHINE + jb];
      }
    }
  }
  var legal = 0;
  var earliest = 0x7fffffff;
  for (var j = 0u; j < MAX_JOBS; j++) {
    let jb = job_base + j;
    let m = job[CAND_MACHINE + jb];
    var ok = j < num_jobs && m >= 0;
    if (ok && pivot_job >= 0) {
      let start = job[CAND_START + jb];
      if (MODE == MODE_CONFLICT) {
        ok = m == pivot_machine && (start < pivot_time || i32(j) == pivot_job);
      } else {
        ok = m == pivot_machine && start == pivot_time;
      }
    }
    mask[jb] = select(0u, 1u, ok);
    if (ok) {
      legal++;
      earliest = min(earliest, job[CAND_START + jb]);
    }
  }

  let bound = env[LOWER_BOUND + e];
  for (var j = 0u; j < MAX_JOBS; j++) {
    let jb = job_base + j;
    let m = job[CAND_MACHINE + jb];
    let off = jb * NUM_CANDIDATE_FEATURES;
    if (m < 0 || j >= num_jobs) {
      if (chosen < 0 || i32(j) == chosen) {
        for (var f = 0u; f < NUM_CANDIDATE_FEATURES; f++) { cand[off + f] = 0.0; }
      }
      continue;
    }
    if (chosen >= 0 && i32(j) != chosen && m != machine) {
      write_relative_features(off, job[CAND_START + jb], earliest, job[JOB_WORK_LEFT + jb], bound);
      continue;
    }
    let mb = mach_base + u32(m);
    let count = mach[MACH_COUNT + mb];
    var last_end = 0;
    if (count > 0) { last_end = mach[MACH_END + mb * SLOTS_PER_MACHINE + u32(count) - 1u]; }
    let o = job[JOB_NEXT_OP + jb];
    let num_ops = job[JOB_NUM_OPS + jb];
    write_candidate_features(
      off, op_instance[OP_DURATION + jb * MAX_OPS + u32(o)], job[CAND_START + jb], earliest,
      job[JOB_READY + jb], last_end, job[JOB_WORK_LEFT + jb], num_ops - o, num_ops,
      mach[MACH_WORK_LEFT + mb], mach[MACH_BUSY + mb], bound,
    );
  }
  write_global_features(
    e * NUM_GLOBAL_FEATURES, env[OPS_LEFT + e], env[OPS_TOTAL + e], legal, env[NUM_JOBS + e],
    env[WORK_DONE + e], env[NUM_MACHINES + e], bound, env[INITIAL_LOWER_BOUND + e],
  );
}
