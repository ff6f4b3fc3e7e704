// Live updates by polling (the issue: "reflect merchant changes without manual refresh").
// One tick every `ms` while the page is visible; a tick never overlaps the previous one,
// and a hidden tab stops asking until it is shown again.

export function createPoller(tick, ms) {
  let timer = null;
  let running = false;

  async function run() {
    timer = null;
    if (document.visibilityState === "visible" && !running) {
      running = true;
      try {
        await tick();
      } catch (error) {
        console.warn("poll failed", error);
      } finally {
        running = false;
      }
    }
    schedule();
  }

  function schedule() {
    if (timer === null) timer = setTimeout(run, ms);
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && timer !== null) {
      clearTimeout(timer);
      timer = null;
      run();
    }
  });

  return {
    start: schedule,
    /** Run a tick now (after an action), then carry on at the usual pace. */
    now() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      return run();
    },
  };
}
