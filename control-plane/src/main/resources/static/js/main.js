// The console's entry point: polls the API every 5 s and redraws each view.
import { get, signIn } from "./api.js";
import { fitAll } from "./charts.js";
import { $ } from "./dom.js";
import { refreshFleet } from "./fleet.js";
import { initLimits, refreshLimits } from "./limits.js";
import { initLookup } from "./lookup.js";
import { refreshOverview } from "./overview.js";

let timer = null;

async function refresh() {
  clearTimeout(timer);
  try {
    const activity = await get("stats/rules");
    await Promise.all([refreshLimits(activity), refreshFleet(), refreshOverview(activity)]);
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
    $("updated").className = "muted";
  } catch (e) {
    $("updated").textContent = "error: " + e.message;
    $("updated").className = "bad";
  }
  timer = setTimeout(refresh, 5000);
}

initLimits(refresh);
initLookup();
$("range").addEventListener("change", refresh);
$("sign-in").addEventListener("click", () => {
  signIn();
  refresh();
});
window.addEventListener("resize", fitAll);
refresh();
