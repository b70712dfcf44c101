/** The local console's sign-in link for a token (`npm run token -- --console`): the token in the fragment. */
export function consoleSignInUrl(token: string, port = '3000'): string {
  return `http://127.0.0.1:${port}/#token=${encodeURIComponent(token)}`;
}
