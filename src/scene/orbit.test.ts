import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CAMERA,
  DISTANCE_RANGE,
  PITCH_RANGE,
  SCENE_TARGET,
  clampCamera,
  dragOrbit,
  orbitBasis,
  zoomOrbit,
  type OrbitCamera,
  type Vec3,
} from './orbit';

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const sub = (a: Vec3, b: Readonly<Vec3>): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const len = (a: Vec3) => Math.hypot(...a);

const CAMERAS: OrbitCamera[] = [
  DEFAULT_CAMERA,
  { yaw: 0, pitch: 0.05, distance: 2.5 },
  { yaw: -2.9, pitch: 1.3, distance: 14 },
  { yaw: 7.5, pitch: 0.7, distance: 4 },
];

describe('orbitBasis', () => {
  it.each(CAMERAS)('is orthonormal and right-handed (%o)', (camera) => {
    const { forward, right, up } = orbitBasis(camera);
    for (const v of [forward, right, up]) expect(len(v)).toBeCloseTo(1, 12);
    expect(dot(forward, right)).toBeCloseTo(0, 12);
    expect(dot(forward, up)).toBeCloseTo(0, 12);
    expect(dot(right, up)).toBeCloseTo(0, 12);
    cross(right, forward).forEach((c, i) => expect(c).toBeCloseTo(up[i], 12));
  });

  it.each(CAMERAS)('looks at the target from `distance` away, right level (%o)', (camera) => {
    const { eye, forward, right, up } = orbitBasis(camera);
    const toTarget = sub([...SCENE_TARGET], eye);
    expect(len(toTarget)).toBeCloseTo(clampCamera(camera).distance, 12);
    toTarget.forEach((c, i) => expect(c / len(toTarget)).toBeCloseTo(forward[i], 12));
    expect(right[1]).toBe(0);
    expect(up[1]).toBeGreaterThan(0);
    expect(eye[1]).toBeGreaterThan(0); // never under the ground
  });

  it('yaw 0, pitch 0 puts the eye on +z looking toward −z, right = +x', () => {
    const { eye, forward, right, up } = orbitBasis({ yaw: 0, pitch: 0.05, distance: 5 });
    expect(eye[2]).toBeGreaterThan(SCENE_TARGET[2] + 4.9);
    expect(forward[2]).toBeLessThan(-0.99);
    expect(right).toEqual([1, 0, -0]);
    expect(up[1]).toBeGreaterThan(0.99);
  });
});

describe('clampCamera', () => {
  it('clamps pitch and distance, wraps yaw, replaces non-finite values', () => {
    expect(clampCamera({ yaw: 0, pitch: -1, distance: 0.1 })).toEqual({
      yaw: 0,
      pitch: PITCH_RANGE[0],
      distance: DISTANCE_RANGE[0],
    });
    expect(clampCamera({ yaw: 0, pitch: 3, distance: 1e6 })).toMatchObject({
      pitch: PITCH_RANGE[1],
      distance: DISTANCE_RANGE[1],
    });
    expect(clampCamera({ yaw: 3 * Math.PI + 0.25, pitch: 0.3, distance: 5 }).yaw).toBeCloseTo(
      -Math.PI + 0.25,
      12,
    );
    expect(clampCamera({ yaw: NaN, pitch: Infinity, distance: NaN })).toEqual(
      clampCamera(DEFAULT_CAMERA),
    );
  });
});

describe('dragOrbit', () => {
  it('dragging right turns the eye left around the target (the scene follows the pointer)', () => {
    const before = orbitBasis(DEFAULT_CAMERA);
    const after = orbitBasis(dragOrbit(DEFAULT_CAMERA, 40, 0));
    expect(dot(sub(after.eye, before.eye), before.right)).toBeLessThan(0);
    expect(after.eye[1]).toBeCloseTo(before.eye[1], 12);
  });

  it('dragging down raises the eye, dragging up lowers it', () => {
    const base = orbitBasis(DEFAULT_CAMERA).eye[1];
    expect(orbitBasis(dragOrbit(DEFAULT_CAMERA, 0, 30)).eye[1]).toBeGreaterThan(base);
    expect(orbitBasis(dragOrbit(DEFAULT_CAMERA, 0, -10)).eye[1]).toBeLessThan(base);
  });

  it('keeps the pitch in range however far the pointer goes, and ignores NaN', () => {
    expect(dragOrbit(DEFAULT_CAMERA, 0, 1e5).pitch).toBe(PITCH_RANGE[1]);
    expect(dragOrbit(DEFAULT_CAMERA, 0, -1e5).pitch).toBe(PITCH_RANGE[0]);
    expect(dragOrbit(DEFAULT_CAMERA, NaN, NaN)).toEqual(clampCamera(DEFAULT_CAMERA));
  });

  it('does not change the camera it is given', () => {
    const camera = { ...DEFAULT_CAMERA };
    dragOrbit(camera, 50, 50);
    expect(camera).toEqual(DEFAULT_CAMERA);
  });
});

describe('zoomOrbit', () => {
  it('scrolling down moves away, up moves closer, within the distance range', () => {
    expect(zoomOrbit(DEFAULT_CAMERA, 100).distance).toBeGreaterThan(DEFAULT_CAMERA.distance);
    expect(zoomOrbit(DEFAULT_CAMERA, -100).distance).toBeLessThan(DEFAULT_CAMERA.distance);
    expect(zoomOrbit(DEFAULT_CAMERA, 1e6).distance).toBe(DISTANCE_RANGE[1]);
    expect(zoomOrbit(DEFAULT_CAMERA, -1e6).distance).toBe(DISTANCE_RANGE[0]);
  });

  it('zooming in and out by the same delta comes back', () => {
    const back = zoomOrbit(zoomOrbit(DEFAULT_CAMERA, 240), -240);
    expect(back.distance).toBeCloseTo(DEFAULT_CAMERA.distance, 12);
  });
});
