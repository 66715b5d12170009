// ELK's worker script as text (bundled by scripts/build-webview.mjs), started as a blob: worker.
declare module 'elk-worker-source' {
  const source: string;
  export default source;
}
