import { describe, expect, it } from 'vitest';
import { findEffect } from './catalogue';
import {
  ChainFormatError,
  EMPTY_CHAIN,
  addStage,
  decodeChainFromUrl,
  encodeChainForUrl,
  moveStage,
  parseChain,
  removeStage,
  resetParams,
  serializeChain,
  setEnabled,
  setParam,
  setTarget,
  type Chain,
} from './chain';

import { SAMPLE_CURVES, SAMPLE_LEVELS } from './tone-samples';

const effect = (id: string) => findEffect(id)!;

function sample(): Chain {
  let chain = addStage(EMPTY_CHAIN, effect('colour-adjust'));
  chain = addStage(chain, effect('gaussian-blur'));
  chain = addStage(chain, effect('lut-3d'));
  chain = setParam(chain, chain.stages[0].id, 'exposure', 1.5);
  chain = setParam(chain, chain.stages[1].id, 'radius', 20);
  chain = setParam(chain, chain.stages[2].id, 'lut', { id: '33-0badf00d', name: 'film.cube' });
  chain = setTarget(chain, chain.stages[0].id, 'cpu');
  return setEnabled(chain, chain.stages[1].id, false);
}

const withoutIds = (chain: Chain) => chain.stages.map(({ id: _id, ...rest }) => rest);

describe('chain editing', () => {
  it('adds stages with default parameters', () => {
    const chain = addStage(EMPTY_CHAIN, effect('gaussian-blur'));
    expect(chain.stages[0]).toMatchObject({
      effect: 'gaussian-blur',
      enabled: true,
      params: { radius: 8 },
    });
  });

  it('moves a stage to a new index and keeps the others in order', () => {
    const chain = sample();
    const ids = chain.stages.map((s) => s.id);
    expect(moveStage(chain, 0, 2).stages.map((s) => s.id)).toEqual([ids[1], ids[2], ids[0]]);
    expect(moveStage(chain, 2, 0).stages.map((s) => s.id)).toEqual([ids[2], ids[0], ids[1]]);
    expect(moveStage(chain, 0, 5)).toBe(chain);
  });

  it('removes a stage by id', () => {
    const chain = sample();
    expect(removeStage(chain, chain.stages[1].id).stages.map((s) => s.effect)).toEqual([
      'colour-adjust',
      'lut-3d',
    ]);
  });

  it('clamps parameter values to their schema', () => {
    const chain = sample();
    expect(setParam(chain, chain.stages[1].id, 'radius', 1000).stages[1].params.radius).toBe(64);
  });

  it('resets a stage to its defaults', () => {
    const chain = sample();
    expect(resetParams(chain, chain.stages[0].id).stages[0].params.exposure).toBe(0);
  });

  it('never mutates the chain it was given', () => {
    const chain = sample();
    const before = serializeChain(chain);
    setParam(chain, chain.stages[0].id, 'exposure', -2);
    moveStage(chain, 0, 1);
    removeStage(chain, chain.stages[0].id);
    expect(serializeChain(chain)).toBe(before);
  });
});

describe('chain serialization', () => {
  it('round-trips through JSON with effects, order, bypass and parameters intact', () => {
    const chain = sample();
    const { chain: back, problems } = parseChain(serializeChain(chain));
    expect(problems).toEqual([]);
    expect(withoutIds(back)).toEqual(withoutIds(chain));
  });

  it('round-trips through a URL token that needs no escaping', () => {
    const chain = sample();
    const token = encodeChainForUrl(chain);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(withoutIds(decodeChainFromUrl(token).chain)).toEqual(withoutIds(chain));
  });

  it('round-trips Levels and Curves values through a link, and repairs damaged ones', () => {
    let chain = addStage(EMPTY_CHAIN, effect('levels'));
    chain = addStage(chain, effect('curves'));
    chain = setParam(chain, chain.stages[0].id, 'levels', SAMPLE_LEVELS);
    chain = setParam(chain, chain.stages[1].id, 'curves', SAMPLE_CURVES);
    const back = decodeChainFromUrl(encodeChainForUrl(chain));
    expect(back.problems).toEqual([]);
    expect(back.chain.stages.map((s) => s.params)).toEqual([
      { levels: SAMPLE_LEVELS },
      { curves: SAMPLE_CURVES },
    ]);

    const damaged = parseChain(
      JSON.stringify({
        v: 1,
        stages: [
          { effect: 'levels', enabled: true, params: { levels: { r: { inWhite: -4 } } } },
          { effect: 'curves', enabled: true, params: { curves: { g: [[9, 9]] } } },
        ],
      }),
    );
    expect(damaged.problems).toHaveLength(3);
    expect(damaged.chain.stages[0].params.levels).toMatchObject({ r: { inBlack: 0, inWhite: 1 } });
    expect(damaged.chain.stages[1].params.curves).toMatchObject({
      g: [
        [0, 0],
        [255, 255],
      ],
    });
  });

  it('setParam keeps a Curves value valid: points sorted and on whole levels', () => {
    let chain = addStage(EMPTY_CHAIN, effect('curves'));
    const curves = {
      ...SAMPLE_CURVES,
      r: [
        [200, 10.4],
        [0, 0],
      ],
    };
    chain = setParam(chain, chain.stages[0].id, 'curves', curves as never);
    expect((chain.stages[0].params.curves as typeof SAMPLE_CURVES).r).toEqual([
      [0, 0],
      [200, 10],
    ]);
  });

  it('drops unknown effects and repairs bad parameters, reporting both', () => {
    const text = JSON.stringify({
      v: 1,
      stages: [
        { effect: 'warp-drive', enabled: true, params: {} },
        { effect: 'gaussian-blur', enabled: true, params: { radius: 'huge' } },
      ],
    });
    const { chain, problems } = parseChain(text);
    expect(chain.stages.map((s) => s.params)).toEqual([{ radius: 8 }]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('warp-drive');
  });

  it('reads a missing target as the GPU and repairs an unknown one', () => {
    const text = JSON.stringify({
      v: 1,
      stages: [
        { effect: 'invert', enabled: true, params: {} },
        { effect: 'invert', enabled: true, target: 'tpu', params: {} },
      ],
    });
    const { chain, problems } = parseChain(text);
    expect(chain.stages.map((s) => s.target)).toEqual(['gpu', 'gpu']);
    expect(problems).toEqual(['Invert: unknown target "tpu"; using gpu']);
  });

  it('keeps an AI stage’s ML target, and refuses pixel targets for it (and ML ones for pixels)', () => {
    const text = JSON.stringify({
      v: 1,
      stages: [
        { effect: 'background-blur', enabled: true, target: 'ort-webgpu', params: {} },
        { effect: 'show-mask', enabled: true, target: 'gpu', params: {} },
        { effect: 'invert', enabled: true, target: 'ort-wasm', params: {} },
      ],
    });
    const { chain, problems } = parseChain(text);
    expect(chain.stages.map((s) => s.target)).toEqual(['ort-webgpu', 'ort-wasm', 'gpu']);
    expect(problems).toEqual([
      'Show mask (AI): unknown target "gpu"; using ort-wasm',
      'Invert: unknown target "ort-wasm"; using gpu',
    ]);
    const round = parseChain(serializeChain(chain));
    expect(round.chain.stages.map((s) => s.target)).toEqual(['ort-webgpu', 'ort-wasm', 'gpu']);
  });

  it('throws a ChainFormatError on text that is not a chain', () => {
    expect(() => parseChain('{')).toThrow(ChainFormatError);
    expect(() => parseChain('{"v":1}')).toThrow(/stages/);
    expect(() => parseChain('{"v":99,"stages":[]}')).toThrow(/version 99/);
    expect(() => decodeChainFromUrl('%%%')).toThrow(ChainFormatError);
  });
});
