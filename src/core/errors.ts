/** The text to show for anything thrown: an Error's message, any other value as a string. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
