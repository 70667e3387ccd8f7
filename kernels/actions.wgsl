// Entry points every environment kernel shares, over its `actions`, `mask` and `action_rng`
// buffers and the `status` word (src/gpu/kernel-env.ts). Needs NUM_ENVS and MAX_CANDIDATES.

// Checks every action against the mask before any copy moves, so that an illegal action leaves
// the whole batch untouched (as the CPU reference does). A nonzero status[0] is 1 + the index of
// an offending copy; a kernel's `step` does nothing while it is set, and the host clears it when
// it reads it (or on reset).
@compute @workgroup_size(WORKGROUP_SIZE)
fn check_actions(@builtin(global_invocation_id) id: vec3u) {
  let e = id.x;
  if (e >= NUM_ENVS) { return; }
  let a = actions[e];
  if (a < 0 || u32(a) >= MAX_CANDIDATES || mask[e * MAX_CANDIDATES + u32(a)] == 0u) {
    atomicMax(&status[0], e + 1u);
  }
}

// Uniform random legal actions into `actions`, from each copy's action stream: src/core/vecenv.ts
// randomLegalActions on the device (benchmarks and smoke runs that never leave the GPU).
@compute @workgroup_size(WORKGROUP_SIZE)
fn random_actions(@builtin(global_invocation_id) id: vec3u) {
  let e = id.x;
  if (e >= NUM_ENVS) { return; }
  var legal = 0;
  for (var k = 0u; k < MAX_CANDIDATES; k++) { legal += i32(mask[e * MAX_CANDIDATES + k]); }
  var s = action_rng[e];
  var pick = rng_int(&s, 0, legal - 1);
  action_rng[e] = s;
  for (var k = 0u; k < MAX_CANDIDATES; k++) {
    if (mask[e * MAX_CANDIDATES + k] == 1u) {
      if (pick == 0) {
        actions[e] = i32(k);
        return;
      }
      pick--;
    }
  }
}
