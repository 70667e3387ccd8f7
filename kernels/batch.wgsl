// The batch around every environment kernel: src/core/batch-env.ts (BatchEnv) on the device.
// Its `reset` and `step` entry points own seeding's use (each copy's stream in `batch`), the
// illegal-action status, the loop over copies (one invocation each), same-step auto-reset and the
// statistics of finished episodes, and call the kernel's per-copy functions, which mirror the
// environment's TypeScript functions of the same names:
//   fn reset_copy(e: u32)                       resetCopy: a new episode in copy e
//   fn step_copy(e: u32, a: u32) -> f32         stepCopy: applies a legal action, returns the reward
//   fn is_done(e: u32) -> bool                  isDone: the episode is over
//   fn episode_metric(e: u32) -> vec2u          episodeMetric: the metric as a 64-bit count (lo, hi)
//   fn end_episode(e: u32)                      endEpisode: keeps what outlives the auto-reset
//   fn write_observation(e: u32, action: i32)   writeObservation: -1 after a reset
// Buffers: the state's `batch` (rng, episode length, episode return as f32 bits: BATCH_FIELDS),
// and `actions`, `mask`, `step_out` and `status` (src/gpu/kernel-env.ts). The return is summed in
// f32 in step order, as on the CPU, so both backends report the same bits.
//
//#include rng.wgsl
//#include actions.wgsl

override WORKGROUP_SIZE: u32 = 64u;

fn begin_episode(e: u32) {
  batch[EPISODE_LENGTH + e] = 0u;
  batch[EPISODE_RETURN + e] = 0u;
  reset_copy(e);
  write_observation(e, -1);
}

// The host uploads a fresh state with seeded streams, then runs this.
@compute @workgroup_size(WORKGROUP_SIZE)
fn reset(@builtin(global_invocation_id) id: vec3u) {
  let e = id.x;
  if (e >= NUM_ENVS) { return; }
  begin_episode(e);
}

// Runs after check_actions: does nothing while an illegal action is reported.
@compute @workgroup_size(WORKGROUP_SIZE)
fn step(@builtin(global_invocation_id) id: vec3u) {
  let e = id.x;
  if (e >= NUM_ENVS || atomicLoad(&status[0]) != 0u) { return; }
  let a = u32(actions[e]);
  let reward = step_copy(e, a);
  let ret = bitcast<f32>(batch[EPISODE_RETURN + e]) + reward;
  let length = batch[EPISODE_LENGTH + e] + 1u;
  step_out[REWARD + e] = bitcast<u32>(reward);
  step_out[TERMINATED + e] = 0u;
  if (is_done(e)) {
    let metric = episode_metric(e);
    step_out[TERMINATED + e] = 1u;
    step_out[FINAL_RETURN + e] = bitcast<u32>(ret);
    step_out[FINAL_LENGTH + e] = length;
    step_out[FINAL_METRIC_LO + e] = metric.x;
    step_out[FINAL_METRIC_HI + e] = metric.y;
    end_episode(e);
    begin_episode(e);
  } else {
    batch[EPISODE_RETURN + e] = bitcast<u32>(ret);
    batch[EPISODE_LENGTH + e] = length;
    write_observation(e, i32(a));
  }
}
