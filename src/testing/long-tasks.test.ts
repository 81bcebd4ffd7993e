import { describe, expect, it } from 'vitest';
import { LongTasks } from './long-tasks';

describe('LongTasks', () => {
  it('summarizes the tasks that started in a span: count, longest, total', () => {
    const tasks = new LongTasks();
    tasks.add(100, 60);
    tasks.add(250, 180);
    tasks.add(900, 75);
    expect(tasks.between(200, 900)).toEqual({ count: 1, longestMs: 180, totalMs: 180 });
    expect(tasks.between(0)).toEqual({ count: 3, longestMs: 180, totalMs: 315 });
    expect(tasks.between(1000)).toEqual({ count: 0, longestMs: 0, totalMs: 0 });
  });
});
