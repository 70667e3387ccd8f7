// Edge/cloud offloading of DNN inference tasks, one invocation per environment copy.
//
// This is envs/offload/env.ts in WGSL, function for function and name for name:
//   model_of, drone_of, source_edge, arrival, deadline    env.ts modelOf ... deadline
//   queue_key, before                                     env.ts queueKey, before
//   expected_edge, edge_cost, keyed_draw, spread          env.ts expectedEdge ... spread
//   actual_edge, factor_at, cloud_latency                 env.ts actualEdge, factorAt, cloudLatency
//   observed_ratio, expected_cloud                        env.ts observedRatio, expectedCloud
//   start_episode, dispatch, drop_task, to_cloud          env.ts startEpisode, dispatch, drop, toCloud
//   migrate, start_task, complete, remove_at              env.ts migrate, start, complete, removeAt
//   stealable, start_next, leave_time, advance            env.ts stealable ... advance
//   insert_position, backlog, displaced, enqueue          env.ts insertPosition ... enqueue
//   reset_copy, step_copy, is_done, episode_metric        env.ts resetCopy ... episodeMetric
//   end_episode                                           env.ts endEpisode
//   choose_neighbours, write_observation                  env.ts chooseNeighbours, writeObservation
//   write_candidate_features, write_global_features       features.ts writers
// The host (envs/offload/gpu.ts) prepends the generated header: sizes, the scenario's permille
// numbers and the discipline as constants, the model tables, every state field's offset
// (layout.ts) and the bindings. All state is u32 integer milliseconds and utilities, so state,
// masks, rewards and returns are exact on both backends; features are f32 (the CPU computes them
// in f64), within the parity tolerance.
//
//#include batch.wgsl

fn model_of(i: u32) -> u32 { return i % MODELS; }
fn drone_of(i: u32) -> u32 { return (i / MODELS) % DRONES; }
fn source_edge(i: u32) -> u32 { return drone_of(i) % EDGES; }
fn tx(e: u32, i: u32) -> u32 { return e * TASKS + i; }

fn arrival(e: u32, i: u32) -> u32 {
  let segment = i / (MODELS * DRONES);
  return segment * SEGMENT_MS + env[DRONE_PHASE + e * DRONES + drone_of(i)];
}

fn deadline(e: u32, i: u32) -> u32 { return arrival(e, i) + tables[DEADLINE_MS + model_of(i)]; }

fn queue_key(e: u32, i: u32) -> u32 {
  if (ORDER == 0u) { return i; }
  if (ORDER == 1u) { return deadline(e, i); }
  return tables[STATIC_KEY + model_of(i)];
}

fn before(e: u32, a: u32, b: u32) -> bool {
  let ka = queue_key(e, a);
  let kb = queue_key(e, b);
  return ka < kb || (ka == kb && a < b);
}

fn transfer_to(i: u32, edge: u32) -> u32 { return select(TRANSFER_MS, 0u, edge == source_edge(i)); }

fn expected_edge(i: u32, edge: u32) -> u32 { return tables[EDGE_MS + model_of(i)] + transfer_to(i, edge); }

fn edge_cost(i: u32, edge: u32) -> u32 {
  return tables[EDGE_COST + model_of(i)] + select(TRANSFER_COST, 0u, edge == source_edge(i));
}

fn keyed_draw(key: u32, i: u32, salt: u32) -> u32 {
  return rng_hash(rng_hash(key ^ rng_hash(i + 1u)) ^ salt);
}

fn spread(base: u32, spread_permille: u32, u: u32) -> u32 {
  let a = (base * spread_permille) / 1000u;
  if (a == 0u) { return max(base, 1u); }
  return max(base - a + (u % (2u * a + 1u)), 1u);
}

fn actual_edge(e: u32, i: u32, edge: u32) -> u32 {
  let run = spread(tables[EDGE_MS + model_of(i)], EDGE_NOISE, keyed_draw(env[EPISODE_KEY + e], i, 1u));
  return run + transfer_to(i, edge);
}

fn factor_at(e: u32, time: u32) -> u32 {
  let segment = min(time / SEGMENT_MS, SEGMENTS);
  return env[NET_FACTOR + e * (SEGMENTS + 1u) + segment];
}

fn cloud_latency(e: u32, i: u32, time: u32) -> u32 {
  let base = (tables[CLOUD_MS + model_of(i)] * factor_at(e, time)) / 1000u;
  return spread(base, JITTER, keyed_draw(env[EPISODE_KEY + e], i, 2u));
}

fn observed_ratio(e: u32) -> u32 {
  let n = min(env[OBSERVED + e], HISTORY_LEN);
  if (n == 0u) { return 1000u; }
  var sum = 0u;
  for (var k = 0u; k < n; k++) { sum += env[HISTORY + e * HISTORY_LEN + k]; }
  return sum / n;
}

fn expected_cloud(e: u32, m: u32) -> u32 {
  let ratio = select(1000u, observed_ratio(e), ADAPTIVE);
  return (tables[CLOUD_MS + m] * ratio) / 1000u;
}

fn start_episode(e: u32) {
  env[NOW + e] = 0u;
  env[NEXT + e] = 0u;
  env[LOW + e] = 0u;
  env[RESOLVED + e] = 0u;
  env[MET + e] = 0u;
  env[OBSERVED + e] = 0u;
  env[UTILITY + e] = UTILITY_OFFSET * TASKS;
  var s = batch[RNG + e];
  env[EPISODE_KEY + e] = rng_next(&s);
  for (var j = 0u; j < DRONES; j++) {
    let lo = (j * SEGMENT_MS) / DRONES;
    let width = max(((j + 1u) * SEGMENT_MS) / DRONES - lo, 1u);
    env[DRONE_PHASE + e * DRONES + j] = lo + (rng_next(&s) % width);
  }
  var factor = 1000i;
  if (MAX_FACTOR > 1000i) { factor += i32(rng_next(&s) % u32(MAX_FACTOR - 1000i + 1i)); }
  for (var k = 0u; k < SEGMENTS + 1u; k++) {
    if (k > 0u && DRIFT > 0u) {
      factor += i32(rng_next(&s) % (2u * DRIFT + 1u));
      factor = min(max(factor - i32(DRIFT), MIN_FACTOR), MAX_FACTOR);
    }
    env[NET_FACTOR + e * (SEGMENTS + 1u) + k] = u32(factor);
  }
  batch[RNG + e] = s;
  for (var k = 0u; k < HISTORY_LEN; k++) { env[HISTORY + e * HISTORY_LEN + k] = 0u; }
  for (var d = 0u; d < EDGES; d++) {
    env[EDGE_RUNNING + e * EDGES + d] = NONE;
    env[EDGE_FREE + e * EDGES + d] = 0u;
    env[QUEUE_LENGTH + e * EDGES + d] = 0u;
    for (var q = 0u; q < QUEUE_SLOTS; q++) { env[QUEUE + (e * EDGES + d) * QUEUE_SLOTS + q] = 0u; }
  }
  for (var k = 0u; k < MAX_CANDIDATES; k++) { env[CANDIDATE_EDGE + e * MAX_CANDIDATES + k] = 0u; }
  for (var i = 0u; i < TASKS; i++) {
    task[TASK_STATUS + tx(e, i)] = FUTURE;
    task[TASK_PLACE + tx(e, i)] = 0u;
    task[TASK_START + tx(e, i)] = 0u;
    task[TASK_FINISH + tx(e, i)] = 0u;
  }
}

fn dispatch(e: u32, i: u32, time: u32) {
  task[TASK_STATUS + tx(e, i)] = CLOUD;
  task[TASK_PLACE + tx(e, i)] = CLOUD_PLACE;
  task[TASK_START + tx(e, i)] = time;
  task[TASK_FINISH + tx(e, i)] = time + cloud_latency(e, i, time);
}

fn drop_task(e: u32, i: u32) {
  task[TASK_STATUS + tx(e, i)] = DROPPED;
  task[TASK_PLACE + tx(e, i)] = DROP_PLACE;
  task[TASK_START + tx(e, i)] = env[NOW + e];
  task[TASK_FINISH + tx(e, i)] = env[NOW + e];
  env[RESOLVED + e] += 1u;
}

fn to_cloud(e: u32, i: u32) {
  if (STEAL) {
    task[TASK_STATUS + tx(e, i)] = HELD;
    task[TASK_PLACE + tx(e, i)] = CLOUD_PLACE;
  } else {
    dispatch(e, i, env[NOW + e]);
  }
}

fn migrate(e: u32, i: u32) {
  let m = model_of(i);
  let viable = tables[BENEFIT + m] > tables[CLOUD_COST + m] &&
    env[NOW + e] + expected_cloud(e, m) <= deadline(e, i);
  if (viable) { to_cloud(e, i); } else { drop_task(e, i); }
}

fn start_task(e: u32, i: u32, edge: u32) {
  let now = env[NOW + e];
  let finish = now + actual_edge(e, i, edge);
  task[TASK_STATUS + tx(e, i)] = RUNNING;
  task[TASK_PLACE + tx(e, i)] = edge;
  task[TASK_START + tx(e, i)] = now;
  task[TASK_FINISH + tx(e, i)] = finish;
  env[EDGE_RUNNING + e * EDGES + edge] = i;
  env[EDGE_FREE + e * EDGES + edge] = finish;
}

fn complete(e: u32, i: u32) -> i32 {
  let x = tx(e, i);
  let m = model_of(i);
  let place = task[TASK_PLACE + x];
  let met = task[TASK_FINISH + x] <= deadline(e, i);
  let gain = select(0u, tables[BENEFIT + m], met);
  var cost = tables[CLOUD_COST + m];
  if (task[TASK_STATUS + x] == RUNNING) {
    cost = edge_cost(i, place);
    env[EDGE_RUNNING + e * EDGES + place] = NONE;
  } else {
    let ratio = ((task[TASK_FINISH + x] - task[TASK_START + x]) * 1000u) / tables[CLOUD_MS + m];
    env[HISTORY + e * HISTORY_LEN + env[OBSERVED + e] % HISTORY_LEN] = ratio;
    env[OBSERVED + e] += 1u;
  }
  task[TASK_STATUS + x] = DONE;
  env[RESOLVED + e] += 1u;
  if (met) { env[MET + e] += 1u; }
  env[UTILITY + e] = env[UTILITY + e] + gain - cost;
  return i32(gain) - i32(cost) + select(0i, i32(COMPLETION_BONUS), met);
}

fn remove_at(e: u32, edge: u32, k: u32) {
  let ed = e * EDGES + edge;
  let base = ed * QUEUE_SLOTS;
  let len = env[QUEUE_LENGTH + ed];
  for (var j = k; j + 1u < len; j++) { env[QUEUE + base + j] = env[QUEUE + base + j + 1u]; }
  env[QUEUE + base + len - 1u] = 0u;
  env[QUEUE_LENGTH + ed] = len - 1u;
}

fn stealable(e: u32, edge: u32) -> u32 {
  var best = NONE;
  var best_deadline = 0u;
  let now = env[NOW + e];
  for (var i = env[LOW + e]; i < env[NEXT + e]; i++) {
    if (task[TASK_STATUS + tx(e, i)] != HELD) { continue; }
    let dl = deadline(e, i);
    if (now + expected_edge(i, edge) > dl) { continue; }
    if (best == NONE || dl < best_deadline) {
      best = i;
      best_deadline = dl;
    }
  }
  return best;
}

fn start_next(e: u32, edge: u32) {
  let ed = e * EDGES + edge;
  loop {
    if (env[QUEUE_LENGTH + ed] == 0u) {
      if (!STEAL) { return; }
      let i = stealable(e, edge);
      if (i != NONE) { start_task(e, i, edge); }
      return;
    }
    let i = env[QUEUE + ed * QUEUE_SLOTS];
    remove_at(e, edge, 0u);
    if (MIGRATE && env[NOW + e] + expected_edge(i, edge) > deadline(e, i)) {
      migrate(e, i);
      continue;
    }
    start_task(e, i, edge);
    return;
  }
}

fn leave_time(e: u32, i: u32) -> u32 {
  let lead = expected_cloud(e, model_of(i)) + HOLD_MARGIN_MS;
  let dl = deadline(e, i);
  return select(0u, dl - lead, dl > lead);
}

fn advance(e: u32) -> i32 {
  var reward = 0i;
  loop {
    let now = env[NOW + e];
    for (var i = env[LOW + e]; i < env[NEXT + e]; i++) {
      let st = task[TASK_STATUS + tx(e, i)];
      if ((st == RUNNING || st == CLOUD) && task[TASK_FINISH + tx(e, i)] <= now) {
        reward += complete(e, i);
      }
    }
    if (STEAL) {
      for (var i = env[LOW + e]; i < env[NEXT + e]; i++) {
        if (task[TASK_STATUS + tx(e, i)] == HELD && leave_time(e, i) <= now) { dispatch(e, i, now); }
      }
    }
    for (var edge = 0u; edge < EDGES; edge++) {
      if (env[EDGE_RUNNING + e * EDGES + edge] == NONE) { start_next(e, edge); }
    }
    loop {
      if (env[LOW + e] >= env[NEXT + e]) { break; }
      let st = task[TASK_STATUS + tx(e, env[LOW + e])];
      if (st != DONE && st != DROPPED) { break; }
      env[LOW + e] += 1u;
    }
    if (env[NEXT + e] < TASKS && arrival(e, env[NEXT + e]) <= now) { return reward; }
    if (env[RESOLVED + e] == TASKS) { return reward; }
    var next = 0xffffffffu;
    if (env[NEXT + e] < TASKS) { next = arrival(e, env[NEXT + e]); }
    for (var i = env[LOW + e]; i < env[NEXT + e]; i++) {
      let st = task[TASK_STATUS + tx(e, i)];
      if (st == RUNNING || st == CLOUD) {
        next = min(next, task[TASK_FINISH + tx(e, i)]);
      } else if (st == HELD) {
        next = min(next, leave_time(e, i));
      }
    }
    // Unreachable in a consistent state (the CPU reference throws): stop rather than spin.
    if (next == 0xffffffffu) { return reward; }
    env[NOW + e] = next;
  }
}

fn insert_position(e: u32, edge: u32, i: u32) -> u32 {
  let ed = e * EDGES + edge;
  let len = env[QUEUE_LENGTH + ed];
  var k = 0u;
  while (k < len && before(e, env[QUEUE + ed * QUEUE_SLOTS + k], i)) { k++; }
  return k;
}

fn backlog(e: u32, edge: u32, count: u32) -> u32 {
  let ed = e * EDGES + edge;
  let now = env[NOW + e];
  var work = 0u;
  if (env[EDGE_RUNNING + ed] != NONE && env[EDGE_FREE + ed] > now) { work = env[EDGE_FREE + ed] - now; }
  for (var k = 0u; k < count; k++) { work += expected_edge(env[QUEUE + ed * QUEUE_SLOTS + k], edge); }
  return work;
}

fn displaced(e: u32, edge: u32, i: u32, pos: u32, evict: bool) -> u32 {
  let ed = e * EDGES + edge;
  let now = env[NOW + e];
  var partial = backlog(e, edge, pos) + expected_edge(i, edge);
  var lost = 0u;
  var k = select(pos, pos + 1u, evict);
  while (k < env[QUEUE_LENGTH + ed]) {
    let q = env[QUEUE + ed * QUEUE_SLOTS + k];
    let run = expected_edge(q, edge);
    if (now + partial + run > deadline(e, q)) {
      lost += tables[BENEFIT + model_of(q)];
      if (evict) {
        remove_at(e, edge, k);
        migrate(e, q);
        continue;
      }
    } else {
      partial += run;
    }
    k++;
  }
  return lost;
}

fn enqueue(e: u32, i: u32, edge: u32) {
  let ed = e * EDGES + edge;
  let pos = insert_position(e, edge, i);
  let len = env[QUEUE_LENGTH + ed];
  for (var k = len; k > pos; k--) {
    env[QUEUE + ed * QUEUE_SLOTS + k] = env[QUEUE + ed * QUEUE_SLOTS + k - 1u];
  }
  env[QUEUE + ed * QUEUE_SLOTS + pos] = i;
  env[QUEUE_LENGTH + ed] = len + 1u;
  task[TASK_STATUS + tx(e, i)] = QUEUED;
  task[TASK_PLACE + tx(e, i)] = edge;
  if (MIGRATE) { displaced(e, edge, i, pos, true); }
}

fn reset_copy(e: u32) {
  start_episode(e);
  advance(e);
}

fn step_copy(e: u32, a: u32) -> f32 {
  let i = env[NEXT + e];
  if (a == NEIGHBOURS + 2u) {
    drop_task(e, i);
  } else if (a == NEIGHBOURS + 1u) {
    to_cloud(e, i);
  } else {
    enqueue(e, i, env[CANDIDATE_EDGE + e * MAX_CANDIDATES + a]);
  }
  env[NEXT + e] = i + 1u;
  return f32(advance(e));
}

fn is_done(e: u32) -> bool { return env[RESOLVED + e] == TASKS; }

fn episode_metric(e: u32) -> vec2u { return vec2u(env[UTILITY + e], 0u); }

fn end_episode(e: u32) {
  for (var i = 0u; i < TASKS; i++) {
    let x = tx(e, i);
    record[FINAL_PLACE + x] = task[TASK_PLACE + x];
    record[FINAL_STATUS + x] = task[TASK_STATUS + x];
    record[FINAL_START + x] = task[TASK_START + x];
    record[FINAL_FINISH + x] = task[TASK_FINISH + x];
  }
  for (var j = 0u; j < DRONES; j++) {
    record[FINAL_PHASE + e * DRONES + j] = env[DRONE_PHASE + e * DRONES + j];
  }
}

fn choose_neighbours(e: u32, own: u32) {
  var work: array<u32, MAX_EDGES>;
  for (var edge = 0u; edge < EDGES; edge++) {
    work[edge] = backlog(e, edge, env[QUEUE_LENGTH + e * EDGES + edge]);
  }
  env[CANDIDATE_EDGE + e * MAX_CANDIDATES] = own;
  for (var n = 0u; n < NEIGHBOURS; n++) {
    var best = NONE;
    for (var edge = 0u; edge < EDGES; edge++) {
      if (edge == own) { continue; }
      var taken = false;
      for (var k = 1u; k <= n; k++) {
        if (env[CANDIDATE_EDGE + e * MAX_CANDIDATES + k] == edge) { taken = true; }
      }
      if (taken) { continue; }
      if (best == NONE || work[edge] < work[best]) { best = edge; }
    }
    env[CANDIDATE_EDGE + e * MAX_CANDIDATES + 1u + n] = best;
  }
}

fn write_candidate_features(
  off: u32, kind: u32, time_left: u32, wait: u32, run: u32, benefit: u32, cost: u32,
  displaced_benefit: u32, queue_length: u32,
) {
  let is_drop = kind == 3u;
  let slack = select(i32(time_left) - i32(wait) - i32(run), 0i, is_drop);
  let meets = !is_drop && slack >= 0i;
  cand[off + CF_OWN_EDGE] = select(0.0, 1.0, kind == 0u);
  cand[off + CF_NEIGHBOUR] = select(0.0, 1.0, kind == 1u);
  cand[off + CF_CLOUD] = select(0.0, 1.0, kind == 2u);
  cand[off + CF_DROP] = select(0.0, 1.0, is_drop);
  cand[off + CF_WAIT] = f32(wait) / TIME_SCALE;
  cand[off + CF_RUN] = f32(run) / TIME_SCALE;
  cand[off + CF_SLACK] = f32(slack) / TIME_SCALE;
  cand[off + CF_MEETS] = select(0.0, 1.0, meets);
  cand[off + CF_UTILITY] = f32(select(0i, i32(benefit), meets) - i32(cost)) / UTILITY_SCALE;
  cand[off + CF_COST] = f32(cost) / UTILITY_SCALE;
  cand[off + CF_DISPLACED] = f32(displaced_benefit) / UTILITY_SCALE;
  cand[off + CF_QUEUE] = f32(queue_length) / QUEUE_SCALE;
}

fn write_global_features(
  off: u32, model: u32, age: u32, time_left: u32, benefit: u32, cloud_ratio: f32, queued: u32,
  idle: u32, edges: u32, to_arrive: u32, tasks: u32,
) {
  for (var m = 0u; m < 6u; m++) { glob[off + GF_MODEL_HV + m] = select(0.0, 1.0, m == model); }
  glob[off + GF_AGE] = f32(age) / TIME_SCALE;
  glob[off + GF_TIME_LEFT] = f32(time_left) / TIME_SCALE;
  glob[off + GF_BENEFIT] = f32(benefit) / UTILITY_SCALE;
  glob[off + GF_CLOUD_RATIO] = cloud_ratio;
  glob[off + GF_QUEUED] = f32(queued) / (f32(edges) * QUEUE_SCALE);
  glob[off + GF_IDLE_EDGES] = f32(idle) / f32(edges);
  glob[off + GF_EPISODE_LEFT] = f32(to_arrive) / f32(tasks);
}

fn write_observation(e: u32, action: i32) {
  let i = env[NEXT + e];
  let m = model_of(i);
  let now = env[NOW + e];
  let own = source_edge(i);
  choose_neighbours(e, own);
  let time_left = deadline(e, i) - now;
  let benefit = tables[BENEFIT + m];
  for (var k = 0u; k < MAX_CANDIDATES; k++) {
    let off = (e * MAX_CANDIDATES + k) * NUM_CANDIDATE_FEATURES;
    if (k == NEIGHBOURS + 2u) {
      mask[e * MAX_CANDIDATES + k] = 1u;
      write_candidate_features(off, 3u, time_left, 0u, 0u, benefit, 0u, 0u, 0u);
    } else if (k == NEIGHBOURS + 1u) {
      mask[e * MAX_CANDIDATES + k] = 1u;
      let run = (tables[CLOUD_MS + m] * observed_ratio(e)) / 1000u;
      write_candidate_features(off, 2u, time_left, 0u, run, benefit, tables[CLOUD_COST + m], 0u, 0u);
    } else {
      let edge = env[CANDIDATE_EDGE + e * MAX_CANDIDATES + k];
      let len = env[QUEUE_LENGTH + e * EDGES + edge];
      mask[e * MAX_CANDIDATES + k] = select(1u, 0u, len >= QUEUE_SLOTS);
      let pos = insert_position(e, edge, i);
      write_candidate_features(
        off, select(1u, 0u, k == 0u), time_left, backlog(e, edge, pos), expected_edge(i, edge),
        benefit, edge_cost(i, edge), displaced(e, edge, i, pos, false), len,
      );
    }
  }
  var queued = 0u;
  var idle = 0u;
  for (var edge = 0u; edge < EDGES; edge++) {
    queued += env[QUEUE_LENGTH + e * EDGES + edge];
    if (env[EDGE_RUNNING + e * EDGES + edge] == NONE) { idle++; }
  }
  write_global_features(
    e * NUM_GLOBAL_FEATURES, tables[MODEL_ID + m], now - arrival(e, i), time_left, benefit,
    f32(observed_ratio(e)) / 1000.0, queued, idle, EDGES, TASKS - i, TASKS,
  );
}
