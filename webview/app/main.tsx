// The webview's entry point: wires the VS Code API (or a test page's stub) to the React app.
import 'reactflow/dist/style.css';
import './styles.css';
import './overlays.css';
import { createRoot } from 'react-dom/client';
import workerSource from 'elk-worker-source';
import { App, type Host } from './App';
import type { WebviewMessage } from '../protocol';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void };

const api = acquireVsCodeApi();
const host: Host = {
  post: (message: WebviewMessage) => api.postMessage(message),
  getState: () => api.getState(),
  setState: (state) => api.setState(state),
};

window.addEventListener('error', (e) => host.post({ type: 'log', level: 'error', message: `webview error: ${e.message}` }));
window.addEventListener('unhandledrejection', (e) => host.post({ type: 'log', level: 'error', message: `webview error: ${String((e.reason as Error)?.message ?? e.reason)}` }));

createRoot(document.getElementById('root')!).render(<App host={host} workerSource={workerSource} />);
