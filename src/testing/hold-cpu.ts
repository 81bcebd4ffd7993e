import type { CpuPool } from '../cpu';

/**
 * The app's CPU pool, with a latch on the first CPU stage run after `arm()`: it waits until
 * `release()`. A test that starts two frames holds the first one in its CPU stage until the second
 * has started, so the frames overlap however fast the first would have run.
 */
export function holdFirstCpuStage(cpu: CpuPool | null): {
  cpu: CpuPool | null;
  arm(): void;
  release(): void;
} {
  let armed = false;
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  if (!cpu) return { cpu, arm() {}, release };
  const runEffect: CpuPool['runEffect'] = async (...args) => {
    if (armed) {
      armed = false;
      await held;
    }
    return cpu.runEffect(...args);
  };
  const gated = new Proxy(cpu, {
    get(target, key) {
      if (key === 'runEffect') return runEffect;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    cpu: gated,
    arm() {
      armed = true;
    },
    release,
  };
}
