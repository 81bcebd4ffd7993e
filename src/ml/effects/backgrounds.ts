import { blurCpu } from '../../effects/defs/blur';
import type { EffectEnv, MlEffectDefinition } from '../../effects/effect';
import type { RgbaImage } from '../../effects/image';
import { parseHexColor, type ImageRef, type ParamValues } from '../../effects/params';
import { resizeBilinear } from '../resize';
import { cropImage } from '../tiling';
import { compositeWithMask, coverCrop, fillImage, type Mask, type TensorSpec } from '../tensor';

/** The segmentation model takes RGB in [0, 1], NHWC. */
export const MODEL_INPUT: TensorSpec = { layout: 'nhwc', mean: [0, 0, 0], std: [1, 1, 1] };

/** What a segmentation effect puts behind the person; both sides of the machine read this. */
export type Background =
  | { kind: 'mask' } // white person on black: the mask itself
  | { kind: 'blur'; radius: number }
  | { kind: 'colour'; rgba: [number, number, number, number] }
  | { kind: 'image'; id: string; image: RgbaImage };

export function background(
  effect: MlEffectDefinition,
  params: ParamValues,
  env: EffectEnv,
): Background {
  switch (effect.id) {
    case 'show-mask':
      return { kind: 'mask' };
    case 'background-blur':
      return { kind: 'blur', radius: params.radius as number };
    case 'background-replace': {
      const ref = params.image as ImageRef | null;
      if (ref) {
        const image = env.image?.(ref.id);
        if (!image) throw new Error(`the background image "${ref.name}" is not loaded any more`);
        return { kind: 'image', id: ref.id, image };
      }
      return { kind: 'colour', rgba: [...parseHexColor(params.colour as string), 255] };
    }
    default:
      throw new Error(`"${effect.id}" is not a segmentation effect`);
  }
}

/** The CPU twin of `SegmentationGpu.composite`. */
export function compositeCpu(
  effect: MlEffectDefinition,
  image: RgbaImage,
  mask: Mask,
  params: ParamValues,
  env: EffectEnv,
): RgbaImage {
  const { width, height } = image;
  const spec = background(effect, params, env);
  switch (spec.kind) {
    case 'mask':
      return compositeWithMask(
        fillImage(width, height, [255, 255, 255, 255]),
        fillImage(width, height, [0, 0, 0, 255]),
        mask,
      );
    case 'blur':
      return compositeWithMask(image, blurCpu(image, spec.radius), mask);
    case 'colour':
      return compositeWithMask(image, fillImage(width, height, spec.rgba), mask);
    case 'image': {
      const c = coverCrop(spec.image.width, spec.image.height, [width, height]);
      const bg = resizeBilinear(cropImage(spec.image, c.x, c.y, c.width, c.height), width, height);
      return compositeWithMask(image, bg, mask);
    }
  }
}
