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
        `${name}: ${reason}. The stage is skipped; the rest of the chain runs.`,
      );
    else if (isMlTarget(target))
      notices.warning(
        'AI stage moved',
        `${name} failed on ${target} (${reason}); it ran on another target instead.`,
      );
    else
      notices.warning(
        'Stage moved to the GPU',
        `${name} failed on the ${target.toUpperCase()} (${reason}); it ran on the GPU instead.`,
      );
  };
}
