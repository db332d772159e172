/**
 * The setup snippet of the package README, read between `<!-- setup:begin -->` and `<!-- setup:end -->`,
 * so that the consumer test runs exactly what a user copies, and the README and the test cannot drift.
 */
import { readFileSync } from 'node:fs';

export const SNIPPET_BEGIN = '<!-- setup:begin -->';
export const SNIPPET_END = '<!-- setup:end -->';

/**
 * The code of the one fenced block between the markers. A README without the markers falls back to its
 * first fenced block that calls `startSpanProfiles(`, and says so in `note`; throws when there is neither.
 */
export function readSetupSnippet(readmePath: string): { code: string; note?: string } {
  const readme = readFileSync(readmePath, 'utf8');
  const begin = readme.indexOf(SNIPPET_BEGIN);
  const end = readme.indexOf(SNIPPET_END);
  if (begin < 0 || end < begin) {
    const first = fencedBlocks(readme).find((block) => block.includes('startSpanProfiles('));
    if (first === undefined) {
      throw new Error(`${readmePath} has no setup snippet between ${SNIPPET_BEGIN} and ${SNIPPET_END}`);
    }
    return {
      code: first,
      note: `${readmePath} has no ${SNIPPET_BEGIN} … ${SNIPPET_END}: using its first block that calls startSpanProfiles`,
    };
  }
  const blocks = fencedBlocks(readme.slice(begin + SNIPPET_BEGIN.length, end));
  if (blocks.length !== 1) {
    throw new Error(
      `${readmePath}: expected one fenced code block in the setup snippet, found ${blocks.length}`,
    );
  }
  return { code: blocks[0]! };
}

const fencedBlocks = (markdown: string): string[] =>
  [...markdown.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);

/**
 * Replaces `search` in `code`, which must occur exactly once: a README that changed shape fails loudly
 * instead of running something else than the user would.
 */
export function replaceOnce(
  code: string,
  search: string | RegExp,
  replacement: string,
  what: string,
): string {
  const pattern =
    typeof search === 'string' ? new RegExp(escapeRegExp(search), 'g') : new RegExp(search, 'g');
  const count = [...code.matchAll(pattern)].length;
  if (count !== 1) throw new Error(`setup snippet: expected ${what} once, found it ${count} times:\n${code}`);
  return code.replace(pattern, replacement);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
