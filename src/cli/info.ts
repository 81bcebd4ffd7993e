// `triad info`: what this machine offers the command — each Dawn backend's adapter, and the ML
// targets (onnxruntime-node here; the endpoint when one is named).
import { NODE_ML_TARGETS, ML_TARGET_LABELS, type MlTarget } from '../core/targets';
import { nodeRuntimes } from '../headless/node-runtimes';
import { DEFAULT_ENDPOINT, OipClient } from '../ml/remote/client';
import { describeAdapter, type AdapterReport, type Backend } from './gpu';

export interface InfoReport {
  runtime: 'node-dawn';
  node: string;
  adapters: AdapterReport[];
  mlTargets: { target: MlTarget; label: string; available: boolean; detail: string }[];
}

export async function gatherInfo(endpoint?: string, token?: string): Promise<InfoReport> {
  const adapters: AdapterReport[] = [];
  for (const backend of ['vulkan', 'opengles'] as Backend[])
    adapters.push(await describeAdapter(backend));
  const runtimes = nodeRuntimes();
  const mlTargets: InfoReport['mlTargets'] = [];
  for (const target of NODE_ML_TARGETS) {
    const label = ML_TARGET_LABELS[target].long;
    if (target !== 'remote') {
      mlTargets.push({ target, label, ...(await runtimes.availability(target, null)) });
      continue;
    }
    if (!endpoint) {
      mlTargets.push({
        target,
        label,
        available: false,
        detail: 'no endpoint given (--endpoint URL)',
      });
      continue;
    }
    const health = await new OipClient({
      ...DEFAULT_ENDPOINT,
      url: endpoint,
      token: token ?? '',
    }).health();
    mlTargets.push({
      target,
      label,
      available: health.state === 'ready',
      detail: `${endpoint}: ${health.state} (${health.detail})`,
    });
  }
  return { runtime: 'node-dawn', node: process.version, adapters, mlTargets };
}

/** The report as people read it. */
export function formatInfo(info: InfoReport): string {
  const lines = [`triad on Node ${info.node}, WebGPU through Dawn`, '', 'GPU adapters:'];
  for (const a of info.adapters) {
    if (!a.available) {
      lines.push(`  ${a.backend}: not available (${a.detail})`);
      continue;
    }
    const name = a.description || a.device || a.vendor || 'unnamed';
    const kind = [a.featureLevel, a.isFallbackAdapter ? 'software fallback' : '']
      .filter(Boolean)
      .join(', ');
    const more = [a.vendor && `vendor ${a.vendor}`, a.architecture, a.device !== name && a.device]
      .filter(Boolean)
      .join(', ');
    lines.push(`  ${a.backend}: ${name}${more ? ` — ${more}` : ''} (${kind})`);
    for (const [limit, value] of Object.entries(a.limits ?? {}))
      lines.push(`    ${limit} ${value}`);
  }
  lines.push('', 'ML targets:');
  for (const t of info.mlTargets)
    lines.push(`  ${t.target}: ${t.available ? 'available' : 'not available'} — ${t.detail}`);
  return lines.join('\n');
}
