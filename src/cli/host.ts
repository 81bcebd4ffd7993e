// What the command's subcommands share: the endpoint as an ML target, and the machine as the
// benchmarks' `environment` describes it.
import os from 'node:os';
import type { MlEffectRunner } from '../ml/effects/runner';
import { DEFAULT_ENDPOINT, OipClient, isLocalEndpoint } from '../ml/remote/client';
import { EndpointMonitor } from '../ml/remote/monitor';

/**
 * The endpoint at `url` as the runner's `remote` target, turned on and off by its monitor (call
 * `check()` to start it); `local`: it computes on this machine's cores (the planner shares them).
 */
export function watchEndpoint(
  runner: MlEffectRunner,
  url: string | undefined,
  token: string | undefined,
): { monitor: EndpointMonitor | null; local: boolean } {
  if (!url) return { monitor: null, local: false };
  const client = new OipClient({ ...DEFAULT_ENDPOINT, url, token: token ?? '' });
  const monitor = new EndpointMonitor(client, (health) => runner.setEndpoint(client, health));
  return { monitor, local: isLocalEndpoint(url) };
}

/** This machine, as every benchmark's `environment` describes it. */
export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
  };
}
