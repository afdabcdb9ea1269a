// RunCoach service worker. It caches only static assets: never page HTML (every page
// load embeds a per-load client id), never NiceGUI's socket or assets, never the API.
const CACHE = "runcoach-static-v1";
const PRECACHE = [
  "/offline.html",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/static/icons/icon-maskable-512.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Network only; when the server cannot be reached, show the offline page instead of the browser's error.
    event.respondWith(fetch(request).catch(() => caches.match("/offline.html")));
    return;
  }
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
  // Everything else (/_nicegui, /_nicegui_ws, /api, pages) goes to the network untouched.
});
