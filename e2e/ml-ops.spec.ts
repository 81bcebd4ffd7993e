import { expect, test } from '@playwright/test';
import { TriadPage } from './pages/triad-page';
import { api } from './support/api';

test('ML pre/post-processing: each WGSL kernel matches its CPU twin on a real photo', async ({
  page,
}) => {
  await new TriadPage(page).goto();
  const report = await api(page).mlOpsParity('/__fixtures/chelsea.png');
  expect(report.errors).toBe(0);
  // A device lost under the first try (lavapipe's, at a test's start in CI): checked on the new one.
  if (report.lostUnder > 0)
    test
      .info()
      .annotations.push({ type: 'device lost', description: 'checked again on a new device' });
  expect(report.leaked).toEqual({ textures: 0, buffers: 0 });
  const ops = Object.fromEntries(report.results.map((r) => [r.op, r.maxDiff]));
  expect(Object.keys(ops)).toEqual([
    'resize area → 97×61',
    'resize area → 300×199',
    'resize bilinear → 97×61',
    'resize bilinear → 640×480',
    'fill → 37×23',
    'letterbox → 160×160',
    'to tensor nchw',
    'from tensor nchw',
    'to tensor nhwc',
    'from tensor nhwc',
    'mask upsample + composite',
  ]);
  for (const [op, diff] of Object.entries(ops)) {
    // Images within one 8-bit level; tensors within float32 rounding of normalized values.
    const tolerance = op.startsWith('to tensor') ? 1e-5 : 1;
    expect(diff, op).toBeLessThanOrEqual(tolerance);
  }
});
