/** Resident memory of the renderer processes under a browser process, in MiB. */
export function rendererRssMiB(browserPid: number): number;
/** Runs `action` while sampling the renderers' memory every 100 ms. */
export function withPeakRendererRss<T>(
  browserPid: number,
  action: () => Promise<T>,
): Promise<{ result: T; rssBeforeMiB: number; rssPeakMiB: number }>;
