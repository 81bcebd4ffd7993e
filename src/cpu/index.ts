export { planBands, type Band } from './bands';
export { CpuPool, createCpuWorker, type CpuRunOptions } from './cpu-pool';
export {
  WorkerPool,
  WorkerTaskError,
  defaultWorkerCount,
  type PoolOptions,
  type PoolStats,
  type TaskOptions,
} from './pool';
