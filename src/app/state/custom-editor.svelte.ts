import { addCustomStage, setCustomSource, type Chain, type StageSpec } from '../../effects';
import type { SourceProblem } from '../../effects/custom/header';
import { findCustomEffect, registerCustomEffect } from '../../effects/custom/registry';
import { CUSTOM_TEMPLATE } from '../../effects/custom/template';
import { buildCustomKernel } from '../../effects/gpu/custom';
import type { ShaderTrust } from './shader-trust.svelte';

/** Typing pauses this long before the code is compiled. */
export const COMPILE_DELAY_MS = 300;

export interface CustomEditorDeps {
  trust: ShaderTrust;
  chain(): Chain;
  edit(fn: (chain: Chain) => Chain, gesture?: string): void;
  endGesture(): void;
  /** The device to compile on, or null while there is none. */
  device(): GPUDevice | null;
  redraw(): void;
}

/**
 * The WGSL editor of one custom stage. As the author types, the code is compiled after a pause;
 * code that builds becomes the stage's (one undo step per burst of typing), code that does not
 * is listed in words and underlined, and the chain keeps the last version that built. A stage
 * whose code came with a link opens read-only until the user accepts it.
 */
export class CustomEditorState {
  /** The chain stage being edited, or null when the editor is closed. */
  stage = $state<string | null>(null);
  /** The text in the editor (may not build). */
  source = $state('');
  problems = $state.raw<SourceProblem[]>([]);
  status = $state<'idle' | 'compiling' | 'built' | 'failed'>('idle');
  /** The code is from a link or a file and not accepted yet: read-only until "Run this code". */
  reviewing = $state(false);
  /** How many compilations finished (tests wait on it). */
  compiles = $state(0);
  readonly #deps: CustomEditorDeps;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #generation = 0;

  constructor(deps: CustomEditorDeps) {
    this.#deps = deps;
  }

  /** Adds a stage running the template and opens it. */
  create(): void {
    const id = registerCustomEffect(CUSTOM_TEMPLATE).id;
    this.#deps.trust.accept(id);
    this.#deps.edit((chain) => addCustomStage(chain, CUSTOM_TEMPLATE));
    const stages = this.#deps.chain().stages;
    this.open(stages[stages.length - 1]);
  }

  open(stage: StageSpec): void {
    const effect = findCustomEffect(stage.effect);
    if (!effect) return;
    this.stage = stage.id;
    this.source = effect.source;
    this.reviewing = !this.#deps.trust.accepted(effect.id);
    this.problems = effect.problems;
    this.status = 'idle';
    if (!this.reviewing) this.#compile(effect.source, false);
  }

  close(): void {
    this.#cancel();
    this.#deps.endGesture();
    this.stage = null;
    this.reviewing = false;
  }

  /** "Run this code": the user has seen it. */
  accept(): void {
    const effect = this.#effect();
    if (!effect) return;
    this.#deps.trust.accept(effect.id);
    this.reviewing = false;
    this.#deps.redraw();
    this.#compile(effect.source, false);
  }

  /** The text changed (typing): compile it after a pause. */
  input(source: string): void {
    if (this.reviewing || source === this.source) return;
    this.source = source;
    this.#cancel();
    this.status = 'compiling';
    this.#timer = setTimeout(() => this.#compile(source, true), COMPILE_DELAY_MS);
  }

  #effect() {
    const stage = this.#deps.chain().stages.find((s) => s.id === this.stage);
    return stage ? findCustomEffect(stage.effect) : undefined;
  }

  #cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #compile(source: string, commit: boolean): Promise<void> {
    const device = this.#deps.device();
    const stage = this.stage;
    if (!device || !stage) return;
    const generation = ++this.#generation;
    this.status = 'compiling';
    const built = await buildCustomKernel(device, source);
    if (generation !== this.#generation || this.stage !== stage) return; // typed on since
    this.problems = built.problems;
    this.status = built.compute ? 'built' : 'failed';
    this.compiles++;
    if (!built.compute || !commit) return;
    this.#deps.trust.accept(registerCustomEffect(source).id);
    this.#deps.edit((chain) => setCustomSource(chain, stage, source), `code:${stage}`);
  }
}
