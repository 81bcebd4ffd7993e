/** What a custom effect's kernel writes into its uniform block, and where (32-bit words). */
export interface UniformField {
  /** The parameters it is filled from (two for a point), or "frame" for the frame's index. */
  params: string[];
  type: 'f32' | 'u32' | 'vec2f' | 'vec3f';
  offset: number;
}

/** Fills a custom kernel's uniform words from parameter values (colours as #rrggbb). */
export function writeCustomUniforms(
  kernel: { fields: readonly UniformField[]; uniformWords: number },
  params: Record<string, unknown>,
  frame: number,
  words: { f32: Float32Array; u32: Uint32Array },
): void {
  words.f32.fill(0, 0, kernel.uniformWords);
  for (const field of kernel.fields) {
    const value = (name: string) => (name === 'frame' ? frame : params[name]);
    const o = field.offset;
    switch (field.type) {
      case 'f32':
        words.f32[o] = Number(value(field.params[0])) || 0;
        break;
      case 'u32':
        words.u32[o] = value(field.params[0]) ? 1 : 0;
        break;
      case 'vec2f':
        words.f32[o] = Number(value(field.params[0])) || 0;
        words.f32[o + 1] = Number(value(field.params[1])) || 0;
        break;
      case 'vec3f': {
        const hex = String(value(field.params[0]) ?? '');
        for (let c = 0; c < 3; c++)
          words.f32[o + c] = /^#[0-9a-f]{6}$/i.test(hex)
            ? parseInt(hex.slice(1 + 2 * c, 3 + 2 * c), 16) / 255
            : 0;
        break;
      }
    }
  }
}
