import type { Page } from 'playwright-core';
import { MIN_TARGET_PX, SIZES } from './inspect.ts';

export const { phone: PHONE, tablet: TABLET, laptop: LAPTOP } = SIZES;

/**
 * What is wrong with the layout under `selector`, one line per fault (empty when none): an element that reaches past
 * either side of the viewport (the page would scroll sideways), an element whose content is wider than its box
 * (clipped, or spilling over its neighbours), and a control smaller than MIN_TARGET_PX either way (a checkbox is
 * measured with its label, which toggles it too). Screen-reader-only text (clipped to nothing on purpose) is skipped.
 */
export function layoutFaults(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluate((root, minTarget) => {
    const viewport = document.documentElement.clientWidth;
    const faults: string[] = [];
    const name = (element: Element) => {
      const text = (element.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 30);
      const label = element.getAttribute('aria-label');
      return `<${element.tagName.toLowerCase()} class="${element.getAttribute('class') ?? ''}">${label ?? text}`;
    };
    const hiddenOnPurpose = (element: Element) => {
      for (let at: Element | null = element; at && at !== root.parentElement; at = at.parentElement) {
        if (getComputedStyle(at).clipPath !== 'none') return true;
      }
      return false;
    };
    for (const element of [root, ...root.querySelectorAll('*')]) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (hiddenOnPurpose(element)) continue;
      if (box.right > viewport + 0.5 || box.left < -0.5) {
        faults.push(`off screen (${Math.round(box.left)}–${Math.round(box.right)} of ${viewport} px): ${name(element)}`);
      }
      const isField = element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement;
      if (!isField && element.scrollWidth > element.clientWidth + 1 && element.clientWidth > 0) {
        faults.push(`clipped (content ${element.scrollWidth} px in ${element.clientWidth} px): ${name(element)}`);
      }
      if (element.matches('button, a[href], input, select, textarea')) {
        const target = element.matches('input[type="checkbox"], input[type="radio"]') ? (element.closest('label') ?? element) : element;
        const size = target.getBoundingClientRect();
        if (size.width < minTarget || size.height < minTarget) {
          faults.push(`target ${Math.round(size.width)}×${Math.round(size.height)} px: ${name(element)}`);
        }
      }
    }
    return faults;
  }, MIN_TARGET_PX);
}
