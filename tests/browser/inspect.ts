import type { Browser, BrowserContext, Page } from 'playwright-core'
import { newDevice } from './browser.ts'

/** The sizes a kitchen runs the console at: a tablet on the line, a laptop, a wall screen by the pass, a phone. */
export const SIZES = {
  tablet: { width: 1024, height: 768 },
  laptop: { width: 1280, height: 800 },
  wall: { width: 1920, height: 1080 },
  phone: { width: 390, height: 844 },
} as const
export type Size = keyof typeof SIZES

export const { phone: PHONE, tablet: TABLET, laptop: LAPTOP } = SIZES

/** The smallest touch target a gloved or wet finger hits reliably (WCAG 2.5.5's 44 CSS px). */
export const MIN_TARGET_PX = 44
/** One header row: a 48 px control and its padding. */
export const MAX_HEADER_PX = 80

export function newScreen(
  browser: Browser,
  baseURL: string,
  size: Size,
): Promise<{ context: BrowserContext; page: Page }> {
  return newDevice(browser, baseURL, SIZES[size])
}

/**
 * What a kitchen would trip over under `scope` (by default the whole shell) as drawn now, one line per problem:
 * the page scrolling sideways, anything reaching past either side of the viewport, content wider than its box
 * (cut off, or spilling over its neighbours; a box that scrolls or ends in an ellipsis is meant to), anything
 * sticking out of its card, a control smaller than MIN_TARGET_PX either way (a checkbox or radio is measured with
 * its label, which toggles it too). Screen-reader-only text (clipped to nothing on purpose) is skipped. An empty
 * list is a page that fits.
 */
export function layoutProblems(page: Page, scope = 'header, main'): Promise<string[]> {
  return page.evaluate(
    ({ scope, minTarget }) => {
      const problems: string[] = []
      const doc = document.documentElement
      const viewport = doc.clientWidth
      const name = (el: Element) =>
        `<${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}">${
          el.getAttribute('aria-label') ?? (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 30)
        }`
      const hiddenOnPurpose = (el: Element) => {
        for (let at: Element | null = el; at; at = at.parentElement) {
          if (getComputedStyle(at).clipPath !== 'none') return true
        }
        return false
      }
      const shown = (el: Element) => {
        const rect = el.getBoundingClientRect()
        return rect.width > 0 && rect.height > 0 && getComputedStyle(el).visibility !== 'hidden' &&
          !el.closest('[hidden]') && !hiddenOnPurpose(el)
      }
      if (doc.scrollWidth > viewport) {
        problems.push(`the page scrolls sideways (${doc.scrollWidth} > ${viewport} px)`)
      }
      const elements = [...document.querySelectorAll(scope)].flatMap((
        root,
      ) => [root, ...root.querySelectorAll('*')])
      for (const el of elements) {
        if (!shown(el)) continue
        const rect = el.getBoundingClientRect()
        if (rect.left < -1 || rect.right > viewport + 1) {
          problems.push(
            `off screen (${Math.round(rect.left)}–${Math.round(rect.right)} of ${viewport} px): ${name(el)}`,
          )
        }
        const style = getComputedStyle(el)
        const meantTo = style.textOverflow === 'ellipsis' || style.overflowX === 'auto' ||
          style.overflowX === 'scroll'
        const isField = el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement
        if (!isField && !meantTo && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
          problems.push(`cut off (content ${el.scrollWidth} px in ${el.clientWidth} px): ${name(el)}`)
        }
        const card = el.parentElement?.closest('article')
        if (card) {
          const box = card.getBoundingClientRect()
          if (rect.left < box.left - 1 || rect.right > box.right + 1) {
            problems.push(`sticks out of its card: ${name(el)}`)
          }
        }
        if (el.matches('a[href], button, input, select, textarea')) {
          const target = el.matches('input[type="checkbox"], input[type="radio"]')
            ? (el.closest('label') ?? el)
            : el
          const size = target.getBoundingClientRect()
          if (size.width < minTarget - 0.5 || size.height < minTarget - 0.5) {
            problems.push(
              `touch target ${Math.round(size.width)}×${Math.round(size.height)} px: ${name(target)}`,
            )
          }
        }
      }
      return [...new Set(problems)]
    },
    { scope, minTarget: MIN_TARGET_PX },
  )
}

export async function headerHeight(page: Page): Promise<number> {
  return (await page.locator('header.topbar').boundingBox())!.height
}
