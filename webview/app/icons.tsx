// Small inline SVG icons in the manner of VS Code's codicons (16×16, drawn with currentColor), so
// that the webview needs no font file and follows the theme's foreground colours.
import type { ReactElement } from 'react';

type IconProps = { size?: number; className?: string; title?: string };

function svg(paths: ReactElement, { size = 16, className, title }: IconProps): ReactElement {
  return (
    <svg className={className ? `sw-icon ${className}` : 'sw-icon'} width={size} height={size} viewBox="0 0 16 16" aria-hidden={title ? undefined : true} role={title ? 'img' : undefined} fill="none">
      {title ? <title>{title}</title> : null}
      {paths}
    </svg>
  );
}

const stroke = { stroke: 'currentColor', strokeWidth: 1.3, strokeLinecap: 'round' as const, strokeLinejoin: 'round' as const };

export const Icons = {
  add: (p: IconProps = {}) => svg(<path d="M8 3v10M3 8h10" {...stroke} />, p),
  trash: (p: IconProps = {}) => svg(<path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.6 8.5h5.8l.6-8.5M7 7v4M9 7v4" {...stroke} />, p),
  edit: (p: IconProps = {}) => svg(<path d="M10.5 3 13 5.5 6 12.5 3 13l.5-3z" {...stroke} />, p),
  up: (p: IconProps = {}) => svg(<path d="M8 13V3M4 7l4-4 4 4" {...stroke} />, p),
  down: (p: IconProps = {}) => svg(<path d="M8 3v10M4 9l4 4 4-4" {...stroke} />, p),
  arrowDown: (p: IconProps = {}) => svg(<path d="M4 2.5h8M8 5v8.5M5 10.5l3 3 3-3" {...stroke} />, p),
  arrowRight: (p: IconProps = {}) => svg(<path d="M2.5 4v8M5 8h8.5M10.5 5l3 3-3 3" {...stroke} />, p),
  layout: (p: IconProps = {}) => svg(<path d="M2.5 2.5h4v3h-4zM9.5 2.5h4v3h-4zM6 10.5h4v3H6zM4.5 5.5v2.5h7V5.5M8 8v2.5" {...stroke} />, p),
  fit: (p: IconProps = {}) => svg(<path d="M2.5 6V2.5H6M10 2.5h3.5V6M13.5 10v3.5H10M6 13.5H2.5V10M5.5 5.5h5v5h-5z" {...stroke} />, p),
  search: (p: IconProps = {}) => svg(<path d="M9.5 9.5 13.5 13.5M10.5 6.5a4 4 0 1 1-8 0 4 4 0 0 1 8 0z" {...stroke} />, p),
  code: (p: IconProps = {}) => svg(<path d="M9.5 2.5h-6v11h9V5.5zM9.5 2.5v3h3M6.5 8 5 9.5 6.5 11M9.5 8 11 9.5 9.5 11" {...stroke} />, p),
  export: (p: IconProps = {}) => svg(<path d="M8 2.5v7.5M5 7l3 3 3-3M3 10.5v3h10v-3" {...stroke} />, p),
  close: (p: IconProps = {}) => svg(<path d="M4 4l8 8M12 4l-8 8" {...stroke} />, p),
  chevronRight: (p: IconProps = {}) => svg(<path d="M6 3.5 10.5 8 6 12.5" {...stroke} />, p),
  chevronDown: (p: IconProps = {}) => svg(<path d="M3.5 6 8 10.5 12.5 6" {...stroke} />, p),
  start: (p: IconProps = {}) => svg(<path d="M5 3.5v9l7-4.5z" fill="currentColor" />, p),
  pin: (p: IconProps = {}) => svg(<path d="M6 2.5h4M7 2.5v4L4.5 9h7L9 6.5v-4M8 9v4.5" {...stroke} />, p),
  zoomIn: (p: IconProps = {}) => svg(<path d="M7 2.5a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9zM10.3 10.3l3.2 3.2M5 7h4M7 5v4" {...stroke} />, p),
  zoomOut: (p: IconProps = {}) => svg(<path d="M7 2.5a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9zM10.3 10.3l3.2 3.2M5 7h4" {...stroke} />, p),
  palette: (p: IconProps = {}) => svg(<path d="M2.5 5.5h11v8h-11zM6 5.5v-2h4v2M2.5 9h11M7 9v1.5h2V9" {...stroke} />, p),
  map: (p: IconProps = {}) => svg(<path d="M2.5 3.5h11v9h-11zM8.5 8h4v3.5h-4z" {...stroke} />, p),
  copy: (p: IconProps = {}) => svg(<path d="M5.5 5.5h7v8h-7zM3.5 10.5v-8h7" {...stroke} />, p),
  // Instruction kinds
  http: (p: IconProps = {}) => svg(<path d="M8 2.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11zM2.5 8h11M8 2.5c-1.6 1.6-2.3 3.4-2.3 5.5S6.4 11.9 8 13.5M8 2.5c1.6 1.6 2.3 3.4 2.3 5.5S9.6 11.9 8 13.5" {...stroke} />, p),
  exec: (p: IconProps = {}) => svg(<path d="M2.5 3.5h11v9h-11zM4.5 6.5l2 1.5-2 1.5M8 10h3" {...stroke} />, p),
  set: (p: IconProps = {}) => svg(<path d="M5 3c-1.5 0-1.5 1-1.5 2.5S3 7.5 2.5 8c.5.5 1 .9 1 2.5S3.5 13 5 13M11 3c1.5 0 1.5 1 1.5 2.5S13 7.5 13.5 8c-.5.5-1 .9-1 2.5S12.5 13 11 13M6.5 6.5l3 3M9.5 6.5l-3 3" {...stroke} />, p),
  log: (p: IconProps = {}) => svg(<path d="M3 4h10M3 7h10M3 10h6M3 13h8" {...stroke} />, p),
  emit: (p: IconProps = {}) => svg(<path d="M8 7.2a.8.8 0 1 0 0 1.6.8.8 0 0 0 0-1.6zM5.5 5.5a3.5 3.5 0 0 0 0 5M10.5 5.5a3.5 3.5 0 0 1 0 5M3.7 3.7a6 6 0 0 0 0 8.6M12.3 3.7a6 6 0 0 1 0 8.6" {...stroke} />, p),
  sleep: (p: IconProps = {}) => svg(<path d="M8 3a5 5 0 1 0 0 10A5 5 0 0 0 8 3zM8 5.5V8l2 1.5" {...stroke} />, p),
  call: (p: IconProps = {}) => svg(<path d="M7.5 2.5h6v11h-6M2.5 8h7M7 5.5 9.5 8 7 10.5" {...stroke} />, p),
  parallel: (p: IconProps = {}) => svg(<path d="M2.5 8h3M5.5 8 9 3.5h4.5M5.5 8H13.5M5.5 8 9 12.5h4.5M11.5 2l2 1.5-2 1.5M11.5 6.5 13.5 8l-2 1.5M11.5 11l2 1.5-2 1.5" {...stroke} />, p),
  forEach: (p: IconProps = {}) => svg(<path d="M2.5 3.5h3v3h-3zM2.5 9.5h3v3h-3zM8 5h5.5M8 11h5.5M11.5 3l2 2-2 2M11.5 9l2 2-2 2" {...stroke} />, p),
  coverage: (p: IconProps = {}) => svg(<path d="M8 2 13 4v4c0 3-2.2 5-5 6-2.8-1-5-3-5-6V4zM5.8 8l1.6 1.6 3-3.2" {...stroke} />, p),
  sql: (p: IconProps = {}) => svg(<path d="M3 4c0-1 2.2-1.5 5-1.5s5 .5 5 1.5-2.2 1.5-5 1.5S3 5 3 4zM3 4v8c0 1 2.2 1.5 5 1.5s5-.5 5-1.5V4M3 8c0 1 2.2 1.5 5 1.5S13 9 13 8" {...stroke} />, p),
  smtp: (p: IconProps = {}) => svg(<path d="M2.5 4h11v8h-11zM2.5 4.5 8 9l5.5-4.5" {...stroke} />, p),
  publish: (p: IconProps = {}) => svg(<path d="M2.5 8.5v4h11v-4M8 10V2.5M5 5.5l3-3 3 3" {...stroke} />, p),
  consume: (p: IconProps = {}) => svg(<path d="M2.5 8.5v4h11v-4M8 2.5V10M5 7l3 3 3-3" {...stroke} />, p),
  grpc: (p: IconProps = {}) => svg(<path d="M2.5 5.5h9M9.5 3.5l2 2-2 2M13.5 10.5h-9M6.5 8.5l-2 2 2 2" {...stroke} />, p),
  custom: (p: IconProps = {}) => svg(<path d="M6 2.5v3M10 2.5v3M4.5 5.5h7v2.5a3.5 3.5 0 0 1-7 0zM8 11.5v2" {...stroke} />, p),
  // Status
  succeeded: (p: IconProps = {}) => svg(<path d="M8 2.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11zM5.5 8.2l1.8 1.8 3.3-3.6" {...stroke} />, p),
  failed: (p: IconProps = {}) => svg(<path d="M8 2.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11zM6 6l4 4M10 6l-4 4" {...stroke} />, p),
  cancelled: (p: IconProps = {}) => svg(<path d="M8 2.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11zM4.2 11.8l7.6-7.6" {...stroke} />, p),
  error: (p: IconProps = {}) => svg(<path d="M8 2a6 6 0 1 0 0 12A6 6 0 0 0 8 2zM6 6l4 4M10 6l-4 4" {...stroke} strokeWidth={1.5} />, p),
  warning: (p: IconProps = {}) => svg(<path d="M8 2.5 14 13H2zM8 6.5v3M8 11.2v.1" {...stroke} strokeWidth={1.5} />, p),
  info: (p: IconProps = {}) => svg(<path d="M8 2a6 6 0 1 0 0 12A6 6 0 0 0 8 2zM8 7v4M8 5v.1" {...stroke} strokeWidth={1.5} />, p),
  timer: (p: IconProps = {}) => svg(<path d="M6.5 1.5h3M8 4a5 5 0 1 0 0 10A5 5 0 0 0 8 4zM8 6.5V9" {...stroke} />, p),
};

/** The icon of each built-in instruction kind; any other kind (a plugin's) gets `custom`. */
const KIND_ICONS: Record<string, (p: IconProps) => ReactElement> = {
  http: Icons.http,
  exec: Icons.exec,
  sql: Icons.sql,
  smtp: Icons.smtp,
  publish: Icons.publish,
  consume: Icons.consume,
  grpc: Icons.grpc,
  set: Icons.set,
  log: Icons.log,
  emit: Icons.emit,
  sleep: Icons.sleep,
  call: Icons.call,
  parallel: Icons.parallel,
  // `map` the instruction, not the minimap's icon.
  map: Icons.forEach,
};

export function kindIcon(kind: string, p: IconProps = {}): ReactElement {
  return (Object.hasOwn(KIND_ICONS, kind) ? KIND_ICONS[kind] : Icons.custom)(p);
}
