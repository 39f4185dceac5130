import type { Page } from '@playwright/test';

/** Resident memory of the renderer processes under a browser process, in MiB. */
export function rendererRssMiB(browserPid: number): number;
/** Runs `action` while sampling the renderers' memory every 100 ms. */
export function withPeakRendererRss<T>(
  browserPid: number,
  action: () => Promise<T>,
): Promise<{ result: T; rssBeforeMiB: number; rssPeakMiB: number }>;
/** Imports a file through the annotation view's import dialog. */
export function importThroughDialog(
  page: Page,
  file: string,
  browserPid: number,
): Promise<{ seconds: number; imported: number; rssBeforeMiB: number; rssPeakMiB: number }>;
