import { defaultBenefit } from '../../../envs/memmap/traces.js';
import type { MemBuffer, Trace } from '../../../envs/memmap/types.js';

/** A buffer with the defaults the reader gives (alignment 1, benefit size x lifetime). */
export function buf(
  id: string,
  start: number,
  end: number,
  size: number,
  alignment = 1,
): MemBuffer {
  return { id, start, end, size, alignment, benefit: defaultBenefit({ start, end, size }) };
}

/**
 * Four buffers whose optimum peak is 10 (the most bytes alive at one time): `a` [0,4) 6 bytes and
 * `b` [4,8) 6 bytes share addresses 0..6; `c` [2,6) 4 bytes sits on top of both at 6; `d` [0,2)
 * 4 bytes fits beside `a`, at 6, below nothing. Start order places a, d, c, b: first fit puts b
 * at 0 as well.
 */
export const STACK: Trace = {
  name: 'stack',
  capacity: 10,
  buffers: [buf('a', 0, 4, 6), buf('b', 4, 8, 6), buf('c', 2, 6, 4), buf('d', 0, 2, 4)],
};

/**
 * First fit is wrong here, best fit right (the optimum, 10, is the most bytes alive at once). In
 * start order A, B, D, E fill addresses 0..10 at time 0; when A and D end at time 4 they leave a
 * 4-byte hole at 0 and a 2-byte hole at 6. F (2 bytes) comes first: first fit puts it in the
 * 4-byte hole, and then G (4 bytes) fits in neither hole and raises the peak to 14; best fit puts F
 * in the 2-byte hole and G at 0.
 */
export const HOLES: Trace = {
  name: 'holes',
  capacity: 10,
  buffers: [
    buf('A', 0, 4, 4),
    buf('B', 0, 10, 2),
    buf('D', 0, 4, 2),
    buf('E', 0, 10, 2),
    buf('F', 4, 10, 2),
    buf('G', 5, 10, 4),
  ],
};

/** Alignment: q (align 8) cannot sit on p's top at 5 but at 8; r (align 4) lands at 16. */
export const ALIGNED: Trace = {
  name: 'aligned',
  capacity: 64,
  buffers: [buf('p', 0, 3, 5), buf('q', 1, 4, 8, 8), buf('r', 2, 5, 3, 4)],
};
