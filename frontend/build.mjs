// Bundles the editor (src/editor.js and the CSS it imports) into app/static/dist/, the
// only files the application serves: no CDN, nothing fetched at run time.
import * as esbuild from "esbuild";

await esbuild.build({
  entryPoints: { editor: "src/editor.js" },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outdir: "../app/static/dist",
  legalComments: "linked",
  logLevel: "info",
});
