import { setParam, type Chain } from '../../effects';
import type { RgbaImage } from '../../effects/image';
import type { TextureRegion } from '../../gpu/readback';

/** Pixels averaged around the clicked one (a side of the square), against noise and grain. */
export const PICK_SIZE = 5;

export interface ColourPickerDeps {
  /** Pixels of the source frame (clamped to it): what enters the chain. */
  readSource(region: TextureRegion): Promise<RgbaImage>;
  edit(fn: (chain: Chain) => Chain): void;
  failed(message: string): void;
}

/** `#rrggbb` of the average colour of `image` (alpha ignored). */
export function averageHex(image: RgbaImage): string {
  const sum = [0, 0, 0];
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) sum[c] += image.data[i * 4 + c];
  return `#${sum
    .map((s) =>
      Math.round(s / n)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/**
 * "Pick from the picture" for a colour parameter (the chroma key's key colour): while armed, a
 * click on the viewer reads the source frame around that pixel and sets the parameter, as one
 * undo step. Escape or a second press of the button disarms it.
 */
export class ColourPickerState {
  /** The parameter a click on the viewer will set, or null. */
  target = $state<{ stage: string; param: string } | null>(null);
  readonly #deps: ColourPickerDeps;

  constructor(deps: ColourPickerDeps) {
    this.#deps = deps;
  }

  toggle(stage: string, param: string): void {
    const same = this.target?.stage === stage && this.target.param === param;
    this.target = same ? null : { stage, param };
  }

  cancel(): void {
    this.target = null;
  }

  /** Sets the armed parameter from the source pixels around `pixel` (an image pixel). */
  async pick(pixel: readonly [number, number]): Promise<void> {
    const target = this.target;
    if (!target) return;
    this.target = null;
    const half = Math.floor(PICK_SIZE / 2);
    try {
      const pixels = await this.#deps.readSource({
        x: pixel[0] - half,
        y: pixel[1] - half,
        width: PICK_SIZE,
        height: PICK_SIZE,
      });
      const hex = averageHex(pixels);
      this.#deps.edit((chain) => setParam(chain, target.stage, target.param, hex));
    } catch (error) {
      this.#deps.failed(error instanceof Error ? error.message : String(error));
    }
  }
}
