import { WgslReflect } from 'wgsl_reflect';
import { kernelSource } from '../../gpu/compute-kernel';
import { parseHeader, type CustomHeader, type SourceProblem } from './header';
import type { UniformField } from './uniforms';
import { boundLoops } from './bound-loops';

export interface CustomKernel {
  header: CustomHeader;
  /** The kernel's WGSL (the author's, then the entry point unless they wrote `main`). */
  code: string;
  uniformWords: number;
  fields: UniformField[];
  /** Problems found before the GPU sees it (the GPU's own come from getCompilationInfo). */
  problems: SourceProblem[];
}

/** The entry point of a simple effect: one call of the author's `effect` per pixel. */
const ENTRY = `
@group(0) @binding(2) var input: texture_2d<f32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  let size = vec2f(textureDimensions(output));
  let colour = textureLoad(input, id.xy, 0);
  textureStore(output, id.xy, clamp(effect(colour, vec2f(id.xy) + 0.5, size), vec4f(0.0), vec4f(1.0)));
}
`;

/** Params for a source that declares none. */
const NO_PARAMS = '\nstruct Params {\n  frame: f32,\n}\n';

/** The line of the full kernel source (prelude included) where the author's first line is. */
export const AUTHOR_FIRST_LINE = kernelSource({ code: '' }).split('\n').length;

const TYPE_NAMES: Record<UniformField['type'], string[]> = {
  f32: ['f32'],
  u32: ['u32'],
  vec2f: ['vec2f', 'vec2<f32>'],
  vec3f: ['vec3f', 'vec3<f32>'],
};

function typeOf(name: string): UniformField['type'] | null {
  for (const [type, names] of Object.entries(TYPE_NAMES))
    if (names.includes(name)) return type as UniformField['type'];
  return null;
}

/**
 * Reads a custom effect's source: its header, whether it is a simple effect (`fn effect(colour:
 * vec4f, at: vec2f, size: vec2f) -> vec4f`, `at` in pixels, pixel centres at +0.5) or a whole
 * kernel (`@compute fn main`, declaring its input at binding 2), and whether `struct Params`
 * matches the header — by parsing the WGSL (wgsl_reflect), which also gives the uniform layout.
 * A member `frame: f32` is filled with the frame's index.
 */
export function readCustomKernel(source: string): CustomKernel {
  const { header: parsed, problems } = parseHeader(source);
  const header = parsed ?? { name: 'Untitled effect', description: '', params: {}, members: [] };
  const lineOf = (needle: RegExp) => {
    const i = source.search(needle);
    return i < 0 ? 1 : source.slice(0, i).split('\n').length;
  };
  const error = (line: number, message: string) =>
    problems.push({ line, column: 1, message, severity: 'error' });
  let reflect: WgslReflect | null = null;
  const withParams = /\bstruct\s+Params\b/.test(source) ? source : source + NO_PARAMS;
  try {
    reflect = new WgslReflect(kernelSource({ code: withParams }));
  } catch {
    // Not parseable: the GPU compiler says where and why (getCompilationInfo).
  }
  const names = new Set(reflect?.functions.map((f) => f.name) ?? []);
  const whole = names.has('main');
  // Loops are bounded in what the GPU compiles; reflection saw the author's own code.
  const bounded = boundLoops(withParams).code;
  const code = whole ? bounded : bounded + ENTRY;
  if (reflect && !whole && !names.has('effect'))
    error(
      1,
      'Write fn effect(colour: vec4f, at: vec2f, size: vec2f) -> vec4f (or a whole @compute fn main)',
    );
  const fields: UniformField[] = [];
  let uniformWords = 4;
  const struct = reflect?.structs.find((s) => s.name === 'Params');
  if (struct) {
    uniformWords = Math.max(4, Math.ceil(struct.size / 16) * 4);
    const structLine = lineOf(/\bstruct\s+Params\b/);
    const byName = new Map(struct.members.map((m) => [m.name, m]));
    for (const member of header.members) {
      const m = byName.get(member.name);
      const wanted = TYPE_NAMES[member.type][0];
      if (!m)
        error(structLine, `Params has no member "${member.name}": add ${member.name}: ${wanted},`);
      else if (typeOf(m.type.name) !== member.type)
        error(
          structLine,
          `Params.${member.name} is ${m.type.name}; the header's parameter needs ${wanted}`,
        );
      else fields.push({ params: member.params, type: member.type, offset: m.offset / 4 });
    }
    const frame = byName.get('frame');
    if (frame && typeOf(frame.type.name) === 'f32')
      fields.push({ params: ['frame'], type: 'f32', offset: frame.offset / 4 });
    for (const m of struct.members)
      if (
        m.name !== 'frame' &&
        !m.name.startsWith('_') &&
        !header.members.some((h) => h.name === m.name)
      )
        problems.push({
          line: structLine,
          column: 1,
          message: `Params.${m.name} is not a parameter in the header; it stays 0`,
          severity: 'warning',
        });
  }
  return { header, code, uniformWords, fields, problems };
}
