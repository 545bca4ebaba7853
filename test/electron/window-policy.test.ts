// The window's security policy under plain Node: Electron's objects are replaced by recorders of
// the same shape (Electron itself cannot run on these machines).
import { describe, expect, it } from 'vitest';
import {
  applyWindowPolicy,
  denyAllPermissions,
  isAppUrl,
  secureWebPreferences,
  type SessionLike,
  type WebContentsLike,
} from '../../electron/main/window-policy.ts';

const appUrl = 'file:///opt/zo-studio/resources/app.asar/out/renderer/index.html';

function recordingContents() {
  const listeners = new Map<string, (event: { preventDefault(): void }, url: string) => void>();
  let openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  const contents: WebContentsLike = {
    setWindowOpenHandler: (handler) => void (openHandler = handler),
    on: (event: string, listener: (event: { preventDefault(): void }, url: string) => void) =>
      listeners.set(event, listener),
  };
  const fire = (event: string, url = '') => {
    let isPrevented = false;
    listeners.get(event)?.({ preventDefault: () => (isPrevented = true) }, url);
    return isPrevented;
  };
  return { contents, fire, open: (url: string) => openHandler?.({ url }) };
}

describe('window policy', () => {
  it('locks down webPreferences', () => {
    expect(secureWebPreferences('/p/preload.cjs')).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      preload: '/p/preload.cjs',
    });
  });

  it('knows which URLs are the app', () => {
    expect(isAppUrl(`${appUrl}#/runs/abc`, appUrl)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', appUrl)).toBe(false);
    expect(isAppUrl('https://evil.example/', appUrl)).toBe(false);
    expect(isAppUrl('http://localhost:5173/#/new', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isAppUrl('not a url', appUrl)).toBe(false);
  });

  it('denies every new window and sends only https links to the system browser', () => {
    const opened: string[] = [];
    const { contents, open } = recordingContents();
    applyWindowPolicy(contents, appUrl, (url) => opened.push(url));
    expect(open('https://arxiv.org/abs/2305.17333')).toEqual({ action: 'deny' });
    expect(open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(open('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://arxiv.org/abs/2305.17333']);
  });

  it('blocks navigation and redirects away from the app, and every webview', () => {
    const { contents, fire } = recordingContents();
    applyWindowPolicy(contents, appUrl, () => undefined);
    expect(fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(fire('will-navigate', 'file:///home/user/.ssh/id_rsa')).toBe(true);
    expect(fire('will-redirect', 'http://127.0.0.1:9/')).toBe(true);
    expect(fire('will-navigate', `${appUrl}#/settings`)).toBe(false);
    expect(fire('will-attach-webview')).toBe(true);
  });

  it('denies every permission request and check', () => {
    let request: Parameters<SessionLike['setPermissionRequestHandler']>[0] | null = null;
    let check: (() => boolean) | null = null;
    denyAllPermissions({
      setPermissionRequestHandler: (h) => void (request = h),
      setPermissionCheckHandler: (h) => void (check = h),
    });
    const answers: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read'])
      request!(null, permission, (granted) => answers.push(granted));
    expect(answers).toEqual([false, false, false, false]);
    expect(check!()).toBe(false);
  });
});
