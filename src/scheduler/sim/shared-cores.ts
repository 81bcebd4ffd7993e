/**
 * Machines whose devices crowd each other without the scheduler knowing (`sharedCores`): cases
 * where the model alone loses to a fixed strategy (sim/shared-cores.test.ts, bench:scheduler).
 */
export const SHARED_CORES = [
  { wasm: 400, remote: 250, crowding: 0.5, render: 100, link: 10 },
  { wasm: 350, remote: 250, crowding: 0.5, render: 100, link: 10 },
  { wasm: 300, remote: 250, crowding: 0.5, render: 100, link: 10 },
  { wasm: 300, remote: 300, crowding: 0.5, render: 100, link: 30 },
  { wasm: 350, remote: 300, crowding: 0.5, render: 100, link: 30 },
  { wasm: 400, remote: 300, crowding: 1, render: 100, link: 10 },
];
