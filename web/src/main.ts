import "./styles.css";
import { startApp } from "./app";
import { loadConfig } from "./config";
import { ja } from "./i18n/ja";
import { h } from "./ui/dom";

function showBootError(root: HTMLElement): void {
  document.title = ja.appName;
  root.replaceChildren(
    h(
      "main",
      { id: "main", class: "container main" },
      h(
        "section",
        { class: "card card-narrow" },
        h("h1", null, ja.appName),
        h("div", { class: "alert alert-error", role: "alert" }, ja.boot.configError),
        h("button", { type: "button", class: "button button-primary", onclick: () => window.location.reload() }, ja.reload),
      ),
    ),
  );
}

async function boot(): Promise<void> {
  const root = document.getElementById("app");
  if (!root) return;
  let config;
  try {
    config = await loadConfig();
  } catch {
    showBootError(root);
    return;
  }
  startApp(root, config);
}

void boot();
