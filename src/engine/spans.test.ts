import { expect, test } from 'vitest';
import { spansOf } from './spans';

test("a frame's parts become intervals by target; an endpoint round trip is split by its link", () => {
  const spans = spansOf({
    cpu: [{ index: 0, ms: 5, endedAt: 20 }],
    gpu: [{ indices: [1], ms: 8, clean: true, endedAt: 30 }],
    transfers: [{ from: 'gpu', to: 'cpu', ms: 2, endedAt: 14 }],
    ml: [
      {
        index: 2,
        target: 'remote',
        ms: 50,
        clean: true,
        // out 10, queued 5, the server's own run 30, back 5
        link: { outMs: 10, backMs: 5, waitMs: 5 },
        endedAt: 100,
      },
      // Not stamped (an older caller): no interval rather than a wrong one.
      { index: 3, target: 'ort-wasm', ms: 9, clean: true },
    ],
  });
  expect(spans).toEqual({
    cpu: [[15, 20]],
    gpu: [[22, 30]],
    transfer: [
      [12, 14],
      [50, 60],
      [95, 100],
    ],
    remote: [[65, 95]],
  });
});
