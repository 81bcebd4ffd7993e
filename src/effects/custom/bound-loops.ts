/** Loop iterations one invocation (one pixel) of a custom effect may run, all loops together. */
export const MAX_LOOP_ITERATIONS = 65536;

/** Declared once in a kernel whose loops were bounded: the invocation's iteration count. */
export const LOOP_COUNTER = `var<private> triad_iterations: u32 = 0u;`;

const GUARD = `triad_iterations += 1u; if (triad_iterations > ${MAX_LOOP_ITERATIONS}u) { break; } `;

/** `code` with comments blanked (same length, newlines kept), so positions still match. */
function withoutComments(code: string): string {
  let out = '';
  let depth = 0; // block comments nest in WGSL
  for (let i = 0; i < code.length; i++) {
    const two = code.slice(i, i + 2);
    if (depth === 0 && two === '//') {
      const end = code.indexOf('\n', i);
      const stop = end < 0 ? code.length : end;
      out += ' '.repeat(stop - i);
      i = stop - 1; // the newline itself is copied next
      continue;
    }
    if (two === '/*') {
      depth++;
      out += '  ';
      i++;
      continue;
    }
    if (depth > 0 && two === '*/') {
      depth--;
      out += '  ';
      i++;
      continue;
    }
    out += depth > 0 && code[i] !== '\n' ? ' ' : code[i];
  }
  return out;
}

/**
 * Bounds every `loop`, `for` and `while` of a custom effect: a guard at the top of each body
 * counts the invocation's iterations and breaks out past MAX_LOOP_ITERATIONS. Some GPU stacks
 * cut long loops short themselves, others (SwiftShader, measured) run an endless one forever and
 * the browser's page freezes with them; bounded, a wrong loop costs a slow frame, which the app's
 * watchdog then stops. The guard is inserted on the line of the loop's `{`, so the author's
 * line numbers (and the compiler's messages about them) stay as written.
 */
export function boundLoops(code: string): { code: string; loops: number } {
  const plain = withoutComments(code);
  const insertAt: number[] = [];
  const keyword = /\b(loop|for|while)\b/g;
  for (let m = keyword.exec(plain); m; m = keyword.exec(plain)) {
    let i = m.index + m[0].length;
    if (m[0] === 'for') {
      // Skip the header's parentheses (its parts may call functions).
      while (i < plain.length && plain[i] !== '(') i++;
      for (let depth = 0; i < plain.length; i++) {
        if (plain[i] === '(') depth++;
        else if (plain[i] === ')' && --depth === 0) break;
      }
    }
    const brace = plain.indexOf('{', i);
    if (brace >= 0) insertAt.push(brace + 1);
  }
  let out = code;
  for (const at of insertAt.sort((a, b) => b - a))
    out = out.slice(0, at) + ' ' + GUARD + out.slice(at);
  return { code: insertAt.length ? `${out}\n${LOOP_COUNTER}\n` : code, loops: insertAt.length };
}
