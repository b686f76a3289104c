import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newDevice } from './browser.ts';

/** The sizes a kitchen runs the console at: a tablet on the line, a laptop, a wall screen by the pass, a phone. */
export const SIZES = {
  tablet: { width: 1024, height: 768 },
  laptop: { width: 1280, height: 800 },
  wall: { width: 1920, height: 1080 },
  phone: { width: 390, height: 844 },
} as const;
export type Size = keyof typeof SIZES;

/** The smallest touch target a gloved or wet finger hits reliably (WCAG 2.5.5's 44 CSS px). */
export const MIN_TARGET_PX = 44;
/** KDS dish text read from two metres away. */
export const MIN_KDS_TEXT_PX = 20;
/** One header row: a 48 px control and its padding. */
export const MAX_HEADER_PX = 80;

export function newScreen(browser: Browser, baseURL: string, size: Size): Promise<{ context: BrowserContext; page: Page }> {
  return newDevice(browser, baseURL, SIZES[size]);
}

/**
 * What a kitchen would trip over on the page as drawn now: sideways scroll, anything off screen, sticking out
 * of its card or cut off by its box, touch targets under 44 px, KDS dish text under 20 px. An empty list is a
 * page that fits.
 */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(
    ({ minTarget, minText }) => {
      const problems: string[] = [];
      const doc = document.documentElement;
      const name = (el: Element) =>
        `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
      const shown = (el: Element) => {
        const rect = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        // visually hidden text (for screen readers only) is clipped on purpose
        return rect.width > 0 && rect.height > 0 && style.visibility !== 'hidden' && style.clipPath === 'none' && !el.closest('[hidden]');
      };
      if (doc.scrollWidth > doc.clientWidth) problems.push(`the page scrolls sideways (${doc.scrollWidth} > ${doc.clientWidth} px)`);
      for (const el of document.querySelectorAll('header *, main *')) {
        if (!shown(el)) continue;
        const rect = el.getBoundingClientRect();
        if (rect.left < -1 || rect.right > doc.clientWidth + 1) problems.push(`off screen: ${name(el)}`);
        const style = getComputedStyle(el);
        const clips = style.overflowX === 'hidden' || style.overflowX === 'clip';
        if (clips && style.textOverflow !== 'ellipsis' && el.scrollWidth > el.clientWidth + 1) problems.push(`cut off: ${name(el)}`);
      }
      for (const card of document.querySelectorAll('article.ticket, article.order')) {
        const box = card.getBoundingClientRect();
        for (const el of card.querySelectorAll('*')) {
          if (!shown(el)) continue;
          const rect = el.getBoundingClientRect();
          if (rect.left < box.left - 1 || rect.right > box.right + 1) problems.push(`sticks out of its card: ${name(el)}`);
        }
      }
      for (const el of document.querySelectorAll('header a[href], header button, main a[href], main button, main input, main select')) {
        if (!shown(el)) continue;
        const target = el instanceof HTMLInputElement && el.type === 'checkbox' ? (el.closest('label') ?? el) : el;
        const rect = target.getBoundingClientRect();
        if (rect.height < minTarget - 0.5 || rect.width < minTarget - 0.5) {
          problems.push(`touch target ${Math.round(rect.width)}×${Math.round(rect.height)} px: ${name(target)}`);
        }
      }
      for (const el of document.querySelectorAll('.ticket .item-name')) {
        const size = Number.parseFloat(getComputedStyle(el).fontSize);
        if (size < minText) problems.push(`dish text ${size} px: ${name(el)}`);
      }
      return [...new Set(problems)];
    },
    { minTarget: MIN_TARGET_PX, minText: MIN_KDS_TEXT_PX },
  );
}

export async function headerHeight(page: Page): Promise<number> {
  return (await page.locator('header.topbar').boundingBox())!.height;
}
