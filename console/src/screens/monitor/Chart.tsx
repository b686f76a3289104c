import type { Sample } from './history.ts';

const WIDTH = 600;
const HEIGHT = 160;

export interface Series {
  key: keyof Omit<Sample, 'at'>;
  label: string;
  color: string;
}

/** Lines over the sampled window, scaled to the largest value shown; plain SVG, fixed size (no reflow). */
export function Chart({ samples, series, unit, title }: { samples: Sample[]; series: Series[]; unit: string; title: string }) {
  const max = Math.max(1, ...samples.flatMap((sample) => series.map((s) => sample[s.key])));
  const x = (index: number) => (samples.length < 2 ? 0 : (index / (samples.length - 1)) * WIDTH);
  const y = (value: number) => HEIGHT - 4 - (value / max) * (HEIGHT - 14);
  return (
    <figure className="panel" style={{ margin: 0 }}>
      <figcaption className="screen-head">
        <h3>{title}</h3>
        <span className="legend">
          {series.map((s) => (
            <span key={s.key} style={{ color: s.color }}>
              {s.label}
            </span>
          ))}
        </span>
        <span className="muted num">max {Math.round(max)} {unit}</span>
      </figcaption>
      <svg className="chart" data-samples={samples.length} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={title}>
        {series.map((s) => (
          <polyline
            key={s.key}
            fill="none"
            stroke={s.color}
            strokeWidth={2}
            vectorEffect="non-scaling-stroke"
            points={samples.map((sample, index) => `${x(index).toFixed(1)},${y(sample[s.key]).toFixed(1)}`).join(' ')}
          />
        ))}
      </svg>
    </figure>
  );
}
