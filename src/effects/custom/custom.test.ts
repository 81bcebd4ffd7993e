import { describe, expect, it } from 'vitest';
import { findEffect } from '../catalogue';
import {
  EMPTY_CHAIN,
  addCustomStage,
  decodeChainFromUrl,
  encodeChainForUrl,
  parseChain,
  serializeChain,
  setCustomSource,
  setParam,
  targetsFor,
} from '../chain';
import { LOOP_COUNTER, MAX_LOOP_ITERATIONS, boundLoops } from './bound-loops';
import { effectFile, effectFileName, readEffectFile } from './file';
import { parseHeader } from './header';
import { readCustomKernel } from './kernel';
import { writeCustomUniforms } from './uniforms';
import { registerCustomEffect } from './registry';
import { CUSTOM_TEMPLATE } from './template';

const INVERT = `/*{ "name": "Invert" }*/
fn effect(colour: vec4f, at: vec2f, size: vec2f) -> vec4f {
  return vec4f(1.0 - colour.rgb, colour.a);
}
`;

describe('a custom effect’s header', () => {
  it('declares the template’s parameters as controls (a point is two sliders)', () => {
    const { header, problems } = parseHeader(CUSTOM_TEMPLATE);
    expect(problems).toEqual([]);
    expect(header!.name).toBe('My effect');
    expect(Object.keys(header!.params)).toEqual([
      'amount',
      'tint',
      'centre.x',
      'centre.y',
      'invert',
    ]);
    expect(header!.params.amount).toMatchObject({ kind: 'number', min: 0, max: 1, default: 0.6 });
    expect(header!.params.tint).toEqual({ kind: 'color', label: 'Tint', default: '#ff9040' });
    expect(header!.params['centre.y']).toMatchObject({ kind: 'number', default: 0.5 });
  });

  it('says where the JSON is broken, and what a missing header should look like', () => {
    const broken = parseHeader('/*{\n  "name": "x",\n  "params": { "a": }\n}*/\nfn effect() {}');
    expect(broken.header).toBeNull();
    // At the place V8 names when it names one (its newer messages quote the text instead).
    expect(broken.problems[0].line).toBeGreaterThanOrEqual(1);
    expect(broken.problems[0].line).toBeLessThanOrEqual(4);
    expect(broken.problems[0].severity).toBe('error');
    expect(broken.problems[0].message).toMatch(/not valid JSON/);
    expect(parseHeader('fn effect() {}').problems[0].message).toMatch(/must open with a header/);
  });

  it('reports a parameter of an unknown type or with min ≥ max, and keeps the others', () => {
    const { header, problems } = parseHeader(
      '/*{ "name": "x", "params": { "a": { "type": "vector" }, "b": { "type": "number", "min": 2, "max": 1 }, "c": { "type": "bool" } } }*/',
    );
    expect(problems.map((p) => p.message)).toEqual([
      'Parameter "a": "type" must be "number", "colour", "bool" or "point"',
      'Parameter "b": "min" must be a number below "max"',
    ]);
    expect(Object.keys(header!.params)).toEqual(['c']);
  });
});

describe('a custom effect’s kernel', () => {
  it('the template: no problems, its entry point added, uniforms where WGSL puts them', () => {
    const k = readCustomKernel(CUSTOM_TEMPLATE);
    expect(k.problems).toEqual([]);
    expect(k.code).toContain('effect(colour, vec2f(id.xy) + 0.5, size)');
    expect(k.uniformWords).toBe(8);
    expect(k.fields).toEqual(
      expect.arrayContaining([
        { params: ['amount'], type: 'f32', offset: 0 },
        { params: ['invert'], type: 'u32', offset: 1 },
        { params: ['centre.x', 'centre.y'], type: 'vec2f', offset: 2 },
        { params: ['tint'], type: 'vec3f', offset: 4 },
        { params: ['frame'], type: 'f32', offset: 7 },
      ]),
    );
    const words = new ArrayBuffer(32);
    const view = { f32: new Float32Array(words), u32: new Uint32Array(words) };
    writeCustomUniforms(
      k,
      { amount: 0.25, invert: true, 'centre.x': 0.1, 'centre.y': 0.9, tint: '#ff0080' },
      12,
      view,
    );
    expect(Array.from(view.f32.slice(0, 1))).toEqual([0.25]);
    expect(view.u32[1]).toBe(1);
    expect(Array.from(view.f32.slice(2, 8)).map((v) => +v.toFixed(3))).toEqual([
      0.1, 0.9, 1, 0, 0.502, 12,
    ]);
  });

  it('names a header parameter Params lacks, or has with the wrong type, at the struct', () => {
    const source = CUSTOM_TEMPLATE.replace('  amount: f32,\n', '').replace(
      'tint: vec3f',
      'tint: f32',
    );
    const messages = readCustomKernel(source).problems.map((p) => [p.line, p.severity, p.message]);
    const line = source.split('\n').findIndex((l) => l.startsWith('struct Params')) + 1;
    expect(messages).toEqual([
      [line, 'error', 'Params has no member "amount": add amount: f32,'],
      [line, 'error', 'Params.tint is f32; the header’s parameter needs vec3f'.replace('’', "'")],
    ]);
  });

  it('warns about a member no parameter fills; a whole kernel keeps its own main', () => {
    const extra = readCustomKernel(CUSTOM_TEMPLATE.replace('  frame: f32,', '  speed: f32,'));
    expect(extra.problems).toEqual([
      expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/speed/) }),
    ]);
    const whole = `/*{ "name": "Copy" }*/
@group(0) @binding(2) var input: texture_2d<f32>;
@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (outside(id)) { return; }
  textureStore(output, id.xy, textureLoad(input, id.xy, 0));
}`;
    const k = readCustomKernel(whole);
    expect(k.problems).toEqual([]);
    expect(k.code).not.toContain('effect(colour');
  });

  it('asks for fn effect when there is neither it nor main', () => {
    const k = readCustomKernel('/*{ "name": "x" }*/\nfn other() {}');
    expect(k.problems[0].message).toMatch(/Write fn effect/);
  });
});

describe('custom effects in chains', () => {
  it('are named by their source, run on the GPU only, and keep parameters across edits', () => {
    const a = registerCustomEffect(CUSTOM_TEMPLATE);
    expect(registerCustomEffect(CUSTOM_TEMPLATE)).toBe(a);
    expect(findEffect(a.id)?.name).toBe('My effect');
    expect(targetsFor(a.definition)).toEqual(['gpu']);

    let chain = addCustomStage(EMPTY_CHAIN, CUSTOM_TEMPLATE);
    const id = chain.stages[0].id;
    chain = setParam(chain, id, 'amount', 0.3);
    chain = setCustomSource(chain, id, CUSTOM_TEMPLATE.replace('"max": 1,', '"max": 2,'));
    expect(chain.stages[0].effect).not.toBe(a.id);
    expect(chain.stages[0].params.amount).toBe(0.3);
  });

  it('travel in a link with their source, compressed', () => {
    let chain = addCustomStage(EMPTY_CHAIN, CUSTOM_TEMPLATE);
    chain = addCustomStage(chain, INVERT);
    const token = encodeChainForUrl(chain);
    expect(token).toMatch(/^z[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThan(serializeChain(chain).length);
    const back = decodeChainFromUrl(token);
    expect(back.problems).toEqual([]);
    expect(back.chain.stages.map((s) => s.effect)).toEqual(chain.stages.map((s) => s.effect));
  });

  it('a source edited by hand gets its own id; a stage whose code is missing is removed', () => {
    const chain = addCustomStage(EMPTY_CHAIN, INVERT);
    const data = JSON.parse(serializeChain(chain));
    const id = chain.stages[0].effect;
    data.code[id] = INVERT.replace('Invert', 'Negative');
    const edited = parseChain(JSON.stringify(data));
    expect(findEffect(edited.chain.stages[0].effect)?.name).toBe('Negative');
    delete data.code;
    const lost = parseChain(JSON.stringify(data));
    expect(lost.chain.stages).toEqual([]);
    expect(lost.problems[0]).toMatch(/unknown effect/);
  });
});

describe('effect files', () => {
  it('round-trip an effect, named from its header', () => {
    const file = effectFile(CUSTOM_TEMPLATE);
    expect(file).toMatchObject({ format: 'triad-effect', v: 1, name: 'My effect' });
    expect(readEffectFile(JSON.stringify(file))).toEqual(file);
    expect(effectFileName('My effect!')).toBe('my-effect.triad-effect.json');
  });

  it('say in words what is wrong with a file that is not one', () => {
    expect(() => readEffectFile('{ nope')).toThrow('not JSON');
    expect(() => readEffectFile('{"format":"lut"}')).toThrow('no "format": "triad-effect"');
    expect(() => readEffectFile('{"format":"triad-effect","v":7,"source":"x"}')).toThrow(
      'version 7',
    );
    expect(() => readEffectFile('{"format":"triad-effect","v":1}')).toThrow('no "source"');
  });
});

describe('loops in custom effects are bounded', () => {
  it('guards every loop, for and while on its own line, skipping comments', () => {
    const source = [
      'fn f() -> f32 {',
      '  var x = 0.0;',
      '  // a loop { in a comment',
      '  for (var i = 0u; i < min(3u, 4u); i++) { x += 1.0; }',
      '  while x < 10.0 {',
      '    x += 1.0;',
      '  }',
      '  loop { /* while { */ if (x > 20.0) { break; } x += 1.0; }',
      '  return x;',
      '}',
    ].join('\n');
    const { code, loops } = boundLoops(source);
    expect(loops).toBe(3);
    const lines = code.split('\n');
    for (const n of [3, 4, 7]) expect(lines[n]).toContain('triad_iterations += 1u;');
    expect(lines[2]).toBe('  // a loop { in a comment');
    expect(code.match(/triad_iterations \+= 1u/g)).toHaveLength(3);
    expect(code).toContain(LOOP_COUNTER);
    // The author's lines keep their numbers: take the guards out and they are as written.
    const guard = / triad_iterations \+= 1u; if \(triad_iterations > \d+u\) \{ break; \} /g;
    expect(lines.slice(0, 10).map((l) => l.replace(guard, ''))).toEqual(source.split('\n'));
  });

  it('a source without loops is unchanged', () => {
    expect(boundLoops(INVERT)).toEqual({ code: INVERT, loops: 0 });
  });

  it('the kernel the GPU gets has them bounded; reflection still reads the author’s', () => {
    const k = readCustomKernel(
      '/*{ "name": "x" }*/\nfn effect(colour: vec4f, at: vec2f, size: vec2f) -> vec4f {\n  loop { }\n  return colour;\n}',
    );
    expect(k.problems).toEqual([]);
    expect(k.code).toContain(`triad_iterations > ${MAX_LOOP_ITERATIONS}u`);
  });
});
