// A QR code drawn as SVG rectangles from uqr's module matrix (no raw HTML).
// uqr is imported on first use, so it is not in the first load's JavaScript.
import { useEffect, useState } from 'react';

export function QrCode(props: { text: string; label: string }) {
  const [modules, setModules] = useState<boolean[][] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    setModules(null);
    import('uqr')
      .then(({ encode }) => {
        if (live) setModules(encode(props.text, { ecc: 'M', border: 2 }).data);
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [props.text]);
  if (failed) return <div className="muted">The QR code could not be drawn: type the key below into the app instead.</div>;
  if (!modules) return <div className="qr qr-loading" role="status">Drawing the QR code…</div>;
  const n = modules.length;
  const cells: string[] = [];
  modules.forEach((row, y) => row.forEach((on, x) => { if (on) cells.push(`M${x} ${y}h1v1h-1z`); }));
  return (
    <svg className="qr" role="img" aria-label={props.label} viewBox={`0 0 ${n} ${n}`} width={Math.max(160, n * 5)} height={Math.max(160, n * 5)} shapeRendering="crispEdges">
      <rect width={n} height={n} fill="#fff" />
      <path d={cells.join('')} fill="#000" />
    </svg>
  );
}
