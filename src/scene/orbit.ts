/**
 * The orbit camera of the 3D preview scene: yaw/pitch/distance around a fixed target at the scene
 * centre. Pure functions; every update returns a new camera (clamped), never mutates one.
 *
 * Conventions (right-handed, y up): yaw 0 and pitch 0 put the eye on +z looking toward −z; yaw
 * turns the eye counter-clockwise seen from above (toward +x), pitch raises it.
 */
export interface OrbitCamera {
  /** Radians around the vertical axis. */
  yaw: number;
  /** Radians above the horizon, clamped to `PITCH_RANGE`. */
  pitch: number;
  /** Scene units from the target, clamped to `DISTANCE_RANGE`. */
  distance: number;
}

export type Vec3 = [number, number, number];

export interface OrbitBasis {
  eye: Vec3;
  /** Unit vector from the eye toward the target. */
  forward: Vec3;
  /** Unit vector to the right of the view, horizontal. */
  right: Vec3;
  /** Unit vector up in the view: `right × forward`. */
  up: Vec3;
}

/** What the camera orbits: the middle of the scene's objects, a little above the ground. */
export const SCENE_TARGET: Readonly<Vec3> = [0, 0.7, -0.3];
/** Just above the horizon (the eye never goes under the ground) to nearly straight down. */
export const PITCH_RANGE = [0.05, 1.35] as const;
export const DISTANCE_RANGE = [2.5, 14] as const;
/** 1 / tan(vertical field of view / 2): about 58° vertically. */
export const FOCAL_LENGTH = 1.8;
/** Radians of yaw and pitch per pixel dragged. */
export const RADIANS_PER_PIXEL = 0.008;
/** Wheel delta (pixels, as WheelEvent.deltaY in pixel mode) per e-fold of distance. */
export const WHEEL_PER_E = 600;

export const DEFAULT_CAMERA: Readonly<OrbitCamera> = Object.freeze({
  yaw: 0.5,
  pitch: 0.32,
  distance: 5.5,
});

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Yaw wrapped to [−π, π), pitch and distance clamped; non-finite fields take the defaults. */
export function clampCamera(camera: OrbitCamera): OrbitCamera {
  const finite = (v: number, fallback: number) => (Number.isFinite(v) ? v : fallback);
  const yaw = finite(camera.yaw, DEFAULT_CAMERA.yaw);
  return {
    yaw: yaw - 2 * Math.PI * Math.floor((yaw + Math.PI) / (2 * Math.PI)),
    pitch: clamp(finite(camera.pitch, DEFAULT_CAMERA.pitch), PITCH_RANGE[0], PITCH_RANGE[1]),
    distance: clamp(
      finite(camera.distance, DEFAULT_CAMERA.distance),
      DISTANCE_RANGE[0],
      DISTANCE_RANGE[1],
    ),
  };
}

/** The eye and the camera's orthonormal basis (after clamping the camera). */
export function orbitBasis(camera: OrbitCamera): OrbitBasis {
  const { yaw, pitch, distance } = clampCamera(camera);
  const cy = Math.cos(yaw);
  const sy = Math.sin(yaw);
  const cp = Math.cos(pitch);
  const sp = Math.sin(pitch);
  const [tx, ty, tz] = SCENE_TARGET;
  return {
    eye: [tx + distance * cp * sy, ty + distance * sp, tz + distance * cp * cy],
    forward: [-cp * sy, -sp, -cp * cy],
    right: [cy, 0, -sy],
    up: [-sp * sy, cp, -sp * cy],
  };
}

/**
 * A pointer drag of (dx, dy) pixels. The scene follows the pointer: dragging right turns the eye
 * to the left around the target, dragging down raises the eye (looks more from above).
 */
export function dragOrbit(camera: OrbitCamera, dxPixels: number, dyPixels: number): OrbitCamera {
  const dx = Number.isFinite(dxPixels) ? dxPixels : 0;
  const dy = Number.isFinite(dyPixels) ? dyPixels : 0;
  return clampCamera({
    yaw: camera.yaw - dx * RADIANS_PER_PIXEL,
    pitch: camera.pitch + dy * RADIANS_PER_PIXEL,
    distance: camera.distance,
  });
}

/** A wheel step: positive deltas (scrolling down) move the eye away, negative ones closer. */
export function zoomOrbit(camera: OrbitCamera, wheelDelta: number): OrbitCamera {
  // Bounded so that a huge delta saturates at a range end rather than overflowing to Infinity.
  const e = Number.isFinite(wheelDelta) ? clamp(wheelDelta / WHEEL_PER_E, -20, 20) : 0;
  return clampCamera({ ...camera, distance: camera.distance * Math.exp(e) });
}
