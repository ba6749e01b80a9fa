/** Renders a QR code as inline SVG (no images, no canvas: crisp at any size, CSP-friendly). */
import { useMemo } from 'preact/hooks';
import { qrPath } from './qr-path.js';

/** A QR code of `text`, labelled for screen readers with `label`. */
export function QrCode(props: { text: string; label: string }) {
  const { d, size } = useMemo(() => qrPath(props.text), [props.text]);
  return (
    <svg
      class="qr"
      role="img"
      aria-label={props.label}
      viewBox={`0 0 ${size} ${size}`}
      shape-rendering="crispEdges"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
