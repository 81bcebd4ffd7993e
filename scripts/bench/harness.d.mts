// Types for harness.mjs (the benchmarks in TypeScript import it through tsx).
import type { Page } from '@playwright/test';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  platform: string;
  node: string;
  [key: string]: unknown;
}

export interface Environment extends Machine {
  browser: string;
  adapter: Record<string, unknown>;
}

export function openApp(): Promise<{
  page: Page;
  environment: Environment;
  close(): Promise<void>;
}>;
export function machine(): Machine;
export function percentile(values: number[], p: number): number;
export function report(name: string, environment: Environment | Machine, results: object[]): void;
