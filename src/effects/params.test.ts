import { describe, expect, it } from 'vitest';
import {
  clampNumber,
  defaultParams,
  parseHexColor,
  validateParams,
  type ParamSchema,
} from './params';

const schema = {
  radius: { kind: 'number', label: 'Radius', min: 0, max: 64, step: 1, default: 8 },
  gamma: { kind: 'number', label: 'Gamma', min: 0.2, max: 5, step: 0.01, default: 1 },
  invert: { kind: 'bool', label: 'Invert', default: false },
  lut: { kind: 'lut', label: 'LUT' },
} satisfies ParamSchema;

describe('parameters', () => {
  it('gives every parameter its default', () => {
    expect(defaultParams(schema)).toEqual({ radius: 8, gamma: 1, invert: false, lut: null });
  });

  it('clamps numbers into range and snaps them to the step', () => {
    expect(clampNumber(schema.radius, 100)).toBe(64);
    expect(clampNumber(schema.radius, -3)).toBe(0);
    expect(clampNumber(schema.radius, 7.6)).toBe(8);
    expect(clampNumber(schema.gamma, 0.1 + 0.2)).toBe(0.3);
  });

  it('accepts valid values without complaint', () => {
    const { values, problems } = validateParams(schema, { radius: 12, gamma: 2.2, invert: true });
    expect(values).toEqual({ radius: 12, gamma: 2.2, invert: true, lut: null });
    expect(problems).toEqual([]);
  });

  it('replaces values of the wrong type with defaults and says which', () => {
    const { values, problems } = validateParams(schema, {
      radius: 'big',
      invert: 1,
      lut: { id: 3 },
      gamma: Number.NaN,
    });
    expect(values).toEqual({ radius: 8, gamma: 1, invert: false, lut: null });
    expect(problems.map((p) => p.param).sort()).toEqual(['gamma', 'invert', 'lut', 'radius']);
  });

  it('clamps out-of-range numbers and reports the clamp', () => {
    const { values, problems } = validateParams(schema, { radius: 1000 });
    expect(values.radius).toBe(64);
    expect(problems[0].message).toContain('outside 0…64');
  });

  it('reports unknown parameters', () => {
    const { problems } = validateParams(schema, { sigma: 3 });
    expect(problems).toEqual([{ param: 'sigma', message: 'unknown parameter "sigma"' }]);
  });

  it('treats a non-object as all defaults', () => {
    expect(validateParams(schema, 'nope').values).toEqual(defaultParams(schema));
  });

  it('validates colours and image references', () => {
    const withColour = {
      colour: { kind: 'color', label: 'Colour', default: '#00b140' },
      image: { kind: 'image', label: 'Image' },
    } as const satisfies ParamSchema;
    expect(defaultParams(withColour)).toEqual({ colour: '#00b140', image: null });
    const good = validateParams(withColour, {
      colour: '#FF0000',
      image: { id: 'a', name: 'a.png' },
    });
    expect(good).toEqual({
      values: { colour: '#ff0000', image: { id: 'a', name: 'a.png' } },
      problems: [],
    });
    const bad = validateParams(withColour, { colour: 'red', image: 'a.png' });
    expect(bad.values).toEqual({ colour: '#00b140', image: null });
    expect(bad.problems.map((p) => p.message)).toEqual([
      'Colour must be a #rrggbb colour',
      'Image is not a reference',
    ]);
    expect(parseHexColor('#0a10ff')).toEqual([10, 16, 255]);
    expect(() => parseHexColor('#fff')).toThrow(RangeError);
  });
});
