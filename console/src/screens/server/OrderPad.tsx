import { useRef, useState } from 'react';
import type { MenuItem } from '../../app/live.ts';
import { ALLERGENS, type DraftLine } from './draft.ts';

/** The menu by station and the lines picked so far: quantity, course, hold, modifiers, allergens. */
export function OrderPad({
  menu,
  stations,
  submitLabel,
  onSubmit,
}: {
  menu: MenuItem[];
  stations: { id: string; name: string }[];
  submitLabel: string;
  onSubmit: (lines: DraftLine[]) => Promise<boolean>;
}) {
  const [lines, setLines] = useState<DraftLine[]>([]);
  const [sending, setSending] = useState(false);
  const nextKey = useRef(1);
  const update = (key: number, change: Partial<DraftLine>) =>
    setLines((all) => all.map((line) => (line.key === key ? { ...line, ...change } : line)));

  function add(menuItem: MenuItem) {
    setLines((all) => [...all, { key: nextKey.current++, menuItem, qty: 1, course: 1, hold: false, modifiers: '', allergens: [] }]);
  }

  async function submit() {
    setSending(true);
    const sent = await onSubmit(lines);
    setSending(false);
    if (sent) setLines([]);
  }

  return (
    <div className="order-pad panel">
      <div className="menu" aria-label="Menu">
        {stations.map((station) => {
          const items = menu.filter((item) => item.station_id === station.id && item.active);
          if (items.length === 0) return null;
          return (
            <div key={station.id} className="menu-station">
              <h3>{station.name}</h3>
              <ul>
                {items.map((item) => (
                  <li key={item.id}>
                    <button type="button" onClick={() => add(item)}>
                      {item.name}
                      {item.price_cents !== undefined && <span className="muted num"> {(item.price_cents / 100).toFixed(2)}</span>}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </div>
      <h3>Lines</h3>
      {lines.length === 0 && <p className="muted">Pick dishes from the menu.</p>}
      <ul className="lines" aria-label="Order lines">
        {lines.map((line) => (
          <li key={line.key} className="line">
            <strong>{line.menuItem.name}</strong>
            <button type="button" aria-label={`Remove ${line.menuItem.name}`} onClick={() => setLines((all) => all.filter((l) => l.key !== line.key))}>
              ✕
            </button>
            <div className="line-fields">
              <label>
                Qty
                <input type="number" min={1} max={99} value={line.qty} onChange={(e) => update(line.key, { qty: Math.max(1, Number(e.target.value) || 1) })} />
              </label>
              <label>
                Course
                <input type="number" min={1} max={9} value={line.course} onChange={(e) => update(line.key, { course: Math.min(9, Math.max(1, Number(e.target.value) || 1)) })} />
              </label>
              <label>
                Modifiers (comma separated)
                <input value={line.modifiers} onChange={(e) => update(line.key, { modifiers: e.target.value })} placeholder="medium rare, no onion" />
              </label>
            </div>
            <div className="allergen-choices" role="group" aria-label="Allergens">
              {ALLERGENS.map((allergen) => (
                <label key={allergen}>
                  <input
                    type="checkbox"
                    checked={line.allergens.includes(allergen)}
                    onChange={(e) =>
                      update(line.key, {
                        allergens: e.target.checked ? [...line.allergens, allergen] : line.allergens.filter((a) => a !== allergen),
                      })
                    }
                  />
                  {allergen}
                </label>
              ))}
              <label>
                <input type="checkbox" checked={line.hold} onChange={(e) => update(line.key, { hold: e.target.checked })} />
                hold (fire later)
              </label>
            </div>
          </li>
        ))}
      </ul>
      <button type="button" className="primary" disabled={lines.length === 0 || sending} onClick={() => void submit()}>
        {sending ? 'Sending…' : submitLabel}
      </button>
    </div>
  );
}
