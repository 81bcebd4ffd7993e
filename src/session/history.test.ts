import { describe, expect, it } from 'vitest';
import { History } from './history';

describe('undo history', () => {
  it('undoes and redoes in order', () => {
    const h = new History('a');
    h.push('b');
    h.push('c');
    expect(h.undo()).toBe(true);
    expect(h.present).toBe('b');
    expect(h.undo()).toBe(true);
    expect(h.present).toBe('a');
    expect(h.undo()).toBe(false);
    expect(h.redo()).toBe(true);
    expect(h.present).toBe('b');
  });

  it('drops the redo branch when a new value is pushed', () => {
    const h = new History(1);
    h.push(2);
    h.undo();
    h.push(3);
    expect(h.canRedo).toBe(false);
    expect(h.present).toBe(3);
  });

  it('merges a gesture into one undo step', () => {
    const h = new History(0);
    h.push(1, 'slider');
    h.push(2, 'slider');
    h.push(3, 'slider');
    h.endGesture();
    h.push(4, 'slider');
    h.undo();
    expect(h.present).toBe(3);
    h.undo();
    expect(h.present).toBe(0);
  });

  it('keeps at most `limit` undo steps', () => {
    const h = new History(0, 3);
    for (let i = 1; i <= 10; i++) h.push(i);
    let steps = 0;
    while (h.undo()) steps++;
    expect(steps).toBe(3);
    expect(h.present).toBe(7);
  });

  it('ignores pushing the current value', () => {
    const h = new History('x');
    h.push('x');
    expect(h.canUndo).toBe(false);
  });
});
