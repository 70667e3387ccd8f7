// The counter-based generator of src/core/rng.ts, bit for bit (docs/design.md, "The environment contract").
// All arithmetic is u32 and wraps, as TypeScript's Math.imul and >>> 0 do.
// Expects the state's `batch` buffer, whose field RNG holds one stream state per environment copy.

fn rng_permute(state: u32) -> u32 {
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn rng_advance(state: u32) -> u32 {
  return state * 747796405u + 2891336453u;
}

fn rng_hash(x: u32) -> u32 {
  return rng_permute(rng_advance(x));
}

fn stream_seed(seed: u32, env_index: u32) -> u32 {
  return rng_hash(seed ^ rng_hash(env_index + 1u));
}

// One draw from a stream held in a local variable (any buffer's stream can be loaded into one).
fn rng_next(state: ptr<function, u32>) -> u32 {
  *state = rng_advance(*state);
  return rng_permute(*state);
}

// Inclusive range [lo, hi].
fn rng_int(state: ptr<function, u32>, lo: i32, hi: i32) -> i32 {
  return lo + i32(rng_next(state) % u32(hi - lo + 1));
}

// The environment's own streams, batch[RNG + i], as src/core/rng.ts nextU32/nextUnit/nextInt.
fn next_u32(i: u32) -> u32 {
  var s = batch[RNG + i];
  let out = rng_next(&s);
  batch[RNG + i] = s;
  return out;
}

fn next_unit(i: u32) -> f32 {
  return f32(next_u32(i) >> 8u) * (1.0 / 16777216.0);
}

fn next_int(i: u32, lo: i32, hi: i32) -> i32 {
  var s = batch[RNG + i];
  let out = rng_int(&s, lo, hi);
  batch[RNG + i] = s;
  return out;
}
