// Parses Mermaid text read from stdin with Mermaid's own parser (mermaid.parse, the one the
// renderer runs first); prints "ok <diagram type>" or "error <message>" (exit 1).
// Mermaid's sanitizer needs a DOM: jsdom gives it one, no browser involved.
import { JSDOM } from "jsdom";

const dom = new JSDOM("");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaid = (await import("mermaid")).default;

let text = "";
for await (const chunk of process.stdin) text += chunk;
try {
  const result = await mermaid.parse(text);
  console.log("ok " + result.diagramType);
} catch (error) {
  console.log("error " + String(error).split("\n").join(" | "));
  process.exitCode = 1;
}
