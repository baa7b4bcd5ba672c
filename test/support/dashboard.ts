import type { IsolatedNetwork } from '@ecf/network';
import { chromium, type Browser, type Page } from 'playwright-core';
import { gatewayUrl, type Api } from './http';

/** Headless Debian Chromium, with nothing that reaches outside this machine. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The regulator's dashboard in a new page of `browser`, connected with the regulator's token. */
export async function openDashboard(browser: Browser, net: IsolatedNetwork, regulator: Api): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${gatewayUrl(net, 'Regulator')}/dashboard`);
  await page.fill('#token', regulator.token);
  await page.click('#connect');
  return page;
}
