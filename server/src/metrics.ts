// Prometheus metrics in a registry of our own (never prom-client's global one), so two servers
// in one process (tests, benchmarks) do not share counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Outcome = 'success' | 'invalid' | 'rejected' | 'timeout' | 'cancelled' | 'error';

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'triad_inference_requests_total',
    help: 'Inference requests by model and outcome.',
    labelNames: ['model', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly http = new Counter({
    name: 'triad_http_responses_total',
    help: 'HTTP responses by status code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'triad_request_duration_seconds',
    help: 'Inference request time, from the first byte read to the response written.',
    labelNames: ['model'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly queueDuration = new Histogram({
    name: 'triad_queue_duration_seconds',
    help: 'Time an inference request waited in its model queue.',
    labelNames: ['model'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly computeDuration = new Histogram({
    name: 'triad_compute_duration_seconds',
    help: 'Time a batch spent in onnxruntime.',
    labelNames: ['model'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'triad_batch_size',
    help: 'Rows per executed batch.',
    labelNames: ['model'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'triad_queue_depth',
    help: 'Requests waiting in a model queue.',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly runningRows = new Gauge({
    name: 'triad_running_rows',
    help: 'Rows in the batch a model is running now (0: idle).',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly runsStopped = new Counter({
    name: 'triad_runs_stopped_total',
    help: 'Runs stopped midway because every request in them was gone (isolation: process).',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly modelRestarts = new Counter({
    name: 'triad_model_restarts_total',
    help: 'Model workers that died on their own and were started again.',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly modelReady = new Gauge({
    name: 'triad_model_ready',
    help: 'Model load state: 1 ready, 0 unavailable.',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'triad_' });
  }
}
