import type { MlTarget } from '../../core/targets';

/**
 * A runtime with a GPU device of its own (ort-webgpu, tfjs-webgpu) lost that device and was
 * restarted (`lost`), or a model loaded again in the restarted runtime (`back`): the recovery log
 * shows both, as it shows a loss of the app's device.
 */
export interface RuntimeRestartEvent {
  target: MlTarget;
  event: 'lost' | 'back';
  /** In words: the device's message, or what came back. */
  detail: string;
}

type Listener = (e: RuntimeRestartEvent) => void;

const listeners = new Set<Listener>();
/** Targets restarted and not yet back (a model has not loaded in the new runtime). */
const restarting = new Set<MlTarget>();

/** Calls `listener` on every restart and return; the result unsubscribes. */
export function onRuntimeRestart(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The target's runtime lost its own device and was restarted. */
export function runtimeRestarted(target: MlTarget, reason: string): void {
  restarting.add(target);
  emit({ target, event: 'lost', detail: `its own GPU device was lost (${reason}); restarting it` });
}

/** A model loaded in the target's runtime: if it was restarted, it is back. */
export function runtimeLoaded(target: MlTarget): void {
  if (!restarting.delete(target)) return;
  emit({ target, event: 'back', detail: 'restarted on a new GPU device; its model loaded again' });
}

function emit(e: RuntimeRestartEvent): void {
  for (const listener of listeners) {
    try {
      listener(e);
    } catch (error) {
      console.error('a runtime restart listener failed', error);
    }
  }
}
