import { existsSync, readFileSync } from 'node:fs';
import { ChainFormatError, decodeChainFromUrl, parseChain, type Chain } from '../effects/chain';

/** Where a `--chain` argument came from, for messages. */
export type ChainOrigin = 'file' | 'link' | 'token';

/**
 * The chain a `--chain` argument names: a file the app's "Export file" wrote (JSON), a link its
 * "Copy link" made (`…#chain=<token>`), or the token alone. Repairs (an unknown effect dropped, a
 * parameter out of range) are returned as problems, as the app reports them; text that is no
 * chain at all throws a `ChainFormatError` saying which of the three it was read as.
 */
export function readChainArgument(argument: string): {
  chain: Chain;
  problems: string[];
  origin: ChainOrigin;
} {
  if (existsSync(argument)) {
    const text = readFileSync(argument, 'utf8');
    try {
      return { ...parseChain(text), origin: 'file' };
    } catch (error) {
      throw new ChainFormatError(`${argument} is not a chain file: ${(error as Error).message}`);
    }
  }
  const at = argument.indexOf('#chain=');
  const origin: ChainOrigin = at >= 0 ? 'link' : 'token';
  const token = at >= 0 ? argument.slice(at + '#chain='.length) : argument.trim();
  if (origin === 'token' && /^[a-z]+:\/\//i.test(token))
    throw new ChainFormatError('the link has no chain in it (no "#chain=" part)');
  try {
    return { ...decodeChainFromUrl(decodeURIComponent(token)), origin };
  } catch (error) {
    const what = origin === 'link' ? 'the link' : `"${token.slice(0, 24)}…" (no such file either)`;
    throw new ChainFormatError(`${what} is not a chain: ${(error as Error).message}`);
  }
}
