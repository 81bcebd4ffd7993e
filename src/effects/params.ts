/** Typed parameter schemas shared by the UI, validation, serialization and both kernels. */

import {
  identityCurves,
  identityLevels,
  validateCurves,
  validateLevels,
  type CurvesValue,
  type LevelsValue,
} from './tone';

export interface NumberParam {
  kind: 'number';
  label: string;
  min: number;
  max: number;
  step: number;
  default: number;
  unit?: string;
}

export interface BoolParam {
  kind: 'bool';
  label: string;
  default: boolean;
}

/** A reference to a LUT held in the LUT store; the table itself never travels in a chain. */
export interface LutRef {
  id: string;
  name: string;
}

export interface LutParam {
  kind: 'lut';
  label: string;
}

/** A colour as `#rrggbb`. */
export interface ColorParam {
  kind: 'color';
  label: string;
  default: string;
}

/** A reference to an image the user dropped (held in memory by the app, never serialized). */
export interface ImageRef {
  id: string;
  name: string;
}

export interface ImageParam {
  kind: 'image';
  label: string;
}

/** Black/white/gamma in and out, for all channels and per channel (src/effects/tone.ts). */
export interface LevelsParam {
  kind: 'levels';
  label: string;
}

/** Monotone curves, for all channels and per channel (src/effects/tone.ts). */
export interface CurvesParam {
  kind: 'curves';
  label: string;
}

export type ParamSpec =
  NumberParam | BoolParam | LutParam | ColorParam | ImageParam | LevelsParam | CurvesParam;
export type ParamSchema = Record<string, ParamSpec>;
export type ParamValue =
  number | boolean | string | LutRef | ImageRef | LevelsValue | CurvesValue | null;
export type ParamValues = Record<string, ParamValue>;

/** The value type each kind of parameter holds, so effect kernels get typed params. */
export type ValueOf<P extends ParamSpec> = P extends NumberParam
  ? number
  : P extends BoolParam
    ? boolean
    : P extends ColorParam
      ? string
      : P extends ImageParam
        ? ImageRef | null
        : P extends LevelsParam
          ? LevelsValue
          : P extends CurvesParam
            ? CurvesValue
            : LutRef | null;

export type ParamsOf<S extends ParamSchema> = { [K in keyof S]: ValueOf<S[K]> };

export function defaultValue(spec: ParamSpec): ParamValue {
  switch (spec.kind) {
    case 'lut':
    case 'image':
      return null;
    case 'levels':
      return identityLevels();
    case 'curves':
      return identityCurves();
    default:
      return spec.default;
  }
}

export function defaultParams<S extends ParamSchema>(schema: S): ParamsOf<S> {
  const out: ParamValues = {};
  for (const [name, spec] of Object.entries(schema)) out[name] = defaultValue(spec);
  return out as ParamsOf<S>;
}

/** Snaps a number onto the parameter's grid and range. */
export function clampNumber(spec: NumberParam, value: number): number {
  const clamped = Math.min(spec.max, Math.max(spec.min, value));
  const steps = Math.round((clamped - spec.min) / spec.step);
  // Round away binary noise (0.1 + 0.2) so values serialize cleanly.
  const snapped = Number((spec.min + steps * spec.step).toPrecision(12));
  return Math.min(spec.max, Math.max(spec.min, snapped));
}

/** A reference by id and name (LUTs, images). */
function isRef(value: unknown): value is LutRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as LutRef).id === 'string' &&
    typeof (value as LutRef).name === 'string'
  );
}

const HEX_COLOR = /^#[0-9a-f]{6}$/i;

/** `#rrggbb` to bytes. */
export function parseHexColor(hex: string): [number, number, number] {
  if (!HEX_COLOR.test(hex)) throw new RangeError(`"${hex}" is not a #rrggbb colour`);
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

export interface ParamProblem {
  param: string;
  message: string;
}

/**
 * Validates untrusted values (from a URL, storage or the UI) against a schema. Every parameter
 * comes back with a usable value; what was wrong is reported, never thrown, so a bad link still
 * opens with sensible defaults.
 */
export function validateParams<S extends ParamSchema>(
  schema: S,
  raw: unknown,
): { values: ParamsOf<S>; problems: ParamProblem[] } {
  const input = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const values: ParamValues = {};
  const problems: ParamProblem[] = [];
  for (const [name, spec] of Object.entries(schema)) {
    const value = input[name];
    if (value === undefined) {
      values[name] = defaultValue(spec);
      continue;
    }
    switch (spec.kind) {
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          problems.push({ param: name, message: `${spec.label} must be a number` });
          values[name] = spec.default;
        } else {
          const clamped = clampNumber(spec, value);
          if (value < spec.min || value > spec.max) {
            problems.push({
              param: name,
              message: `${spec.label} ${value} is outside ${spec.min}…${spec.max}; using ${clamped}`,
            });
          }
          values[name] = clamped;
        }
        break;
      case 'bool':
        if (typeof value !== 'boolean') {
          problems.push({ param: name, message: `${spec.label} must be true or false` });
          values[name] = spec.default;
        } else values[name] = value;
        break;
      case 'lut':
      case 'image':
        if (value === null || isRef(value)) values[name] = value;
        else {
          problems.push({ param: name, message: `${spec.label} is not a reference` });
          values[name] = null;
        }
        break;
      case 'color':
        if (typeof value === 'string' && HEX_COLOR.test(value)) values[name] = value.toLowerCase();
        else {
          problems.push({ param: name, message: `${spec.label} must be a #rrggbb colour` });
          values[name] = spec.default;
        }
        break;
      case 'levels':
      case 'curves': {
        const checked = spec.kind === 'levels' ? validateLevels(value) : validateCurves(value);
        values[name] = checked.value;
        for (const message of checked.problems)
          problems.push({ param: name, message: `${spec.label}: ${message}` });
        break;
      }
    }
  }
  for (const name of Object.keys(input)) {
    if (!(name in schema)) problems.push({ param: name, message: `unknown parameter "${name}"` });
  }
  return { values: values as ParamsOf<S>, problems };
}
