/**
 * Names only the test API uses: property names survive minification, so a production bundle
 * that holds one of these holds test code (scripts/check-dist.mjs).
 */
export const TEST_API_MARKERS = [
  '__triad',
  'compareWithCpu',
  'sceneParity',
  'mlOpsParity',
  'schedulerState',
];
