// The graph's toolbar: add a state, the layout direction, re-layout, zoom (out, the zoom in %, in,
// 100 %, Fit), find, show the YAML, and whether test coverage, the palette, the minimap and the
// inspector are shown.
import type { ReactNode, RefObject } from 'react';
import { useReactFlow, useStore } from 'reactflow';
import { VSCodeButton, VSCodeTextField } from '@vscode/webview-ui-toolkit/react';
import type { LayoutDirection } from '../protocol';
import { Icons } from './icons';

export interface ToolbarProps {
  readOnly: boolean;
  direction: LayoutDirection;
  busy: boolean;
  query: string;
  matchCount: number;
  hit: number;
  minimap: boolean;
  inspector: boolean;
  palette: boolean;
  searchRef: RefObject<HTMLElement>;
  addState(): void;
  toggleDirection(): void;
  relayout(): void;
  fit(): void;
  setQuery(q: string): void;
  findNext(back: boolean): void;
  endSearch(): void;
  openText(): void;
  exportGraph(): void;
  setPanel(panel: 'minimap' | 'inspector' | 'palette', on: boolean): void;
  /** The file has test coverage (the Coverage toggle is offered), and whether it is painted. */
  coverage: { available: boolean; shown: boolean };
  showCoverage(on: boolean): void;
}

function Tool({ label, title, onClick, disabled, pressed, children }: { label: string; title?: string; onClick: () => void; disabled?: boolean; pressed?: boolean; children: ReactNode }) {
  return (
    <VSCodeButton appearance="icon" aria-label={label} title={title ?? label} disabled={disabled} aria-pressed={pressed} onClick={onClick}>
      {children}
    </VSCodeButton>
  );
}

export function Toolbar(p: ToolbarProps) {
  const flow = useReactFlow();
  const zoom = useStore((s) => s.transform[2]);
  return (
    <div role="toolbar" aria-label="Graph tools" className="sw-toolbar-row">
      <Tool label="Add state" title="Add state (or double-click the canvas)" disabled={p.readOnly} onClick={p.addState}>
        {Icons.add()}
      </Tool>
      <Tool label={p.direction === 'DOWN' ? 'Lay out left to right' : 'Lay out top to bottom'} title={p.direction === 'DOWN' ? 'Layout: top to bottom (switch to left to right)' : 'Layout: left to right (switch to top to bottom)'} onClick={p.toggleDirection}>
        {p.direction === 'DOWN' ? Icons.arrowDown() : Icons.arrowRight()}
      </Tool>
      <Tool label="Re-layout, forgetting dragged positions" title="Re-layout (forget dragged positions)" onClick={p.relayout}>
        {Icons.layout()}
      </Tool>
      <span className="sw-toolbar-sep" />
      <Tool label="Zoom out" onClick={() => flow.zoomOut({ duration: 150 })}>
        {Icons.zoomOut()}
      </Tool>
      <button type="button" className="sw-zoom" aria-label={`Zoom ${Math.round(zoom * 100)} %: click for 100 %`} title="Zoom to 100 %" onClick={() => flow.zoomTo(1, { duration: 150 })}>
        {Math.round(zoom * 100)} %
      </button>
      <Tool label="Zoom in" onClick={() => flow.zoomIn({ duration: 150 })}>
        {Icons.zoomIn()}
      </Tool>
      <Tool label="Fit the graph to the view" title="Fit to view (never below a readable size)" onClick={p.fit}>
        {Icons.fit()}
      </Tool>
      <span className="sw-toolbar-sep" />
      <VSCodeTextField
        ref={p.searchRef as never}
        className="sw-search"
        placeholder="Find state"
        aria-label="Find a state by name or description"
        value={p.query}
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        onInput={(e: any) => p.setQuery(String((e.target as HTMLInputElement).value ?? ''))}
        onKeyDown={(e: React.KeyboardEvent) => {
          e.stopPropagation();
          if (e.key === 'Enter') {
            e.preventDefault();
            p.findNext(e.shiftKey);
          } else if (e.key === 'Escape') p.endSearch();
        }}
      >
        <span slot="start">{Icons.search({ size: 14 })}</span>
        {p.query ? (
          <span slot="end" className="sw-search-count" aria-live="polite">
            {p.matchCount ? `${Math.min(p.hit + 1, p.matchCount)} of ${p.matchCount}` : 'No results'}
          </span>
        ) : null}
      </VSCodeTextField>
      <span className="sw-toolbar-sep" />
      <Tool label="Show the YAML beside the graph" title="Show YAML" onClick={p.openText}>
        {Icons.code()}
      </Tool>
      <Tool label="Export the graph as SVG and PNG" title="Export Graph…" onClick={p.exportGraph}>
        {Icons.export()}
      </Tool>
      {p.coverage.available ? (
        <Tool label={p.coverage.shown ? 'Hide the test coverage' : 'Show the test coverage on the graph'} title="Coverage of the task tests" pressed={p.coverage.shown} onClick={() => p.showCoverage(!p.coverage.shown)}>
          {Icons.coverage()}
        </Tool>
      ) : null}
      {p.readOnly ? null : (
        <Tool label={p.palette ? 'Hide the palette' : 'Show the palette'} title="Palette" pressed={p.palette} onClick={() => p.setPanel('palette', !p.palette)}>
          {Icons.palette()}
        </Tool>
      )}
      <Tool label={p.minimap ? 'Hide the minimap' : 'Show the minimap'} title="Minimap" pressed={p.minimap} onClick={() => p.setPanel('minimap', !p.minimap)}>
        {Icons.map()}
      </Tool>
      <Tool label={p.inspector ? 'Hide the inspector' : 'Show the inspector'} title="Inspector" pressed={p.inspector} onClick={() => p.setPanel('inspector', !p.inspector)}>
        {Icons.edit()}
      </Tool>
      {p.busy ? (
        <span className="sw-busy" role="status">
          laying out…
        </span>
      ) : null}
    </div>
  );
}
