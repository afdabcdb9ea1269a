/*
 * RunCoach service worker, served at /sw.js with scope "/" (runcoach/pwa.py).
 *
 * It caches only static assets: the icons and the offline page. Page HTML is never
 * cached (every NiceGUI page embeds a per-load client id), and neither is anything
 * under /_nicegui/, /_nicegui_ws or /api/. Navigations go to the network; when the
 * network fails they get the cached offline page, which retries on its own.
 *
 * CACHE_VERSION is filled in by the server from the app version and a hash of the
 * cached files, so a new release installs a new cache and drops the old one.
 */
"use strict";

const CACHE_PREFIX = "runcoach-static-";
const CACHE_VERSION = "__CACHE_VERSION__";
const CACHE_NAME = CACHE_PREFIX + CACHE_VERSION;
const OFFLINE_URL = "/offline.html";

// The only URLs this worker ever stores (runcoach.pwa.PRECACHE_URLS must match).
const PRECACHE_URLS = [
  "/offline.html",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/static/icons/icon-maskable-512.png",
  "/static/icons/apple-touch-icon.png",
  "/static/icons/favicon-48.png",
];

// Paths that must always go straight to the network, untouched by this worker.
const NEVER_HANDLED_PREFIXES = ["/_nicegui", "/api/"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE_NAME)
      .then((cache) => cache.addAll(PRECACHE_URLS.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME)
          .map((name) => caches.delete(name)),
      );
      if (self.registration.navigationPreload) {
        await self.registration.navigationPreload.enable();
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER_HANDLED_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))) return;

  if (request.mode === "navigate") {
    event.respondWith(networkFirstNavigation(event));
    return;
  }
  if (PRECACHE_URLS.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
  // Everything else: no respondWith, so the browser fetches it from the network as usual.
});

/** Pages: always from the network (never stored); the offline page when the network fails. */
async function networkFirstNavigation(event) {
  try {
    const preloaded = await event.preloadResponse;
    if (preloaded) return preloaded;
    return await fetch(event.request);
  } catch (error) {
    const offline = await caches.match(OFFLINE_URL);
    return offline || Response.error();
  }
}

/** Icons and the offline page: from the cache, filled from the network on a miss. */
async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(CACHE_NAME);
    await cache.put(request, response.clone());
  }
  return response;
}
