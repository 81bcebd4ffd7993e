import { findEntry, type StageSpec } from '../../effects';
import { isMlTarget } from '../../core/targets';
import type { Notices } from './notices.svelte';

/**
 * Tells the user, once per stage and target, that a stage failed where it was placed and what
 * the engine did instead (ran it elsewhere, or skipped an AI stage with nowhere left to run).
 * `seen` filters repeats: a broken pool would otherwise report every band of every frame.
 */
export function stageFailureNotices(notices: Notices, seen: Set<string>) {
  return (stage: StageSpec, target: string, reason: string, skipped: boolean): void => {
    const name = findEntry(stage.effect)?.name ?? stage.effect;
    const key = `failover|${stage.id}|${target}|${skipped}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (skipped)
      notices.error(
        'AI effect unavailable',
        `${name} is skipped for now; the rest of the chain runs. Its card says why.`,
        reason,
      );
    else if (isMlTarget(target))
      notices.warning(
        'AI stage moved',
        `${name} could not run on ${target}; it ran on another target instead.`,
        reason,
      );
    else
      notices.warning(
        'Stage moved to the GPU',
        `${name} could not run on the ${target.toUpperCase()}; it ran on the GPU instead.`,
        reason,
      );
  };
}
