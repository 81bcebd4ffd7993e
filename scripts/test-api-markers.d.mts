export const TEST_API_MARKERS: readonly string[];
