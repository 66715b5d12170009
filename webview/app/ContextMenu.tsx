// A context menu in VS Code's style (menu colours, separators, keybinding hints), operable with the
// keyboard: arrows move, Enter runs, Escape closes.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

export interface MenuItem {
  label: string;
  run: () => void;
  keybinding?: string;
  disabled?: boolean;
  checked?: boolean;
}

export type MenuEntry = MenuItem | 'separator';

export function ContextMenu({ x, y, items, label, onClose }: { x: number; y: number; items: MenuEntry[]; label: string; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const enabled = items.map((e, i) => (e !== 'separator' && !e.disabled ? i : -1)).filter((i) => i >= 0);
  const [active, setActive] = useState(enabled[0] ?? -1);
  const [pos, setPos] = useState({ x, y });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    const r = el.getBoundingClientRect();
    setPos({ x: Math.max(0, Math.min(x, window.innerWidth - r.width - 4)), y: Math.max(0, Math.min(y, window.innerHeight - r.height - 4)) });
    const away = (e: MouseEvent) => {
      if (!el.contains(e.target as Node)) onClose();
    };
    window.addEventListener('mousedown', away, true);
    window.addEventListener('blur', onClose);
    return () => {
      window.removeEventListener('mousedown', away, true);
      window.removeEventListener('blur', onClose);
    };
  }, [x, y, onClose]);
  const run = (i: number) => {
    const e = items[i];
    if (e === 'separator' || !e || e.disabled) return;
    onClose();
    e.run();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    e.stopPropagation();
    const at = enabled.indexOf(active);
    if (e.key === 'ArrowDown') setActive(enabled[(at + 1) % enabled.length]);
    else if (e.key === 'ArrowUp') setActive(enabled[(at - 1 + enabled.length) % enabled.length]);
    else if (e.key === 'Home') setActive(enabled[0]);
    else if (e.key === 'End') setActive(enabled[enabled.length - 1]);
    else if (e.key === 'Enter' || e.key === ' ') run(active);
    else if (e.key === 'Escape' || e.key === 'Tab') onClose();
    else return;
    e.preventDefault();
  };
  return (
    <div ref={ref} className="sw-menu" role="menu" aria-label={label} tabIndex={-1} style={{ left: pos.x, top: pos.y }} onKeyDown={onKeyDown} onContextMenu={(e) => e.preventDefault()} aria-activedescendant={active >= 0 ? `sw-menu-item-${active}` : undefined}>
      {items.map((e, i) =>
        e === 'separator' ? (
          <div key={i} className="sw-menu-separator" role="separator" />
        ) : (
          <div
            key={i}
            id={`sw-menu-item-${i}`}
            role={e.checked === undefined ? 'menuitem' : 'menuitemcheckbox'}
            aria-checked={e.checked}
            aria-disabled={e.disabled || undefined}
            className={`sw-menu-item${i === active ? ' sw-menu-active' : ''}${e.disabled ? ' sw-menu-disabled' : ''}`}
            onMouseEnter={() => !e.disabled && setActive(i)}
            onClick={() => run(i)}
          >
            <span className="sw-menu-check">{e.checked ? '✓' : ''}</span>
            <span className="sw-menu-label">{e.label}</span>
            {e.keybinding ? <span className="sw-menu-key">{e.keybinding}</span> : null}
          </div>
        ),
      )}
    </div>
  );
}
