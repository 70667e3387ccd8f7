// Streams of DAG jobs on a heterogeneous SoC, one invocation per environment copy.
//
// This is envs/soc/env.ts in WGSL, function for function and name for name:
//   arrival_gap        env.ts arrivalGap
//   draw_template      env.ts drawTemplate
//   noisy_duration     env.ts noisyDuration
//   start_episode      env.ts startEpisode
//   admit              env.ts admit
//   complete           env.ts complete (the host also records the finished job: finishedJob)
//   advance            env.ts advance
//   data_ready         env.ts dataReady
//   reset_copy         env.ts resetCopy
//   step_copy          env.ts stepCopy (with costReward)
//   is_done            env.ts isDone
//   episode_metric     env.ts episodeMetric
//   end_episode        SocEnv.endEpisode (on the host it keeps the recorded jobs; nothing here)
//   better, keep       env.ts better, keep (the TopK scratch is `keep_*` here)
//   path_left          env.ts pathLeft
//   write_observation  env.ts writeObservation (with features.ts)
// The host (envs/soc/gpu.ts) prepends the generated header: sizes and scales as constants, the
// workload tables (workload.ts), every state field's offset (layout.ts) and the bindings. Every
// state word is u32; the episode return and the upward ranks are f32 stored as bits.
// kernels/batch.wgsl (included below) is the loop around these functions: the `reset` and `step`
// entry points, auto-reset and episode statistics, as src/core/batch-env.ts on the CPU.
//
// Integer state, masks, rewards and returns are exact on both backends: times are integer ticks,
// the only floating-point steps are single f32 multiplies that IEEE rounds identically
// (arrival gaps, noise, the reward scale) and f32 additions of the return. Features are computed
// in f32 (the CPU computes them in f64), which the parity tests allow to differ by 1e-5 relative.
//
//#include batch.wgsl

const WAITING = 0u;
const READY = 1u;
const RUNNING = 2u;
const DONE = 3u;

fn job_template(e: u32, job: u32) -> u32 { return env[JOB_TEMPLATE + e * JOBS_PER_EPISODE + job]; }
fn job_arrival(e: u32, job: u32) -> u32 { return env[JOB_ARRIVAL + e * JOBS_PER_EPISODE + job]; }
fn task_index(e: u32, slot: u32, t: u32) -> u32 { return (e * SLOTS + slot) * MAX_TASKS + t; }
fn rank_of(global_task: u32) -> f32 { return bitcast<f32>(workload[RANK + global_task]); }

// 64-bit sums as (lo, hi) words: latency totals and latency integrals never wrap.
fn wide_add(a: vec2u, b: vec2u) -> vec2u {
  let lo = a.x + b.x;
  return vec2u(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}

fn wide_mul(a: u32, b: u32) -> vec2u {
  let ll = (a & 0xffffu) * (b & 0xffffu);
  let lh = (a & 0xffffu) * (b >> 16u);
  let hl = (a >> 16u) * (b & 0xffffu);
  let hh = (a >> 16u) * (b >> 16u);
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return vec2u((ll & 0xffffu) | (mid << 16u), hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u));
}

// Exponential gap by the quantile table, interpolated (workload.ts).
fn arrival_gap(u: u32, gap_scale: f32) -> u32 {
  let i = u >> 22u;
  let frac = (u >> 12u) & 1023u;
  let a = workload[EXP_KNOTS + i];
  let b = workload[EXP_KNOTS + i + 1u];
  let q = a + (((b - a) * frac) >> 10u);
  return u32(floor(f32(q) * gap_scale));
}

// Which of a mix's n values (loads or noise levels) an episode plays (env.ts drawFromMix): a
// single value takes no draw.
fn draw_from_mix(s: ptr<function, u32>, n: u32) -> u32 {
  if (n == 1u) { return 0u; }
  return rng_next(s) % n;
}

fn episode_noise_scale(e: u32) -> f32 {
  return bitcast<f32>(workload[NOISE_SCALES + env[EPISODE_NOISE + e]]);
}

fn draw_template(u: u32) -> u32 {
  let v = u >> 8u;
  var k = 0u;
  while (k < NUM_TEMPLATES - 1u && v >= workload[MIX_THRESHOLD + k]) { k++; }
  return k;
}

// Irwin-Hall deviate keyed by (episode, job, task): the same on every backend and for every
// scheduler.
fn noisy_duration(noise_scale: f32, key: u32, job: u32, task: u32, exec: u32) -> u32 {
  if (noise_scale == 0.0) { return exec; }
  var s = rng_hash(rng_hash(key ^ rng_hash(job + 1u)) ^ (task + 1u));
  var sum = 0u;
  for (var i = 0u; i < 12u; i++) { sum += rng_next(&s) >> 20u; }
  let z = f32(i32(sum) - NOISE_MEAN) * noise_scale;
  let delta = i32(floor(f32(exec) * z));
  return u32(max(i32(exec) + delta, i32(exec / 10u)));
}

fn start_episode(e: u32) {
  env[NOW + e] = 0u;
  env[ARRIVED + e] = 0u;
  env[ADMITTED + e] = 0u;
  env[FINISHED + e] = 0u;
  env[READY_TASKS + e] = 0u;
  env[LATENCY_LO + e] = 0u;
  env[LATENCY_HI + e] = 0u;
  var s = batch[RNG + e];
  env[EPISODE_KEY + e] = rng_next(&s);
  let gap_scale = bitcast<f32>(workload[GAP_SCALES + draw_from_mix(&s, NUM_GAPS)]);
  env[EPISODE_NOISE + e] = draw_from_mix(&s, NUM_NOISES);
  var time = 0u;
  for (var i = 0u; i < JOBS_PER_EPISODE; i++) {
    if (i > 0u) { time += arrival_gap(rng_next(&s), gap_scale); }
    env[JOB_ARRIVAL + e * JOBS_PER_EPISODE + i] = time;
    env[JOB_TEMPLATE + e * JOBS_PER_EPISODE + i] = draw_template(rng_next(&s));
  }
  batch[RNG + e] = s;
  for (var p = 0u; p < NUM_PROCS; p++) {
    env[PE_FREE + e * NUM_PROCS + p] = 0u;
    env[PE_PLANNED + e * NUM_PROCS + p] = 0u;
  }
  for (var slot = 0u; slot < SLOTS; slot++) { env[SLOT_JOB + e * SLOTS + slot] = FREE_SLOT; }
}

fn admit(e: u32, slot: u32, job: u32) {
  let tpl = job_template(e, job);
  let n = workload[TEMPLATE_TASKS + tpl];
  let base = workload[TEMPLATE_BASE + tpl];
  let ss = e * SLOTS + slot;
  env[SLOT_JOB + ss] = job;
  env[SLOT_TASKS_LEFT + ss] = n;
  env[SLOT_LAST_FINISH + ss] = job_arrival(e, job);
  for (var t = 0u; t < MAX_TASKS; t++) {
    let i = ss * MAX_TASKS + t;
    var preds = 0u;
    if (t < n) { preds = workload[PRED_START + base + t + 1u] - workload[PRED_START + base + t]; }
    task_state[TASK_PREDS_LEFT + i] = preds;
    task_state[TASK_STATUS + i] = select(select(WAITING, READY, preds == 0u), DONE, t >= n);
    task_state[TASK_PROC + i] = 0u;
    task_time[TASK_START + i] = 0u;
    task_time[TASK_FINISH + i] = 0u;
    if (t < n && preds == 0u) { env[READY_TASKS + e] += 1u; }
  }
}

fn complete(e: u32, slot: u32, t: u32) {
  let ss = e * SLOTS + slot;
  let job = env[SLOT_JOB + ss];
  let gt = workload[TEMPLATE_BASE + job_template(e, job)] + t;
  let i = ss * MAX_TASKS + t;
  let finish = task_time[TASK_FINISH + i];
  task_state[TASK_STATUS + i] = DONE;
  env[SLOT_LAST_FINISH + ss] = max(env[SLOT_LAST_FINISH + ss], finish);
  // A PE seen idle is free now, whatever its plan said: schedulers observe that much.
  let pe = e * NUM_PROCS + task_state[TASK_PROC + i];
  if (env[PE_FREE + pe] == finish) { env[PE_PLANNED + pe] = min(env[PE_PLANNED + pe], env[NOW + e]); }
  for (var k = workload[SUCC_START + gt]; k < workload[SUCC_START + gt + 1u]; k++) {
    let succ = ss * MAX_TASKS + workload[SUCC_TASK + k];
    let left = task_state[TASK_PREDS_LEFT + succ] - 1u;
    task_state[TASK_PREDS_LEFT + succ] = left;
    if (left == 0u) {
      task_state[TASK_STATUS + succ] = READY;
      env[READY_TASKS + e] += 1u;
    }
  }
  env[SLOT_TASKS_LEFT + ss] -= 1u;
  if (env[SLOT_TASKS_LEFT + ss] > 0u) { return; }
  let latency = env[SLOT_LAST_FINISH + ss] - job_arrival(e, job);
  let sum = wide_add(vec2u(env[LATENCY_LO + e], env[LATENCY_HI + e]), vec2u(latency, 0u));
  env[LATENCY_LO + e] = sum.x;
  env[LATENCY_HI + e] = sum.y;
  env[FINISHED + e] += 1u;
  env[SLOT_JOB + ss] = FREE_SLOT;
}

// Arrivals, completions and admissions at `now`, else a jump to the next event, until a task is
// ready or the episode is over. Returns the latency integral (ticks x jobs) that passed.
fn advance(e: u32) -> vec2u {
  var cost = vec2u(0u, 0u);
  loop {
    let now = env[NOW + e];
    while (env[ARRIVED + e] < JOBS_PER_EPISODE && job_arrival(e, env[ARRIVED + e]) <= now) {
      env[ARRIVED + e] += 1u;
    }
    // Completions due now; the earliest later one is the next event unless an arrival comes
    // first (jobs admitted below have nothing running yet).
    var next = 0xffffffffu;
    if (env[ARRIVED + e] < JOBS_PER_EPISODE) { next = job_arrival(e, env[ARRIVED + e]); }
    for (var slot = 0u; slot < SLOTS; slot++) {
      let job = env[SLOT_JOB + e * SLOTS + slot];
      if (job == FREE_SLOT) { continue; }
      let n = workload[TEMPLATE_TASKS + job_template(e, job)];
      for (var t = 0u; t < n; t++) {
        let i = task_index(e, slot, t);
        if (task_state[TASK_STATUS + i] != RUNNING) { continue; }
        let finish = task_time[TASK_FINISH + i];
        if (finish <= now) { complete(e, slot, t); } else { next = min(next, finish); }
      }
    }
    for (var slot = 0u; slot < SLOTS && env[ADMITTED + e] < env[ARRIVED + e]; slot++) {
      if (env[SLOT_JOB + e * SLOTS + slot] != FREE_SLOT) { continue; }
      admit(e, slot, env[ADMITTED + e]);
      env[ADMITTED + e] += 1u;
    }
    if (env[READY_TASKS + e] > 0u || env[FINISHED + e] == JOBS_PER_EPISODE) { return cost; }
    // Unreachable for valid workloads (the CPU reference throws): never spin.
    if (next == 0xffffffffu) { return cost; }
    cost = wide_add(cost, wide_mul(next - now, env[ARRIVED + e] - env[FINISHED + e]));
    env[NOW + e] = next;
  }
}

fn data_ready(e: u32, slot: u32, t: u32, p: u32) -> u32 {
  let ss = e * SLOTS + slot;
  let gt = workload[TEMPLATE_BASE + job_template(e, env[SLOT_JOB + ss])] + t;
  var ready = env[NOW + e];
  for (var k = workload[PRED_START + gt]; k < workload[PRED_START + gt + 1u]; k++) {
    let q = ss * MAX_TASKS + workload[PRED_TASK + k];
    let cls = workload[PROC_CLASS + task_state[TASK_PROC + q] * NUM_PROCS + p];
    ready = max(ready, task_time[TASK_FINISH + q] + workload[TRANSFER + k * NUM_CLASSES + cls]);
  }
  return ready;
}

fn reset_copy(e: u32) {
  start_episode(e);
  advance(e);
}

fn step_copy(e: u32, a: u32) -> f32 {
  let packed = env[CANDIDATE + e * MAX_CANDIDATES + a];
  let slot = packed >> 24u;
  let t = (packed >> 8u) & 0xffffu;
  let p = packed & 0xffu;
  let ss = e * SLOTS + slot;
  let job = env[SLOT_JOB + ss];
  let exec = workload[EXEC + (workload[TEMPLATE_BASE + job_template(e, job)] + t) * NUM_PROCS + p];
  let ready = data_ready(e, slot, t, p);
  let start = max(ready, env[PE_FREE + e * NUM_PROCS + p]);
  env[PE_PLANNED + e * NUM_PROCS + p] = max(ready, env[PE_PLANNED + e * NUM_PROCS + p]) + exec;
  let finish = start + noisy_duration(episode_noise_scale(e), env[EPISODE_KEY + e], job, t, exec);
  let i = ss * MAX_TASKS + t;
  task_state[TASK_STATUS + i] = RUNNING;
  task_state[TASK_PROC + i] = p;
  task_time[TASK_START + i] = start;
  task_time[TASK_FINISH + i] = finish;
  env[PE_FREE + e * NUM_PROCS + p] = finish;
  env[READY_TASKS + e] -= 1u;
  let cost = advance(e);
  // env.ts costReward: pieces below 2^24 convert exactly, added in the same order; products
  // with powers of two are exact, so a fused multiply-add rounds as the CPU's two steps do.
  let upper = f32(cost.y) * 4294967296.0 + f32(cost.x >> 16u) * 65536.0;
  return select(-((upper + f32(cost.x & 0xffffu)) * REWARD_SCALE), 0.0, cost.x == 0u && cost.y == 0u);
}

fn is_done(e: u32) -> bool {
  return env[FINISHED + e] == JOBS_PER_EPISODE;
}

fn episode_metric(e: u32) -> vec2u {
  return vec2u(env[LATENCY_LO + e], env[LATENCY_HI + e]);
}

fn end_episode(e: u32) {}

// The K best candidates so far, best first (env.ts TopK).
var<private> keep_rank: array<f32, MAX_CANDIDATES>;
var<private> keep_finish: array<u32, MAX_CANDIDATES>;
var<private> keep_job: array<u32, MAX_CANDIDATES>;
var<private> keep_packed: array<u32, MAX_CANDIDATES>;

fn better(k: u32, rank: f32, finish: u32, job: u32, packed: u32) -> bool {
  if (rank != keep_rank[k]) { return rank > keep_rank[k]; }
  if (finish != keep_finish[k]) { return finish < keep_finish[k]; }
  if (job != keep_job[k]) { return job < keep_job[k]; }
  return packed < keep_packed[k];
}

fn keep(count: u32, rank: f32, finish: u32, job: u32, packed: u32) -> u32 {
  var k = min(count, MAX_CANDIDATES - 1u);
  if (count >= MAX_CANDIDATES && !better(k, rank, finish, job, packed)) { return count; }
  while (k > 0u && better(k - 1u, rank, finish, job, packed)) {
    keep_rank[k] = keep_rank[k - 1u];
    keep_finish[k] = keep_finish[k - 1u];
    keep_job[k] = keep_job[k - 1u];
    keep_packed[k] = keep_packed[k - 1u];
    k--;
  }
  keep_rank[k] = rank;
  keep_finish[k] = finish;
  keep_job[k] = job;
  keep_packed[k] = packed;
  return min(count + 1u, MAX_CANDIDATES);
}

fn path_left(e: u32, slot: u32) -> f32 {
  let ss = e * SLOTS + slot;
  let tpl = job_template(e, env[SLOT_JOB + ss]);
  let base = workload[TEMPLATE_BASE + tpl];
  var most = 0.0;
  for (var t = 0u; t < workload[TEMPLATE_TASKS + tpl]; t++) {
    let status = task_state[TASK_STATUS + ss * MAX_TASKS + t];
    if (status == READY || status == WAITING) { most = max(most, rank_of(base + t)); }
  }
  return most;
}

// The feature functions mirror envs/soc/features.ts argument for argument; their offsets (CF_*,
// GF_*) and scales come from its names and constants in the generated header. Times are passed in
// ticks (TICKS_PER_UNIT per table unit), so that differences are taken exactly in integers before
// the one conversion to f32; ranks are f32 ticks already.
const TIME_TICKS = TIME_SCALE * TICKS_PER_UNIT;

fn ticks_feature(ticks: u32) -> f32 { return f32(ticks) / TIME_TICKS; }

fn write_candidate_features(
  off: u32, exec: u32, fastest_exec: u32, now: u32, data_ready: u32, pe_planned_free: u32,
  upward_rank: f32, job_arrival: u32, job_tasks_left: u32, job_tasks: u32, job_path_left: f32,
  pe_busy: u32,
) {
  let start = max(data_ready, pe_planned_free);
  cand[off + CF_EXEC_TIME] = ticks_feature(exec);
  cand[off + CF_FINISH_DELAY] = ticks_feature(start + exec - now);
  cand[off + CF_DATA_WAIT] = ticks_feature(data_ready - now);
  cand[off + CF_PE_WAIT] = ticks_feature(max(pe_planned_free, now) - now);
  cand[off + CF_UPWARD_RANK] = upward_rank / TIME_TICKS;
  cand[off + CF_JOB_AGE] = ticks_feature(now - job_arrival);
  // Some DS3 tasks take 0 us somewhere: such a processor is as fast as any.
  cand[off + CF_SPEED] = select(1.0, f32(fastest_exec) / f32(exec), exec > 0u);
  cand[off + CF_JOB_LEFT] = f32(job_tasks_left) / f32(job_tasks);
  cand[off + CF_JOB_PATH] = job_path_left / TIME_TICKS;
  cand[off + CF_PE_BUSY] = select(0.0, 1.0, pe_busy > 0u);
}

fn write_global_features(
  off: u32, jobs_in_system: u32, ready_tasks: u32, idle_processors: u32, processors: u32,
  jobs_to_arrive: u32, jobs_per_episode: u32,
) {
  glob[off + GF_JOBS_IN_SYSTEM] = f32(jobs_in_system) / JOBS_SCALE;
  glob[off + GF_READY_TASKS] = f32(ready_tasks) / TASKS_SCALE;
  glob[off + GF_IDLE_PES] = f32(idle_processors) / f32(processors);
  glob[off + GF_EPISODE_LEFT] = f32(jobs_to_arrive) / f32(jobs_per_episode);
}

fn write_observation(e: u32, action: i32) {
  var count = 0u;
  for (var slot = 0u; slot < SLOTS; slot++) {
    let job = env[SLOT_JOB + e * SLOTS + slot];
    if (job == FREE_SLOT) { continue; }
    let tpl = job_template(e, job);
    let base = workload[TEMPLATE_BASE + tpl];
    let n = workload[TEMPLATE_TASKS + tpl];
    for (var t = 0u; t < n; t++) {
      if (task_state[TASK_STATUS + task_index(e, slot, t)] != READY) { continue; }
      let rank = rank_of(base + t);
      for (var p = 0u; p < NUM_PROCS; p++) {
        let exec = workload[EXEC + (base + t) * NUM_PROCS + p];
        if (exec == CANNOT_RUN) { continue; }
        let start = max(data_ready(e, slot, t, p), env[PE_PLANNED + e * NUM_PROCS + p]);
        count = keep(count, rank, start + exec, job, (slot << 24u) | (t << 8u) | p);
      }
    }
  }
  env[NUM_CANDIDATES + e] = count;
  let now = env[NOW + e];
  for (var k = 0u; k < MAX_CANDIDATES; k++) {
    let off = (e * MAX_CANDIDATES + k) * NUM_CANDIDATE_FEATURES;
    if (k >= count) {
      env[CANDIDATE + e * MAX_CANDIDATES + k] = 0u;
      mask[e * MAX_CANDIDATES + k] = 0u;
      for (var f = 0u; f < NUM_CANDIDATE_FEATURES; f++) { cand[off + f] = 0.0; }
      continue;
    }
    let packed = keep_packed[k];
    let slot = packed >> 24u;
    let t = (packed >> 8u) & 0xffffu;
    let p = packed & 0xffu;
    let ss = e * SLOTS + slot;
    let job = env[SLOT_JOB + ss];
    let tpl = job_template(e, job);
    let gt = workload[TEMPLATE_BASE + tpl] + t;
    env[CANDIDATE + e * MAX_CANDIDATES + k] = packed;
    mask[e * MAX_CANDIDATES + k] = 1u;
    write_candidate_features(
      off, workload[EXEC + gt * NUM_PROCS + p], workload[FASTEST + gt], now, data_ready(e, slot, t, p),
      env[PE_PLANNED + e * NUM_PROCS + p], rank_of(gt), job_arrival(e, job), env[SLOT_TASKS_LEFT + ss],
      workload[TEMPLATE_TASKS + tpl], path_left(e, slot),
      select(0u, 1u, env[PE_FREE + e * NUM_PROCS + p] > now),
    );
  }
  var idle = 0u;
  for (var p = 0u; p < NUM_PROCS; p++) {
    if (env[PE_FREE + e * NUM_PROCS + p] <= now) { idle++; }
  }
  write_global_features(
    e * NUM_GLOBAL_FEATURES, env[ARRIVED + e] - env[FINISHED + e], env[READY_TASKS + e], idle,
    NUM_PROCS, JOBS_PER_EPISODE - env[ARRIVED + e], JOBS_PER_EPISODE,
  );
}
