/*
 * RunCoach live views (run, remote, TV): the browser half of the server-owned clock.
 *
 * The server pushes one small snapshot per session (socket.io event "runcoach_state") when the
 * status or segment changes and on a heartbeat; between pushes this script interpolates the clock
 * from the last snapshot and the time it arrived, so every screen ticks smoothly without the
 * server sending anything per second. Labels that change only with the segment (name, speed,
 * incline, next) are updated by the server; this script writes only the moving parts:
 *   #rc-elapsed, #rc-remaining, #rc-segment-bar, #rc-workout-bar and the chart's "now" line.
 * It also plays the 3-2-1 beeps and the spoken cue (run view), holds a screen wake lock (run and
 * TV views) and shows a banner while the connection is lost.
 *
 * Page data: window.RC_VIEW = {state, durations, offsets, cues, cue_lead_s, beeps, wake_lock,
 * chart_id}; state has the hub's payload fields (id, seq, status, elapsed_s, segment_index,
 * segment_elapsed_s, segment_remaining_s, segment_count, total_duration_s, server_ms).
 */
(function () {
  "use strict";
  const view = window.RC_VIEW;
  if (!view || !view.state) return;

  const MUTE_KEY = "runcoach.muted";
  let snap = view.state;
  let receivedAt = performance.now();
  let socket = null;

  // --- the clock ---------------------------------------------------------------------------------

  function accept(payload) {
    if (!payload || payload.id !== snap.id) return;
    // A stale snapshot (an older event, or an older push of the same one) never moves the clock back.
    if (payload.seq < snap.seq || (payload.seq === snap.seq && payload.server_ms < snap.server_ms)) return;
    const before = snap;
    snap = payload;
    receivedAt = performance.now();
    onSnapshot(before, snap);
  }

  function current() {
    let dt = 0;
    if (snap.status === "running") {
      // Never run past the segment's end on our own: the server decides what comes next.
      dt = Math.min((performance.now() - receivedAt) / 1000, Math.max(0, snap.segment_remaining_s));
    }
    return {
      index: snap.segment_index,
      elapsed: snap.elapsed_s + dt,
      segmentElapsed: snap.segment_elapsed_s + dt,
      remaining: Math.max(0, snap.segment_remaining_s - dt),
    };
  }

  function clock(seconds) {
    const s = Math.max(0, seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(sec).padStart(2, "0");
  }
  const elapsedClock = (s) => clock(Math.floor(Math.max(0, s)));
  const countdown = (s) => clock(Math.ceil(Math.max(0, s) - 1e-6));

  // --- rendering -------------------------------------------------------------------------------

  function setText(id, text) {
    const el = document.getElementById(id);
    if (!el) return;
    // Change the text node Vue rendered (not the element's children), so Vue's bookkeeping stays valid.
    const node = el.firstChild;
    if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling) {
      if (node.nodeValue !== text) node.nodeValue = text;
    } else if (el.textContent !== text) {
      el.textContent = text;
    }
  }

  function setFraction(id, fraction) {
    const el = document.getElementById(id);
    if (!el) return;
    const width = (Math.min(1, Math.max(0, fraction || 0)) * 100).toFixed(2) + "%";
    if (el.style.width !== width) el.style.width = width;
  }

  let chartAt = 0;
  let chartX = null;
  function renderChart(positionS, now) {
    if (view.chart_id == null || typeof getElement !== "function") return;
    const x = Math.round((positionS / 60) * 1000) / 1000;
    // Once a second is plenty for a line on a 30-minute axis; jumps (skip, back) show at once.
    if (chartX !== null && now - chartAt < 1000 && Math.abs(x - chartX) < 0.5) return;
    let chart = null;
    try {
      chart = getElement(view.chart_id)?.chart; // throws until NiceGUI's Vue app has mounted
    } catch (e) {
      return;
    }
    if (!chart) return;
    chart.setOption({ series: [{ markLine: { data: [{ xAxis: x }] } }] });
    chartAt = now;
    chartX = x;
  }

  // The bars and the chart's line, for every status alike: a completed session keeps the segment
  // and the point where it stopped. The server's fold leaves a run that played to its end on the
  // last segment's end (full bars, line at the end) and an early finish where the runner stopped,
  // so an early finish never shows full bars.
  function progressOf(c) {
    const duration = view.durations[c.index] || 1;
    const position = (view.offsets[c.index] || 0) + c.segmentElapsed;
    return { segment: c.segmentElapsed / duration, position, workout: position / (snap.total_duration_s || 1) };
  }

  function render(now) {
    const c = current();
    setText("rc-elapsed", elapsedClock(c.elapsed));
    setText("rc-remaining", countdown(c.remaining));
    const progress = progressOf(c);
    setFraction("rc-segment-bar", progress.segment);
    setFraction("rc-workout-bar", progress.workout);
    renderChart(progress.position, now);
    cue(c);
  }

  function frame(now) {
    bindSocket();
    bindMute();
    try {
      render(now);
    } catch (e) {
      console.error("runcoach live view:", e);
    }
    window.requestAnimationFrame(frame);
  }

  // --- cues: 3-2-1 beeps and the spoken line ---------------------------------------------------

  let audio = null;
  let muted = readMuted();
  let last = null; // {key, whole, goDone}

  function readMuted() {
    try {
      return window.localStorage.getItem(MUTE_KEY) === "1";
    } catch (e) {
      return false;
    }
  }

  function unlockAudio() {
    // Browsers start audio only from a user gesture: the first tap anywhere (e.g. Start) unlocks it.
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!audio) audio = new Ctx();
    if (audio.state === "suspended") audio.resume();
  }

  function beep(frequency, seconds) {
    if (muted || !view.beeps || !audio || audio.state !== "running") return;
    const t = audio.currentTime;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.5, t + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + seconds);
    osc.connect(gain).connect(audio.destination);
    osc.start(t);
    osc.stop(t + seconds + 0.05);
  }

  function speak(text) {
    if (muted || !text || !("speechSynthesis" in window)) return;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
  }

  const tick = () => beep(880, 0.15);
  const go = () => beep(1320, 0.45);

  function cue(c) {
    const key = snap.segment_index + ":" + snap.seq;
    const whole = Math.ceil(c.remaining - 1e-6);
    const running = snap.status === "running";
    if (last && last.key === key && running && whole < last.whole) {
      // Only crossings seen live count: a page opened at 0:02 left does not beep for 3.
      const line = view.cues[c.index];
      if (line && last.whole > view.cue_lead_s && whole <= view.cue_lead_s && whole > 3) speak(line);
      if (whole >= 1 && whole <= 3) tick();
      if (whole === 0 && !last.goDone) {
        go();
        last.goDone = true;
      }
    }
    if (!last || last.key !== key) {
      last = { key, whole, goDone: false };
    } else {
      last.whole = whole;
    }
  }

  function onSnapshot(before, after) {
    // The next segment's push can arrive a hair before our own clock reaches 0: beep "go" then.
    const advanced = after.segment_index > before.segment_index && after.seq === before.seq;
    if (advanced && after.status === "running" && last && !last.goDone && last.whole <= 1) go();
    updateWakeLock();
  }

  let muteButton = null;
  function bindMute() {
    // Vue creates the (empty) button; its content is ours, drawn again if Vue ever replaces it.
    const button = document.getElementById("rc-mute");
    if (button && button !== muteButton) {
      muteButton = button;
      renderMute();
    }
  }

  function renderMute() {
    const button = document.getElementById("rc-mute");
    if (!button) return;
    const icon = muted ? "volume_off" : "volume_up";
    const html = '<i class="material-icons" aria-hidden="true">' + icon + "</i><span>" + (muted ? "Sound off" : "Sound on") + "</span>";
    if (button.innerHTML !== html) button.innerHTML = html;
    button.setAttribute("aria-pressed", String(muted));
  }

  function toggleMute() {
    muted = !muted;
    try {
      window.localStorage.setItem(MUTE_KEY, muted ? "1" : "0");
    } catch (e) {
      /* private mode: the choice lasts for this page */
    }
    if (muted && "speechSynthesis" in window) window.speechSynthesis.cancel();
    renderMute();
  }

  document.addEventListener("pointerdown", unlockAudio, { capture: true });
  document.addEventListener("keydown", unlockAudio, { capture: true });
  document.addEventListener("click", (e) => {
    if (e.target instanceof Element && e.target.closest("#rc-mute")) toggleMute();
  });

  // --- screen wake lock ------------------------------------------------------------------------

  let wakeLock = null;
  let wakePending = false;

  async function updateWakeLock() {
    if (!view.wake_lock || !("wakeLock" in navigator)) return;
    const want = (snap.status === "running" || snap.status === "paused") && document.visibilityState === "visible";
    if (want && !wakeLock && !wakePending) {
      wakePending = true;
      try {
        wakeLock = await navigator.wakeLock.request("screen");
        wakeLock.addEventListener("release", () => {
          wakeLock = null;
        });
      } catch (e) {
        console.info("runcoach: no screen wake lock:", e.message);
      } finally {
        wakePending = false;
      }
    } else if (!want && wakeLock) {
      const lock = wakeLock;
      wakeLock = null;
      lock.release().catch(() => {});
    }
  }
  // The browser drops the lock whenever the tab is hidden; take it again when it comes back.
  document.addEventListener("visibilitychange", updateWakeLock);

  // --- the socket and the connection banner ----------------------------------------------------

  function banner(show) {
    let el = document.getElementById("rc-connection");
    if (!el && show) {
      el = document.createElement("div");
      el.id = "rc-connection";
      el.className = "rc-connection";
      el.setAttribute("role", "status");
      el.textContent = "Connection lost — reconnecting…";
      document.body.appendChild(el);
    }
    if (el) el.hidden = !show;
  }

  function bindSocket() {
    // NiceGUI creates window.socket when its Vue app mounts, after this script has run.
    if (!window.socket || window.socket === socket) return;
    socket = window.socket;
    socket.on("runcoach_state", accept);
    socket.on("disconnect", () => banner(true));
    socket.on("connect", () => banner(false));
    if (!socket.connected && window.did_handshake) banner(true);
  }

  // NiceGUI's own small popup says the same as our banner: show one message, not two.
  const style = document.createElement("style");
  style.textContent =
    "#popup{display:none!important}" +
    ".rc-connection{position:fixed;top:0;left:0;right:0;z-index:9999;padding:.9rem 1rem;" +
    "background:#b91c1c;color:#fff;font:600 1.4rem/1.2 system-ui,sans-serif;text-align:center;" +
    "box-shadow:0 2px 12px rgba(0,0,0,.4)}" +
    ".rc-connection[hidden]{display:none}";
  document.head.appendChild(style);

  window.RC = { accept, current, toggleMute, get snapshot() { return snap; } };
  updateWakeLock();
  window.requestAnimationFrame(frame);
})();
