/**
 * Seconds left in a comparison of `strategies` runs, from how long the finished ones took
 * (null until one has: the first strategy's warm-up says little about the others').
 */
export function etaOf(strategies: number, now: () => number = () => performance.now()) {
  let finished = 0;
  let spent = 0;
  let startedAt = now();
  return {
    start: () => void (startedAt = now()),
    done: () => {
      finished++;
      spent += now() - startedAt;
    },
    left: (): number | null => {
      if (finished === 0) return null;
      const each = spent / finished;
      const current = Math.max(0, each - (now() - startedAt));
      return (current + each * (strategies - finished - 1)) / 1000;
    },
  };
}
